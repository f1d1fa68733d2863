"""Pooling layers: MaxPool2d and AvgPool2d (no parameters; the Functions are in functional/pooling.py)."""

from __future__ import annotations

from ..functional.conv import as_pair
from ..functional.pooling import avg_pool2d, max_pool2d
from .module import Module


class _Pool2d(Module):
    """What MaxPool2d and AvgPool2d share: kernel_size, stride (default: the kernel size) and padding, as pairs."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = as_pair(kernel_size, "kernel_size", 1, op=name)
        self.stride = self.kernel_size if stride is None else as_pair(stride, "stride", 1, op=name)
        self.padding = as_pair(padding, "padding", 0, op=name)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """The largest value of each KH x KW window, per channel, like ``torch.nn.MaxPool2d``.

    Shapes: x (N, C, H, W) -> (N, C, OH, OW), OH = floor((H + 2*padding - KH) / stride) + 1.
    """

    def forward(self, x):
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """The mean of each KH x KW window, per channel, like ``torch.nn.AvgPool2d`` (padding counts as zeros).

    Shapes: x (N, C, H, W) -> (N, C, OH, OW), OH = floor((H + 2*padding - KH) / stride) + 1.
    """

    def forward(self, x):
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding)
