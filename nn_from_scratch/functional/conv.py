"""2-D convolution and transposed convolution, from loops to one matrix product.

This file tells the story in three steps:

1. **Sizes and arguments.**  :func:`conv2d_output_size` and
   :func:`conv_transpose2d_output_size` are PyTorch's formulas;
   :func:`as_pair` turns ``3`` into ``(3, 3)`` once, where the user's
   arguments enter (the public functions and the layers).

2. **The loops: the definition.**  :func:`conv2d_loops`,
   :func:`conv2d_backward_loops`, :func:`conv_transpose2d_loops` and
   :func:`conv_transpose2d_backward_loops` are plain Python loops over the
   batch, the channels and the pixels: slow, but each line is the formula.
   They are the reference the tests check everything else against.

3. **im2col + one matrix product.**  Every output pixel of a convolution is a
   dot product between the kernel and one window of the (zero-padded)
   input.  :func:`im2col` copies all the windows into the rows of one matrix,
   so that the whole convolution becomes *one* matrix product (a GEMM, which
   BLAS runs at full speed)::

       cols    = im2col(x)              (N*OH*OW, C*KH*KW)   one row per output pixel
       w_mat   = weight.reshape(O, -1)  (O, C*KH*KW)         one row per output channel
       y_rows  = cols @ w_mat.T         (N*OH*OW, O)         -> y (N, O, OH, OW)

   :func:`col2im` is the adjoint of :func:`im2col`: it adds every row of a
   column matrix back onto the window it came from (where windows overlap,
   the values add up).

The two autograd Functions are each other's mirror image:

    ================================  ====================  ==========================
    step                              Conv2dFunction        ConvTranspose2dFunction
    ================================  ====================  ==========================
    im2col, then GEMM with w_mat.T    forward               backward (input gradient)
    GEMM with w_mat, then col2im      backward (dL/dx)      forward
    ================================  ====================  ==========================

Images are (N, C, H, W) throughout, and a window's entries are ordered
(c, kh, kw), the order of ``weight.reshape(O, -1)``.  The fast kernels
(``nn_from_scratch/fast/conv.py``) compute the same with other memory
layouts; the tests check them against these.
"""

from __future__ import annotations

import numbers

from ..backend import array_module
from ..kernels import choose
from ..tensor import Function, Tensor

# --------------------------------------------------------------------------
# 1. Arguments and output sizes
# --------------------------------------------------------------------------


