"""Fast kernels for conv2d and conv_transpose2d: channels-last images, one GEMM per block, stride phases.

The textbook convolution (``nn_from_scratch/functional/conv.py``) computes
im2col, one GEMM and col2im on (N, C, H, W) images.  These twins compute
the same sums with three changes, each for speed:

1. **Channels-last layout.**  Images are (N, H, W, C) in memory and the
   columns of ``cols`` are ordered (kh, kw, c).  In a channels-last array the
   C channels of a pixel, and the KW neighbouring pixels of a kernel row, sit
   next to each other, so im2col and col2im move contiguous runs of KW*C
   numbers instead of single floats.  The Functions still take and return
   (N, C, H, W) arrays: the results are (N, C, H, W) *views* of channels-last
   arrays (a transpose of the strides, no copy).  NumPy's element-wise
   operations keep that memory layout, so the gradient that comes back in
   ``backward`` is usually channels-last too and turning it into rows costs
   nothing.  ``as_strided`` builds the windows of im2col as a view, so the
   one copy is the copy into the matrix.
2. **col2im of a product, block by block.**  The backward pass needs
   ``col2im(G @ w_mat)``, and that product is several times larger than the
   image.  :func:`col2im_of_product` computes one kernel position's block of
   it at a time and adds it onto the image while it is still in the cache;
   :func:`col2im_of_product_by_phase` groups the kernel positions by stride
   phase so that each add writes whole rows.
3. **One-channel images** (the generator's output, the discriminator's
   input) get their own copy order and one transposed GEMM, since their
   windows are only KW values wide in memory.

Per-channel sums (bias gradients) go through ``fast/channel_sums.py``.  The
measured gains of each change are in BENCHMARKS.md ("What was changed for
speed"); the tests check every function here against the textbook one.
"""

from __future__ import annotations

from ..backend import array_module
from ..functional import conv as textbook
from ..functional.conv import conv2d_output_size, image_to_rows, rows_to_image
from .channel_sums import channel_sums, column_sums


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


def im2col(x, kernel, stride, padding, dilation, output_size=None):
    """Copy every kernel window of ``x`` into one row of a matrix.

    Shapes: x (N, C, H, W) -> cols (N*OH*OW, KH*KW*C); row (n, i, j) holds the
    window under output pixel (i, j) of image n, its entries ordered (kh, kw, c):

        cols[(n, i, j), (p, q, c)] = x_padded[n, c, i*stride + p*dilation, j*stride + q*dilation]

    ``as_strided`` builds the 6-D array of windows (N, OH, OW, KH, KW, C) as a
    *view* of the padded input: moving one output pixel right moves ``stride``
    pixels in memory, one kernel column moves ``dilation`` pixels.  Copying
    that view into a matrix (row-major; column-major for one channel, see
    below) is the only copy.  ``kernel``, ``stride``, ``padding`` and
    ``dilation`` are pairs; ``output_size`` (OH, OW) defaults to
    :func:`conv2d_output_size`; a smaller one uses only the first windows
    (the transposed convolution needs that).
    """
    xp = array_module(x)
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    oh, ow = output_size or conv2d_output_size(x.shape[2], x.shape[3], kernel, stride, padding, dilation)
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
        # long runs instead; the GEMMs take its transpose as it is.
        cols_t = xp.empty((kh * kw, n * oh * ow), dtype=x.dtype)      # (K, N*OH*OW)
        positions = cols_t.reshape(kh, kw, n, oh, ow)
        for p in range(kh):
            for q in range(kw):
                positions[p, q] = windows[:, :, :, p, q, 0]
        return cols_t.T                                             # (N*OH*OW, K), column-major
    cols = xp.empty((n * oh * ow, kh * kw * c), dtype=x.dtype)
    cols.reshape(n, oh, ow, kh, kw, c)[...] = windows               # the one copy
    return cols


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


