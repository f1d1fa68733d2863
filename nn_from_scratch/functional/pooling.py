"""2-D pooling: max_pool2d and avg_pool2d, each a Function with forward and backward.

Pooling slides a KH x KW window over every channel of every image, like a
convolution without weights, and keeps the largest value (max) or the mean
(average) of each window.  Output sizes follow the convolution's formula
with dilation 1:  OH = floor((H + 2*padding - KH) / stride) + 1.

As in ``functional/conv.py``, the loops run over the KH*KW kernel positions
only: kernel position (p, q) of all windows is one strided slice of the
padded image, (N, C, OH, OW).  The padding is -inf for max pooling (padding
never wins) and 0 for average pooling, whose divisor is always KH*KW
(PyTorch's default, ``count_include_pad=True``).
"""

from __future__ import annotations

from ..backend import array_module
from ..kernels import choose
from ..tensor import Function, Tensor
from .conv import as_pair, conv2d_output_size, window_slices


def pad_image_with(x, padding, value):
    """(N, C, H, W) -> (N, C, H + 2*ph, W + 2*pw), the border filled with ``value``."""
    ph, pw = padding
    return array_module(x).pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


class MaxPool2dFunction(Function):
    """y[n, c, i, j] = max over p, q of x_padded[n, c, i*stride + p, j*stride + q].

    dL/dx: each window's gradient g[n, c, i, j] goes to the one input pixel that
    was the window's maximum (the first one in row-major order when several tie,
    as in PyTorch); pixels that were the maximum of several windows add up
    their gradients, and the others get 0.

    Shapes: x (N, C, H, W) -> y (N, C, OH, OW).  Forward remembers, for every
    window, which kernel position won (``argmax``, values 0 .. KH*KW-1).
    ``MaxPool2dFunction(kernel, stride, padding)`` with (height, width) pairs.
    """

    def __init__(self, kernel, stride, padding):
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def forward(self, x):
        xp = array_module(x)
        self.x_shape = x.shape
        kh, kw = self.kernel
        self.output_size = conv2d_output_size(x.shape[2], x.shape[3], self.kernel, self.stride, self.padding)
        x_padded = pad_image_with(x, self.padding, -xp.inf)
        y = None
        for p in range(kh):
            for q in range(kw):
                rows, columns = window_slices(p, q, self.stride, (1, 1), self.output_size)
                values = x_padded[:, :, rows, columns]                       # (N, C, OH, OW)
                if y is None:
                    y, self.argmax = values.copy(), xp.zeros(values.shape, dtype=xp.int64)
                else:
                    larger = values > y                                      # a tie keeps the earlier position
                    y = xp.where(larger, values, y)
                    self.argmax = xp.where(larger, p * kw + q, self.argmax)
        return y

    def backward(self, g):
        xp = array_module(g)
        n, c, h, w = self.x_shape
        kh, kw = self.kernel
        ph, pw = self.padding
        grad_padded = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
        for p in range(kh):
            for q in range(kw):
                rows, columns = window_slices(p, q, self.stride, (1, 1), self.output_size)
                grad_padded[:, :, rows, columns] += xp.where(self.argmax == p * kw + q, g, 0)
        return grad_padded[:, :, ph:ph + h, pw:pw + w]


class AvgPool2dFunction(Function):
    """y[n, c, i, j] = (1 / (KH*KW)) * sum over p, q of x_padded[n, c, i*stride + p, j*stride + q].

    dL/dx_padded[n, c, i*stride + p, j*stride + q] += g[n, c, i, j] / (KH*KW) for every window,
    then dL/dx is that without the padding border.
    Shapes: x (N, C, H, W) -> y (N, C, OH, OW).
    ``AvgPool2dFunction(kernel, stride, padding)`` with (height, width) pairs.
    """

    def __init__(self, kernel, stride, padding):
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def forward(self, x):
        self.x_shape = x.shape
        kh, kw = self.kernel
        self.output_size = conv2d_output_size(x.shape[2], x.shape[3], self.kernel, self.stride, self.padding)
        x_padded = pad_image_with(x, self.padding, 0)
        total = 0
        for p in range(kh):
            for q in range(kw):
                rows, columns = window_slices(p, q, self.stride, (1, 1), self.output_size)
                total = total + x_padded[:, :, rows, columns]
        return total / (kh * kw)

    def backward(self, g):
        xp = array_module(g)
        n, c, h, w = self.x_shape
        kh, kw = self.kernel
        ph, pw = self.padding
        share = g / (kh * kw)
        grad_padded = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
        for p in range(kh):
            for q in range(kw):
                rows, columns = window_slices(p, q, self.stride, (1, 1), self.output_size)
                grad_padded[:, :, rows, columns] += share
        return grad_padded[:, :, ph:ph + h, pw:pw + w]


def pooling_arguments(op: str, x, kernel_size, stride, padding) -> tuple:
    """(kernel, stride, padding) as pairs, checked against x: stride defaults to the kernel size (PyTorch's rule)."""
    kernel = as_pair(kernel_size, "kernel_size", 1, op)
    stride = kernel if stride is None else as_pair(stride, "stride", 1, op)
    padding = as_pair(padding, "padding", 0, op)
    if x.ndim != 4:
        raise ValueError(f"{op}: expected input of shape (N, C, H, W), got {tuple(x.shape)}")
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"{op}: padding {padding} must be at most half the kernel size {kernel}")
    if x.shape[2] + 2 * padding[0] < kernel[0] or x.shape[3] + 2 * padding[1] < kernel[1]:
        raise ValueError(f"{op}: kernel {kernel} is larger than the padded input "
                         f"{x.shape[2] + 2 * padding[0]}x{x.shape[3] + 2 * padding[1]}")
    return kernel, stride, padding


def max_pool2d(x, kernel_size, stride=None, padding=0) -> Tensor:
    """2-D max pooling, like ``torch.nn.functional.max_pool2d`` (no dilation, ceil_mode=False).

    x (N, C, H, W) -> (N, C, OH, OW), OH = floor((H + 2*padding - KH) / stride) + 1;
    stride defaults to kernel_size.
    """
    kernel, stride, padding = pooling_arguments("max_pool2d", x, kernel_size, stride, padding)
    return choose(MaxPool2dFunction)(kernel, stride, padding)(x)


def avg_pool2d(x, kernel_size, stride=None, padding=0) -> Tensor:
    """2-D average pooling, like ``torch.nn.functional.avg_pool2d`` (count_include_pad=True, ceil_mode=False).

    x (N, C, H, W) -> (N, C, OH, OW); stride defaults to kernel_size.
    """
    kernel, stride, padding = pooling_arguments("avg_pool2d", x, kernel_size, stride, padding)
    return choose(AvgPool2dFunction)(kernel, stride, padding)(x)
