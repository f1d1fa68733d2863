"""Reductions: sum, mean, max, min and prod over axes, with ``keepdims``.

The backward of a reduction *spreads* the upstream gradient back over the
axes that were reduced.  ``expand_to_input`` does that spreading: it puts the
reduced axes back (size 1) and broadcasts to the input's shape.
"""

from __future__ import annotations

import builtins

from ..backend import array_module
from ..tensor import Function, Tensor
from .shape import inverse_permutation


def normalize_axes(axis, ndim: int) -> tuple:
    """``None`` -> all axes; an int or tuple -> a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    normalized = []
    for a in axes:
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        normalized.append(a % ndim if ndim else 0)
    return tuple(sorted(normalized))


def expand_to_input(g, input_shape: tuple, axes: tuple, keepdims: bool):
    """Broadcast a reduced gradient g back to ``input_shape``.

    If x (2, 3, 4) was summed over axis 1 without keepdims, g is (2, 4):
    reshape to (2, 1, 4), then broadcast to (2, 3, 4).
    """
    xp = array_module(g)
    if not keepdims:
        kept_shape = tuple(1 if i in axes else size for i, size in enumerate(input_shape))
        g = g.reshape(kept_shape)
    return xp.broadcast_to(g, input_shape)


class SumFunction(Function):
    """y = sum of x over ``axis``.   dL/dx = g broadcast back over the summed axes.

    Shapes: x (d0, d1, ...) -> y without the summed axes (or with size 1 there, keepdims).
    """

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.input_shape = x.shape
        self.axes = normalize_axes(self.axis, x.ndim)
        return x.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):
        return expand_to_input(g, self.input_shape, self.axes, self.keepdims)


class MeanFunction(Function):
    """y = mean of x over ``axis`` = sum / n.   dL/dx = g / n broadcast back (n = elements averaged)."""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.input_shape = x.shape
        self.axes = normalize_axes(self.axis, x.ndim)
        self.count = 1
        for a in self.axes:
            self.count *= x.shape[a]
        return x.mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):
        return expand_to_input(g / self.count, self.input_shape, self.axes, self.keepdims)


class MaxFunction(Function):
    """y = max of x over ``axis``.

    dL/dx = g at the position of the maximum, 0 elsewhere.  When several
    elements tie for the maximum, the gradient is shared equally among them
    (as PyTorch's ``amax`` does), so the result does not depend on the order.
    """

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def reduce(self, x):
        return x.max(axis=self.axes, keepdims=True)

    def forward(self, x):
        self.x = x
        self.axes = normalize_axes(self.axis, x.ndim)
        self.extreme = self.reduce(x)                   # keepdims=True, for backward
        if self.keepdims:
            return self.extreme
        return self.extreme.reshape([s for i, s in enumerate(x.shape) if i not in self.axes])

    def backward(self, g):
        is_extreme = (self.x == self.extreme)
        ties = is_extreme.sum(axis=self.axes, keepdims=True).astype(g.dtype)
        g = expand_to_input(g, self.x.shape, self.axes, self.keepdims)
        return g * is_extreme / ties


class MinFunction(MaxFunction):
    """y = min of x over ``axis``.   dL/dx = g at the minimum (shared among ties), 0 elsewhere."""

    def reduce(self, x):
        return x.min(axis=self.axes, keepdims=True)


class ProdFunction(Function):
    """y = product of x over ``axis``.

    dL/dx_i = g * (the product of every other element that x_i was multiplied with).
    Dividing y by x_i would fail where x_i = 0, so the product of the others is
    built from two running products along the reduced elements:
    (product of those before i) * (product of those after i).
    Shapes: as for sum; inside backward the reduced axes are moved last and
    flattened into one axis of K elements.
    """

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x = x
        self.axes = normalize_axes(self.axis, x.ndim)
        return x.prod(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):
        xp = array_module(g)
        kept = tuple(i for i in range(self.x.ndim) if i not in self.axes)
        order = kept + self.axes                                    # the reduced axes last
        moved = self.x.transpose(order)
        groups = moved.reshape(moved.shape[:len(kept)] + (-1,))     # (..., K)
        ones = xp.ones_like(groups[..., :1])
        before = xp.cumprod(xp.concatenate([ones, groups[..., :-1]], axis=-1), axis=-1)
        after = xp.cumprod(xp.concatenate([ones, groups[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = (before * after)[..., :groups.shape[-1]]          # (the slice matters only for K = 0)
        others = others.reshape(moved.shape)
        g = g.reshape(moved.shape[:len(kept)] + (1,) * len(self.axes))
        return (g * others).transpose(inverse_permutation(order))


def sum(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001 (PyTorch's name)
    return SumFunction(axis, keepdims)(x)


def mean(x, axis=None, keepdims=False) -> Tensor:
    return MeanFunction(axis, keepdims)(x)


def max(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return MaxFunction(axis, keepdims)(x)


def min(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return MinFunction(axis, keepdims)(x)


def prod(x, axis=None, keepdims=False) -> Tensor:
    """The product of the elements over ``axis`` (all axes when None), like ``torch.prod``."""
    return ProdFunction(axis, keepdims)(x)
