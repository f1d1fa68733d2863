"""Shape ops: reshape, transpose/permute, flatten, indexing, concatenate, stack, broadcast_to, where,
nearest-neighbour upsampling.

None of these does arithmetic, so their backward only *moves* gradient
values back to where the input's elements were.
"""

from __future__ import annotations

from ..backend import array_module
from ..kernels import choose
from ..tensor import Function, Tensor, unwrap


def inverse_permutation(axes) -> tuple:
    """The permutation that undoes ``transpose(axes)``.

    If y's axis i is x's axis axes[i], then x's axis axes[i] is y's axis i.
    """
    inverse = [0] * len(axes)
    for position, axis in enumerate(axes):
        inverse[axis] = position
    return tuple(inverse)


class ReshapeFunction(Function):
    """y = x viewed with another shape (same elements, same order).   dL/dx = g reshaped to x's shape."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.input_shape = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {tuple(x.shape)} "
                             f"({x.size} elements) into {self.shape}") from None

    def backward(self, g):
        return g.reshape(self.input_shape)


class TransposeFunction(Function):
    """y = x with its axes permuted by ``axes`` (reversed when None).

    dL/dx = g permuted by the inverse permutation: if y's axis i is x's axis
    axes[i], then x's axis axes[i] is y's axis i.
    """

    def __init__(self, axes=None):
        self.axes = None if axes is None else tuple(axes)

    def forward(self, x):
        axes = self.axes if self.axes is not None else tuple(reversed(range(x.ndim)))
        if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
            raise ValueError(f"transpose: axes {axes} are not a permutation of the {x.ndim} axes "
                             f"of a tensor of shape {tuple(x.shape)}")
        self.forward_axes = tuple(a % x.ndim for a in axes)
        return x.transpose(self.forward_axes)

    def backward(self, g):
        return g.transpose(inverse_permutation(self.forward_axes))


class GetItemFunction(Function):
    """y = x[index] (slices, integers, integer or boolean arrays).

    dL/dx is zero except at the selected positions, which receive g.  An
    element selected several times (``x[[0, 0]]``) receives the sum, hence
    ``add.at`` (an unbuffered add) for array indices.
    """

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.input_shape, self.input_dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, g):
        xp = array_module(g)
        grad = xp.zeros(self.input_shape, dtype=g.dtype)
        if _has_array(self.index):
            xp.add.at(grad, self.index, g)
        else:
            grad[self.index] = g
        return grad


def _has_array(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(hasattr(part, "shape") or isinstance(part, list) for part in parts)


class ConcatenateFunction(Function):
    """y = the inputs joined along ``axis``.   dL/d(input i) = the slice of g that input i filled."""

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        xp = array_module(*xs)
        self.sizes = [x.shape[self.axis] for x in xs]
        return xp.concatenate(xs, axis=self.axis)

    def backward(self, g):
        xp = array_module(g)
        boundaries = list(_cumulative(self.sizes))[:-1]
        return tuple(xp.split(g, boundaries, axis=self.axis))


def _cumulative(sizes):
    total = 0
    for size in sizes:
        total += size
        yield total


class StackFunction(Function):
    """y = the inputs (all of one shape) stacked along a new axis.   dL/d(input i) = g taken at index i."""

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        return array_module(*xs).stack(xs, axis=self.axis)

    def backward(self, g):
        xp = array_module(g)
        return tuple(xp.take(g, i, axis=self.axis) for i in range(g.shape[self.axis]))


class BroadcastToFunction(Function):
    """y = x broadcast to ``shape``.

    dL/dx = g summed over the broadcast axes: the engine already sums every
    gradient back to its input's shape, so backward just returns g.
    """

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        return array_module(x).broadcast_to(x, self.shape)

    def backward(self, g):
        return g


class WhereFunction(Function):
    """y = a where condition else b (element-wise, broadcasting).

    dL/da = g where condition, else 0;  dL/db = g where not condition, else 0.
    The condition gets no gradient.
    """

    def forward(self, condition, a, b):
        self.condition = condition.astype(bool)
        return array_module(a, b).where(self.condition, a, b)

    def backward(self, g):
        zero = g.dtype.type(0)
        xp = array_module(g)
        return None, xp.where(self.condition, g, zero), xp.where(self.condition, zero, g)


class UpsampleNearest2dFunction(Function):
    """y = x with every pixel repeated ``scale`` times along height and width (nearest neighbour).

    Shapes: x (N, C, H, W) -> y (N, C, H*scale, W*scale), y[n, c, i, j] = x[n, c, i // scale, j // scale].
    Each input pixel is copied into a scale x scale block of y, so its gradient is the sum of g
    over that block: dL/dx = g viewed as (N, C, H, scale, W, scale), summed over the two scale axes.
    """

    def __init__(self, scale: int):
        self.scale = int(scale)

    def forward(self, x):
        xp = array_module(x)
        n, c, h, w = x.shape
        s = self.scale
        blocks = xp.broadcast_to(x[:, :, :, None, :, None], (n, c, h, s, w, s))
        return blocks.reshape(n, c, h * s, w * s)             # reshape of a broadcast view: one copy

    def backward(self, g):
        n, c, hs, ws = g.shape
        s = self.scale
        return g.reshape(n, c, hs // s, s, ws // s, s).sum(axis=(3, 5))


# ---- functional spellings ---------------------------------------------------


def reshape(x, shape) -> Tensor:
    return choose(ReshapeFunction)(shape)(x)


def transpose(x, axes=None) -> Tensor:
    """Permute the axes (reverse them when ``axes`` is None); ``transpose(x, (0, 2, 1))``."""
    return TransposeFunction(axes)(x)


def permute(x, axes) -> Tensor:
    return TransposeFunction(axes)(x)


def swapaxes(x, axis1: int, axis2: int) -> Tensor:
    axes = list(range(x.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return TransposeFunction(axes)(x)


def flatten(x, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge the axes start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W) with start_dim=1."""
    shape = x.shape
    start, end = start_dim % len(shape), end_dim % len(shape)
    merged = 1
    for size in shape[start:end + 1]:
        merged *= size
    return reshape(x, shape[:start] + (merged,) + shape[end + 1:])


def getitem(x, index) -> Tensor:
    return GetItemFunction(unwrap(index))(x)


def concatenate(tensors, axis: int = 0) -> Tensor:
    return ConcatenateFunction(axis)(*tensors)


cat = concatenate   # PyTorch's name


def stack(tensors, axis: int = 0) -> Tensor:
    return StackFunction(axis)(*tensors)


def broadcast_to(x, shape) -> Tensor:
    return BroadcastToFunction(shape)(x)


def upsample_nearest(x, scale: int = 2) -> Tensor:
    """Nearest-neighbour upsampling of (N, C, H, W) by an integer ``scale``: (N, C, H*scale, W*scale).

    Same values as ``torch.nn.functional.interpolate(x, scale_factor=scale, mode="nearest")``.
    """
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ValueError(f"upsample_nearest: scale must be a positive integer, got {scale!r}")
    if x.ndim != 4:
        raise ValueError(f"upsample_nearest: expected input of shape (N, C, H, W), got {tuple(x.shape)}")
    return UpsampleNearest2dFunction(scale)(x)


def where(condition, a, b) -> Tensor:
    """Element-wise choice: a where ``condition`` is true, else b."""
    return WhereFunction()(condition, a, b)
