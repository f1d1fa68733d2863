"""Hidden tests of task 2.2 (ReLU, LeakyReLU): every shape, the kink, slopes above 1 and 0, float32."""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype, forward_backward
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close, random_array
from nn_from_scratch.functional.activations import LeakyReLUFunction, ReLUFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_2

OWN = [ReLUFunction, LeakyReLUFunction]      # the task's code may use itself

SHAPES = [(), (7,), (3, 4), (2, 3, 4, 5)]


def inputs(shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, shape)
    if x.ndim:
        x[rng.random(shape) < 0.3] = 0.0
    return x, rng.standard_normal(shape)


@pytest.mark.parametrize("shape", SHAPES)
def test_relu(shape):
    x, g = inputs(shape, 2211)
    y, (grad,) = forward_backward(ReLUFunction(), [x], g, "ReLUFunction", own=OWN)
    expect_close(y, np.where(x > 0, x, 0.0), f"ReLUFunction.forward on {shape}")
    expect_close(grad, np.where(x > 0, g, 0.0), f"ReLUFunction.backward on {shape} (0 at the kink x = 0)")


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("slope", [0.01, 0.2, 0.0, 0.5, 1.5, 3.0])
def test_leaky_relu(shape, slope):
    x, g = inputs(shape, 2212)
    what = f"LeakyReLUFunction({slope})"
    y, (grad,) = forward_backward(LeakyReLUFunction(slope), [x], g, what, own=OWN)
    expect_close(y, np.where(x > 0, x, slope * x), f"{what}.forward on {shape}")
    expect_close(grad, np.where(x > 0, g, slope * g), f"{what}.backward on {shape} (the slope at x <= 0)")


def test_default_slope_is_a_hundredth():
    x, g = inputs((4, 5), 2213)
    _, (grad,) = forward_backward(LeakyReLUFunction(), [x], g, "LeakyReLUFunction()", own=OWN)
    expect_close(grad, np.where(x > 0, g, 0.01 * g), "LeakyReLUFunction().backward (default slope 0.01)")


@pytest.mark.parametrize("function_class, options", [(ReLUFunction, ()), (LeakyReLUFunction, (0.2,))])
def test_float32_stays_float32(function_class, options):
    x, g = inputs((3, 4), 2214)
    what = function_class.__name__
    y, (grad,) = forward_backward(function_class(*options), [x], g, what, dtype=np.float32, own=OWN)
    expect_dtype(y, np.float32, f"{what}.forward on float32")
    expect_dtype(grad, np.float32, f"{what}.backward on float32")


def test_strict_gradcheck():
    rng = np.random.default_rng(2215)
    x = Tensor(random_array(rng, (2, 3, 4), away_from_zero=0.05), requires_grad=True)
    gradcheck(lambda x: ReLUFunction()(x) * 3 + LeakyReLUFunction(0.3)(x), [x], **STRICT_GRADCHECK)
    gradcheck(lambda x: LeakyReLUFunction(1.7)(x), [x], **STRICT_GRADCHECK)