def col2im_of_product(rows, w_mat, x_shape, kernel, stride, padding, dilation, output_size=None, bias=None):
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
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    n, c, h, w = x_shape
    oh, ow = output_size or conv2d_output_size(h, w, kernel, stride, padding, dilation)
    if c > 1 and (dh, dw) == (1, 1) and (sh, sw) != (1, 1) and kh % sh == 0 and kw % sw == 0:
        return col2im_of_product_by_phase(rows, w_mat, x_shape, (kh, kw), (sh, sw), (ph, pw), (oh, ow), bias)
    xp = array_module(rows, w_mat)
    dtype = xp.result_type(rows, w_mat) if bias is None else xp.result_type(rows, w_mat, bias)
    x_padded = start_image(xp.empty((n, h + 2 * ph, w + 2 * pw, c), dtype=dtype), bias)
    if c == 1:
        # One channel: the blocks are single columns, and KH*KW matrix-vector products would read
        # ``rows`` KH*KW times.  One GEMM computes the whole product instead, transposed, so that
        # each kernel position's values are one contiguous row of it.
        product_t = w_mat.T @ rows.T                     # (KH*KW, N*OH*OW)
    for p in range(kh):
        for q in range(kw):
            block = (p * kw + q) * c
            if c == 1:
                values = product_t[block]                    # (N*OH*OW,): the product's column `block`
            else:
                values = rows @ w_mat[:, block:block + c]    # (N*OH*OW, C): columns block..block+C of the product
            rows_p, columns_q = textbook.window_slices(p, q, stride, dilation, (oh, ow))
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
    of s*C.  With stride 1 there is one phase, and this is
    :func:`col2im_of_product`'s computation plus a copy.
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
    phase_images = start_image(xp.empty((n, u_size, v_size, phases), dtype=dtype), bias)
    values = xp.empty((rows.shape[0], phases), dtype=dtype)      # one buffer for the shifts' products
    for a in range(shifts_h):
        for b in range(shifts_w):
            xp.matmul(rows, w_blocks[a, b], out=values)              # (N*OH*OW, s*s*C)
            phase_images[:, a:a + oh, b:b + ow, :] += values.reshape(n, oh, ow, phases)
    x_padded = xp.empty((n, u_size, sh, v_size, sw, c), dtype=dtype)
    x_padded[...] = phase_images.reshape(n, u_size, v_size, sh, sw, c).transpose(0, 1, 3, 2, 4, 5)
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


class Conv2dFunction(textbook.Conv2dFunction):
    """:class:`~nn_from_scratch.functional.conv.Conv2dFunction` with the fast kernels (same formulas).

    With cols = im2col(x) channels-last (N*OH*OW, K), K = KH*KW*C, w_mat =
    weight_matrix(weight) (O, K) and G the output gradient as rows::

        forward    Y       = cols @ w_mat.T + bias
        backward   dw_mat  = G.T @ cols                  -> dL/dweight
                   dbias   = column_sums(G)
                   dL/dx   = col2im_of_product(G, w_mat)  (col2im(G @ w_mat), block by block)

    Saves only what backward needs: no columns when the weight needs no
    gradient (under no_grad, or a frozen layer), no weight matrix for the
    first layer, whose input needs no gradient.
    """

    def forward(self, x, weight, bias=None):
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


class ConvTranspose2dFunction(textbook.ConvTranspose2dFunction):
    """:class:`~nn_from_scratch.functional.conv.ConvTranspose2dFunction` with the fast kernels (same formulas).

    With X the input as rows (N*H*W, C), w_mat = weight_matrix(weight) (C, K),
    K = KH*KW*O, and G_cols = im2col(dL/dy) channels-last (N*H*W, K)::

        forward    y       = col2im_of_product(X, w_mat) + bias   (the image starts at the bias)
        backward   dX      = G_cols @ w_mat.T
                   dw_mat  = X.T @ G_cols                          -> dL/dweight
                   dbias   = channel_sums(dL/dy)
    """

    def forward(self, x, weight, bias=None):
        n, _, h, w = x.shape
        _, out_channels, kh, kw = weight.shape
        self.x_shape, self.kernel, self.has_bias = x.shape, (kh, kw), bias is not None
        oh, ow = textbook.conv_transpose2d_output_size(h, w, self.kernel, self.stride, self.padding,
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
        if not self.has_bias:
            return grad_x, grad_weight
        if self.needs_input_grad[2]:
            grad_bias = channel_sums(grad_output)                                  # (O,): summed over N, OH, OW
        return grad_x, grad_weight, grad_bias


TWINS = {
    textbook.Conv2dFunction: Conv2dFunction,
    textbook.ConvTranspose2dFunction: ConvTranspose2dFunction,
}
