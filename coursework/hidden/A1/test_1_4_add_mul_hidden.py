"""Hidden tests of task 1.4 (Add.backward, Mul.backward): direct calls with broadcasting, strict gradchecks."""

import numpy as np
import pytest

from coursework.hidden.A1.ops import expect_backward
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK
from nn_from_scratch.functional.arithmetic import AddFunction, MulFunction
from nn_from_scratch.tensor import Tensor, sum_to_shape

pytestmark = pytest.mark.task_1_4

SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((5,), ()), ((), (2, 2))]


@pytest.mark.parametrize("a_shape, b_shape", SHAPES)
def test_direct_backward(a_shape, b_shape):
    rng = np.random.default_rng(1401)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    g = rng.standard_normal(np.broadcast_shapes(a_shape, b_shape))
    expect_backward(AddFunction(), [a, b], g, [sum_to_shape(g, a_shape), sum_to_shape(g, b_shape)],
                    f"{AddFunction.__name__}.backward for {a_shape} + {b_shape}")
    expect_backward(MulFunction(), [a, b], g, [sum_to_shape(g * b, a_shape), sum_to_shape(g * a, b_shape)],
                    f"{MulFunction.__name__}.backward for {a_shape} * {b_shape}")


def test_mul_when_only_one_input_needs_a_gradient():
    rng = np.random.default_rng(1402)
    a, b, g = rng.standard_normal((3,)), rng.standard_normal((3,)), rng.standard_normal((3,))
    what = f"{MulFunction.__name__}.backward"
    expect_backward(MulFunction(), [a, b], g, [None, g * a], f"{what}, a constant", requires_grad=[False, True])
    expect_backward(MulFunction(), [a, b], g, [g * b, None], f"{what}, b constant", requires_grad=[True, False])


def test_strict_gradcheck():
    rng = np.random.default_rng(1403)
    a = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal((3,)), requires_grad=True)
    gradcheck(lambda a, b: MulFunction()(AddFunction()(a, b), MulFunction()(a, a)), [a, b], **STRICT_GRADCHECK)
