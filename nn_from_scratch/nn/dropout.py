"""Dropout: during training, zero each value with probability p and scale the rest by 1 / (1 - p).

The Function is ``nn_from_scratch/functional/dropout.py``; this layer only
remembers p and passes ``self.training`` to it.
"""

from __future__ import annotations

from ..functional.dropout import dropout
from .module import Module


class Dropout(Module):
    """Zero each input value with probability p while training (scaling the others by 1 / (1 - p))."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        if not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"Dropout: p must be between 0 and 1, got {p}")
        self.p = float(p)

    def forward(self, x):
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
