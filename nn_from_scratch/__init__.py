"""nn_from_scratch: a deep-learning library written from scratch in NumPy (and CuPy).

    import nn_from_scratch as nf
    x = nf.Tensor([[1.0, -2.0]], requires_grad=True)
    y = (x * x).sum()
    y.backward()          # x.grad == 2 * x

Submodules: ``tensor`` (Tensor, Function, the backward engine), ``functional``
(ops, as F), ``conv``, ``nn`` (layers), ``optim``, ``gradcheck``, ``backend``
(NumPy/CuPy), ``data``, ``models``, ``metrics``, ``viz``, ``debug``, ``host_memory``
(:func:`keep_freed_memory`, fewer page faults per training step), ``interop``
(:func:`interop.to_torch` / :func:`interop.from_torch`: the same model in PyTorch; torch optional).
"""

# Each submodule imports what it needs itself, so this order is only alphabetical.
from . import backend, conv, data, debug, functional, host_memory, interop, metrics, models, nn, optim, tensor, viz
from .gradcheck import GradcheckError, gradcheck, numerical_gradient, relative_error
from .host_memory import keep_freed_memory
from .tensor import Function, Tensor, enable_grad, is_grad_enabled, no_grad

__version__ = "0.1.0"

__all__ = [
    "Function", "GradcheckError", "Tensor", "backend", "conv", "data", "debug", "enable_grad",
    "functional", "gradcheck", "host_memory", "interop", "is_grad_enabled", "keep_freed_memory", "metrics", "models",
    "nn", "no_grad", "numerical_gradient", "optim", "relative_error", "tensor", "viz",
]
