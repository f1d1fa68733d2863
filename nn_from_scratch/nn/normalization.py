"""Normalisation layers: BatchNorm1d, BatchNorm2d and LayerNorm (parameters + a call to the functional op).

Normalising each channel with the statistics of the batch keeps the
activations of a deep network at zero mean and unit variance, whatever the
layers before do.  The layer then learns a scale (``weight``) and a shift
(``bias``) per channel.  During training batch norm also keeps running
averages of the batch statistics; evaluation uses those instead of the
statistics of the (possibly tiny) evaluation batch.  Layer norm normalises
each sample on its own and has no running statistics.

The Functions, with their forward and backward, are in
``nn_from_scratch/functional/normalization.py``.
"""

from __future__ import annotations

import numpy

from .. import backend
from ..functional.normalization import batch_norm, layer_norm
from ..tensor import Tensor
from . import init
from .module import Module, empty_parameter


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


class LayerNorm(Module):
    """Layer normalisation over the last axes of each sample, like ``torch.nn.LayerNorm``.

    ``normalized_shape``: an int or a tuple, the shape of those last axes.
    Parameters (elementwise_affine=True): weight of normalized_shape initialised to 1,
    bias to 0 (no bias if bias=False).
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        if not shape or not all(isinstance(size, int) and size > 0 for size in shape):
            raise ValueError(f"LayerNorm: normalized_shape must be a positive int or a tuple of them, "
                             f"got {normalized_shape!r}")
        self.normalized_shape, self.eps = shape, float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        self.weight = empty_parameter(shape) if elementwise_affine else None
        self.bias = empty_parameter(shape) if elementwise_affine and bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, x):
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")
