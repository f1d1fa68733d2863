"""Normalisation: batch_norm (per channel, over the batch) and layer_norm (per sample, over its features).

Both subtract a mean and divide by a standard deviation, then scale and
shift with learned parameters (``weight``, ``bias``).  They differ in which
values share a mean:

* batch norm: every value of one channel across the whole batch (and all
  pixels): the statistics of the batch, so training and evaluation differ
  (evaluation uses running averages);
* layer norm: every value of one sample over its last dimensions: each
  sample on its own, the same in training and evaluation.

Each is one Function whose backward is the closed formula derived in its
docstring, instead of a dozen small graph nodes (mean, subtract, square...).
"""

from __future__ import annotations

from ..backend import array_module
from ..kernels import choose
from ..tensor import Function, Tensor, unwrap


class BatchNormFunction(Function):
    """Normalise each channel (axis 1) over every other axis, then scale and shift.

    Training (statistics of this batch; m = values per channel = N, N*L or N*H*W):
        mean  = sum(x) / m
        var   = sum((x - mean)**2) / m                      (biased)
        x_hat = (x - mean) / sqrt(var + eps)
        y     = weight * x_hat + bias
    backward, with g = dL/dy and the sums over the m values of each channel:
        dL/dbias   = sum(g)
        dL/dweight = sum(g * x_hat)
        dL/dx      = weight / sqrt(var + eps) * (g - sum(g) / m - x_hat * sum(g * x_hat) / m)
    Derivation: x_hat_k depends on x_k directly and through mean and var, so
    dL/dx_k = sum_j dL/dx_hat_j * dx_hat_j/dx_k with dL/dx_hat = weight * g and
        dx_hat_j/dx_k = (delta_jk - 1/m - x_hat_j x_hat_k / m) / sqrt(var + eps);
    the two subtracted terms are the gradient flowing through mean and var.

    Eval (``mean`` and ``var`` given, e.g. the running averages: constants):
        y = weight * (x - mean) / sqrt(var + eps) + bias,   dL/dx = g * weight / sqrt(var + eps)

    Inputs: x, or x and weight, or x, weight and bias (omitted ones count as weight 1, bias 0).
    Shapes: x (N, C), (N, C, L) or (N, C, H, W); weight, bias (C,);
    mean, var (C,) arrays or None.  After forward in training, ``batch_mean`` and
    ``batch_var`` (C,) hold the batch statistics (for the running averages).
    """

    def __init__(self, eps: float = 1e-5, mean=None, var=None):
        self.eps = float(eps)
        self.fixed_mean, self.fixed_var = mean, var

    def forward(self, x, weight=None, bias=None):
        xp = array_module(x)
        self.axes = (0,) + tuple(range(2, x.ndim))             # every axis but the channels
        self.shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)     # a (C,) vector, broadcastable against x
        self.input_count = 1 + (weight is not None) + (bias is not None)
        self.use_batch_stats = self.fixed_mean is None
        if self.use_batch_stats:
            mean = x.mean(axis=self.axes, keepdims=True)
            var = ((x - mean) ** 2).mean(axis=self.axes, keepdims=True)
            self.batch_mean, self.batch_var = mean.reshape(-1), var.reshape(-1)
        else:
            mean, var = self.fixed_mean.reshape(self.shape), self.fixed_var.reshape(self.shape)
        self.inv_std = 1 / xp.sqrt(var + self.eps)              # (1, C, 1, ...)
        self.x_hat = (x - mean) * self.inv_std
        self.weight = weight
        y = self.x_hat
        if weight is not None:
            y = y * weight.reshape(self.shape)
        if bias is not None:
            y = y + bias.reshape(self.shape)
        return y

    def backward(self, g):
        grad_bias = g.sum(axis=self.axes)                       # (C,)
        grad_weight = (g * self.x_hat).sum(axis=self.axes)      # (C,)
        scale = self.inv_std if self.weight is None else self.inv_std * self.weight.reshape(self.shape)
        if self.use_batch_stats:
            mean_g = g.mean(axis=self.axes, keepdims=True)
            mean_g_x_hat = (g * self.x_hat).mean(axis=self.axes, keepdims=True)
            grad_x = scale * (g - mean_g - self.x_hat * mean_g_x_hat)
        else:
            grad_x = scale * g
        return (grad_x, grad_weight, grad_bias)[:self.input_count]


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation, like ``torch.nn.functional.batch_norm``.

    training=True: normalise with the batch statistics and, if running_mean
    and running_var are given (Tensors or arrays of shape (C,)), update them
    in place:
        running_mean = (1 - momentum) * running_mean + momentum * batch_mean
        running_var  = (1 - momentum) * running_var  + momentum * batch_var * m / (m - 1)
    (the running variance is the unbiased one, as in PyTorch).
    training=False: normalise with running_mean and running_var.
    """
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C, ...), got {tuple(x.shape)}")
    values_per_channel = x.size // x.shape[1]
    if training:
        if values_per_channel < 2:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                             f"got input of shape {tuple(x.shape)}")
        function = choose(BatchNormFunction)(eps)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: training=False needs running_mean and running_var")
        function = choose(BatchNormFunction)(eps, unwrap(running_mean), unwrap(running_var))
    if weight is None and bias is not None:
        weight = Tensor(array_module(unwrap(bias)).ones_like(unwrap(bias)))
    inputs = [value for value in (x, weight, bias) if value is not None]
    y = function(*inputs)
    if training and running_mean is not None:
        momentum = float(momentum)
        unbiased = values_per_channel / (values_per_channel - 1)
        mean_array, var_array = unwrap(running_mean), unwrap(running_var)
        mean_array[...] = (1 - momentum) * mean_array + momentum * function.batch_mean
        var_array[...] = (1 - momentum) * var_array + (momentum * unbiased) * function.batch_var
    return y


class LayerNormFunction(Function):
    """Normalise each sample over its last D axes (``normalized_shape``), then scale and shift element-wise.

    With m = the number of values normalised together (the product of normalized_shape):
        mean  = sum(x) / m,   var = sum((x - mean)**2) / m       (per sample)
        x_hat = (x - mean) / sqrt(var + eps)
        y     = weight * x_hat + bias                            (weight, bias of normalized_shape)
    backward, with g = dL/dy, gx = g * weight (= dL/dx_hat), and means over the same m values:
        dL/dx      = (gx - mean(gx) - x_hat * mean(gx * x_hat)) / sqrt(var + eps)
        dL/dweight = sum over the leading (batch) axes of g * x_hat
        dL/dbias   = sum over the leading axes of g
    (the same derivation as batch norm's, with the roles of the axes swapped).

    Inputs: x, or x and weight, or x, weight and bias.
    Shapes: x (..., *normalized_shape) -> y of x's shape; weight, bias normalized_shape.
    """

    def __init__(self, normalized_ndim: int, eps: float = 1e-5):
        self.normalized_ndim, self.eps = int(normalized_ndim), float(eps)

    def forward(self, x, weight=None, bias=None):
        xp = array_module(x)
        self.axes = tuple(range(x.ndim - self.normalized_ndim, x.ndim))     # the normalised axes
        self.batch_axes = tuple(range(x.ndim - self.normalized_ndim))
        self.input_count = 1 + (weight is not None) + (bias is not None)
        mean = x.mean(axis=self.axes, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=self.axes, keepdims=True)
        self.inv_std = 1 / xp.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        self.weight = weight
        y = self.x_hat
        if weight is not None:
            y = y * weight
        if bias is not None:
            y = y + bias
        return y

    def backward(self, g):
        grad_bias = g.sum(axis=self.batch_axes)
        grad_weight = (g * self.x_hat).sum(axis=self.batch_axes)
        g_x_hat = g if self.weight is None else g * self.weight
        mean_g = g_x_hat.mean(axis=self.axes, keepdims=True)
        mean_g_x_hat = (g_x_hat * self.x_hat).mean(axis=self.axes, keepdims=True)
        grad_x = self.inv_std * (g_x_hat - mean_g - self.x_hat * mean_g_x_hat)
        return (grad_x, grad_weight, grad_bias)[:self.input_count]


def layer_norm(x, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Layer normalisation, like ``torch.nn.functional.layer_norm``.

    Normalises x over its last ``len(normalized_shape)`` axes, which must equal
    ``normalized_shape``; weight and bias (optional) have that shape.
    """
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    d = len(normalized_shape)
    if d == 0 or x.ndim < d or tuple(x.shape[x.ndim - d:]) != normalized_shape:
        raise ValueError(f"layer_norm: expected input of shape (..., {', '.join(map(str, normalized_shape))}) "
                         f"(its last axes equal to normalized_shape), got {tuple(x.shape)}")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and tuple(value.shape) != normalized_shape:
            raise ValueError(f"layer_norm: expected {name} of shape {normalized_shape}, got {tuple(value.shape)}")
    if weight is None and bias is not None:
        weight = Tensor(array_module(unwrap(bias)).ones_like(unwrap(bias)))
    inputs = [value for value in (x, weight, bias) if value is not None]
    return LayerNormFunction(d, eps)(*inputs)
