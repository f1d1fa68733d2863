"""Max pooling's backward writes each window's gradient with = instead of adding it: a pixel that is the maximum
of several overlapping windows keeps one window's gradient instead of their sum."""

TARGET_TASK = "2.9"


class MaxPool2dFunction:
    def backward(self, g):
        xp = array_module(g)
        n, c, h, w = self.x_shape
        kh, kw = self.kernel
        ph, pw = self.padding
        grad_padded = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
        for p in range(kh):
            for q in range(kw):
                rows, columns = window_slices(p, q, self.stride, (1, 1), self.output_size)
                won = self.argmax == p * kw + q
                region = grad_padded[:, :, rows, columns]
                grad_padded[:, :, rows, columns] = xp.where(won, g, region)
        return grad_padded[:, :, ph:ph + h, pw:pw + w]
