"""Hidden tests of task 2.9 (MaxPool2dFunction) against an independent reference: ties to the first maximum,
overlapping windows, gaps, padding that never wins, rectangular windows, float32."""

import numpy as np
import pytest

from coursework.hidden.A2 import reference
from coursework.public.A2.calls import expect_dtype, forward_backward
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close
from nn_from_scratch.functional.pooling import MaxPool2dFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_9

NAME = MaxPool2dFunction.__name__
# (x's shape, kernel, stride, padding)
CASES = [
    ((2, 3, 6, 6), (2, 2), (2, 2), (0, 0)),
    ((1, 2, 7, 7), (3, 3), (2, 2), (1, 1)),
    ((2, 1, 5, 6), (3, 3), (1, 1), (1, 1)),
    ((1, 2, 7, 5), (2, 3), (1, 2), (1, 1)),
    ((2, 2, 8, 8), (2, 2), (3, 3), (0, 0)),
    ((1, 1, 5, 5), (1, 1), (2, 1), (0, 0)),
    ((1, 3, 9, 4), (4, 2), (2, 1), (2, 1)),
]
IDS = [f"x{x}-k{k}-s{s}-p{p}" for x, k, s, p in CASES]
VALUES = {"ties": lambda rng, shape: rng.integers(-1, 2, shape).astype(np.float64),
          "random": lambda rng, shape: rng.standard_normal(shape),
          "negative": lambda rng, shape: -rng.uniform(1, 5, shape),
          "constant": lambda rng, shape: np.full(shape, -2.0)}


@pytest.mark.parametrize("values", list(VALUES))
@pytest.mark.parametrize("x_shape, kernel, stride, padding", CASES, ids=IDS)
def test_against_the_reference(x_shape, kernel, stride, padding, values):
    rng = np.random.default_rng(2911)
    x = VALUES[values](rng, x_shape)
    expected, backward = reference.max_pool2d(x, kernel, stride, padding)
    g = rng.standard_normal(expected.shape)
    what = f"{NAME}(kernel {kernel}, stride {stride}, padding {padding}) on {values} x {x_shape}"
    y, (grad,) = forward_backward(MaxPool2dFunction(kernel, stride, padding), [x], g, what)
    expect_close(y, expected, f"{what}: forward")
    expect_close(grad, backward(g), f"{what}: dL/dx (each window's gradient to its first maximum, row-major)")


def test_float32_stays_float32():
    rng = np.random.default_rng(2912)
    x, g = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((2, 2, 3, 3))
    y, (grad,) = forward_backward(MaxPool2dFunction((3, 3), (2, 2), (1, 1)), [x], g, NAME, dtype=np.float32)
    expect_dtype(y, np.float32, f"{NAME}.forward on float32")
    expect_dtype(grad, np.float32, f"{NAME}.backward on float32")


def test_strict_gradcheck():
    rng = np.random.default_rng(2913)
    x = Tensor(rng.permutation(2 * 2 * 6 * 7).reshape(2, 2, 6, 7) / 11.0, requires_grad=True)
    gradcheck(lambda x: MaxPool2dFunction((2, 3), (1, 2), (1, 1))(x), [x], **STRICT_GRADCHECK)
