"""nn_from_scratch: a deep-learning library written from scratch in NumPy (and CuPy).

    import nn_from_scratch as nf
    x = nf.Tensor([[1.0, -2.0]], requires_grad=True)
    y = (x * x).sum()
    y.backward()          # x.grad == 2 * x
"""

from . import backend, functional
from .gradcheck import GradcheckError, gradcheck, numerical_gradient, relative_error
from .tensor import Function, Tensor, enable_grad, is_grad_enabled, no_grad, tensor

__version__ = "0.1.0"

__all__ = [
    "Function", "GradcheckError", "Tensor", "backend", "enable_grad", "functional", "gradcheck",
    "is_grad_enabled", "no_grad", "numerical_gradient", "relative_error", "tensor",
]
