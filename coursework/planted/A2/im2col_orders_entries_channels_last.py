"""im2col orders each row's entries (p, q, c), channels last (the fast kernel's layout), instead of (c, p, q), the
order of weight.reshape(O, -1): the same numbers in the wrong columns as soon as C > 1."""

TARGET_TASK = "2.6"


def im2col(x, kernel, stride=(1, 1), padding=(0, 0), dilation=(1, 1), output_size=None):
    xp = array_module(x)
    n, c, h, w = x.shape
    kh, kw = kernel
    oh, ow = output_size or conv2d_output_size(h, w, kernel, stride, padding, dilation)
    x_padded = pad_image(x, padding)
    windows = xp.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for p in range(kh):
        for q in range(kw):
            rows, columns = window_slices(p, q, stride, dilation, (oh, ow))
            windows[:, :, p, q] = x_padded[:, :, rows, columns]
    return windows.transpose(0, 4, 5, 2, 3, 1).reshape(n * oh * ow, c * kh * kw)
