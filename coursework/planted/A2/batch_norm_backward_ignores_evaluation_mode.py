"""BatchNorm's backward always uses the training formula: in evaluation, where mean and var are fixed constants
(the running averages), it still subtracts the terms that flow through the batch statistics."""

TARGET_TASK = "2.10"


class BatchNormFunction:
    def backward(self, g):
        grad_bias = g.sum(axis=self.axes)
        grad_weight = (g * self.x_hat).sum(axis=self.axes)
        scale = self.inv_std if self.weight is None else self.inv_std * self.weight.reshape(self.shape)
        mean_g = g.mean(axis=self.axes, keepdims=True)
        mean_g_x_hat = (g * self.x_hat).mean(axis=self.axes, keepdims=True)
        grad_x = scale * (g - mean_g - self.x_hat * mean_g_x_hat)
        return (grad_x, grad_weight, grad_bias)[:self.input_count]
