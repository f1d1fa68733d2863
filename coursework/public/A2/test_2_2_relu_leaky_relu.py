"""Task 2.2: ReLU and LeakyReLU, forward and backward (called directly here, not through the engine)."""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype, forward_backward
from coursework.public.A2.cases import LEAKY_SLOPES
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close, load_known_values, random_array
from nn_from_scratch.functional.activations import LeakyReLUFunction, ReLUFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_2

OWN = [ReLUFunction, LeakyReLUFunction]      # the task's code may use itself

KNOWN = load_known_values(__file__, "2_2_relu_leaky_relu")


def test_relu_known_values():
    """y = max(x, 0) and dL/dx = g where x > 0, else 0: the kink x = 0 gets 0 (a quarter of x is exactly 0)."""
    y, (grad,) = forward_backward(ReLUFunction(), [KNOWN["x"]], KNOWN["g"], "ReLUFunction", own=OWN)
    expect_close(y, KNOWN["relu_y"], f"{ReLUFunction.__name__}.forward")
    expect_close(grad, KNOWN["relu_grad"], f"{ReLUFunction.__name__}.backward: dL/dx")


@pytest.mark.parametrize("i, slope", list(enumerate(LEAKY_SLOPES)), ids=[f"slope={s}" for s in LEAKY_SLOPES])
def test_leaky_relu_known_values(i, slope):
    """y = x if x > 0 else slope * x; dL/dx = g if x > 0 else slope * g (x = 0 takes the slope)."""
    what = f"{LeakyReLUFunction.__name__}({slope})"
    y, (grad,) = forward_backward(LeakyReLUFunction(slope), [KNOWN["x"]], KNOWN["g"], what, own=OWN)
    expect_close(y, KNOWN[f"leaky{i}_y"], f"{what}.forward")
    expect_close(grad, KNOWN[f"leaky{i}_grad"], f"{what}.backward: dL/dx")


def test_gradcheck():
    """nf.gradcheck away from the kink (strict tolerances)."""
    rng = np.random.default_rng(2201)
    x = Tensor(random_array(rng, (3, 4), away_from_zero=0.1), requires_grad=True)
    gradcheck(lambda x: ReLUFunction()(x), [x], **STRICT_GRADCHECK)
    gradcheck(lambda x: LeakyReLUFunction(0.2)(x), [x], **STRICT_GRADCHECK)


@pytest.mark.parametrize("function", [ReLUFunction(), LeakyReLUFunction(0.2)], ids=["relu", "leaky_relu"])
def test_float32_stays_float32(function):
    """Layers train in float32: a float32 input gives a float32 output and gradient."""
    what = type(function).__name__
    y, (grad,) = forward_backward(function, [KNOWN["x"]], KNOWN["g"], what, dtype=np.float32, own=OWN)
    expect_dtype(y, np.float32, f"{what}.forward")
    expect_dtype(grad, np.float32, f"{what}.backward")
