"""BatchNorm's backward takes its two means over m - 1 values (the unbiased variance's divisor, which the running
variance uses) instead of m: a gradient off by about 1/m, 0.1% for a channel of 1000 values."""

TARGET_TASK = "2.10"


class BatchNormFunction:
    def backward(self, g):
        grad_bias = g.sum(axis=self.axes)
        grad_weight = (g * self.x_hat).sum(axis=self.axes)
        scale = self.inv_std if self.weight is None else self.inv_std * self.weight.reshape(self.shape)
        if self.use_batch_stats:
            m = g.size // g.shape[1]
            mean_g = g.sum(axis=self.axes, keepdims=True) / (m - 1)
            mean_g_x_hat = (g * self.x_hat).sum(axis=self.axes, keepdims=True) / (m - 1)
            grad_x = scale * (g - mean_g - self.x_hat * mean_g_x_hat)
        else:
            grad_x = scale * g
        return (grad_x, grad_weight, grad_bias)[:self.input_count]
