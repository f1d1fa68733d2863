"""The differentiable ops under test, described once for the gradient checks and the PyTorch parity tests.

Each case says how to build float64 inputs of given shapes (keeping away
from kinks and outside domains), how to call the op in this library
(``ours(F, *tensors)``) and in PyTorch (``theirs(torch, *tensors)``; None
when PyTorch has no such op), and which inputs are differentiable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


def normal(rng, shape):
    return rng.standard_normal(shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def away_from_zero(rng, shape):
    """Values with |x| in [0.2, 2]: finite differences never straddle a kink at 0."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape)


def probabilities(rng, shape):
    return rng.uniform(0.05, 0.95, shape)


@dataclass
class Case:
    name: str
    ours: Callable
    theirs: Callable | None
    makers: tuple = (normal,)          # one input maker per input
    differentiable: tuple = field(default=None)   # which inputs get requires_grad (default: all)
    shape_kind: str = "unary"          # unary | broadcast | same
    torch_differentiable: tuple = field(default=None)   # inputs PyTorch differentiates (default: as ours)

    def grad_mask(self):
        return self.differentiable or tuple(True for _ in self.makers)

    def torch_grad_mask(self):
        return self.torch_differentiable or self.grad_mask()


def _softplus(torch, x):
    return torch.nn.functional.softplus(x)


UNARY = [
    Case("neg", lambda F, x: F.neg(x), lambda t, x: -x),
    Case("exp", lambda F, x: F.exp(x), lambda t, x: t.exp(x)),
    Case("log", lambda F, x: F.log(x), lambda t, x: t.log(x), (positive,)),
    Case("sqrt", lambda F, x: F.sqrt(x), lambda t, x: t.sqrt(x), (positive,)),
    Case("abs", lambda F, x: F.abs(x), lambda t, x: t.abs(x), (away_from_zero,)),
    Case("clip", lambda F, x: F.clip(x, -0.7, 0.9), lambda t, x: t.clamp(x, -0.7, 0.9), (away_from_zero,)),
    Case("pow3", lambda F, x: x ** 3, lambda t, x: x ** 3),
    Case("pow_half", lambda F, x: x ** 0.5, lambda t, x: x ** 0.5, (positive,)),
    Case("pow_neg2", lambda F, x: F.pow(x, -2), lambda t, x: x ** -2, (positive,)),
    Case("relu", lambda F, x: F.relu(x), lambda t, x: t.relu(x), (away_from_zero,)),
    Case("leaky_relu", lambda F, x: F.leaky_relu(x, 0.2),
         lambda t, x: t.nn.functional.leaky_relu(x, 0.2), (away_from_zero,)),
    Case("sigmoid", lambda F, x: F.sigmoid(x), lambda t, x: t.sigmoid(x)),
    Case("tanh", lambda F, x: F.tanh(x), lambda t, x: t.tanh(x)),
    Case("softplus", lambda F, x: F.softplus(x), _softplus),
    Case("softmax", lambda F, x: F.softmax(x, axis=-1), lambda t, x: t.softmax(x, dim=-1)),
    Case("log_softmax", lambda F, x: F.log_softmax(x, axis=-1), lambda t, x: t.log_softmax(x, dim=-1)),
    Case("softmax_axis0", lambda F, x: F.softmax(x, axis=0), lambda t, x: t.softmax(x, dim=0)),
    Case("sum_all", lambda F, x: F.sum(x), lambda t, x: x.sum()),
    Case("sum_axis0", lambda F, x: F.sum(x, axis=0), lambda t, x: x.sum(dim=0)),
    Case("sum_last_keepdims", lambda F, x: F.sum(x, axis=-1, keepdims=True), lambda t, x: x.sum(dim=-1, keepdim=True)),
    Case("mean_all", lambda F, x: F.mean(x), lambda t, x: x.mean()),
    Case("mean_axis0_keepdims", lambda F, x: F.mean(x, axis=0, keepdims=True), lambda t, x: x.mean(dim=0, keepdim=True)),
    Case("max_all", lambda F, x: F.max(x), lambda t, x: t.amax(x)),
    Case("max_axis_last", lambda F, x: F.max(x, axis=-1), lambda t, x: t.amax(x, dim=-1)),
    Case("min_axis0_keepdims", lambda F, x: F.min(x, axis=0, keepdims=True), lambda t, x: t.amin(x, dim=0, keepdim=True)),
    Case("prod_all", lambda F, x: F.prod(x), lambda t, x: t.prod(x)),
    Case("prod_axis_last", lambda F, x: F.prod(x, axis=-1), lambda t, x: t.prod(x, dim=-1)),
    Case("prod_axis0_keepdims", lambda F, x: x.prod(axis=0, keepdims=True), lambda t, x: t.prod(x, dim=0, keepdim=True)),
    Case("reshape_flat", lambda F, x: F.reshape(x, (-1,)), lambda t, x: x.reshape(-1)),
    Case("transpose", lambda F, x: F.transpose(x), lambda t, x: x.permute(*reversed(range(x.ndim)))),
    Case("flatten", lambda F, x: F.flatten(x), lambda t, x: t.flatten(x)),
    Case("getitem_slice", lambda F, x: x[::2], lambda t, x: x[::2]),
    Case("getitem_repeated_index", lambda F, x: x[np.array([0, 0, -1])], lambda t, x: x[t.tensor([0, 0, -1])]),
    Case("broadcast_to", lambda F, x: F.broadcast_to(x, (2,) + tuple(x.shape)),
         lambda t, x: t.broadcast_to(x, (2,) + tuple(x.shape))),
    Case("exp_log_chain", lambda F, x: F.log(F.exp(x) + 1.0) * x, lambda t, x: t.log(t.exp(x) + 1.0) * x),
]

