"""Conv2dFunction's backward divides the weight gradient by the batch size (a mean over the images instead of their
sum): right only for a batch of one."""

TARGET_TASK = "2.7"


class Conv2dFunction:
    def backward(self, grad_output):
        g_rows = image_to_rows(grad_output)
        grad_cols = g_rows @ self.w_mat
        grad_x = col2im(grad_cols, self.x_shape, self.kernel, self.stride, self.padding, self.dilation)
        grad_weight = (g_rows.T @ self.cols).reshape(self.weight_shape) / self.x_shape[0]
        if not self.has_bias:
            return grad_x, grad_weight
        return grad_x, grad_weight, g_rows.sum(axis=0)
