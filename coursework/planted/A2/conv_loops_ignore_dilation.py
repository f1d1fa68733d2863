"""conv2d_loops reads each window with step 1: the dilation is ignored (right only for dilation 1)."""

TARGET_TASK = "2.5"


def conv2d_loops(x, weight, bias=None, stride=1, padding=0, dilation=1):
    xp = array_module(x, weight)
    stride, padding = as_pair(stride, "stride", 1), as_pair(padding, "padding", 0)
    dilation = as_pair(dilation, "dilation", 1)
    (sh, sw) = stride
    n_batch, _, h, w = x.shape
    out_channels, _, kh, kw = weight.shape
    oh, ow = conv2d_output_size(h, w, (kh, kw), stride, padding, dilation)
    x_padded = pad_image(x, padding)
    y = xp.zeros((n_batch, out_channels, oh, ow), dtype=xp.result_type(x, weight))
    for n in range(n_batch):
        for o in range(out_channels):
            for i in range(oh):
                for j in range(ow):
                    top, left = i * sh, j * sw
                    window = x_padded[n, :, top:top + kh, left:left + kw]
                    y[n, o, i, j] = (window * weight[o]).sum()
            if bias is not None:
                y[n, o] += bias[o]
    return y