BROADCAST = [
    Case("add", lambda F, a, b: a + b, lambda t, a, b: a + b, (normal, normal), shape_kind="broadcast"),
    Case("sub", lambda F, a, b: a - b, lambda t, a, b: a - b, (normal, normal), shape_kind="broadcast"),
    Case("mul", lambda F, a, b: a * b, lambda t, a, b: a * b, (normal, normal), shape_kind="broadcast"),
    Case("div", lambda F, a, b: a / b, lambda t, a, b: a / b, (normal, away_from_zero), shape_kind="broadcast"),
    Case("maximum", lambda F, a, b: F.maximum(a, b), lambda t, a, b: t.maximum(a, b), (normal, normal),
         shape_kind="broadcast"),
    Case("minimum", lambda F, a, b: F.minimum(a, b), lambda t, a, b: t.minimum(a, b), (normal, normal),
         shape_kind="broadcast"),
    Case("where", lambda F, a, b: F.where(a > b, a, b * 2), lambda t, a, b: t.where(a > b, a, b * 2),
         (away_from_zero, normal), shape_kind="broadcast"),
]

SAME_SHAPE = [
    Case("concatenate", lambda F, a, b: F.concatenate([a, b], axis=0), lambda t, a, b: t.cat([a, b], dim=0),
         (normal, normal), shape_kind="same"),
    Case("stack", lambda F, a, b: F.stack([a, b], axis=-1), lambda t, a, b: t.stack([a, b], dim=-1),
         (normal, normal), shape_kind="same"),
    Case("mse_mean", lambda F, a, b: F.mse_loss(a, b), lambda t, a, b: t.nn.functional.mse_loss(a, b),
         (normal, normal), shape_kind="same"),
    Case("mse_none", lambda F, a, b: F.mse_loss(a, b, reduction="none"),
         lambda t, a, b: t.nn.functional.mse_loss(a, b, reduction="none"), (normal, normal), shape_kind="same"),
    Case("bce_logits_mean", lambda F, x, y: F.binary_cross_entropy_with_logits(x, y),
         lambda t, x, y: t.nn.functional.binary_cross_entropy_with_logits(x, y),
         (normal, probabilities), shape_kind="same", torch_differentiable=(True, False)),
    Case("bce_logits_sum", lambda F, x, y: F.binary_cross_entropy_with_logits(x, y, reduction="sum"),
         lambda t, x, y: t.nn.functional.binary_cross_entropy_with_logits(x, y, reduction="sum"),
         (normal, probabilities), shape_kind="same", torch_differentiable=(True, False)),
    Case("bce_logits_none", lambda F, x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none"),
         lambda t, x, y: t.nn.functional.binary_cross_entropy_with_logits(x, y, reduction="none"),
         (normal, probabilities), shape_kind="same", torch_differentiable=(True, False)),
    Case("bce_mean", lambda F, p, y: F.binary_cross_entropy(p, y),
         lambda t, p, y: t.nn.functional.binary_cross_entropy(p, y),
         (probabilities, probabilities), shape_kind="same", torch_differentiable=(True, False)),
    Case("bce_none", lambda F, p, y: F.binary_cross_entropy(p, y, reduction="none"),
         lambda t, p, y: t.nn.functional.binary_cross_entropy(p, y, reduction="none"),
         (probabilities, probabilities), shape_kind="same", torch_differentiable=(True, False)),
]

ALL_CASES = UNARY + BROADCAST + SAME_SHAPE
