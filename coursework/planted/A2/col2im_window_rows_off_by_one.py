"""col2im computes the number of window rows and columns as (H + 2 padding - dilation (K - 1)) // stride + 1,
without the - 1 of the formula: off by one whenever (H + 2 padding - dilation (K - 1)) is a multiple of the stride
(always for stride 1), and it ignores output_size."""

TARGET_TASK = "2.6"


def col2im(cols, x_shape, kernel, stride=(1, 1), padding=(0, 0), dilation=(1, 1), output_size=None):
    xp = array_module(cols)
    n, c, h, w = x_shape
    kh, kw = kernel
    ph, pw = padding
    oh = (h + 2 * ph - dilation[0] * (kh - 1)) // stride[0] + 1
    ow = (w + 2 * pw - dilation[1] * (kw - 1)) // stride[1] + 1
    windows = cols.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    x_padded = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for p in range(kh):
        for q in range(kw):
            rows, columns = window_slices(p, q, stride, dilation, (oh, ow))
            x_padded[:, :, rows, columns] += windows[:, :, p, q]
    return x_padded[:, :, ph:ph + h, pw:pw + w]
