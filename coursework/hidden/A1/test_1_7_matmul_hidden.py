"""Hidden tests of task 1.7 (MatMul.backward): the transpose of each argument's linear map, on many shapes."""

import numpy as np
import pytest

from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, backward_of, expect_adjoint, expect_close
from nn_from_scratch.functional.arithmetic import MatMulFunction
from nn_from_scratch.tensor import Tensor, sum_to_shape

pytestmark = pytest.mark.task_1_7

CASES = [((3, 4), (4, 2)), ((5,), (5, 3)), ((3, 5), (5,)), ((6,), (6,)), ((2, 3, 4), (2, 4, 5)),
         ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,)),
         ((1, 4), (4, 1)), ((4, 1), (1, 3))]


@pytest.mark.parametrize("a_shape, b_shape", CASES)
def test_each_gradient_is_the_transpose(a_shape, b_shape):
    """For fixed b, a -> a @ b is linear and dL/da is its transpose applied to g (and likewise for b)."""
    rng = np.random.default_rng(1701)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    g = rng.standard_normal(np.matmul(a, b).shape)

    def grads(a, b, g):
        grad_a, grad_b = backward_of(MatMulFunction(), [a, b], g)
        for grad, name in ((grad_a, "a"), (grad_b, "b")):
            if grad is None:
                raise AssertionError(f"{MatMulFunction.__name__}.backward for {a_shape} @ {b_shape}: "
                                     f"dL/d{name} is None")
        return sum_to_shape(np.asarray(grad_a), a_shape), sum_to_shape(np.asarray(grad_b), b_shape)

    grad_a, grad_b = grads(a, b, g)
    assert grad_a.shape == a_shape and grad_b.shape == b_shape, \
        (f"{MatMulFunction.__name__}.backward for {a_shape} @ {b_shape}: gradients of shapes "
         f"{grad_a.shape}, {grad_b.shape}")
    expect_adjoint(lambda x: np.matmul(x, b), lambda g: grads(a, b, g)[0], rng.standard_normal(a_shape), g,
                   f"{MatMulFunction.__name__}.backward for {a_shape} @ {b_shape}, dL/da")
    expect_adjoint(lambda x: np.matmul(a, x), lambda g: grads(a, b, g)[1], rng.standard_normal(b_shape), g,
                   f"{MatMulFunction.__name__}.backward for {a_shape} @ {b_shape}, dL/db")


def test_two_dimensional_formulas():
    rng = np.random.default_rng(1702)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
    g = rng.standard_normal((4, 5))
    grad_a, grad_b = backward_of(MatMulFunction(), [a, b], g)
    expect_close(grad_a, g @ b.T, f"{MatMulFunction.__name__}.backward: dL/da = g @ b.T")
    expect_close(grad_b, a.T @ g, f"{MatMulFunction.__name__}.backward: dL/db = a.T @ g")


def test_strict_gradcheck():
    rng = np.random.default_rng(1703)
    a = Tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal((4, 2)), requires_grad=True)
    v = Tensor(rng.standard_normal(2), requires_grad=True)
    gradcheck(lambda a, b, v: MatMulFunction()(MatMulFunction()(a, b), v), [a, b, v], **STRICT_GRADCHECK)
