"""Hidden tests of task 1.8 (expand_to_input, Sum.backward, Mean.backward): adjoints over many axes, gradchecks."""

import numpy as np
import pytest

from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, backward_of, expect_adjoint, expect_close
from nn_from_scratch.functional.reductions import MeanFunction, SumFunction, expand_to_input, normalize_axes
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_8

CASES = [((2, 3, 4), axis, keepdims) for axis in (None, 0, 1, 2, -1, -2, (0, 1), (1, 2), (0, 2), (0, 1, 2), (-1, 0))
         for keepdims in (False, True)] + [((7,), 0, False), ((3, 1, 2), 1, False), ((4, 5), None, True)]


@pytest.mark.parametrize("shape, axis, keepdims", CASES)
def test_sum_and_mean_are_transposes(shape, axis, keepdims):
    rng = np.random.default_rng(1801)
    x = rng.standard_normal(shape)
    g = rng.standard_normal(np.sum(x, axis=axis, keepdims=keepdims).shape)
    axes = normalize_axes(axis, len(shape))
    what = f"axis={axis}, keepdims={keepdims} on {shape}"
    expect_adjoint(lambda x: np.sum(x, axis=axis, keepdims=keepdims),
                   lambda g: expand_to_input(g, shape, axes, keepdims), x, g, f"expand_to_input, {what}")
    expect_adjoint(lambda x: np.sum(x, axis=axis, keepdims=keepdims),
                   lambda g: backward_of(SumFunction(axis, keepdims), [x], g)[0], x, g,
                                         f"{SumFunction.__name__}.backward, {what}")
    expect_adjoint(lambda x: np.mean(x, axis=axis, keepdims=keepdims),
                   lambda g: backward_of(MeanFunction(axis, keepdims), [x], g)[0], x, g,
                                         f"{MeanFunction.__name__}.backward, {what}")
    expect_close(np.shape(backward_of(MeanFunction(axis, keepdims), [x], g)[0]), shape,
                 f"{MeanFunction.__name__}.backward's shape, {what}")


def test_mean_of_everything():
    x = np.arange(6.0).reshape(2, 3)
    (grad,) = backward_of(MeanFunction(), [x], np.array(12.0))
    expect_close(grad, np.full((2, 3), 2.0), f"{MeanFunction.__name__}.backward over all 6 elements with g = 12")


def test_strict_gradcheck():
    x = Tensor(np.random.default_rng(1802).standard_normal((3, 4, 2)), requires_grad=True)
    gradcheck(lambda x: MeanFunction((0, 2), True)(x * x) * SumFunction(1)(x).reshape(3, 1, 2), [x], **STRICT_GRADCHECK)
