"""nf.gradcheck itself: it passes right gradients and catches wrong ones with a readable report."""

import numpy as np
import pytest
from conftest import to_host

import nn_from_scratch as nf


class SquareWithWrongBackward(nf.Function):
    """y = x ** 2, but backward forgets the factor 2 (a planted bug)."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, grad_output):
        return self.x * grad_output          # should be 2 * x * grad_output


class SquareWithRightBackward(SquareWithWrongBackward):
    def backward(self, grad_output):
        return 2 * self.x * grad_output


def test_gradcheck_passes_a_right_backward(backend, rng):
    x = nf.Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert nf.gradcheck(lambda x: SquareWithRightBackward()(x), [x]) is True


def test_gradcheck_catches_a_planted_wrong_backward_with_a_readable_report(backend, rng):
    x = nf.Tensor(rng.uniform(0.5, 1.0, (3, 4)), requires_grad=True)
    with pytest.raises(nf.GradcheckError) as caught:
        nf.gradcheck(lambda x: SquareWithWrongBackward()(x), [x])
    message = str(caught.value)
    assert isinstance(caught.value, AssertionError)
    assert "input 0" in message and "shape (3, 4)" in message
    assert "worst at index (" in message
    assert "analytic" in message and "numeric" in message and "relative error" in message
    assert "12 of 12 checked elements disagree" in message


def test_report_names_the_right_input(backend, rng):
    a = nf.Tensor(rng.standard_normal(3), requires_grad=True)
    b = nf.Tensor(rng.uniform(0.5, 1.0, 3), requires_grad=True, name="b")
    with pytest.raises(nf.GradcheckError, match=r"input 1 \(b\) of shape \(3,\)"):
        nf.gradcheck(lambda a, b: a + SquareWithWrongBackward()(b), [a, b])


def test_gradcheck_refuses_float32_and_says_why():
    x = nf.Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    with pytest.raises(TypeError, match="expected float64.*x.double"):
        nf.gradcheck(lambda x: x * 2, [x])


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="nothing to check"):
        nf.gradcheck(lambda x: x * 2, [nf.Tensor(np.ones(3))])


def test_sampled_mode_checks_only_some_elements(backend, rng):
    x = nf.Tensor(rng.uniform(0.5, 1.0, (50, 40)), requires_grad=True)
    calls = []

    def fn(x):
        calls.append(1)
        return SquareWithRightBackward()(x)

    assert nf.gradcheck(fn, [x], max_elements=25)
    assert len(calls) == 1 + 2 * 25
    with pytest.raises(nf.GradcheckError, match="of 25 checked elements"):
        nf.gradcheck(lambda x: SquareWithWrongBackward()(x), [x], max_elements=25)


def test_gradcheck_restores_inputs_and_grads(backend, rng):
    data = rng.standard_normal(4)
    x = nf.Tensor(data.copy(), requires_grad=True)
    x.grad = nf.Tensor(np.full(4, 7.0)).data
    nf.gradcheck(lambda x: x * x, [x])
    np.testing.assert_array_equal(to_host(x), data)
    np.testing.assert_array_equal(to_host(x.grad), np.full(4, 7.0))


def test_relative_error_follows_cs231n_definition():
    assert nf.relative_error(np.array([1.0]), np.array([1.0])) == 0.0
    assert nf.relative_error(np.array([1.0, 0.0]), np.array([3.0, 0.0])) == pytest.approx(0.5)


def test_numerical_gradient_of_a_quadratic(backend, rng):
    x = nf.Tensor(rng.standard_normal(5))
    grad = nf.numerical_gradient(lambda x: x * x, [x], 0, np.ones(5))      # a NumPy upstream on any backend
    np.testing.assert_allclose(grad, 2 * to_host(x), rtol=1e-8)
