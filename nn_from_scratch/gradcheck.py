"""Gradient checking: compare backward's gradients with finite differences.

For a function f and an input x, the central difference

    (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

approximates df/dx_i with an error of order eps**2.  ``gradcheck`` reduces a
tensor-valued output to a number with a random upstream gradient u,
L = sum(u * f(x)), so that backward's dL/dx (= the vector-Jacobian product
u^T J) is checked in every direction at once.

Reading a relative error |a - n| / max(|a|, |n|) (CS231n's rules of thumb,
in float64):

    > 1e-2          the gradient is probably wrong
    1e-2 .. 1e-4    uncomfortable: look closer
    1e-4 .. 1e-7    fine for functions with kinks (relu, max, abs, clip) when
                    x is near a kink; too high for smooth functions
    < 1e-7          the gradient is right

Float32 has about 7 significant digits: with eps = 1e-6 the difference
f(x + eps) - f(x - eps) is mostly rounding noise, so gradcheck refuses
float32 inputs.  Cast with ``x.double()`` or create the data as float64.
"""

from __future__ import annotations

import numpy

from .backend import array_module, to_numpy
from .tensor import Tensor, no_grad


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when backward disagrees with finite differences."""


def relative_error(a, b) -> float:
    """max |a - b| / max(|a| + |b|) over elements (CS231n's rel_error; 0 when both are 0)."""
    a, b = to_numpy(a), to_numpy(b)
    scale = numpy.maximum(numpy.abs(a) + numpy.abs(b), 1e-300)
    return float(numpy.max(numpy.abs(a - b) / scale)) if a.size else 0.0


def _output_value(fn, inputs, upstream) -> float:
    with no_grad():
        return float((fn(*inputs).data * upstream).sum())


def numerical_gradient(fn, inputs, which: int, upstream, eps: float = 1e-6, elements=None):
    """Central-difference dL/d(inputs[which]) for L = sum(upstream * fn(*inputs)).

    ``elements`` is an iterable of flat indices to check (all when None); the
    others are left at 0.  The input's data is perturbed in place and restored.
    """
    x = inputs[which].data
    upstream = array_module(x).asarray(upstream)   # a NumPy upstream, for inputs on the GPU too
    flat = x.reshape(-1)            # a view: writing to it changes x
    grad = numpy.zeros(x.size, dtype=numpy.float64)
    for i in range(x.size) if elements is None else elements:
        original = flat[i].item()
        flat[i] = original + eps
        plus = _output_value(fn, inputs, upstream)
        flat[i] = original - eps
        minus = _output_value(fn, inputs, upstream)
        flat[i] = original
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.shape)


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              max_elements: int | None = None, seed: int = 0) -> bool:
    """Check ``fn``'s backward against central finite differences, like ``torch.autograd.gradcheck``.

    fn:      a function of the tensors in ``inputs`` returning one Tensor.
    inputs:  a Tensor or a sequence of Tensors; every float64 one with
             ``requires_grad=True`` is checked, element by element.  To check
             a layer's parameters too, pass them as inputs:
             ``gradcheck(lambda x, *params: layer(x), [x, *layer.parameters()])``.
    max_elements: check at most this many randomly chosen elements of each
             input (the sampled mode, for large inputs); all when None.

    An element passes when |analytic - numeric| <= atol + rtol * |numeric|.
    Returns True, or raises :class:`GradcheckError` naming the input, the
    worst element's index, both values and the relative error.
    """
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True, so there is nothing to check")
    for i in checked:
        if inputs[i].dtype != numpy.float64:
            raise TypeError(
                f"gradcheck: input {i} has dtype {inputs[i].dtype}, expected float64: with eps={eps} "
                "float32 rounding error swamps the finite differences; use x.double()"
            )
    rng = numpy.random.default_rng(seed)
    output = fn(*inputs)
    if not isinstance(output, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(output).__name__}")
    xp = array_module(output.data)
    upstream = xp.asarray(rng.standard_normal(output.shape))

    saved_grads = [inputs[i].grad for i in checked]
    for i in checked:
        inputs[i].grad = None
    if not output.requires_grad:
        raise GradcheckError("gradcheck: the output does not require grad: fn's result is not "
                             "connected to any input that requires grad")
    output.backward(upstream)
    analytic = {i: inputs[i].grad if inputs[i].grad is not None else xp.zeros(inputs[i].shape)
                for i in checked}
    for i, grad in zip(checked, saved_grads):
        inputs[i].grad = grad

    for i in checked:
        size = inputs[i].size
        elements = None
        if max_elements is not None and size > max_elements:
            elements = sorted(rng.choice(size, max_elements, replace=False).tolist())
        numeric = numerical_gradient(fn, inputs, i, upstream, eps, elements)
        _compare(i, inputs[i], to_numpy(analytic[i]), numeric, elements, atol, rtol)
    return True


def _compare(position, tensor, analytic, numeric, elements, atol, rtol) -> None:
    analytic = analytic.reshape(-1).astype(numpy.float64)
    numeric = numeric.reshape(-1)
    if elements is not None:
        analytic, numeric = analytic[elements], numeric[elements]
    difference = numpy.abs(analytic - numeric)
    excess = difference - (atol + rtol * numpy.abs(numeric))
    if excess.size == 0 or excess.max() <= 0:
        return
    worst = int(numpy.argmax(excess))
    flat_index = elements[worst] if elements is not None else worst
    index = tuple(int(k) for k in numpy.unravel_index(flat_index, tensor.shape))
    rel = relative_error(analytic[worst], numeric[worst])
    failing = int((excess > 0).sum())
    name = f" ({tensor.name})" if tensor.name else ""
    raise GradcheckError(
        f"gradcheck failed for input {position}{name} of shape {tensor.shape}: "
        f"{failing} of {excess.size} checked elements disagree; worst at index {index}: "
        f"analytic {analytic[worst]:.10g}, numeric {numeric[worst]:.10g}, "
        f"relative error {rel:.3g} (> 1e-2 usually means a wrong backward)"
    )
