"""2-D convolution and transposed convolution, from loops to one matrix product.

This file tells the story in three steps:

1. **Sizes.**  :func:`conv2d_output_size` and
   :func:`conv_transpose2d_output_size` are PyTorch's formulas.

2. **The naive reference.**  :func:`conv2d_naive` and
   :func:`conv_transpose2d_naive` are plain Python loops over the batch, the
   channels and the output pixels: slow, but each line is the definition.
   The tests check the fast path against them.

3. **The fast path: im2col + one GEMM.**  Every output pixel of a
   convolution is a dot product between the kernel and one window of the
   (zero-padded) input.  :func:`im2col` copies all the windows into the rows
   of one matrix, so that the whole convolution becomes *one* matrix product
   that BLAS runs at full speed::

       cols    = im2col(x)            (N*OH*OW, KH*KW*C)   one row per output pixel
       w_mat   = weight_matrix(w)     (O, KH*KW*C)         one row per output channel
       y_rows  = cols @ w_mat.T       (N*OH*OW, O)         -> y (N, O, OH, OW)

   :func:`col2im` is the adjoint of :func:`im2col`: it adds every row of a
   column matrix back onto the window it came from (overlapping windows sum).
   The backward pass needs ``col2im(G @ w_mat)``; :func:`col2im_of_product`
   computes exactly that, one kernel position's block of columns at a time,
   so that the large product matrix is never stored.

The two autograd Functions are then each other's mirror image:

    ===============================  ===========================  ===========================
    step                             Conv2dFunction               ConvTranspose2dFunction
    ===============================  ===========================  ===========================
    im2col, then GEMM with w_mat.T   forward                      backward (input gradient)
    GEMM with w_mat, then col2im     backward (input gradient)    forward
    (col2im_of_product)
    ===============================  ===========================  ===========================

**Memory layout.**  Inside this file images are *channels-last*,
(N, H, W, C), and the columns of ``cols`` are ordered (kh, kw, c).  The
reason is speed: in a channels-last array the C channels of a pixel, and
the KW neighbouring pixels of a kernel row, sit next to each other, so
im2col and col2im move contiguous runs of KW*C numbers instead of single
floats.  The public functions still take and return (N, C, H, W) arrays:
the results are (N, C, H, W) *views* of channels-last arrays (a transpose
of the strides, no copy).  NumPy's element-wise operations keep that memory
layout, so the gradient that comes back in ``backward`` is usually
channels-last too and turning it into rows costs nothing.
"""

from __future__ import annotations

import numbers

import numpy

from .backend import array_module
from .channel_sums import channel_sums, column_sums
from .tensor import Function

# --------------------------------------------------------------------------
# 1. Arguments and output sizes
# --------------------------------------------------------------------------


def as_pair(value, name: str = "argument", minimum: int = 0, op: str = "conv2d") -> tuple:
    """Return ``value`` as a pair of ints (height, width): ``2 -> (2, 2)``, ``(1, 2) -> (1, 2)``.

    Raises ValueError when a value is not an int or is below ``minimum``
    (1 for stride and dilation, 0 for padding).
    """
    if type(value) is int:                 # the common case, checked first: this runs ~200 times per step
        pair = (value, value)
    elif type(value) is tuple and len(value) == 2 and type(value[0]) is int and type(value[1]) is int:
        pair = value
    else:                                  # NumPy integers, lists, and everything that must be refused
        if isinstance(value, numbers.Integral):
            pair = (value, value)
        else:
            try:
                pair = tuple(value)
            except TypeError:              # a float, None, ...: refused below
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


