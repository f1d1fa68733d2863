"""Task 1.11: numerical_gradient, the central difference that gradcheck compares backward with.

The functions here have gradients known in closed form; they run forward only (no backward is needed).
"""

import numpy as np
import pytest

from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.gradcheck import numerical_gradient
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_11


def cube(x):
    return x * x * x


def test_a_cube_with_an_upstream_gradient():
    """For L = sum(u * x**3), dL/dx = 3 x**2 u; central differences are that accurate (error ~ eps**2)."""
    x_values = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.7]])
    u = np.array([[1.0, 2.0, -1.0], [0.5, 3.0, 1.0]])
    got = numerical_gradient(cube, [Tensor(x_values.copy(), requires_grad=True)], 0, u)
    expect_close(got, 3 * x_values ** 2 * u, "numerical_gradient of sum(u * x**3)", rtol=1e-7, atol=1e-8)


def test_the_input_is_restored():
    """The input's data is perturbed in place during the computation and must be exactly as before after it."""
    x_values = np.array([0.1, 0.2, 0.3])
    x = Tensor(x_values.copy(), requires_grad=True)
    numerical_gradient(cube, [x], 0, np.ones(3))
    assert np.array_equal(x.data, x_values), f"the input changed: {x.data} instead of {x_values}"


def test_the_second_of_two_inputs():
    """which=1: the gradient with respect to b of L = sum(u * a * b) is u * a."""
    a_values, b_values = np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.5, -1.0])
    u = np.array([1.0, -1.0, 2.0])
    a, b = Tensor(a_values.copy()), Tensor(b_values.copy(), requires_grad=True)
    got = numerical_gradient(lambda a, b: a * b, [a, b], 1, u)
    expect_close(got, u * a_values, "numerical_gradient with respect to input 1 of a * b", rtol=1e-7, atol=1e-8)


def test_only_the_chosen_elements():
    """elements=[0, 3]: those two flat positions are computed, the others stay 0."""
    x_values = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = numerical_gradient(cube, [Tensor(x_values.copy(), requires_grad=True)], 0, np.ones((2, 2)), elements=[0, 3])
    expect_close(got, [[3.0, 0.0], [0.0, 48.0]], "numerical_gradient(..., elements=[0, 3])", rtol=1e-7, atol=1e-7)


def test_the_step_size_is_used():
    """With eps = 0.1, the central difference of x**3 at 1 is ((1.1)**3 - (0.9)**3) / 0.2 = 3.01 (not 3)."""
    got = numerical_gradient(cube, [Tensor(np.array([1.0]), requires_grad=True)], 0, np.ones(1), eps=0.1)
    expect_close(got, [3.01], "numerical_gradient of x**3 at 1 with eps=0.1", rtol=1e-9, atol=1e-9)
