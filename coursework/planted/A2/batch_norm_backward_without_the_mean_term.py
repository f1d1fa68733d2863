"""BatchNorm's backward forgets the gradient that flows through the batch mean: dL/dx = scale * (g - x_hat *
mean(g * x_hat)), without the - mean(g) term."""

TARGET_TASK = "2.10"


class BatchNormFunction:
    def backward(self, g):
        grad_bias = g.sum(axis=self.axes)
        grad_weight = (g * self.x_hat).sum(axis=self.axes)
        scale = self.inv_std if self.weight is None else self.inv_std * self.weight.reshape(self.shape)
        if self.use_batch_stats:
            mean_g_x_hat = (g * self.x_hat).mean(axis=self.axes, keepdims=True)
            grad_x = scale * (g - self.x_hat * mean_g_x_hat)
        else:
            grad_x = scale * g
        return (grad_x, grad_weight, grad_bias)[:self.input_count]
