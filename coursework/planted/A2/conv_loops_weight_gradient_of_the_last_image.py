"""conv2d_backward_loops computes the weight gradient image by image and assigns it (= instead of +=): only the
last image of the batch counts, the sum over the batch is lost."""

TARGET_TASK = "2.5"


def conv2d_backward_loops(grad_output, x, weight, stride=1, padding=0, dilation=1):
    xp = array_module(grad_output, x, weight)
    stride, padding = as_pair(stride, "stride", 1), as_pair(padding, "padding", 0)
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, as_pair(dilation, "dilation", 1)
    n_batch, _, h, w = x.shape
    out_channels, _, kh, kw = weight.shape
    _, _, oh, ow = grad_output.shape
    x_padded = pad_image(x, padding)
    grad_x_padded = xp.zeros_like(x_padded)
    grad_weight = xp.zeros_like(weight)
    for n in range(n_batch):
        image_grad_weight = xp.zeros_like(weight)
        for o in range(out_channels):
            for i in range(oh):
                for j in range(ow):
                    top, left = i * sh, j * sw
                    rows = slice(top, top + dh * (kh - 1) + 1, dh)
                    columns = slice(left, left + dw * (kw - 1) + 1, dw)
                    image_grad_weight[o] += grad_output[n, o, i, j] * x_padded[n, :, rows, columns]
                    grad_x_padded[n, :, rows, columns] += grad_output[n, o, i, j] * weight[o]
        grad_weight = image_grad_weight
    grad_bias = grad_output.sum(axis=(0, 2, 3))
    return grad_x_padded[:, :, ph:ph + h, pw:pw + w], grad_weight, grad_bias
