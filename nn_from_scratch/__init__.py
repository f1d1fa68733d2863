"""nn_from_scratch: a deep-learning library written from scratch in NumPy (and CuPy).

    import nn_from_scratch as nf
    x = nf.Tensor([[1.0, -2.0]], requires_grad=True)
    y = (x * x).sum()
    y.backward()          # x.grad == 2 * x

Submodules: ``tensor`` (Tensor, Function, the backward engine), ``functional``
(every op, as F), ``nn`` (layers), ``optim``, ``gradcheck``, ``backend``
(NumPy/CuPy), ``kernels`` (textbook/fast), ``data``, ``models``, ``metrics``,
``viz``, ``debug``, ``interop`` (:func:`interop.to_torch` / :func:`interop.from_torch`:
the same model in PyTorch; torch optional).  The fast kernels (``nn_from_scratch.fast``)
are imported only when the fast kernel set first runs.
"""

# Each submodule imports what it needs itself, so this order is only alphabetical.
from . import backend, data, debug, functional, interop, kernels, metrics, models, nn, optim, tensor, viz
from .gradcheck import GradcheckError, gradcheck, numerical_gradient, relative_error
from .tensor import Function, Tensor, enable_grad, is_grad_enabled, no_grad

__version__ = "0.1.0"

__all__ = [
    "Function", "GradcheckError", "Tensor", "backend", "data", "debug", "enable_grad", "functional", "gradcheck",
    "interop", "is_grad_enabled", "kernels", "metrics", "models", "nn", "no_grad", "numerical_gradient", "optim",
    "relative_error", "tensor", "viz",
]
