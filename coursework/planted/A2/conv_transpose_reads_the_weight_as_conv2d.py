"""ConvTranspose2dFunction's forward reads the weight in conv2d's layout (O, C, KH, KW), swapping its first two
axes before flattening, instead of (C, O, KH, KW): the kernels land in the wrong channels."""

TARGET_TASK = "2.8"


class ConvTranspose2dFunction:
    def forward(self, x, weight, bias=None):
        n, in_channels, h, w = x.shape
        _, out_channels, kh, kw = weight.shape
        self.x_shape, self.weight_shape, self.kernel = x.shape, weight.shape, (kh, kw)
        self.has_bias = bias is not None
        oh, ow = conv_transpose2d_output_size(h, w, self.kernel, self.stride, self.padding,
                                              self.output_padding, self.dilation)
        self.x_rows = image_to_rows(x)
        self.w_mat = weight.transpose(1, 0, 2, 3).reshape(in_channels, -1)
        cols = self.x_rows @ self.w_mat
        y = col2im(cols, (n, out_channels, oh, ow), self.kernel, self.stride, self.padding, self.dilation,
                   output_size=(h, w))
        if bias is not None:
            y = y + bias.reshape(1, out_channels, 1, 1)
        return y
