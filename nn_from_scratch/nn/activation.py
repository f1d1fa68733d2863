"""Activation layers: ReLU, LeakyReLU, Sigmoid, Tanh (each a Module around a functional op).

They have no parameters and accept inputs of any shape; the Functions with
their forward and backward are in ``nn_from_scratch/functional/activations.py``.
"""

from __future__ import annotations

from .. import functional as F
from .module import Module


class ReLU(Module):
    """y = max(x, 0), element-wise."""

    def forward(self, x):
        return F.relu(x)


class LeakyReLU(Module):
    """y = x if x > 0 else negative_slope * x, element-wise (DCGAN's discriminator uses 0.2)."""

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """y = 1 / (1 + exp(-x)), element-wise: squashes to (0, 1)."""

    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    """y = tanh(x), element-wise: squashes to (-1, 1) (DCGAN's generator output)."""

    def forward(self, x):
        return F.tanh(x)
