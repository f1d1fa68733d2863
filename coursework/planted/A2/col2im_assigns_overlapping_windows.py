"""col2im writes each window's values with = instead of adding them: where windows overlap (stride smaller than
the kernel), a pixel keeps only the last window's value instead of the sum."""

TARGET_TASK = "2.6"


def col2im(cols, x_shape, kernel, stride=(1, 1), padding=(0, 0), dilation=(1, 1), output_size=None):
    xp = array_module(cols)
    n, c, h, w = x_shape
    kh, kw = kernel
    ph, pw = padding
    oh, ow = output_size or conv2d_output_size(h, w, kernel, stride, padding, dilation)
    windows = cols.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    x_padded = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for p in range(kh):
        for q in range(kw):
            rows, columns = window_slices(p, q, stride, dilation, (oh, ow))
            x_padded[:, :, rows, columns] = windows[:, :, p, q]
    return x_padded[:, :, ph:ph + h, pw:pw + w]
