"""Element-wise arithmetic, matrix multiplication, dtype and device moves.

Every op is a :class:`~nn_from_scratch.tensor.Function` whose ``forward``
and ``backward`` sit side by side.  Notation in the docstrings: ``g`` is the
upstream gradient dL/dy, of the output's shape.  Binary ops may broadcast:
their backward returns gradients of the broadcast shape and the engine sums
them back to each input's shape (see ``tensor.sum_to_shape``).
"""

from __future__ import annotations

from .. import backend
from ..backend import array_module, broadcast_shapes, device_of
from ..kernels import choose
from ..tensor import Function, Tensor


class AddFunction(Function):
    """y = a + b.   dL/da = g,  dL/db = g.   Shapes: a, b broadcastable; y the broadcast shape."""

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        return g, g


class SubFunction(Function):
    """y = a - b.   dL/da = g,  dL/db = -g."""

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, -g


class MulFunction(Function):
    """y = a * b (element-wise).   dL/da = g * b,  dL/db = g * a."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        grad_a = g * self.b if self.needs_input_grad[0] else None
        grad_b = g * self.a if self.needs_input_grad[1] else None
        return grad_a, grad_b


class DivFunction(Function):
    """y = a / b.   dL/da = g / b,  dL/db = -g * a / b**2."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, g):
        grad_a = g / self.b if self.needs_input_grad[0] else None
        grad_b = -g * self.a / (self.b * self.b) if self.needs_input_grad[1] else None
        return grad_a, grad_b


class NegFunction(Function):
    """y = -x.   dL/dx = -g."""

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


class PowFunction(Function):
    """y = x ** p for a constant scalar p.   dL/dx = g * p * x ** (p - 1)."""

    def __init__(self, exponent: float):
        self.exponent = exponent

    def forward(self, x):
        self.x = x
        return x ** self.exponent

    def backward(self, g):
        p = self.exponent
        return g * p * self.x ** (p - 1)


class ExpFunction(Function):
    """y = exp(x).   dL/dx = g * y."""

    def forward(self, x):
        self.y = array_module(x).exp(x)
        return self.y

    def backward(self, g):
        return g * self.y


class LogFunction(Function):
    """y = log(x) (natural log).   dL/dx = g / x."""

    def forward(self, x):
        self.x = x
        return array_module(x).log(x)

    def backward(self, g):
        return g / self.x


class SqrtFunction(Function):
    """y = sqrt(x).   dL/dx = g / (2 y)."""

    def forward(self, x):
        self.y = array_module(x).sqrt(x)
        return self.y

    def backward(self, g):
        return g / (2 * self.y)


class AbsFunction(Function):
    """y = |x|.   dL/dx = g * sign(x)  (0 at x = 0, as in PyTorch)."""

    def forward(self, x):
        self.x = x
        return array_module(x).abs(x)

    def backward(self, g):
        return g * array_module(g).sign(self.x)


class ClipFunction(Function):
    """y = min(max(x, low), high).   dL/dx = g where low <= x <= high, else 0.

    ``low`` or ``high`` may be None (no bound on that side).
    """

    def __init__(self, low=None, high=None):
        self.low, self.high = low, high

    def forward(self, x):
        xp = array_module(x)
        self.x = x
        return xp.clip(x, self.low, self.high)

    def backward(self, g):
        inside = True
        if self.low is not None:
            inside = self.x >= self.low
        if self.high is not None:
            inside = inside & (self.x <= self.high)
        return g * inside


class MatMulFunction(Function):
    """y = a @ b: 2-D, batched (leading axes broadcast) or with a 1-D side, like ``numpy.matmul``.

    For 2-D a (n, k) and b (k, m), y is (n, m) and
        dL/da = g @ b.T   (n, m) @ (m, k) -> (n, k)
        dL/db = a.T @ g   (k, n) @ (n, m) -> (k, m)
    Batched: the same on the last two axes (``.T`` becomes ``swapaxes(-1, -2)``),
    and the engine sums the gradient of a broadcast side back to its shape.
    A 1-D a is treated as a row (1, k), a 1-D b as a column (k, 1).
    """

    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, g):
        xp = array_module(g)
        a = self.a[None, :] if self.a.ndim == 1 else self.a
        b = self.b[:, None] if self.b.ndim == 1 else self.b
        batch_shape = broadcast_shapes(a.shape[:-2], b.shape[:-2])
        g = g.reshape(batch_shape + (a.shape[-2], b.shape[-1]))   # put back the axes a 1-D side removed
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = g @ xp.swapaxes(b, -1, -2)
            if self.a.ndim == 1:
                grad_a = grad_a.squeeze(-2)
        if self.needs_input_grad[1]:
            grad_b = xp.swapaxes(a, -1, -2) @ g
            if self.b.ndim == 1:
                grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b


