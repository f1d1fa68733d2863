"""Conv2d and ConvTranspose2d layers: parameters + a call to ``conv2d`` / ``conv_transpose2d``.

The arithmetic (im2col, col2im, the backward passes) lives in
``nn_from_scratch/functional/conv.py``; these classes hold the weight and bias
with PyTorch's layouts, names and default initialisation, and check the input.
"""

from __future__ import annotations

from ..checks import whole_number
from ..functional.conv import apply_conv2d, apply_conv_transpose2d, as_pair, check_output_padding
from . import init
from .module import Module, empty_parameter


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
        init.default_weight_and_bias_(self)

    def forward(self, x):
        return apply_conv2d(self, x, self.weight, self.bias, self.stride, self.padding, self.dilation)

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
        check_output_padding("ConvTranspose2d", self.output_padding, self.stride, self.dilation)
        self.weight = empty_parameter((self.in_channels, self.out_channels) + self.kernel_size)
        self.bias = empty_parameter((self.out_channels,)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_weight_and_bias_(self)

    def forward(self, x):
        return apply_conv_transpose2d(self, x, self.weight, self.bias, self.stride, self.padding,
                                      self.output_padding, self.dilation)

    def extra_repr(self) -> str:
        return conv_extra_repr(self)
