"""Hidden tests of task 2.3 (stable_sigmoid, SigmoidFunction, TanhFunction): no overflow in float32 or float64,
relative accuracy of tiny values, the symmetry, float32, strict gradchecks."""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype, forward_backward
from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close
from nn_from_scratch.functional.activations import SigmoidFunction, TanhFunction, stable_sigmoid
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_3

OWN = [stable_sigmoid, SigmoidFunction, TanhFunction]      # the task's code may use itself

NO_OVERFLOW = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}
GRID = np.concatenate([-np.logspace(-3, 4, 40), [0.0], np.logspace(-3, 4, 40)])


def sigmoid_reference(x):
    """In float64, each form only where its exp cannot overflow."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1 / (1 + np.exp(-x[positive]))
    out[~positive] = np.exp(x[~positive]) / (1 + np.exp(x[~positive]))
    return out


def guarded_stable_sigmoid(x):
    with own_code_only("stable_sigmoid", OWN), np.errstate(**NO_OVERFLOW):
        try:
            return stable_sigmoid(x)
        except FloatingPointError as error:
            raise AssertionError(f"stable_sigmoid overflowed on {x.dtype} logits from {x.min():g} to {x.max():g}: "
                                 f"{error}") from None


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_stable_sigmoid_everywhere(dtype):
    x = GRID.astype(dtype)
    got = guarded_stable_sigmoid(x.copy())
    expect_dtype(got, dtype, f"stable_sigmoid of {np.dtype(dtype)} logits")
    tolerance = {"rtol": 1e-12} if dtype == np.float64 else {"rtol": 1e-6, "atol": 1e-30}
    expect_close(got, sigmoid_reference(x), f"stable_sigmoid of {np.dtype(dtype)} logits", **tolerance)


def test_tiny_values_keep_their_relative_accuracy():
    """sigmoid(-700) ~ 1e-304: computed as e / (1 + e), not as 1 - 1 / (1 + e) (which rounds to 0)."""
    x = np.array([-30.0, -100.0, -300.0, -700.0])
    expect_close(guarded_stable_sigmoid(x), np.exp(x) / (1 + np.exp(x)), "stable_sigmoid of very negative logits",
                 rtol=1e-12, atol=0.0)


def test_symmetry():
    x = np.linspace(-40, 40, 81)
    expect_close(guarded_stable_sigmoid(-x), 1 - guarded_stable_sigmoid(x), "stable_sigmoid(-x) = 1 - "
                 "stable_sigmoid(x)", rtol=0.0, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_function(dtype):
    rng = np.random.default_rng(2311)
    x = np.concatenate([rng.uniform(-6, 6, 20), [-1e4, -100.0, 100.0, 1e4]]).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    with np.errstate(**NO_OVERFLOW):
        y, (grad,) = forward_backward(SigmoidFunction(), [x], g, "SigmoidFunction", own=OWN,
                                      dtype=dtype)
    expect_dtype(y, dtype, "SigmoidFunction.forward")
    expect_dtype(grad, dtype, "SigmoidFunction.backward")
    s = sigmoid_reference(x)
    tolerance = {} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-7}
    expect_close(y, s, "SigmoidFunction.forward", **tolerance)
    expect_close(grad, g * s * (1 - s), "SigmoidFunction.backward: g * y * (1 - y)", **tolerance)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tanh_function(dtype):
    rng = np.random.default_rng(2312)
    x = np.concatenate([rng.uniform(-4, 4, 20), [-1e4, -30.0, 0.0, 30.0, 1e4]]).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    with np.errstate(**NO_OVERFLOW):
        y, (grad,) = forward_backward(TanhFunction(), [x], g, "TanhFunction", own=OWN, dtype=dtype)
    expect_dtype(y, dtype, "TanhFunction.forward")
    expect_dtype(grad, dtype, "TanhFunction.backward")
    t = np.tanh(x.astype(np.float64))
    tolerance = {} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-7}
    expect_close(y, t, "TanhFunction.forward", **tolerance)
    expect_close(grad, g * (1 - t * t), "TanhFunction.backward: g * (1 - y**2)", **tolerance)


def test_strict_gradcheck():
    rng = np.random.default_rng(2313)
    x = Tensor(rng.uniform(-2, 2, (2, 3, 4)), requires_grad=True)
    gradcheck(lambda x: SigmoidFunction()(TanhFunction()(x) * 3), [x], **STRICT_GRADCHECK)
    gradcheck(lambda x: TanhFunction()(SigmoidFunction()(x) * 2 - 1), [x], **STRICT_GRADCHECK)
