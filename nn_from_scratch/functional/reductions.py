"""Reductions: sum, mean, max and min over axes, with ``keepdims``.

The backward of a reduction *spreads* the upstream gradient back over the
axes that were reduced.  ``expand_to_input`` does that spreading: it puts the
reduced axes back (size 1) and broadcasts to the input's shape.
"""

from __future__ import annotations

import builtins

from ..backend import array_module
from ..tensor import Function, Tensor


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


class Sum(Function):
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


class Mean(Function):
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


class Max(Function):
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


class Min(Max):
    """y = min of x over ``axis``.   dL/dx = g at the minimum (shared among ties), 0 elsewhere."""

    def reduce(self, x):
        return x.min(axis=self.axes, keepdims=True)


def sum(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001 (PyTorch's name)
    return Sum(axis, keepdims)(x)


def mean(x, axis=None, keepdims=False) -> Tensor:
    return Mean(axis, keepdims)(x)


def max(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return Max(axis, keepdims)(x)


def min(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return Min(axis, keepdims)(x)
