"""Max pooling's backward sends a window's gradient to every position that equals the maximum: when several tie,
each gets the whole gradient (instead of only the first, in row-major order)."""

TARGET_TASK = "2.9"


class MaxPool2dFunction:
    def forward(self, x):
        xp = array_module(x)
        self.x_shape = x.shape
        kh, kw = self.kernel
        self.output_size = conv2d_output_size(x.shape[2], x.shape[3], self.kernel, self.stride, self.padding)
        self.x_padded = pad_image_with(x, self.padding, -xp.inf)
        y = None
        for p in range(kh):
            for q in range(kw):
                rows, columns = window_slices(p, q, self.stride, (1, 1), self.output_size)
                values = self.x_padded[:, :, rows, columns]
                y = values.copy() if y is None else xp.maximum(y, values)
        self.y = y
        return y

    def backward(self, g):
        xp = array_module(g)
        n, c, h, w = self.x_shape
        kh, kw = self.kernel
        ph, pw = self.padding
        grad_padded = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
        for p in range(kh):
            for q in range(kw):
                rows, columns = window_slices(p, q, self.stride, (1, 1), self.output_size)
                winners = self.x_padded[:, :, rows, columns] == self.y
                grad_padded[:, :, rows, columns] += xp.where(winners, g, 0)
        return grad_padded[:, :, ph:ph + h, pw:pw + w]