def as_pair(value, name: str = "argument", minimum: int = 0, op: str = "conv2d") -> tuple:
    """Return ``value`` as a pair of ints (height, width): ``2 -> (2, 2)``, ``(1, 2) -> (1, 2)``.

    Raises a one-line ValueError naming ``op`` and ``name`` when a value is not
    an int or is below ``minimum`` (1 for kernel size, stride and dilation, 0
    for padding).
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        pair = (value, value)
    else:
        try:
            pair = tuple(value)
        except TypeError:                  # a float, None, ...: refused below
            pair = ()
    if len(pair) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in pair):
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    pair = (int(pair[0]), int(pair[1]))
    if min(pair) < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return pair


def conv2d_output_size(h: int, w: int, kernel, stride=1, padding=0, dilation=1) -> tuple:
    """Output (OH, OW) of a convolution of an (H, W) input (PyTorch's formula).

    OH = floor((H + 2*padding - dilation*(KH - 1) - 1) / stride) + 1, and the same for OW.
    """
    kh, kw = as_pair(kernel, "kernel_size", 1)
    sh, sw = as_pair(stride, "stride", 1)
    ph, pw = as_pair(padding, "padding", 0)
    dh, dw = as_pair(dilation, "dilation", 1)
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    return oh, ow


def conv_transpose2d_output_size(h: int, w: int, kernel, stride=1, padding=0, output_padding=0,
                                 dilation=1) -> tuple:
    """Output (OH, OW) of a transposed convolution of an (H, W) input (PyTorch's formula).

    OH = (H - 1)*stride - 2*padding + dilation*(KH - 1) + output_padding + 1, and the same for OW.
    """
    kh, kw = as_pair(kernel, "kernel_size", 1)
    sh, sw = as_pair(stride, "stride", 1)
    ph, pw = as_pair(padding, "padding", 0)
    oph, opw = as_pair(output_padding, "output_padding", 0)
    dh, dw = as_pair(dilation, "dilation", 1)
    oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    ow = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    return oh, ow


def check_image_input(op, x_shape, in_channels: int) -> None:
    """Raise a one-line ValueError unless the input is (N, in_channels, H, W) with N >= 1; ``op`` starts the message."""
    if len(x_shape) != 4 or x_shape[1] != in_channels:
        hint = "; add a batch axis first (x.reshape(1, *x.shape))" if len(x_shape) == 3 else ""
        raise ValueError(f"{op}: expected input of shape (N, C, H, W) with C={in_channels} "
                         f"(weight has in_channels={in_channels}), got {tuple(x_shape)}{hint}")
    if x_shape[0] == 0:
        raise ValueError(f"{op}: expected at least one image (N >= 1), got an empty batch of shape "
                         f"{tuple(x_shape)}; check the data loader or the slice that made it")


def check_tensors(op, x, weight) -> None:
    """A one-line TypeError unless the input and the weight are tensors (or arrays): they need a shape."""
    for name, value in (("input", x), ("weight", weight)):
        if not hasattr(value, "shape"):
            raise TypeError(f"{op}: expected a Tensor as {name}, got {type(value).__name__}; wrap it: nf.Tensor(x)")


def check_conv2d_shapes(op, x_shape, weight_shape, bias_shape, padding, dilation) -> None:
    """Raise a one-line ValueError when conv2d's input, weight or bias shapes do not fit together.

    ``op`` starts the message: "conv2d", or the layer that calls (its repr).
    """
    if len(weight_shape) != 4:
        raise ValueError(f"{op}: expected weight of shape (out_channels, in_channels, kH, kW), "
                         f"got {tuple(weight_shape)}")
    out_channels, in_channels, kh, kw = weight_shape
    check_image_input(op, x_shape, in_channels)
    if bias_shape is not None and tuple(bias_shape) != (out_channels,):
        raise ValueError(f"{op}: expected bias of shape ({out_channels},) (one per output channel), "
                         f"got {tuple(bias_shape)}")
    padded = (x_shape[2] + 2 * padding[0], x_shape[3] + 2 * padding[1])
    extent = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    if extent[0] > padded[0] or extent[1] > padded[1]:
        raise ValueError(f"{op}: kernel of extent {extent[0]}x{extent[1]} (size {kh}x{kw}, dilation "
                         f"{dilation}) is larger than the padded input {padded[0]}x{padded[1]}: "
                         f"got {tuple(x_shape)} with padding {tuple(padding)}")


def check_output_padding(op, output_padding, stride, dilation) -> None:
    """output_padding must be smaller than stride or dilation (PyTorch's rule), else a one-line ValueError."""
    for i in range(2):
        if output_padding[i] >= stride[i] and output_padding[i] >= dilation[i]:
            raise ValueError(f"{op}: output_padding {output_padding} must be smaller than either "
                             f"stride {stride} or dilation {dilation}")


def check_conv_transpose2d_shapes(op, x_shape, weight_shape, bias_shape, stride, padding,
                                  output_padding, dilation) -> None:
    """Raise a one-line ValueError when conv_transpose2d's arguments do not fit together."""
    if len(weight_shape) != 4:
        raise ValueError(f"{op}: expected weight of shape (in_channels, out_channels, kH, kW), "
                         f"got {tuple(weight_shape)}")
    in_channels, out_channels, kh, kw = weight_shape
    check_image_input(op, x_shape, in_channels)
    if bias_shape is not None and tuple(bias_shape) != (out_channels,):
        raise ValueError(f"{op}: expected bias of shape ({out_channels},) (one per output channel), "
                         f"got {tuple(bias_shape)}")
    check_output_padding(op, output_padding, stride, dilation)
    out_size = conv_transpose2d_output_size(x_shape[2], x_shape[3], (kh, kw), stride, padding,
                                            output_padding, dilation)
    if min(out_size) < 1:
        raise ValueError(f"{op}: output size {out_size} is too small (padding {padding} too large): "
                         f"got {tuple(x_shape)}")


def pad_image(x, padding):
    """(N, C, H, W) -> (N, C, H + 2*ph, W + 2*pw), with zeros around every image."""
    ph, pw = padding
    return array_module(x).pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def window_slices(p: int, q: int, stride, dilation, output_size) -> tuple:
    """The rows and columns of the padded image that kernel position (p, q) touches, one per output pixel.

    Output pixel (i, j) reads padded pixel (i*stride + p*dilation, j*stride + q*dilation):
    for i = 0 .. OH-1 that is every stride-th row from p*dilation on (and the same for columns).
    """
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, output_size
    rows = slice(p * dh, p * dh + sh * (oh - 1) + 1, sh)
    columns = slice(q * dw, q * dw + sw * (ow - 1) + 1, sw)
    return rows, columns


# --------------------------------------------------------------------------
# 2. The loops: the definition, forward and backward
# --------------------------------------------------------------------------


def conv2d_loops(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """Convolution by loops: the definition, for teaching and testing; stride, padding, dilation: ints or pairs.

    y[n, o, i, j] = bias[o] + sum over c, p, q of
                    weight[o, c, p, q] * x_padded[n, c, i*stride + p*dilation, j*stride + q*dilation]

    Shapes: x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or None -> y (N, O, OH, OW).
    """
    xp = array_module(x, weight)
    stride, padding = as_pair(stride, "stride", 1), as_pair(padding, "padding", 0)
    dilation = as_pair(dilation, "dilation", 1)
    check_conv2d_shapes("conv2d", x.shape, weight.shape, None if bias is None else bias.shape, padding, dilation)
    (sh, sw), (dh, dw) = stride, dilation
    n_batch, _, h, w = x.shape
    out_channels, _, kh, kw = weight.shape
    oh, ow = conv2d_output_size(h, w, (kh, kw), stride, padding, dilation)
    x_padded = pad_image(x, padding)
    y = xp.zeros((n_batch, out_channels, oh, ow), dtype=xp.result_type(x, weight))
    for n in range(n_batch):
        for o in range(out_channels):
            for i in range(oh):
                for j in range(ow):
                    top, left = i * sh, j * sw
                    window = x_padded[n, :, top:top + dh * (kh - 1) + 1:dh, left:left + dw * (kw - 1) + 1:dw]
                    y[n, o, i, j] = (window * weight[o]).sum()      # window and weight[o]: (C, KH, KW)
            if bias is not None:
                y[n, o] += bias[o]
    return y


def conv2d_backward_loops(grad_output, x, weight, stride=1, padding=0, dilation=1):
    """The gradients of :func:`conv2d_loops` by loops: (dL/dx, dL/dweight, dL/dbias), same arguments.

    Differentiating y[n, o, i, j] = bias[o] + sum_{c,p,q} weight[o, c, p, q] * x_padded[n, c, r, s]
    with (r, s) = (i*stride + p*dilation, j*stride + q*dilation), every term sends, for g = dL/dy:
        dL/dweight[o, c, p, q]   += g[n, o, i, j] * x_padded[n, c, r, s]
        dL/dx_padded[n, c, r, s] += g[n, o, i, j] * weight[o, c, p, q]
        dL/dbias[o]              += g[n, o, i, j]
    and dL/dx is dL/dx_padded without its padding border.
    Shapes: grad_output (N, O, OH, OW) -> (N, C, H, W), (O, C, KH, KW), (O,).
    """
    xp = array_module(grad_output, x, weight)
    stride, padding = as_pair(stride, "stride", 1), as_pair(padding, "padding", 0)
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, as_pair(dilation, "dilation", 1)
    n_batch, _, h, w = x.shape
    out_channels, _, kh, kw = weight.shape
    _, _, oh, ow = grad_output.shape
    x_padded = pad_image(x, padding)
    grad_x_padded = xp.zeros_like(x_padded)
    grad_weight = xp.zeros_like(weight)
    for n in range(n_batch):
        for o in range(out_channels):
            for i in range(oh):
                for j in range(ow):
                    top, left = i * sh, j * sw
                    rows = slice(top, top + dh * (kh - 1) + 1, dh)
                    columns = slice(left, left + dw * (kw - 1) + 1, dw)
                    grad_weight[o] += grad_output[n, o, i, j] * x_padded[n, :, rows, columns]
                    grad_x_padded[n, :, rows, columns] += grad_output[n, o, i, j] * weight[o]
    grad_bias = grad_output.sum(axis=(0, 2, 3))
    return grad_x_padded[:, :, ph:ph + h, pw:pw + w], grad_weight, grad_bias


def conv_transpose2d_loops(x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1):
    """Transposed convolution by loops: every input pixel *scatters* a copy of the kernel.

    y_padded[n, :, i*stride + p*dilation, j*stride + q*dilation] += x[n, c, i, j] * weight[c, :, p, q]
    then y = y_padded without its ``padding`` border, plus bias.

    Shapes: x (N, C, H, W), weight (C, O, KH, KW), bias (O,) or None -> y (N, O, OH, OW).
    """
    xp = array_module(x, weight)
    op = "conv_transpose2d"
    stride, padding = as_pair(stride, "stride", 1, op), as_pair(padding, "padding", 0, op)
    output_padding = as_pair(output_padding, "output_padding", 0, op)
    dilation = as_pair(dilation, "dilation", 1, op)
    check_conv_transpose2d_shapes(op, x.shape, weight.shape, None if bias is None else bias.shape,
                                  stride, padding, output_padding, dilation)
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n_batch, in_channels, h, w = x.shape
    _, out_channels, kh, kw = weight.shape
    oh, ow = conv_transpose2d_output_size(h, w, (kh, kw), stride, padding, output_padding, dilation)
    y_padded = xp.zeros((n_batch, out_channels, oh + 2 * ph, ow + 2 * pw), dtype=xp.result_type(x, weight))
    for n in range(n_batch):
        for c in range(in_channels):
            for i in range(h):
                for j in range(w):
                    top, left = i * sh, j * sw
                    window = y_padded[n, :, top:top + dh * (kh - 1) + 1:dh, left:left + dw * (kw - 1) + 1:dw]
                    window += x[n, c, i, j] * weight[c]             # window and weight[c]: (O, KH, KW)
    y = y_padded[:, :, ph:ph + oh, pw:pw + ow]
    if bias is not None:
        y = y + bias.reshape(1, out_channels, 1, 1)
    return y


def conv_transpose2d_backward_loops(grad_output, x, weight, stride=1, padding=0, dilation=1):
    """The gradients of :func:`conv_transpose2d_loops` by loops: (dL/dx, dL/dweight, dL/dbias).

    Each term x[n, c, i, j] * weight[c, o, p, q] landed on y_padded[n, o, r, s] with
    (r, s) = (i*stride + p*dilation, j*stride + q*dilation), so for g = dL/dy (padded
    with zeros back to y_padded's size: the border was cut off, its gradient is 0):
        dL/dx[n, c, i, j]        += sum_{o,p,q} g_padded[n, o, r, s] * weight[c, o, p, q]
        dL/dweight[c, o, p, q]   += x[n, c, i, j] * g_padded[n, o, r, s]
        dL/dbias[o]               = sum of g over n, r, s
    Shapes: grad_output (N, O, OH, OW) -> (N, C, H, W), (C, O, KH, KW), (O,).
    """
    xp = array_module(grad_output, x, weight)
    (sh, sw), padding = as_pair(stride, "stride", 1), as_pair(padding, "padding", 0)
    dh, dw = as_pair(dilation, "dilation", 1)
    n_batch, in_channels, h, w = x.shape
    _, _, kh, kw = weight.shape
    g_padded = pad_image(grad_output, padding)
    grad_x = xp.zeros_like(x)
    grad_weight = xp.zeros_like(weight)
    for n in range(n_batch):
        for c in range(in_channels):
            for i in range(h):
                for j in range(w):
                    top, left = i * sh, j * sw
                    window = g_padded[n, :, top:top + dh * (kh - 1) + 1:dh, left:left + dw * (kw - 1) + 1:dw]
                    grad_x[n, c, i, j] = (window * weight[c]).sum()    # window and weight[c]: (O, KH, KW)
                    grad_weight[c] += x[n, c, i, j] * window
    grad_bias = grad_output.sum(axis=(0, 2, 3))
    return grad_x, grad_weight, grad_bias


# --------------------------------------------------------------------------
# 3. im2col and col2im
# --------------------------------------------------------------------------


def im2col(x, kernel, stride=(1, 1), padding=(0, 0), dilation=(1, 1), output_size=None):
    """Copy every kernel window of ``x`` into one row of a matrix.

    Shapes: x (N, C, H, W) -> cols (N*OH*OW, C*KH*KW); row (n, i, j) holds the
    window under output pixel (i, j) of image n, its entries ordered (c, p, q):

        cols[(n, i, j), (c, p, q)] = x_padded[n, c, i*stride + p*dilation, j*stride + q*dilation]

    Kernel position (p, q) of *all* windows is one strided slice of the padded
    image, (N, C, OH, OW), so the loop runs over the KH*KW kernel positions
    only.  ``kernel``, ``stride``, ``padding`` and ``dilation`` are (height,
    width) pairs; ``output_size`` (OH, OW) defaults to :func:`conv2d_output_size`
    (a smaller one takes only the first windows: the transposed convolution
    needs that).
    """
    xp = array_module(x)
    n, c, h, w = x.shape
    kh, kw = kernel
    oh, ow = output_size or conv2d_output_size(h, w, kernel, stride, padding, dilation)
    x_padded = pad_image(x, padding)
    windows = xp.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for p in range(kh):
        for q in range(kw):
            rows, columns = window_slices(p, q, stride, dilation, (oh, ow))
            windows[:, :, p, q] = x_padded[:, :, rows, columns]                  # (N, C, OH, OW)
    return windows.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * kh * kw)


def col2im(cols, x_shape, kernel, stride=(1, 1), padding=(0, 0), dilation=(1, 1), output_size=None):
    """The adjoint of :func:`im2col`: add every row of ``cols`` back onto its window.

    Shapes: cols (N*OH*OW, C*KH*KW) -> x (N, C, H, W) with x_shape = (N, C, H, W).

        x_padded[n, c, i*stride + p*dilation, j*stride + q*dilation] += cols[(n, i, j), (c, p, q)]

    Pixels covered by several windows receive the sum; the padding border is
    cut off at the end.  Like im2col, the loop runs over kernel positions.
    """
    xp = array_module(cols)
    n, c, h, w = x_shape
    kh, kw = kernel
    ph, pw = padding
    oh, ow = output_size or conv2d_output_size(h, w, kernel, stride, padding, dilation)
    windows = cols.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)    # (N, C, KH, KW, OH, OW)
    x_padded = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for p in range(kh):
        for q in range(kw):
            rows, columns = window_slices(p, q, stride, dilation, (oh, ow))
            x_padded[:, :, rows, columns] += windows[:, :, p, q]
    return x_padded[:, :, ph:ph + h, pw:pw + w]


def image_to_rows(x):
    """(N, C, H, W) -> (N*H*W, C): one row per pixel, one column per channel."""
    n, c, h, w = x.shape
    return x.transpose(0, 2, 3, 1).reshape(n * h * w, c)


def rows_to_image(rows, n, h, w):
    """Inverse of :func:`image_to_rows`: (N*H*W, C) -> (N, C, H, W)."""
    return rows.reshape(n, h, w, -1).transpose(0, 3, 1, 2)


# --------------------------------------------------------------------------
# 4. The autograd Functions
# --------------------------------------------------------------------------


class Conv2dFunction(Function):
    """2-D convolution (cross-correlation, as in PyTorch) of x with weight, plus bias.

    y[n, o, i, j] = bias[o] + sum over c, p, q of
                    weight[o, c, p, q] * x_padded[n, c, i*stride + p*dilation, j*stride + q*dilation]

    Shapes: x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or omitted -> y (N, O, OH, OW).

    As matrices, with cols = im2col(x) (N*OH*OW, K), K = C*KH*KW,
    w_mat = weight.reshape(O, K), and Y, G the output and its gradient as
    rows (N*OH*OW, O)::

        forward    Y       = cols @ w_mat.T + bias
        backward   dw_mat  = G.T @ cols           (O, K)        -> dL/dweight
                   dbias   = G summed over rows   (O,)
                   dcols   = G @ w_mat            (N*OH*OW, K)  -> dL/dx = col2im(dcols)

    ``Conv2dFunction(stride, padding, dilation)(x, weight[, bias])`` with the
    three arguments as (height, width) pairs (``conv2d`` makes them pairs).
    """

    def __init__(self, stride=(1, 1), padding=(0, 0), dilation=(1, 1)):
        self.stride, self.padding, self.dilation = stride, padding, dilation

    def forward(self, x, weight, bias=None):
        n, _, h, w = x.shape
        out_channels = weight.shape[0]
        self.x_shape, self.weight_shape, self.kernel = x.shape, weight.shape, weight.shape[2:]
        self.has_bias = bias is not None
        oh, ow = conv2d_output_size(h, w, self.kernel, self.stride, self.padding, self.dilation)
        self.cols = im2col(x, self.kernel, self.stride, self.padding, self.dilation)    # (N*OH*OW, K)
        self.w_mat = weight.reshape(out_channels, -1)                                   # (O, K)
        y_rows = self.cols @ self.w_mat.T                                               # (N*OH*OW, O)
        if bias is not None:
            y_rows = y_rows + bias
        return rows_to_image(y_rows, n, oh, ow)                                         # (N, O, OH, OW)

    def backward(self, grad_output):
        g_rows = image_to_rows(grad_output)                                             # (N*OH*OW, O)
        grad_cols = g_rows @ self.w_mat                                                 # (N*OH*OW, K)
        grad_x = col2im(grad_cols, self.x_shape, self.kernel, self.stride, self.padding, self.dilation)
        grad_weight = (g_rows.T @ self.cols).reshape(self.weight_shape)                 # (O, C, KH, KW)
        if not self.has_bias:
            return grad_x, grad_weight
        return grad_x, grad_weight, g_rows.sum(axis=0)                                  # dL/dbias (O,)


class ConvTranspose2dFunction(Function):
    """2-D transposed convolution: the adjoint (the input gradient) of :class:`Conv2dFunction`.

    Every input pixel scatters a copy of the kernel, scaled by its value, onto the output:

    y_padded[n, o, i*stride + p*dilation, j*stride + q*dilation] += x[n, c, i, j] * weight[c, o, p, q]
    then y = y_padded without its ``padding`` border (output_padding extra rows and columns
    at the bottom and right that receive nothing), plus bias.

    Shapes: x (N, C, H, W), weight (C, O, KH, KW), bias (O,) or omitted -> y (N, O, OH, OW).

    It is conv2d run backwards, with the same helpers: with X the input as rows
    (N*H*W, C), w_mat = weight.reshape(C, K) (C, K), K = O*KH*KW, and
    G_cols = im2col(dL/dy) (N*H*W, K)::

        forward    y       = col2im(X @ w_mat) + bias   (conv2d's input gradient)
        backward   dX      = G_cols @ w_mat.T           (conv2d's forward)
                   dw_mat  = X.T @ G_cols               (C, K) -> dL/dweight
                   dbias   = dL/dy summed over N, OH, OW

    ``ConvTranspose2dFunction(stride, padding, output_padding, dilation)(x, weight[, bias])``
    with the four arguments as (height, width) pairs.
    """

    def __init__(self, stride=(1, 1), padding=(0, 0), output_padding=(0, 0), dilation=(1, 1)):
        self.stride, self.padding = stride, padding
        self.output_padding, self.dilation = output_padding, dilation

    def forward(self, x, weight, bias=None):
        n, in_channels, h, w = x.shape
        _, out_channels, kh, kw = weight.shape
        self.x_shape, self.weight_shape, self.kernel = x.shape, weight.shape, (kh, kw)
        self.has_bias = bias is not None
        oh, ow = conv_transpose2d_output_size(h, w, self.kernel, self.stride, self.padding,
                                              self.output_padding, self.dilation)
        self.x_rows = image_to_rows(x)                                                  # (N*H*W, C)
        self.w_mat = weight.reshape(in_channels, -1)                                    # (C, K)
        cols = self.x_rows @ self.w_mat                                                 # (N*H*W, K)
        y = col2im(cols, (n, out_channels, oh, ow), self.kernel, self.stride, self.padding, self.dilation,
                   output_size=(h, w))
        if bias is not None:
            y = y + bias.reshape(1, out_channels, 1, 1)
        return y

    def backward(self, grad_output):
        n, _, h, w = self.x_shape
        g_cols = im2col(grad_output, self.kernel, self.stride, self.padding, self.dilation,
                        output_size=(h, w))                                             # (N*H*W, K)
        grad_x = rows_to_image(g_cols @ self.w_mat.T, n, h, w)                          # (N, C, H, W)
        grad_weight = (self.x_rows.T @ g_cols).reshape(self.weight_shape)               # (C, O, KH, KW)
        if not self.has_bias:
            return grad_x, grad_weight
        return grad_x, grad_weight, grad_output.sum(axis=(0, 2, 3))                     # dL/dbias (O,)


# --------------------------------------------------------------------------
# 5. Public functions (F.conv2d and F.conv_transpose2d)
# --------------------------------------------------------------------------


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1) -> Tensor:
    """2-D convolution, like ``torch.nn.functional.conv2d`` (without groups).

    x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or None -> (N, O, OH, OW), with
    OH = floor((H + 2*padding - dilation*(KH - 1) - 1) / stride) + 1.
    stride, padding and dilation are ints or (height, width) pairs.
    """
    stride, padding = as_pair(stride, "stride", 1), as_pair(padding, "padding", 0)
    return apply_conv2d("conv2d", x, weight, bias, stride, padding, as_pair(dilation, "dilation", 1))


def apply_conv2d(caller, x, weight, bias, stride, padding, dilation) -> Tensor:
    """:func:`conv2d` with stride, padding and dilation already pairs (``nn.Conv2d`` calls this).

    ``caller`` ("conv2d", or the layer itself) starts the message of a shape error.
    """
    check_tensors(caller, x, weight)
    check_conv2d_shapes(caller, x.shape, weight.shape, None if bias is None else bias.shape, padding, dilation)
    function = choose(Conv2dFunction)(stride, padding, dilation)
    return function(x, weight) if bias is None else function(x, weight, bias)


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1) -> Tensor:
    """2-D transposed convolution, like ``torch.nn.functional.conv_transpose2d`` (without groups).

    x (N, C, H, W), weight (C, O, KH, KW), bias (O,) or None -> (N, O, OH, OW), with
    OH = (H - 1)*stride - 2*padding + dilation*(KH - 1) + output_padding + 1.
    output_padding must be smaller than stride or dilation.
    """
    op = "conv_transpose2d"
    stride, padding = as_pair(stride, "stride", 1, op), as_pair(padding, "padding", 0, op)
    output_padding, dilation = as_pair(output_padding, "output_padding", 0, op), as_pair(dilation, "dilation", 1, op)
    return apply_conv_transpose2d(op, x, weight, bias, stride, padding, output_padding, dilation)


def apply_conv_transpose2d(caller, x, weight, bias, stride, padding, output_padding, dilation) -> Tensor:
    """:func:`conv_transpose2d` with its size arguments already pairs (``nn.ConvTranspose2d`` calls this)."""
    check_tensors(caller, x, weight)
    check_conv_transpose2d_shapes(caller, x.shape, weight.shape, None if bias is None else bias.shape,
                                  stride, padding, output_padding, dilation)
    function = choose(ConvTranspose2dFunction)(stride, padding, output_padding, dilation)
    return function(x, weight) if bias is None else function(x, weight, bias)
