"""ConvTranspose2dFunction's backward calls im2col without output_size=(H, W): im2col then takes as many windows as
a convolution of dL/dy would have, one row or column more than H or W when output_padding >= stride (possible with
a dilation), and the gradient cannot be reshaped to x's shape."""

TARGET_TASK = "2.8"


class ConvTranspose2dFunction:
    def backward(self, grad_output):
        n, _, h, w = self.x_shape
        g_cols = im2col(grad_output, self.kernel, self.stride, self.padding, self.dilation)
        grad_x = rows_to_image(g_cols @ self.w_mat.T, n, h, w)
        grad_weight = (self.x_rows.T @ g_cols).reshape(self.weight_shape)
        if not self.has_bias:
            return grad_x, grad_weight
        return grad_x, grad_weight, grad_output.sum(axis=(0, 2, 3))