def check_conv2d_shapes(op: str, x_shape, weight_shape, bias_shape, padding, dilation) -> None:
    """Raise a one-line ValueError when conv2d's input, weight or bias shapes do not fit together."""
    if len(weight_shape) != 4:
        raise ValueError(f"{op}: expected weight of shape (out_channels, in_channels, kH, kW), "
                         f"got {tuple(weight_shape)}")
    out_channels, in_channels, kh, kw = weight_shape
    if len(x_shape) != 4 or x_shape[1] != in_channels:
        raise ValueError(f"{op}: expected input of shape (N, C, H, W) with C={in_channels} "
                         f"(weight has in_channels={in_channels}), got {tuple(x_shape)}")
    if bias_shape is not None and tuple(bias_shape) != (out_channels,):
        raise ValueError(f"{op}: expected bias of shape ({out_channels},) (one per output channel), "
                         f"got {tuple(bias_shape)}")
    padded = (x_shape[2] + 2 * padding[0], x_shape[3] + 2 * padding[1])
    extent = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    if extent[0] > padded[0] or extent[1] > padded[1]:
        raise ValueError(f"{op}: kernel of extent {extent[0]}x{extent[1]} (size {kh}x{kw}, dilation "
                         f"{dilation}) is larger than the padded input {padded[0]}x{padded[1]}")


def check_conv_transpose2d_shapes(op: str, x_shape, weight_shape, bias_shape, stride, padding,
                                  output_padding, dilation) -> None:
    """Raise a one-line ValueError when conv_transpose2d's arguments do not fit together."""
    if len(weight_shape) != 4:
        raise ValueError(f"{op}: expected weight of shape (in_channels, out_channels, kH, kW), "
                         f"got {tuple(weight_shape)}")
    in_channels, out_channels, kh, kw = weight_shape
    if len(x_shape) != 4 or x_shape[1] != in_channels:
        raise ValueError(f"{op}: expected input of shape (N, C, H, W) with C={in_channels} "
                         f"(weight has in_channels={in_channels}), got {tuple(x_shape)}")
    if bias_shape is not None and tuple(bias_shape) != (out_channels,):
        raise ValueError(f"{op}: expected bias of shape ({out_channels},) (one per output channel), "
                         f"got {tuple(bias_shape)}")
    for i in range(2):
        if output_padding[i] >= stride[i] and output_padding[i] >= dilation[i]:
            raise ValueError(f"{op}: output_padding {output_padding} must be smaller than either "
                             f"stride {stride} or dilation {dilation}")
    out_size = conv_transpose2d_output_size(x_shape[2], x_shape[3], (kh, kw), stride, padding,
                                            output_padding, dilation)
    if min(out_size) < 1:
        raise ValueError(f"{op}: output size {out_size} is too small (padding {padding} too large "
                         f"for an input of size {tuple(x_shape[2:])})")


# --------------------------------------------------------------------------
# 2. The naive reference: loops, straight from the definition
# --------------------------------------------------------------------------


def conv2d_naive(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """Convolution by loops (forward only): the definition, for teaching and testing.

    y[n, o, i, j] = bias[o] + sum over c, p, q of
                    weight[o, c, p, q] * x_padded[n, c, i*stride + p*dilation, j*stride + q*dilation]

    Shapes: x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or None -> y (N, O, OH, OW).
    """
    xp = array_module(x, weight)
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride, "stride", 1), as_pair(padding), as_pair(dilation, "dilation", 1)
    check_conv2d_shapes("conv2d", x.shape, weight.shape, None if bias is None else bias.shape, (ph, pw), (dh, dw))
    n_batch, _, h, w = x.shape
    out_channels, _, kh, kw = weight.shape
    oh, ow = conv2d_output_size(h, w, (kh, kw), (sh, sw), (ph, pw), (dh, dw))
    x_padded = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
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


