"""Hidden tests of task 1.11 (numerical_gradient): closed-form gradients, tightly; elements; eps; restoring."""

import numpy as np
import pytest

from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.functional.arithmetic import ExpFunction, LogFunction, MatMulFunction
from nn_from_scratch.gradcheck import numerical_gradient
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_11


def test_closed_form_gradients():
    """Central differences are accurate to about 1e-9 here; a one-sided difference is off by about 1e-6."""
    rng = np.random.default_rng(2101)
    x_values = rng.uniform(0.5, 2.0, (3, 4))
    u = rng.standard_normal((3, 4))
    cases = [
        (lambda x: x * x * x, 3 * x_values ** 2, "x**3"),
        (lambda x: ExpFunction()(x), np.exp(x_values), "exp(x)"),
        (lambda x: LogFunction()(x) * x, np.log(x_values) + 1, "x log x"),
    ]
    for fn, derivative, name in cases:
        got = numerical_gradient(fn, [Tensor(x_values.copy(), requires_grad=True)], 0, u)
        expect_close(got, derivative * u, f"numerical_gradient of sum(u * {name})", rtol=1e-7, atol=1e-8)


def test_a_matrix_product_with_respect_to_each_input():
    rng = np.random.default_rng(2102)
    a_values, b_values = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    u = rng.standard_normal((3, 2))
    inputs = [Tensor(a_values.copy(), requires_grad=True), Tensor(b_values.copy(), requires_grad=True)]
    fn = lambda a, b: MatMulFunction()(a, b)  # noqa: E731
    expect_close(numerical_gradient(fn, inputs, 0, u), u @ b_values.T, "numerical dL/da of a @ b", rtol=1e-7,
                 atol=1e-8)
    expect_close(numerical_gradient(fn, inputs, 1, u), a_values.T @ u, "numerical dL/db of a @ b", rtol=1e-7,
                 atol=1e-8)
    assert np.array_equal(inputs[0].data, a_values) and np.array_equal(inputs[1].data, b_values), \
        "numerical_gradient left an input changed"


def test_elements_as_any_iterable():
    x_values = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    got = numerical_gradient(lambda x: x * x, [Tensor(x_values.copy(), requires_grad=True)], 0, np.ones((2, 3)),
                             elements=iter(np.array([5, 1])))
    expect_close(got, [[0.0, 4.0, 0.0], [0.0, 0.0, 12.0]], "numerical_gradient(..., elements=iter([5, 1]))",
                 rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("eps", [1e-2, 1e-3, 1e-5])
def test_the_step_size_is_used(eps):
    x0 = 0.7
    got = numerical_gradient(lambda x: x * x * x, [Tensor(np.array([x0]), requires_grad=True)], 0, np.ones(1),
                             eps=eps)
    expected = ((x0 + eps) ** 3 - (x0 - eps) ** 3) / (2 * eps)
    expect_close(got, [expected], f"numerical_gradient of x**3 at 0.7 with eps={eps}", rtol=1e-8, atol=1e-9)


def test_the_result_is_float64_of_the_input_shape():
    got = numerical_gradient(lambda x: x * 2.0, [Tensor(np.ones((2, 1, 3)), requires_grad=True)], 0, np.ones((2, 1, 3)))
    assert np.asarray(got).shape == (2, 1, 3), f"numerical_gradient's result has shape {np.shape(got)}"
    assert np.asarray(got).dtype == np.float64, f"numerical_gradient's result has dtype {np.asarray(got).dtype}"
