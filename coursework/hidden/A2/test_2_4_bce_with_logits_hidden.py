"""Hidden tests of task 2.4 (BinaryCrossEntropyWithLogitsFunction): the closed form against the definition,
every logit from -1e4 to 1e4 in float32 and float64 without overflow, both gradients, strict gradchecks."""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype, forward_backward
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close
from nn_from_scratch.functional.activations import stable_sigmoid
from nn_from_scratch.functional.losses import BinaryCrossEntropyWithLogitsFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_4

NAME = BinaryCrossEntropyWithLogitsFunction.__name__
NO_OVERFLOW = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}


def reference(x, t):
    """(loss, sigmoid(x)) in float64: log(1 + exp(z)) written with exp of a non-positive number only."""
    x, t = np.asarray(x, np.float64), np.asarray(t, np.float64)
    softplus = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))        # log(1 + exp(x))
    sigmoid = np.exp(np.minimum(x, 0) - np.logaddexp(0, -np.abs(x)))   # exp(x - softplus(x))
    return softplus - x * t, sigmoid


def run(x, t, g, dtype, requires_grad=None):
    with np.errstate(**NO_OVERFLOW):
        try:
            return forward_backward(BinaryCrossEntropyWithLogitsFunction(), [x, t], g, NAME, own=[stable_sigmoid],
                                    requires_grad=requires_grad, dtype=dtype)
        except FloatingPointError as error:
            raise AssertionError(f"{NAME} on {np.dtype(dtype)} logits from {np.min(x):g} to {np.max(x):g}: "
                                 f"{error}") from None


def test_the_definition_on_moderate_logits():
    """l = -(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))), computed naively where that is accurate."""
    rng = np.random.default_rng(2411)
    x, t, g = rng.uniform(-8, 8, (4, 5)), rng.uniform(0, 1, (4, 5)), np.ones((4, 5))
    s = 1 / (1 + np.exp(-x))
    loss, _ = run(x, t, g, np.float64)
    expect_close(loss, -(t * np.log(s) + (1 - t) * np.log(1 - s)), f"{NAME}.forward against the definition",
                 rtol=1e-9)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_logit(dtype):
    """x from -1e4 to 1e4, t in {0, 0.25, 1}: finite, exact (l(1e4, 0) = 1e4), both gradients."""
    grid = np.concatenate([-np.logspace(-2, 4, 25), [0.0], np.logspace(-2, 4, 25)])
    x = np.repeat(grid, 3)
    t = np.tile([0.0, 0.25, 1.0], len(grid))
    g = np.random.default_rng(2412).standard_normal(x.shape)
    loss, (grad_x, grad_t) = run(x, t, g, dtype)
    expect_dtype(loss, dtype, f"{NAME}.forward on {np.dtype(dtype)}")
    expect_dtype(grad_x, dtype, f"{NAME}.backward on {np.dtype(dtype)}: dL/dx")
    xs, ts, gs = (a.astype(dtype).astype(np.float64) for a in (x, t, g))
    expected, sigmoid = reference(xs, ts)
    tolerance = {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-6, "atol": 1e-6}
    expect_close(loss, expected, f"{NAME}.forward on {np.dtype(dtype)} logits", **tolerance)
    expect_close(grad_x, gs * (sigmoid - ts), f"{NAME}.backward on {np.dtype(dtype)}: dL/dx = g (sigmoid(x) - t)",
                 **tolerance)
    expect_close(grad_t, -gs * xs, f"{NAME}.backward on {np.dtype(dtype)}: dL/dt = -g x", **tolerance)


def test_a_constant_target():
    rng = np.random.default_rng(2413)
    x, t, g = rng.uniform(-3, 3, 6), rng.uniform(0, 1, 6), rng.standard_normal(6)
    _, (grad_x, _) = run(x, t, g, np.float64, requires_grad=[True, False])
    expect_close(grad_x, g * (reference(x, t)[1] - t), f"{NAME}.backward with a constant target: dL/dx")


def test_strict_gradcheck():
    rng = np.random.default_rng(2414)
    x = Tensor(rng.uniform(-6, 6, (2, 3, 4)), requires_grad=True)
    t = Tensor(rng.uniform(0, 1, (2, 3, 4)), requires_grad=True)
    gradcheck(lambda x, t: BinaryCrossEntropyWithLogitsFunction()(x, t), [x, t], **STRICT_GRADCHECK)
