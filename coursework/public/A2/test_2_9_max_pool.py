"""Task 2.9: max pooling: the largest value of each window; backward sends each window's gradient to the one
input pixel that won it (the first in row-major order when several tie), adding up where windows overlap."""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype, forward_backward
from coursework.public.A2.cases import POOL_CASES
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close, load_known_values
from nn_from_scratch.functional.pooling import MaxPool2dFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_9

KNOWN = load_known_values(__file__, "2_9_max_pool")
CASES = list(enumerate(POOL_CASES))
NAME = MaxPool2dFunction.__name__
IDS = [f"x{x}-k{k}-s{s}-p{p}-{kind}" for _, (x, k, s, p, kind) in CASES]
EXPLAIN = {"ties": "small integers: windows with several maxima send the gradient to the first, in row-major order",
           "negative": "every value < 0: the padding (-inf) never wins", "random": "distinct values"}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_known_values(case):
    """The window maxima and dL/dx."""
    i, (x_shape, kernel, stride, padding, kind) = case
    what = f"{MaxPool2dFunction.__name__}(kernel {kernel}, stride {stride}, padding {padding}) on x {x_shape} " \
           f"({EXPLAIN[kind]})"
    y, (grad,) = forward_backward(MaxPool2dFunction(kernel, stride, padding), [KNOWN[f"case{i}_x"]],
                                  KNOWN[f"case{i}_g"], what)
    expect_close(y, KNOWN[f"case{i}_y"], f"{what}: forward")
    expect_close(grad, KNOWN[f"case{i}_grad"], f"{what}: dL/dx")


def test_gradcheck():
    """nf.gradcheck with overlapping windows and padding, on distinct values (strict tolerances)."""
    rng = np.random.default_rng(2901)
    x = Tensor(rng.permutation(50).reshape(2, 1, 5, 5) / 7.0, requires_grad=True)
    gradcheck(lambda x: MaxPool2dFunction((3, 3), (2, 2), (1, 1))(x), [x], **STRICT_GRADCHECK)


def test_float32_stays_float32():
    """Layers train in float32: a float32 input gives a float32 output and gradient."""
    y, (grad,) = forward_backward(MaxPool2dFunction((3, 3), (1, 1), (1, 1)), [KNOWN["case1_x"]], KNOWN["case1_g"],
                                  NAME, dtype=np.float32)
    expect_dtype(y, np.float32, f"{NAME}.forward")
    expect_dtype(grad, np.float32, f"{NAME}.backward")
