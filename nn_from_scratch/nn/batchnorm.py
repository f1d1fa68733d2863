"""Batch normalisation: BatchNormFunction (forward and backward by hand), batch_norm, BatchNorm1d/2d.

Normalising each channel with the statistics of the batch keeps the
activations of a deep network at zero mean and unit variance, whatever the
layers before do.  The layer then learns a scale (``weight``) and a shift
(``bias``) per channel.  During training it also keeps running averages of the
batch statistics; evaluation uses those instead of the statistics of the
(possibly tiny) evaluation batch.

Written as one fused Function rather than a chain of mean/sub/div ops:
the backward below is a closed formula that needs one pass over the
gradient, instead of a dozen small graph nodes.
"""

from __future__ import annotations

import numpy

from .. import backend
from ..backend import array_module
from ..channel_sums import channel_sums
from ..tensor import Function, Tensor
from . import init
from .module import Module, empty_parameter


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
    (the two subtracted terms are the gradient flowing through mean and var).

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
        self.shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)       # a (C,) vector, broadcastable against x
        self.input_count = 1 + (weight is not None) + (bias is not None)
        self.use_batch_stats = self.fixed_mean is None
        # Two arrays of x's size are allocated, x_hat and y; every other step works in place.
        y = None
        if self.use_batch_stats:
            m = x.size // x.shape[1]                            # values per channel
            mean = (channel_sums(x) / m).reshape(self.shape)
            x_hat = x - mean
            y = xp.multiply(x_hat, x_hat, out=y)                # (x - mean)**2, in y's memory
            var = (channel_sums(y) / m).reshape(self.shape)
            self.batch_mean, self.batch_var = mean.reshape(-1), var.reshape(-1)
        else:
            x_hat = x - self.fixed_mean.reshape(self.shape)
            var = self.fixed_var.reshape(self.shape)
        self.inv_std = 1 / xp.sqrt(var + self.eps)             # (1, C, 1, ...)
        x_hat *= self.inv_std
        self.x_hat, self.weight = x_hat, weight
        if weight is not None:
            y = xp.multiply(x_hat, weight.reshape(self.shape), out=y)
        elif y is not None:
            y[...] = x_hat
        else:
            y = x_hat.copy()
        if bias is not None:
            y += bias.reshape(self.shape)
        return y

    def backward(self, g):
        xp = array_module(g)
        grad_bias = channel_sums(g)                             # (C,)
        g_x_hat = g * self.x_hat                                # the one array of x's size allocated here
        grad_weight = channel_sums(g_x_hat)                     # (C,)
        scale = self.inv_std if self.weight is None else self.inv_std * self.weight.reshape(self.shape)
        if self.use_batch_stats:
            m = g.size // g.shape[1]
            mean_g = (grad_bias / m).reshape(self.shape)
            mean_g_x_hat = (grad_weight / m).reshape(self.shape)
            # grad_x = scale * (g - mean_g - x_hat * mean_g_x_hat), computed in place in g_x_hat's memory
            grad_x = xp.multiply(self.x_hat, mean_g_x_hat, out=g_x_hat)
            grad_x = xp.subtract(g, grad_x, out=grad_x)
            grad_x -= mean_g
            grad_x *= scale
        else:
            grad_x = g * scale
        return (grad_x, grad_weight, grad_bias)[:self.input_count]


def _array(value):
    return value.data if isinstance(value, Tensor) else value


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5):
    """Batch normalisation, like ``torch.nn.functional.batch_norm``.

    training=True: normalise with the batch statistics and, if running_mean
    and running_var are given (Tensors or arrays of shape (C,)), update them
    in place:
        running_mean = (1 - momentum) * running_mean + momentum * batch_mean
        running_var  = (1 - momentum) * running_var  + momentum * batch_var * m / (m - 1)
    (the running variance is the unbiased one, as in PyTorch).
    training=False: normalise with running_mean and running_var.
    """
    if training:
        values_per_channel = x.size // x.shape[1]
        if values_per_channel < 2:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                             f"got input of shape {tuple(x.shape)}")
        function = BatchNormFunction(eps)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: training=False needs running_mean and running_var")
        function = BatchNormFunction(eps, _array(running_mean), _array(running_var))
    if weight is None and bias is not None:
        weight = Tensor(array_module(_array(bias)).ones_like(_array(bias)))
    inputs = [value for value in (x, weight, bias) if value is not None]
    y = function(*inputs)
    if training and running_mean is not None:
        momentum = float(momentum)
        unbiased = values_per_channel / (values_per_channel - 1)
        mean_array, var_array = _array(running_mean), _array(running_var)
        mean_array *= 1 - momentum
        mean_array += momentum * function.batch_mean
        var_array *= 1 - momentum
        var_array += (momentum * unbiased) * function.batch_var
    return y


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share; they differ only in the input shapes they accept.

    Parameters (affine=True): weight (C,) initialised to 1, bias (C,) to 0 (no bias if bias=False).
    Buffers (track_running_stats=True): running_mean (C,) = 0, running_var (C,) = 1,
    num_batches_tracked () = 0.  momentum=None uses the cumulative average
    (factor 1 / num_batches_tracked) instead of the exponential one.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, *, bias: bool = True):
        super().__init__()
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        self.weight = empty_parameter((self.num_features,)) if affine else None
        self.bias = empty_parameter((self.num_features,)) if affine and bias else None
        if track_running_stats:
            xp = backend.xp_for_new_arrays()
            self.register_buffer("running_mean", Tensor(xp.zeros(self.num_features, dtype=numpy.float32)))
            self.register_buffer("running_var", Tensor(xp.ones(self.num_features, dtype=numpy.float32)))
            self.register_buffer("num_batches_tracked", Tensor(xp.zeros((), dtype=numpy.int64)))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def check_input(self, x) -> None:
        raise NotImplementedError

    def forward(self, x):
        self.check_input(x)
        if self.training and x.size // x.shape[1] < 2:
            raise ValueError(f"{self!r}: expected more than 1 value per channel when training, got {tuple(x.shape)}; "
                             "use a larger batch, or call .eval() first")
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:              # cumulative average of all batches so far
                momentum = 1.0 / int(self.num_batches_tracked.data)
        use_batch_stats = self.training or not self.track_running_stats
        return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          training=use_batch_stats, momentum=momentum, eps=self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per channel C, like ``torch.nn.BatchNorm1d``."""

    def check_input(self, x) -> None:
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(f"{self!r}: expected input (N, {self.num_features}) or (N, {self.num_features}, L), "
                             f"got {tuple(x.shape)}")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs, per channel C, like ``torch.nn.BatchNorm2d``."""

    def check_input(self, x) -> None:
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ValueError(f"{self!r}: expected input (N, {self.num_features}, H, W), got {tuple(x.shape)}")
