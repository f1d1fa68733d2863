"""Fast batch normalisation: per-channel sums by BLAS, and two arrays of x's size instead of many.

The textbook BatchNorm (``functional/normalization.py``) follows its formulas
one NumPy expression at a time; each expression allocates a new array of
x's size and reads its operands again.  This twin computes the same
formulas with

* per-channel sums as one matrix-vector product (``fast/channel_sums.py``),
  which reads a channels-last image once, on every core;
* the intermediate results written into arrays it already has (``out=``):
  forward allocates x_hat and y only, backward one array.

Figures: BENCHMARKS.md ("What was changed for speed").
"""

from __future__ import annotations

from ..backend import array_module
from ..functional import normalization as textbook
from .channel_sums import channel_sums


class BatchNormFunction(textbook.BatchNormFunction):
    """The textbook BatchNormFunction (same formulas, same saved values) with fewer passes over memory."""

    def forward(self, x, weight=None, bias=None):
        xp = array_module(x)
        self.shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)       # a (C,) vector, broadcastable against x
        self.input_count = 1 + (weight is not None) + (bias is not None)
        self.use_batch_stats = self.fixed_mean is None
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


TWINS = {textbook.BatchNormFunction: BatchNormFunction}
