"""Hidden tests of task 1.5 (Div.backward, Pow.backward): direct calls against the formulas, strict gradchecks."""

import numpy as np
import pytest

from coursework.hidden.A1.ops import expect_backward
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, random_array
from nn_from_scratch.functional.arithmetic import DivFunction, PowFunction
from nn_from_scratch.tensor import Tensor, sum_to_shape

pytestmark = pytest.mark.task_1_5


@pytest.mark.parametrize("a_shape, b_shape", [((3, 4), (3, 4)), ((2, 3), (3,)), ((4,), ())])
def test_div_direct(a_shape, b_shape):
    rng = np.random.default_rng(1501)
    a, b = random_array(rng, a_shape), random_array(rng, b_shape, away_from_zero=0.4)
    g = rng.standard_normal(np.broadcast_shapes(a_shape, b_shape))
    expect_backward(DivFunction(), [a, b], g, [sum_to_shape(g / b, a_shape), sum_to_shape(-g * a / b ** 2, b_shape)],
                    f"{DivFunction.__name__}.backward for {a_shape} / {b_shape}")
    expect_backward(DivFunction(), [a, b], g, [None, sum_to_shape(-g * a / b ** 2, b_shape)],
                    f"{DivFunction.__name__}.backward, a constant", requires_grad=[False, True])


@pytest.mark.parametrize("p", [2, 3, 4, 0.5, -1, -2.5, 1.7, 1, 0])
def test_pow_direct(p):
    rng = np.random.default_rng(1502)
    x = rng.uniform(0.2, 3.0, (3, 5))
    g = rng.standard_normal(x.shape)
    expect_backward(PowFunction(p), [x], g, [g * p * x ** (p - 1)], f"{PowFunction.__name__}({p}).backward")


@pytest.mark.parametrize("p", [2, 3])
def test_pow_of_negative_numbers(p):
    x = np.array([-2.0, -0.5, 0.5, 1.5])
    g = np.array([1.0, -1.0, 2.0, 0.5])
    expect_backward(PowFunction(p), [x], g, [g * p * x ** (p - 1)],
                    f"{PowFunction.__name__}({p}).backward at negative x")


def test_strict_gradcheck():
    rng = np.random.default_rng(1503)
    a = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = Tensor(rng.uniform(0.5, 2.0, (2, 3)), requires_grad=True)
    gradcheck(lambda a, b: DivFunction()(PowFunction(3)(a), PowFunction(0.5)(b)), [a, b], **STRICT_GRADCHECK)
    gradcheck(lambda a, b: DivFunction()(b, a * a + 1.0), [a, b], **STRICT_GRADCHECK)
