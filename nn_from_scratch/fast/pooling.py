"""Fast pooling for windows that tile the image: stride equal to the kernel size, no padding.

That is the common case (``MaxPool2d(2)``).  There the windows do not
overlap, and a reshape of the image to (N, C, OH, KH, OW, KW) lays every
window out on two axes: one reduction over them replaces the textbook's loop
over the KH*KW kernel positions (a pass over the image each, plus a padded
copy), and backward writes each window's gradient once, with no adds.
Other settings run the textbook loop.
"""

from __future__ import annotations

from ..backend import array_module
from ..functional import pooling as textbook


def tiles_the_image(function) -> bool:
    """True when the windows of a pooling Function do not overlap and need no padding."""
    return tuple(function.stride) == tuple(function.kernel) and tuple(function.padding) == (0, 0)


def as_windows(x, kernel):
    """(N, C, H, W) -> (N, C, OH, OW, KH*KW): the tiling windows, one per output pixel (a copy).

    Rows and columns that no whole window covers (H or W not a multiple of
    the kernel) are left out, as the pooling formula leaves them out.
    """
    n, c, h, w = x.shape
    kh, kw = kernel
    oh, ow = h // kh, w // kw
    blocks = x[:, :, :oh * kh, :ow * kw].reshape(n, c, oh, kh, ow, kw)
    return blocks.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh, ow, kh * kw)


def from_windows(grad_windows, x_shape, kernel):
    """The adjoint of :func:`as_windows`: (N, C, OH, OW, KH*KW) -> (N, C, H, W), uncovered pixels 0."""
    xp = array_module(grad_windows)
    n, c, oh, ow, _ = grad_windows.shape
    kh, kw = kernel
    grad = xp.zeros(x_shape, dtype=grad_windows.dtype)
    blocks = grad_windows.reshape(n, c, oh, ow, kh, kw).transpose(0, 1, 2, 4, 3, 5)
    grad[:, :, :oh * kh, :ow * kw] = blocks.reshape(n, c, oh * kh, ow * kw)
    return grad


class MaxPool2dFunction(textbook.MaxPool2dFunction):
    """The textbook max pooling; tiling windows by one argmax over each window's KH*KW values.

    ``argmax`` picks the first maximum in row-major order, as the textbook loop and PyTorch do.
    """

    def forward(self, x):
        self.tiled = tiles_the_image(self)
        if not self.tiled:
            return super().forward(x)
        self.x_shape = x.shape
        windows = as_windows(x, self.kernel)
        self.argmax = windows.argmax(axis=-1)                  # (N, C, OH, OW)
        return windows.max(axis=-1)

    def backward(self, g):
        if not self.tiled:
            return super().backward(g)
        xp = array_module(g)
        positions = xp.arange(self.kernel[0] * self.kernel[1])
        winners = self.argmax[..., None] == positions          # (N, C, OH, OW, KH*KW): one True per window
        return from_windows(winners * g[..., None], self.x_shape, self.kernel)


class AvgPool2dFunction(textbook.AvgPool2dFunction):
    """The textbook average pooling; tiling windows by one mean over two axes of a reshaped image."""

    def forward(self, x):
        self.tiled = tiles_the_image(self)
        if not self.tiled:
            return super().forward(x)
        n, c, h, w = x.shape
        kh, kw = self.kernel
        oh, ow = h // kh, w // kw
        self.x_shape = x.shape
        return x[:, :, :oh * kh, :ow * kw].reshape(n, c, oh, kh, ow, kw).mean(axis=(3, 5))

    def backward(self, g):
        if not self.tiled:
            return super().backward(g)
        xp = array_module(g)
        kh, kw = self.kernel
        share = xp.broadcast_to((g / (kh * kw))[..., None], g.shape + (kh * kw,))
        return from_windows(share, self.x_shape, self.kernel)


TWINS = {
    textbook.MaxPool2dFunction: MaxPool2dFunction,
    textbook.AvgPool2dFunction: AvgPool2dFunction,
}