def conv_transpose2d_naive(x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1):
    """Transposed convolution by loops (forward only): every input pixel *scatters* a copy of the kernel.

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


# --------------------------------------------------------------------------
# 3. The fast path: im2col, col2im and the matrix views of images and weights
# --------------------------------------------------------------------------


def pad_channels_last(x, padding):
    """(N, C, H, W) -> zero-padded channels-last copy (N, H + 2*ph, W + 2*pw, C), C-contiguous."""
    xp = array_module(x)
    ph, pw = padding
    if ph == 0 and pw == 0:
        return xp.ascontiguousarray(x.transpose(0, 2, 3, 1))     # no copy if x is channels-last already
    n, c, h, w = x.shape
    x_padded = xp.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=x.dtype)
    x_padded[:, ph:ph + h, pw:pw + w, :] = x.transpose(0, 2, 3, 1)
    return x_padded


# The column matrices are the largest arrays of a convolution (12.8 MB for
# Conv2d(64, 128, 4, 2, 1) at batch 64, four times the input), and col2im's phase
# images and products come next; a training step allocates and frees them every
# time.  Memory that glibc has given back to the kernel comes back zero-filled
# one 4 KiB page fault at a time, which costs as much as the im2col copy itself,
# so such scratch arrays are kept on a small free list when finished, and the next
# request of the same shape gets one of them instead.  NumPy only: CuPy keeps its
# own memory pool.
_free_scratch: dict = {}          # (shape, dtype) -> arrays nobody uses any more
_MAX_FREE_SCRATCH = 4             # per shape and dtype


def empty_scratch(xp, shape, dtype):
    """An uninitialised array of ``shape``: a recycled one if there is one of this shape and dtype."""
    if xp is numpy:
        free = _free_scratch.get((shape, numpy.dtype(dtype)))
        if free:
            return free.pop()
    return xp.empty(shape, dtype=dtype)


def recycle_scratch(array) -> None:
    """Put an array that nothing will read any more on the free list (NumPy arrays only).

    Called in this file for the arrays it made itself and never handed out:
    Conv2dFunction's saved column matrix ``cols`` when its graph is released
    after backward, ConvTranspose2dFunction's gradient columns at the end of
    its backward, and the phase images and products inside
    :func:`col2im_of_product_by_phase`.
    """
    if type(array) is not numpy.ndarray or array.base is not None:
        return                                     # a CuPy array, or a view of another array
    free = _free_scratch.setdefault((array.shape, array.dtype), [])
    if len(free) < _MAX_FREE_SCRATCH:
        free.append(array)


def im2col(x, kernel, stride=1, padding=0, dilation=1, output_size=None):
    """Copy every kernel window of ``x`` into one row of a matrix.

    Shapes: x (N, C, H, W) -> cols (N*OH*OW, KH*KW*C); row (n, i, j) holds the
    window under output pixel (i, j) of image n, its entries ordered (kh, kw, c):

        cols[(n, i, j), (p, q, c)] = x_padded[n, c, i*stride + p*dilation, j*stride + q*dilation]

    ``as_strided`` builds the 6-D array of windows (N, OH, OW, KH, KW, C) as a
    *view* of the padded input: moving one output pixel right moves ``stride``
    pixels in memory, one kernel column moves ``dilation`` pixels.  Copying
    that view into a matrix (row-major; column-major for one channel, see
    below) is the only copy.  ``output_size``
    (OH, OW) defaults to :func:`conv2d_output_size`; a smaller one uses only
    the first windows (the transposed convolution needs that).
    """
    xp = array_module(x)
    kh, kw = as_pair(kernel, "kernel_size", 1)
    (sh, sw), padding, (dh, dw) = as_pair(stride, "stride", 1), as_pair(padding), as_pair(dilation, "dilation", 1)
    oh, ow = output_size or conv2d_output_size(x.shape[2], x.shape[3], (kh, kw), (sh, sw), padding, (dh, dw))
    x_padded = pad_channels_last(x, padding)
    n, _, _, c = x_padded.shape
    step_n, step_h, step_w, step_c = x_padded.strides                # in bytes
    windows = xp.lib.stride_tricks.as_strided(
        x_padded,
        shape=(n, oh, ow, kh, kw, c),
        strides=(step_n, sh * step_h, sw * step_w, dh * step_h, dw * step_w, step_c),
    )
    if c == 1:
        # One channel: a window row is only KW values long in memory, too short for a fast
        # copy.  Copying one kernel position at a time into the *transposed* matrix writes
        # long runs instead (0.08 instead of 0.20 ms for 28x28 images at batch 64, 0.15
        # instead of 0.44 ms at batch 128); the GEMMs take its transpose as it is.
        cols_t = xp.empty((kh * kw, n * oh * ow), dtype=x.dtype)      # (K, N*OH*OW)
        positions = cols_t.reshape(kh, kw, n, oh, ow)
        for p in range(kh):
            for q in range(kw):
                positions[p, q] = windows[:, :, :, p, q, 0]
        return cols_t.T                                             # (N*OH*OW, K), column-major
    cols = empty_scratch(xp, (n * oh * ow, kh * kw * c), x.dtype)
    cols.reshape(n, oh, ow, kh, kw, c)[...] = windows               # the one copy
    return cols


def col2im(cols, x_shape, kernel, stride=1, padding=0, dilation=1, output_size=None):
    """The adjoint of :func:`im2col`: add every row of ``cols`` back onto its window.

    Shapes: cols (N*OH*OW, KH*KW*C) -> x (N, C, H, W) with x_shape = (N, C, H, W).

        x_padded[n, c, i*stride + p*dilation, j*stride + q*dilation] += cols[(n, i, j), (p, q, c)]

    Pixels covered by several windows receive the sum.  The loop runs over the
    KH*KW kernel positions only: kernel position (p, q) of *all* windows lands
    on a strided grid of pixels, so each step is one vectorised add over the
    whole batch.  The result is an (N, C, H, W) view of a channels-last array.
    """
    xp = array_module(cols)
    kh, kw = as_pair(kernel, "kernel_size", 1)
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride, "stride", 1), as_pair(padding), as_pair(dilation, "dilation", 1)
    n, c, h, w = x_shape
    oh, ow = output_size or conv2d_output_size(h, w, (kh, kw), (sh, sw), (ph, pw), (dh, dw))
    windows = cols.reshape(n, oh, ow, kh, kw, c)
    x_padded = xp.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=cols.dtype)
    for p in range(kh):
        for q in range(kw):
            rows_p = slice(p * dh, p * dh + sh * (oh - 1) + 1, sh)       # the OH image rows kernel row p touches
            columns_q = slice(q * dw, q * dw + sw * (ow - 1) + 1, sw)    # the OW image columns kernel column q touches
            x_padded[:, rows_p, columns_q, :] += windows[:, :, :, p, q, :]
    return x_padded[:, ph:ph + h, pw:pw + w, :].transpose(0, 3, 1, 2)


def start_image(image, bias=None):
    """Fill the array col2im adds onto, (N, H, W, k*C): with 0, or with ``bias`` (C,) in every pixel.

    With a bias, the C values repeat along the last axis (k times), so every
    channel of every pixel, or of every phase of a pixel, starts at its
    channel's bias.  Returns ``image``.
    """
    if bias is None:
        image[...] = 0
    else:
        image.reshape(-1, bias.shape[0])[...] = bias
    return image


def col2im_of_product(rows, w_mat, x_shape, kernel, stride=1, padding=0, dilation=1, output_size=None,
                      bias=None):
    """``col2im(rows @ w_mat, ...)`` (plus ``bias`` per channel, if given) computed one kernel position at a time.

    Shapes: rows (N*OH*OW, A), w_mat (A, KH*KW*C), bias (C,) or None -> x (N, C, H, W).

    The product ``rows @ w_mat`` is a (N*OH*OW, KH*KW*C) matrix: for a 4x4
    kernel and stride 2 it is 4 times larger than the image, and col2im
    then reads it back from memory.  Because the columns are ordered
    (kh, kw, c), the columns of kernel position (p, q) are one block,
    ``w_mat[:, (p*KW + q)*C : (p*KW + q + 1)*C]``, so each step computes
    that block of the product (a GEMM of (N*OH*OW, A) by (A, C)) and adds it
    onto the image at once, while it is still in the cache.  The
    arithmetic is the same as ``col2im(rows @ w_mat)`` (the tests check that).
    The image starts at ``bias`` instead of 0 when one is given, which adds
    the bias of a transposed convolution without another pass over the image.

    When the stride is more than 1, the kernel a multiple of it (the 4x4,
    stride-2 layers of a DCGAN or VAE) and there is no dilation,
    :func:`col2im_of_product_by_phase` does the same sums in fewer, longer
    steps.
    """
    kh, kw = as_pair(kernel, "kernel_size", 1)
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride, "stride", 1), as_pair(padding), as_pair(dilation, "dilation", 1)
    n, c, h, w = x_shape
    oh, ow = output_size or conv2d_output_size(h, w, (kh, kw), (sh, sw), (ph, pw), (dh, dw))
    if c > 1 and (dh, dw) == (1, 1) and (sh, sw) != (1, 1) and kh % sh == 0 and kw % sw == 0:
        return col2im_of_product_by_phase(rows, w_mat, x_shape, (kh, kw), (sh, sw), (ph, pw), (oh, ow), bias)
    xp = array_module(rows, w_mat)
    dtype = xp.result_type(rows, w_mat) if bias is None else xp.result_type(rows, w_mat, bias)
    x_padded = start_image(xp.empty((n, h + 2 * ph, w + 2 * pw, c), dtype=dtype), bias)
    if c == 1:
        # One channel: the blocks are single columns, and KH*KW matrix-vector products would read
        # ``rows`` KH*KW times.  One GEMM computes the whole product instead, transposed, so that
        # each kernel position's values are one contiguous row of it (measured: 0.32-0.51 ms
        # instead of 0.51-0.74 ms for the 28x28 images of a DCGAN or VAE).
        product_t = w_mat.T @ rows.T                     # (KH*KW, N*OH*OW)
    for p in range(kh):
        for q in range(kw):
            block = (p * kw + q) * c
            if c == 1:
                values = product_t[block]                    # (N*OH*OW,): the product's column `block`
            else:
                values = rows @ w_mat[:, block:block + c]    # (N*OH*OW, C): columns block..block+C of the product
            rows_p = slice(p * dh, p * dh + sh * (oh - 1) + 1, sh)
            columns_q = slice(q * dw, q * dw + sw * (ow - 1) + 1, sw)
            x_padded[:, rows_p, columns_q, :] += values.reshape(n, oh, ow, c)
    return x_padded[:, ph:ph + h, pw:pw + w, :].transpose(0, 3, 1, 2)


def col2im_of_product_by_phase(rows, w_mat, x_shape, kernel, stride, padding, output_size, bias=None):
    """:func:`col2im_of_product` for a kernel that is a multiple of the stride, without dilation.

    Shapes as there: rows (N*OH*OW, A), w_mat (A, KH*KW*C) -> x (N, C, H, W).

    Write kernel row p = s*a + phi (0 <= phi < s) and image row r = s*u + phi.
    Kernel row p of window i lands on image row s*i + p = s*(i + a) + phi:
    image row u of *phase* phi, shifted down by a.  So the s*s kernel
    positions that share a shift (a, b) land on the s*s phases of the same
    pixels, and the image is best held as phase images ``(N, U, V, s*s*C)``
    (the pixel (s*u + phi, s*v + psi), channel c at [n, u, v, (phi, psi, c)]).
    Then each shift (a, b) is one GEMM, ``rows`` times the s*s*C columns of
    its kernel positions, added onto a shifted window of the phase images:
    (KH/s)*(KW/s) GEMMs and adds (4 for a 4x4 kernel and stride 2) instead of
    KH*KW (16).  One copy at the end interleaves the phases into the image.

    Why it is faster: the adds of :func:`col2im_of_product` write every s-th
    pixel, so NumPy moves runs of only C numbers at a time; here every add
    writes whole rows of a phase image, and the interleaving copy moves runs
    of s*C.  (Measured for the VAE's 32-channel ConvTranspose2d(64, 32, 4, 2, 1)
    at batch 128: 1.89 instead of 2.50 ms.)  With stride 1 there is one
    phase, and this is :func:`col2im_of_product`'s computation plus a copy.
    """
    xp = array_module(rows, w_mat)
    (kh, kw), (sh, sw), (ph, pw), (oh, ow) = kernel, stride, padding, output_size
    n, c, h, w = x_shape
    shifts_h, shifts_w = kh // sh, kw // sw                          # a = 0 .. KH/s - 1, b likewise
    phases = sh * sw * c                                             # values per phase-image pixel
    u_size, v_size = -(-(h + 2 * ph) // sh), -(-(w + 2 * pw) // sw)  # phase-image rows, columns (rounded up)
    # w_mat's columns are ordered (p, q, c) = (a, phi, b, psi, c); regroup them as (a, b) blocks of (phi, psi, c).
    a_size = w_mat.shape[0]
    w_blocks = xp.ascontiguousarray(
        w_mat.reshape(a_size, shifts_h, sh, shifts_w, sw, c).transpose(1, 3, 0, 2, 4, 5)
    ).reshape(shifts_h, shifts_w, a_size, phases)                   # [a, b] -> (A, s*s*C)
    dtype = xp.result_type(rows, w_mat) if bias is None else xp.result_type(rows, w_mat, bias)
    # Scratch arrays from the free list: with glibc's default settings three fresh
    # arrays of 3-4 MB per call would come back as page faults every time (measured:
    # 11 ms instead of 2 ms for the VAE's ConvTranspose2d(64, 32) without keep_freed_memory).
    phase_images = start_image(empty_scratch(xp, (n, u_size, v_size, phases), dtype), bias)
    values = empty_scratch(xp, (rows.shape[0], phases), dtype)    # one buffer for the shifts' products
    for a in range(shifts_h):
        for b in range(shifts_w):
            xp.matmul(rows, w_blocks[a, b], out=values)              # (N*OH*OW, s*s*C)
            phase_images[:, a:a + oh, b:b + ow, :] += values.reshape(n, oh, ow, phases)
    recycle_scratch(values)
    x_padded = xp.empty((n, u_size, sh, v_size, sw, c), dtype=dtype)
    x_padded[...] = phase_images.reshape(n, u_size, v_size, sh, sw, c).transpose(0, 1, 3, 2, 4, 5)
    recycle_scratch(phase_images)
    x_padded = x_padded.reshape(n, u_size * sh, v_size * sw, c)
    return x_padded[:, ph:ph + h, pw:pw + w, :].transpose(0, 3, 1, 2)


def weight_matrix(weight):
    """(A, B, KH, KW) -> (A, KH*KW*B): one row per first-axis channel, entries ordered (kh, kw, b) like im2col."""
    a, b, kh, kw = weight.shape
    return weight.transpose(0, 2, 3, 1).reshape(a, kh * kw * b)


def weight_from_matrix(w_mat, kernel):
    """Inverse of :func:`weight_matrix`: (A, KH*KW*B) -> (A, B, KH, KW), C-contiguous."""
    xp = array_module(w_mat)
    kh, kw = kernel
    a = w_mat.shape[0]
    return xp.ascontiguousarray(w_mat.reshape(a, kh, kw, -1).transpose(0, 3, 1, 2))


def image_to_rows(x):
    """(N, C, H, W) -> (N*H*W, C): one row per pixel (free when x is channels-last in memory)."""
    n, c, h, w = x.shape
    return x.transpose(0, 2, 3, 1).reshape(n * h * w, c)


def rows_to_image(rows, n, h, w):
    """Inverse of :func:`image_to_rows`: (N*H*W, C) -> (N, C, H, W), a channels-last view (no copy)."""
    return rows.reshape(n, h, w, -1).transpose(0, 3, 1, 2)


# --------------------------------------------------------------------------
# 4. The autograd Functions
# --------------------------------------------------------------------------


class Conv2dFunction(Function):
    """2-D convolution (cross-correlation, as in PyTorch) of x with weight, plus bias.

    y[n, o, i, j] = bias[o] + sum over c, p, q of
                    weight[o, c, p, q] * x_padded[n, c, i*stride + p*dilation, j*stride + q*dilation]

    Shapes: x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or omitted -> y (N, O, OH, OW).

    As matrices (see the module docstring), with cols = im2col(x) (N*OH*OW, K),
    w_mat = weight_matrix(weight) (O, K), K = KH*KW*C, and Y, G the output and
    its gradient as rows (N*OH*OW, O)::

        forward    Y       = cols @ w_mat.T + bias
        backward   dw_mat  = G.T @ cols                 (O, K)      -> dL/dweight
                   dbias   = G summed over rows         (O,)
                   dcols   = G @ w_mat                  (N*OH*OW, K) -> dL/dx = col2im(dcols)
    (the last line is col2im_of_product(G, w_mat): the same sums, block by block).

    ``Conv2dFunction(stride=1, padding=0, dilation=1)(x, weight[, bias])``.
    """

    def __init__(self, stride=1, padding=0, dilation=1):
        self.stride = as_pair(stride, "stride", 1)
        self.padding = as_pair(padding, "padding", 0)
        self.dilation = as_pair(dilation, "dilation", 1)

    def forward(self, x, weight, bias=None):
        check_conv2d_shapes("conv2d", x.shape, weight.shape, None if bias is None else bias.shape,
                            self.padding, self.dilation)
        n, _, h, w = x.shape
        self.x_shape, self.kernel, self.has_bias = x.shape, weight.shape[2:], bias is not None
        oh, ow = conv2d_output_size(h, w, self.kernel, self.stride, self.padding, self.dilation)
        cols = im2col(x, self.kernel, self.stride, self.padding, self.dilation)     # (N*OH*OW, K)
        w_mat = weight_matrix(weight)                                               # (O, K)
        y_rows = cols @ w_mat.T                                                     # (N*OH*OW, O)
        if bias is not None:
            y_rows += bias
        if self.needs_input_grad[1]:
            self.cols = cols
        else:
            recycle_scratch(cols)               # not needed for backward (e.g. under no_grad)
        if self.needs_input_grad[0]:
            self.w_mat = w_mat
        return rows_to_image(y_rows, n, oh, ow)

    def backward(self, grad_output):
        g_rows = image_to_rows(grad_output)                                        # (N*OH*OW, O)
        grad_x = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            grad_x = col2im_of_product(g_rows, self.w_mat, self.x_shape, self.kernel,  # col2im(G @ w_mat)
                                       self.stride, self.padding, self.dilation)
        if self.needs_input_grad[1]:
            grad_weight = weight_from_matrix(g_rows.T @ self.cols, self.kernel)     # (O, K) -> (O, C, KH, KW)
        if not self.has_bias:
            return grad_x, grad_weight
        if self.needs_input_grad[2]:
            grad_bias = column_sums(g_rows)                                         # (O,): G summed over rows
        return grad_x, grad_weight, grad_bias

    def release(self) -> None:
        """Free what forward saved, and hand the column matrix back for the next im2col."""
        cols = self.__dict__.get("cols")
        super().release()
        if cols is not None:
            recycle_scratch(cols)


class ConvTranspose2dFunction(Function):
    """2-D transposed convolution: the adjoint (the input gradient) of :class:`Conv2dFunction`.

    Every input pixel scatters a copy of the kernel, scaled by its value, onto the output:

    y_padded[n, o, i*stride + p*dilation, j*stride + q*dilation] += x[n, c, i, j] * weight[c, o, p, q]
    then y = y_padded without its ``padding`` border (output_padding extra rows and columns
    at the bottom and right that receive nothing), plus bias.

    Shapes: x (N, C, H, W), weight (C, O, KH, KW), bias (O,) or omitted -> y (N, O, OH, OW).

    It is conv2d run backwards, with the same helpers: with X the input as rows
    (N*H*W, C), w_mat = weight_matrix(weight) (C, K), K = KH*KW*O, and
    G_cols = im2col(dL/dy) (N*H*W, K)::

        forward    y       = col2im(X @ w_mat) + bias   (conv2d's input gradient)
        backward   dX      = G_cols @ w_mat.T           (conv2d's forward)
                   dw_mat  = X.T @ G_cols               (C, K) -> dL/dweight
                   dbias   = dL/dy summed over N, OH, OW

    ``ConvTranspose2dFunction(stride=1, padding=0, output_padding=0, dilation=1)(x, weight[, bias])``.
    """

    def __init__(self, stride=1, padding=0, output_padding=0, dilation=1):
        self.stride = as_pair(stride, "stride", 1, op="conv_transpose2d")
        self.padding = as_pair(padding, "padding", 0, op="conv_transpose2d")
        self.output_padding = as_pair(output_padding, "output_padding", 0, op="conv_transpose2d")
        self.dilation = as_pair(dilation, "dilation", 1, op="conv_transpose2d")

    def forward(self, x, weight, bias=None):
        check_conv_transpose2d_shapes("conv_transpose2d", x.shape, weight.shape,
                                      None if bias is None else bias.shape, self.stride, self.padding,
                                      self.output_padding, self.dilation)
        n, _, h, w = x.shape
        _, out_channels, kh, kw = weight.shape
        self.x_shape, self.kernel, self.has_bias = x.shape, (kh, kw), bias is not None
        oh, ow = conv_transpose2d_output_size(h, w, self.kernel, self.stride, self.padding,
                                              self.output_padding, self.dilation)
        x_rows = image_to_rows(x)                                                  # (N*H*W, C)
        w_mat = weight_matrix(weight)                                              # (C, K)
        y = col2im_of_product(x_rows, w_mat, (n, out_channels, oh, ow), self.kernel,  # col2im(X @ w_mat) + bias
                              self.stride, self.padding, self.dilation, output_size=(h, w), bias=bias)
        if self.needs_input_grad[1]:
            self.x_rows = x_rows
        if self.needs_input_grad[0]:
            self.w_mat = w_mat
        return y

    def backward(self, grad_output):
        n, _, h, w = self.x_shape
        grad_x = grad_weight = grad_bias = None
        if self.needs_input_grad[0] or self.needs_input_grad[1]:
            g_cols = im2col(grad_output, self.kernel, self.stride, self.padding, self.dilation,
                            output_size=(h, w))                                    # (N*H*W, K)
        if self.needs_input_grad[0]:
            grad_x = rows_to_image(g_cols @ self.w_mat.T, n, h, w)                 # (N, C, H, W)
        if self.needs_input_grad[1]:
            grad_weight = weight_from_matrix(self.x_rows.T @ g_cols, self.kernel)  # (C, K) -> (C, O, KH, KW)
        if self.needs_input_grad[0] or self.needs_input_grad[1]:
            recycle_scratch(g_cols)                                                # done with it
        if not self.has_bias:
            return grad_x, grad_weight
        if self.needs_input_grad[2]:
            grad_bias = channel_sums(grad_output)                                  # (O,): summed over N, OH, OW
        return grad_x, grad_weight, grad_bias


# --------------------------------------------------------------------------
# 5. Public functions (exposed as F.conv2d and F.conv_transpose2d)
# --------------------------------------------------------------------------


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """2-D convolution, like ``torch.nn.functional.conv2d`` (without groups).

    x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or None -> (N, O, OH, OW), with
    OH = floor((H + 2*padding - dilation*(KH - 1) - 1) / stride) + 1.
    stride, padding and dilation are ints or (height, width) pairs.
    """
    function = Conv2dFunction(stride, padding, dilation)
    return function(x, weight) if bias is None else function(x, weight, bias)


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1):
    """2-D transposed convolution, like ``torch.nn.functional.conv_transpose2d`` (without groups).

    x (N, C, H, W), weight (C, O, KH, KW), bias (O,) or None -> (N, O, OH, OW), with
    OH = (H - 1)*stride - 2*padding + dilation*(KH - 1) + output_padding + 1.
    output_padding must be smaller than stride or dilation.
    """
    function = ConvTranspose2dFunction(stride, padding, output_padding, dilation)
    return function(x, weight) if bias is None else function(x, weight, bias)
