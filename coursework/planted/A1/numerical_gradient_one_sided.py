"""numerical_gradient takes the one-sided difference (f(x + eps) - f(x)) / eps: an error of order eps instead of
eps**2, about 1e-6 here."""

TARGET_TASK = "1.11"


def numerical_gradient(fn, inputs, which, upstream, eps=1e-6, elements=None):
    x = inputs[which].data
    upstream = array_module(x).asarray(upstream)
    flat = x.reshape(-1)
    grad = numpy.zeros(x.size, dtype=numpy.float64)
    base = _output_value(fn, inputs, upstream)
    for i in range(x.size) if elements is None else elements:
        original = flat[i].item()
        flat[i] = original + eps
        plus = _output_value(fn, inputs, upstream)
        flat[i] = original
        grad[i] = (plus - base) / eps
    return grad.reshape(x.shape)
