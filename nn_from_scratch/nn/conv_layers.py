"""Conv2d and ConvTranspose2d layers: parameters + a call to ``conv2d`` / ``conv_transpose2d``.

The arithmetic (im2col, col2im, the backward passes) lives in
``nn_from_scratch/conv.py``; these classes hold the weight and bias with
PyTorch's layouts, names and default initialisation, and check the input.
"""

from __future__ import annotations

import math

from ..checks import whole_number
from ..conv import as_pair, conv2d, conv_transpose2d, conv_transpose2d_output_size
from . import init
from .module import Module, empty_parameter


def reset_conv_parameters(layer) -> None:
    """PyTorch's default for every convolution: weight by kaiming_uniform_(a=sqrt(5)),
    bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), with fan_in computed from the
    weight's shape (dims 1, 2, 3), also for the transposed layer whose dim 1 is
    out_channels."""
    init.kaiming_uniform_(layer.weight, a=math.sqrt(5))
    if layer.bias is not None:
        fan_in, _ = init.calculate_fan_in_and_fan_out(layer.weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(layer.bias, -bound, bound)


def conv_extra_repr(layer) -> str:
    """PyTorch's text: '1, 64, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1)' (defaults left out)."""
    text = f"{layer.in_channels}, {layer.out_channels}, kernel_size={layer.kernel_size}, stride={layer.stride}"
    if layer.padding != (0, 0):
        text += f", padding={layer.padding}"
    if layer.dilation != (1, 1):
        text += f", dilation={layer.dilation}"
    if getattr(layer, "output_padding", (0, 0)) != (0, 0):
        text += f", output_padding={layer.output_padding}"
    if layer.bias is None:
        text += ", bias=False"
    return text


def check_image_input(layer, x) -> None:
    """Raise a one-line ValueError unless x is (N, in_channels, H, W)."""
    if not hasattr(x, "ndim"):
        raise TypeError(f"{layer!r}: expected a Tensor input, got {type(x).__name__}; wrap it: nf.Tensor(x)")
    if x.ndim != 4 or x.shape[1] != layer.in_channels:
        hint = "; add a batch axis first (x.reshape(1, *x.shape))" if x.ndim == 3 else ""
        raise ValueError(f"{layer!r}: expected input (N, {layer.in_channels}, H, W), got {tuple(x.shape)}{hint}")


class Conv2d(Module):
    """2-D convolution layer, like ``torch.nn.Conv2d`` (without groups).

    Shapes: x (N, in_channels, H, W) -> y (N, out_channels, OH, OW) with
    OH = floor((H + 2*padding - dilation*(KH - 1) - 1) / stride) + 1 (same for OW);
    weight (out_channels, in_channels, KH, KW), bias (out_channels,).
    kernel_size, stride, padding and dilation are ints or (height, width) pairs.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 bias: bool = True):
        super().__init__()
        self.in_channels = whole_number("Conv2d", "in_channels", in_channels)
        self.out_channels = whole_number("Conv2d", "out_channels", out_channels)
        self.kernel_size = as_pair(kernel_size, "kernel_size", 1, op="Conv2d")
        self.stride = as_pair(stride, "stride", 1, op="Conv2d")
        self.padding = as_pair(padding, "padding", 0, op="Conv2d")
        self.dilation = as_pair(dilation, "dilation", 1, op="Conv2d")
        self.weight = empty_parameter((self.out_channels, self.in_channels) + self.kernel_size)
        self.bias = empty_parameter((self.out_channels,)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_conv_parameters(self)

    def forward(self, x):
        check_image_input(self, x)
        if x.shape[0] == 0:
            raise ValueError(f"{self!r}: expected at least one image (N >= 1), got an empty batch of shape "
                             f"{tuple(x.shape)}; check the data loader or the slice that made it")
        minimum = [self.dilation[i] * (self.kernel_size[i] - 1) + 1 - 2 * self.padding[i] for i in range(2)]
        if x.shape[2] < minimum[0] or x.shape[3] < minimum[1]:
            raise ValueError(f"{self!r}: expected input (N, {self.in_channels}, H, W) with H >= {minimum[0]} "
                             f"and W >= {minimum[1]} (the kernel must fit in the padded image), "
                             f"got {tuple(x.shape)}")
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return conv_extra_repr(self)


class ConvTranspose2d(Module):
    """2-D transposed convolution layer ("deconvolution"), like ``torch.nn.ConvTranspose2d`` (without groups).

    Shapes: x (N, in_channels, H, W) -> y (N, out_channels, OH, OW) with
    OH = (H - 1)*stride - 2*padding + dilation*(KH - 1) + output_padding + 1 (same for OW);
    weight (in_channels, out_channels, KH, KW) (note: in_channels first), bias (out_channels,).
    output_padding (extra rows/columns at the bottom/right) must be smaller than stride or dilation.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 dilation=1, bias: bool = True):
        super().__init__()
        self.in_channels = whole_number("ConvTranspose2d", "in_channels", in_channels)
        self.out_channels = whole_number("ConvTranspose2d", "out_channels", out_channels)
        self.kernel_size = as_pair(kernel_size, "kernel_size", 1, op="ConvTranspose2d")
        self.stride = as_pair(stride, "stride", 1, op="ConvTranspose2d")
        self.padding = as_pair(padding, "padding", 0, op="ConvTranspose2d")
        self.output_padding = as_pair(output_padding, "output_padding", 0, op="ConvTranspose2d")
        self.dilation = as_pair(dilation, "dilation", 1, op="ConvTranspose2d")
        for i in range(2):
            if self.output_padding[i] >= self.stride[i] and self.output_padding[i] >= self.dilation[i]:
                raise ValueError(f"ConvTranspose2d: output_padding {self.output_padding} must be smaller than "
                                 f"either stride {self.stride} or dilation {self.dilation}")
        self.weight = empty_parameter((self.in_channels, self.out_channels) + self.kernel_size)
        self.bias = empty_parameter((self.out_channels,)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_conv_parameters(self)

    def forward(self, x):
        check_image_input(self, x)
        out_size = conv_transpose2d_output_size(x.shape[2], x.shape[3], self.kernel_size, self.stride,
                                                self.padding, self.output_padding, self.dilation)
        if min(out_size) < 1:
            raise ValueError(f"{self!r}: expected input (N, {self.in_channels}, H, W) large enough for "
                             f"padding={self.padding}, got {tuple(x.shape)} (output would be {out_size})")
        return conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding, self.output_padding,
                                self.dilation)

    def extra_repr(self) -> str:
        return conv_extra_repr(self)
