"""Activation functions: relu, leaky_relu, sigmoid, tanh, softplus, softmax, log_softmax.

Each is written to be numerically stable in float32: no ``exp`` of a large
positive number is ever computed.
"""

from __future__ import annotations

from ..backend import array_module
from ..kernels import choose
from ..tensor import Function, Tensor


def stable_sigmoid(x):
    """sigmoid(x) = 1 / (1 + exp(-x)), without overflow for any x.

    exp(-x) overflows for very negative x, so both forms are computed from
    e = exp(-|x|), which lies in (0, 1]:
        x >= 0:  sigmoid(x) = 1 / (1 + exp(-x)) = 1 / (1 + e)
        x <  0:  sigmoid(x) = exp(x) / (1 + exp(x)) = e / (1 + e)
    """
    xp = array_module(x)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


class ReLUFunction(Function):
    """y = max(x, 0).   dL/dx = g where x > 0, else 0 (the kink at 0 gets 0, as in PyTorch)."""

    def forward(self, x):
        self.x = x
        return array_module(x).maximum(x, 0)

    def backward(self, g):
        return g * (self.x > 0)


class LeakyReLUFunction(Function):
    """y = x if x > 0 else slope * x.   dL/dx = g if x > 0 else slope * g."""

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        self.x = x
        return array_module(x).where(x > 0, x, self.negative_slope * x)

    def backward(self, g):
        return array_module(g).where(self.x > 0, g, self.negative_slope * g)


class SigmoidFunction(Function):
    """y = 1 / (1 + exp(-x)), by stable_sigmoid (no overflow).   dL/dx = g * y * (1 - y)."""

    def forward(self, x):
        self.y = stable_sigmoid(x)
        return self.y

    def backward(self, g):
        return g * self.y * (1 - self.y)


class TanhFunction(Function):
    """y = tanh(x).   dL/dx = g * (1 - y**2)."""

    def forward(self, x):
        self.y = array_module(x).tanh(x)
        return self.y

    def backward(self, g):
        return g * (1 - self.y * self.y)


class SoftplusFunction(Function):
    """y = log(1 + exp(x)), computed as max(x, 0) + log(1 + exp(-|x|)).   dL/dx = g * sigmoid(x).

    Both forms are equal (for x > 0, log(1 + exp(x)) = x + log(exp(-x) + 1)),
    and the second never takes exp of a positive number.
    """

    def forward(self, x):
        xp = array_module(x)
        self.x = x
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, g):
        return g * stable_sigmoid(self.x)


class SoftmaxFunction(Function):
    """y_i = exp(x_i) / sum_j exp(x_j) along ``axis`` (x shifted by its max first, for stability).

    dL/dx = y * (g - sum(g * y, axis))  (the Jacobian diag(y) - y y^T applied to g).
    """

    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x):
        xp = array_module(x)
        e = xp.exp(x - x.max(axis=self.axis, keepdims=True))
        self.y = e / e.sum(axis=self.axis, keepdims=True)
        return self.y

    def backward(self, g):
        return self.y * (g - (g * self.y).sum(axis=self.axis, keepdims=True))


class LogSoftmaxFunction(Function):
    """y = x - logsumexp(x) along ``axis``.   dL/dx = g - softmax(x) * sum(g, axis)."""

    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x):
        xp = array_module(x)
        shifted = x - x.max(axis=self.axis, keepdims=True)
        y = shifted - xp.log(xp.exp(shifted).sum(axis=self.axis, keepdims=True))
        self.softmax = xp.exp(y)
        return y

    def backward(self, g):
        return g - self.softmax * g.sum(axis=self.axis, keepdims=True)


def relu(x) -> Tensor:
    return choose(ReLUFunction)()(x)


def leaky_relu(x, negative_slope: float = 0.01) -> Tensor:
    return choose(LeakyReLUFunction)(negative_slope)(x)


def sigmoid(x) -> Tensor:
    return choose(SigmoidFunction)()(x)


def tanh(x) -> Tensor:
    return TanhFunction()(x)


def softplus(x) -> Tensor:
    return choose(SoftplusFunction)()(x)


def softmax(x, axis: int = -1) -> Tensor:
    return SoftmaxFunction(axis)(x)


def log_softmax(x, axis: int = -1) -> Tensor:
    return LogSoftmaxFunction(axis)(x)
