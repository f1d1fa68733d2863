"""Task 2.3: stable_sigmoid, and the sigmoid and tanh Functions (called directly here, not through the engine)."""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype, forward_backward
from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close, load_known_values
from nn_from_scratch.functional.activations import SigmoidFunction, TanhFunction, stable_sigmoid
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_3

OWN = [stable_sigmoid, SigmoidFunction, TanhFunction]      # the task's code may use itself

KNOWN = load_known_values(__file__, "2_3_sigmoid_tanh")
FUNCTIONS = [("sigmoid", SigmoidFunction), ("tanh", TanhFunction)]
NO_OVERFLOW = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}


def test_stable_sigmoid_known_values():
    """stable_sigmoid(x) = 1 / (1 + exp(-x)) on moderate x."""
    with own_code_only("stable_sigmoid", OWN):
        got = stable_sigmoid(KNOWN["x"].copy())
    expect_close(got, KNOWN["stable_x"], "stable_sigmoid")


def test_stable_sigmoid_never_overflows():
    """x = -1e4 ... 1e4: no exp of a large positive number (NumPy's overflow warning is an error here), and the
    exact limits 0 and 1."""
    with own_code_only("stable_sigmoid", OWN), np.errstate(**NO_OVERFLOW):
        try:
            got = stable_sigmoid(KNOWN["extreme"].copy())
        except FloatingPointError as error:
            raise AssertionError(f"stable_sigmoid({KNOWN['extreme'].tolist()}) overflowed ({error}): compute both "
                                 "forms from e = exp(-|x|), which lies in (0, 1]") from None
    expect_close(got, KNOWN["stable_extreme"], "stable_sigmoid of extreme logits")


@pytest.mark.parametrize("name, function_class", FUNCTIONS)
def test_known_values(name, function_class):
    """The output, and dL/dx = g * y * (1 - y) (sigmoid) or g * (1 - y**2) (tanh)."""
    what = function_class.__name__
    with np.errstate(**NO_OVERFLOW):
        y, (grad,) = forward_backward(function_class(), [KNOWN["x"]], KNOWN["g"], what, own=OWN)
        expect_close(y, KNOWN[f"{name}_y"], f"{what}.forward")
        expect_close(grad, KNOWN[f"{name}_grad"], f"{what}.backward: dL/dx")
        y, (grad,) = forward_backward(function_class(), [KNOWN["extreme"]], KNOWN[f"{name}_extreme_g"], what,
                                      own=OWN)
    expect_close(y, KNOWN[f"{name}_extreme_y"], f"{what}.forward of extreme logits")
    expect_close(grad, KNOWN[f"{name}_extreme_grad"], f"{what}.backward at extreme logits")


def test_gradcheck():
    """nf.gradcheck of both (strict tolerances)."""
    rng = np.random.default_rng(2301)
    x = Tensor(rng.uniform(-3, 3, (3, 4)), requires_grad=True)
    gradcheck(lambda x: SigmoidFunction()(x), [x], **STRICT_GRADCHECK)
    gradcheck(lambda x: TanhFunction()(x), [x], **STRICT_GRADCHECK)


@pytest.mark.parametrize("name, function_class", FUNCTIONS)
def test_float32_stays_float32(name, function_class):
    """Layers train in float32: a float32 input gives a float32 output and gradient (without overflow)."""
    what = function_class.__name__
    with np.errstate(**NO_OVERFLOW):
        y, (grad,) = forward_backward(function_class(), [KNOWN["extreme"]], KNOWN[f"{name}_extreme_g"], what,
                                      own=OWN, dtype=np.float32)
    expect_dtype(y, np.float32, f"{what}.forward")
    expect_dtype(grad, np.float32, f"{what}.backward")
