"""sum_to_shape averages over the axes that broadcasting added in front instead of summing them: the right shape,
values too small by the number of copies."""

TARGET_TASK = "1.2"


def sum_to_shape(grad, shape):
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.mean(axis=tuple(range(extra)))
    broadcast_axes = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if broadcast_axes:
        grad = grad.sum(axis=broadcast_axes, keepdims=True)
    return grad.reshape(shape)