class MaximumFunction(Function):
    """y = max(a, b), element-wise (broadcasting).

    dL/da = g where a > b, g / 2 where a == b, 0 where a < b;  dL/db gets the rest of g.
    A tie splits the gradient evenly between the two inputs, as in PyTorch.
    """

    def forward(self, a, b):
        self.a, self.b = a, b
        return array_module(a, b).maximum(a, b)

    def share_of_a(self, g):
        """The fraction of g that goes to a: 1 where a wins, 1/2 on a tie, 0 where b wins."""
        return (self.a > self.b).astype(g.dtype) + 0.5 * (self.a == self.b).astype(g.dtype)

    def backward(self, g):
        share_a = self.share_of_a(g)
        grad_a = g * share_a if self.needs_input_grad[0] else None
        grad_b = g * (1 - share_a) if self.needs_input_grad[1] else None
        return grad_a, grad_b


class MinimumFunction(MaximumFunction):
    """y = min(a, b), element-wise (broadcasting).   dL/da = g where a < b, g / 2 on a tie, else 0."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return array_module(a, b).minimum(a, b)

    def share_of_a(self, g):
        return (self.a < self.b).astype(g.dtype) + 0.5 * (self.a == self.b).astype(g.dtype)


class CastFunction(Function):
    """y = x converted to ``dtype``.   dL/dx = g converted back to x's dtype."""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.input_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, g):
        return g.astype(self.input_dtype)


class ToDeviceFunction(Function):
    """y = x copied to ``device`` ("cpu" or "cuda").   dL/dx = g copied back to x's device."""

    def __init__(self, device):
        self.device = device

    def forward(self, x):
        self.input_device = device_of(x)
        return backend.to_device(x, self.device)

    def backward(self, g):
        return backend.to_device(g, self.input_device)


# ---- functional spellings ---------------------------------------------------

def add(a, b) -> Tensor:
    return AddFunction()(a, b)


def sub(a, b) -> Tensor:
    return SubFunction()(a, b)


def mul(a, b) -> Tensor:
    return MulFunction()(a, b)


def div(a, b) -> Tensor:
    return DivFunction()(a, b)


def neg(x) -> Tensor:
    return NegFunction()(x)


def pow(x, exponent) -> Tensor:  # noqa: A001 (mirrors the operator's name)
    """x ** exponent, for a scalar exponent (int or float)."""
    if isinstance(exponent, Tensor) or hasattr(exponent, "shape"):
        raise TypeError("pow: only a scalar exponent is supported (x ** 2, x ** 0.5); "
                        "for a tensor exponent write exp(b * log(x))")
    return PowFunction(exponent)(x)


def exp(x) -> Tensor:
    return ExpFunction()(x)


def log(x) -> Tensor:
    return LogFunction()(x)


def sqrt(x) -> Tensor:
    return SqrtFunction()(x)


def abs(x) -> Tensor:  # noqa: A001
    return AbsFunction()(x)


def clip(x, low=None, high=None) -> Tensor:
    return ClipFunction(low, high)(x)


def matmul(a, b) -> Tensor:
    return choose(MatMulFunction)()(a, b)


def maximum(a, b) -> Tensor:
    """Element-wise maximum of two tensors (broadcasting), like ``torch.maximum``."""
    return MaximumFunction()(a, b)


def minimum(a, b) -> Tensor:
    """Element-wise minimum of two tensors (broadcasting), like ``torch.minimum``."""
    return MinimumFunction()(a, b)


def cast(x, dtype) -> Tensor:
    return CastFunction(dtype)(x)


def to_device(x, device) -> Tensor:
    return ToDeviceFunction(device)(x)


def linear(x, weight, bias=None) -> Tensor:
    """y = x @ weight.T + bias, with PyTorch's layout: weight (out_features, in_features).

    Shapes: x (..., in), weight (out, in), bias (out,) -> y (..., out); made of matmul and + (autograd's backward).
    """
    y = matmul(x, weight.T)
    return y if bias is None else y + bias
