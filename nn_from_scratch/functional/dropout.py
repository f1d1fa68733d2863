"""Dropout: during training, zero each value with probability p and scale the rest by 1 / (1 - p).

The scaling keeps the expected value of every activation unchanged, so at
evaluation time (``model.eval()``) dropout simply passes its input through.
"""

from __future__ import annotations

import numpy

from .. import random_numbers
from ..backend import array_module
from ..tensor import Function, Tensor


class DropoutFunction(Function):
    """y = x * mask, where mask = keep / (1 - p) and keep is 0 or 1 per element.   dL/dx = g * mask.

    Shapes: x and mask the same shape.  The mask is drawn outside (by
    :func:`dropout`), so that a given mask gives a deterministic function
    (gradcheck can test it).
    """

    def __init__(self, mask):
        self.mask = mask

    def forward(self, x):
        return x * self.mask

    def backward(self, g):
        return g * self.mask


def dropout_mask(shape, p: float, xp, dtype):
    """keep / (1 - p) with keep ~ Bernoulli(1 - p), of ``shape`` and ``dtype``, drawn with ``xp``'s generator.

    On the CPU the values come from ``random_numbers.generator`` (seeded by
    ``nn.init.manual_seed``), on the GPU from CuPy's generator.
    """
    if xp is numpy:
        uniform = random_numbers.generator.random(shape, dtype=numpy.float32)
    else:
        uniform = xp.random.random(shape, dtype=numpy.float32)
    keep = (uniform >= p).astype(dtype)
    return keep * (1.0 / (1.0 - p)) if p < 1 else keep * 0.0


def dropout(x, p: float = 0.5, training: bool = True) -> Tensor:
    """Like ``torch.nn.functional.dropout``: x unchanged when not training or p == 0."""
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be between 0 and 1, got {p}")
    if not training or p == 0.0:
        return x
    x = x if isinstance(x, Tensor) else Tensor(x)
    return DropoutFunction(dropout_mask(x.shape, p, array_module(x.data), x.dtype))(x)
