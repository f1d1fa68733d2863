"""Independent references for assignment A2's hidden tests: the same definitions, written another way.

Each is vectorised NumPy built from index arrays (gather with fancy indexing,
scatter with ``np.add.at``), not from the library, so a hidden test compares
the student's code with something the library's code did not produce.  The
gradients are checked against them through adjoint identities (for a linear
map A and its backward B: <g, A x> = <B g, x>) rather than stored answers.
"""

from __future__ import annotations

import numpy as np


def pair(value) -> tuple:
    return (value, value) if isinstance(value, int) else tuple(value)


def window_indices(h, w, kernel, stride, padding, dilation, output_size=None):
    """(rows, cols, (OH, OW)): padded-image rows (OH, 1, KH, 1) and columns (1, OW, 1, KW) of every window tap."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(kernel), pair(stride), pair(padding), pair(dilation)
    if output_size is None:
        output_size = ((h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1)
    oh, ow = output_size
    rows = (np.arange(oh)[:, None] * sh + np.arange(kh)[None, :] * dh)[:, None, :, None]
    cols = (np.arange(ow)[:, None] * sw + np.arange(kw)[None, :] * dw)[None, :, None, :]
    return rows, cols, (oh, ow)


def padded(x, padding, value=0.0):
    ph, pw = pair(padding)
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def windows(x, kernel, stride, padding, dilation, output_size=None, pad_value=0.0):
    """(N, C, OH, OW, KH, KW): every window of the padded image."""
    rows, cols, _ = window_indices(x.shape[2], x.shape[3], kernel, stride, padding, dilation, output_size)
    return padded(x, padding, pad_value)[:, :, rows, cols]


def im2col(x, kernel, stride, padding, dilation, output_size=None):
    n, c = x.shape[:2]
    win = windows(x, kernel, stride, padding, dilation, output_size)            # (N, C, OH, OW, KH, KW)
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * win.shape[2] * win.shape[3], -1)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """y[n, o, i, j] = bias[o] + sum_{c,p,q} weight[o, c, p, q] x_padded[n, c, i*s + p*d, j*s + q*d]."""
    kernel = weight.shape[2:]
    y = np.einsum("ncijpq,ocpq->noij", windows(x, kernel, stride, padding, dilation), weight)
    return y if bias is None else y + bias.reshape(1, -1, 1, 1)


def scatter_windows(contributions, image_shape, kernel, stride, padding, dilation, output_size=None):
    """Add (N, C, OH, OW, KH, KW) window contributions onto a zero image of ``image_shape`` (padding cut off)."""
    n, c, h, w = image_shape
    ph, pw = pair(padding)
    rows, cols, _ = window_indices(h, w, kernel, stride, padding, dilation, output_size)
    image = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=contributions.dtype)
    np.add.at(image, (slice(None), slice(None), rows, cols), contributions)
    return image[:, :, ph:ph + h, pw:pw + w]


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1):
    """y_padded[n, o, i*s + p*d, j*s + q*d] += x[n, c, i, j] weight[c, o, p, q]; border cut off; plus bias."""
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = pair(stride), pair(padding), pair(output_padding), pair(dilation)
    n, _, h, w = x.shape
    _, out_channels, kh, kw = weight.shape
    oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    ow = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    contributions = np.einsum("ncij,copq->noijpq", x, weight)
    y = scatter_windows(contributions, (n, out_channels, oh, ow), (kh, kw), stride, padding, dilation,
                        output_size=(h, w))
    return y if bias is None else y + bias.reshape(1, -1, 1, 1)


def max_pool2d(x, kernel, stride, padding):
    """(y, dL/dx as a function of g): the window maxima; the gradient to the first maximum of each window."""
    win = windows(x, kernel, stride, padding, (1, 1), pad_value=-np.inf)      # (N, C, OH, OW, KH, KW)
    flat = win.reshape(win.shape[:4] + (-1,))
    y = flat.max(axis=-1)
    first = flat.argmax(axis=-1)                                               # the first maximum, row-major

    def backward(g):
        one_hot = (np.arange(flat.shape[-1]) == first[..., None]) * g[..., None]
        return scatter_windows(one_hot.reshape(win.shape).astype(g.dtype), x.shape, kernel, stride, padding, (1, 1))

    return y, backward


def batch_norm_training(x, weight, bias, eps):
    """The forward of batch normalisation in training, written with the library's differentiable ops (Tensors
    in, Tensor out): autograd then gives a gradient derived independently of the closed formula."""
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    var = (centered * centered).mean(axis=axes, keepdims=True)
    y = centered / (var + eps) ** 0.5
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def sgd_run(params, grads_per_step, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    """torch.optim.SGD's rule, parameter by parameter; returns the parameters after each step."""
    params = [p.copy() for p in params]
    buffers = [None] * len(params)
    history = []
    for grads in grads_per_step:
        for k, grad in enumerate(grads):
            d = grad + weight_decay * params[k] if weight_decay else grad
            if momentum:
                buffers[k] = d.copy() if buffers[k] is None else momentum * buffers[k] + (1 - dampening) * d
                d = d + momentum * buffers[k] if nesterov else buffers[k]
            params[k] = params[k] - lr * d
        history.append([p.copy() for p in params])
    return history


def adam_run(params, grads_per_step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False):
    """torch.optim.Adam's rule (AdamW's with decoupled=True); returns the parameters after each step."""
    beta1, beta2 = betas
    params = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    history = []
    for t, grads in enumerate(grads_per_step, start=1):
        for k, grad in enumerate(grads):
            if weight_decay and decoupled:
                params[k] = params[k] * (1 - lr * weight_decay)
            elif weight_decay:
                grad = grad + weight_decay * params[k]
            m[k] = beta1 * m[k] + (1 - beta1) * grad
            v[k] = beta2 * v[k] + (1 - beta2) * grad * grad
            step_size = lr / (1 - beta1 ** t)
            params[k] = params[k] - step_size * m[k] / (np.sqrt(v[k]) / np.sqrt(1 - beta2 ** t) + eps)
        history.append([p.copy() for p in params])
    return history
