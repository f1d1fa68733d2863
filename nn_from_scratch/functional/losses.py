"""Loss functions, each with ``reduction`` = "mean" | "sum" | "none".

The element-wise part of each loss is one Function (so that it can be made
numerically stable and its gradient written by hand); the reduction is done
with the ordinary ``sum`` / ``mean`` ops.
"""

from __future__ import annotations

from ..backend import array_module, ignore_float_warnings
from ..kernels import choose
from ..tensor import Function, Tensor, unwrap
from .activations import LogSoftmaxFunction, stable_sigmoid
from .arithmetic import exp
from .reductions import mean, sum

REDUCTIONS = ("mean", "sum", "none")


def reduce(loss: Tensor, reduction: str, loss_name: str) -> Tensor:
    """Apply ``reduction`` to an element-wise (or per-sample) loss."""
    if reduction == "mean":
        return mean(loss)
    if reduction == "sum":
        return sum(loss)
    if reduction == "none":
        return loss
    raise ValueError(f"{loss_name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _check_same_shape(input, target, loss_name: str) -> None:
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(f"{loss_name}: expected target of the input's shape {tuple(input.shape)}, "
                         f"got {tuple(target.shape)}")


class BinaryCrossEntropyFunction(Function):
    """Element-wise l = -(t log p + (1 - t) log(1 - p)) for probabilities p in [0, 1].

    As in PyTorch, each log is clamped at -100 so that p = 0 or 1 gives a
    finite loss.
        dl/dp = (p - t) / max(p (1 - p), 1e-12)
        dl/dt = log(1 - p) - log(p)
    Shapes: p, t, l all the same.
    """

    def forward(self, p, t):
        xp = array_module(p, t)
        self.p, self.t = p, t
        with ignore_float_warnings(xp):      # log(0) = -inf, clamped just below
            self.log_p = xp.maximum(xp.log(p), -100)
            self.log_1mp = xp.maximum(xp.log1p(-p), -100)
        return -(t * self.log_p + (1 - t) * self.log_1mp)

    def backward(self, g):
        xp = array_module(g)
        grad_p = grad_t = None
        if self.needs_input_grad[0]:
            grad_p = g * (self.p - self.t) / xp.maximum(self.p * (1 - self.p), 1e-12)
        if self.needs_input_grad[1]:
            grad_t = g * (self.log_1mp - self.log_p)
        return grad_p, grad_t


class BinaryCrossEntropyWithLogitsFunction(Function):
    """Element-wise l = -(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))) for logits x.

    Computed stably as  l = max(x, 0) - x t + log(1 + exp(-|x|)),
    which is finite for any x (try x = +-1e4).
        dl/dx = sigmoid(x) - t
        dl/dt = -x
    Shapes: x, t, l all the same.
    """

    def forward(self, x, t):
        xp = array_module(x, t)
        self.x, self.t = x, t
        return xp.maximum(x, 0) - x * t + xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, g):
        grad_x = g * (stable_sigmoid(self.x) - self.t) if self.needs_input_grad[0] else None
        grad_t = -g * self.x if self.needs_input_grad[1] else None
        return grad_x, grad_t


class NegativeLogLikelihoodFunction(Function):
    """Per-sample l_n = -logp[n, target_n] for log-probabilities logp (N, C) and integer targets (N,).

    dl/dlogp = -1 at (n, target_n) scaled by g_n, 0 elsewhere.
    """

    def forward(self, log_probs, target):
        xp = array_module(log_probs)
        self.shape, self.target = log_probs.shape, target
        self.rows = xp.arange(log_probs.shape[0])
        return -log_probs[self.rows, target]

    def backward(self, g):
        xp = array_module(g)
        grad = xp.zeros(self.shape, dtype=g.dtype)
        grad[self.rows, self.target] = -g
        return grad, None


def binary_cross_entropy(input, target, reduction: str = "mean") -> Tensor:
    """BCE on probabilities (e.g. the output of a sigmoid).  Prefer
    :func:`binary_cross_entropy_with_logits`, which is stable for any logit."""
    _check_same_shape(input, target, "binary_cross_entropy")
    return reduce(BinaryCrossEntropyFunction()(input, target), reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input, target, reduction: str = "mean") -> Tensor:
    """BCE on logits: the same as ``binary_cross_entropy(sigmoid(input), target)``, but stable."""
    _check_same_shape(input, target, "binary_cross_entropy_with_logits")
    return reduce(choose(BinaryCrossEntropyWithLogitsFunction)()(input, target), reduction,
                  "binary_cross_entropy_with_logits")


def mse_loss(input, target, reduction: str = "mean") -> Tensor:
    """Mean squared error: element-wise (input - target) ** 2, then reduced."""
    _check_same_shape(input, target, "mse_loss")
    difference = input - target
    return reduce(difference * difference, reduction, "mse_loss")


def nll_loss(log_probs, target, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of integer class ``target`` (N,) under ``log_probs`` (N, C)."""
    target_array = unwrap(target)
    if log_probs.ndim != 2 or target_array.ndim != 1 or target_array.shape[0] != log_probs.shape[0]:
        raise ValueError(f"nll_loss: expected log-probabilities (N, C) and integer targets (N,), got "
                         f"{tuple(log_probs.shape)} and {tuple(target_array.shape)}")
    if target_array.dtype.kind not in "iu":
        raise TypeError(f"nll_loss: expected integer class indices as target, got dtype {target_array.dtype}")
    return reduce(NegativeLogLikelihoodFunction()(log_probs, target_array), reduction, "nll_loss")


def cross_entropy(logits, target, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy: logits (N, C), integer class targets (N,) in [0, C).

    l_n = -log softmax(logits_n)[target_n] = logsumexp(logits_n) - logits_n[target_n].
    """
    return nll_loss(LogSoftmaxFunction(axis=-1)(logits), target, reduction)


def gaussian_kl(mu, logvar, reduction: str = "mean") -> Tensor:
    """KL( N(mu, exp(logvar)) || N(0, 1) ) per sample, summed over the latent axes.

    For each latent coordinate: 0.5 * (exp(logvar) + mu**2 - 1 - logvar).
    Shapes: mu, logvar (N, D) -> per-sample KL (N,).  ``reduction``:
    "none" gives the (N,) values, "sum" their sum, "mean" their mean over
    the batch (KL in nats per sample, the unit of a VAE's loss per image).
    """
    _check_same_shape(mu, logvar, "gaussian_kl")
    per_coordinate = 0.5 * (exp(logvar) + mu * mu - 1 - logvar)
    per_sample = sum(per_coordinate, axis=tuple(range(1, per_coordinate.ndim)))
    return reduce(per_sample, reduction, "gaussian_kl")
