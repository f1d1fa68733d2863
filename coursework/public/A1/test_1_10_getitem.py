"""Task 1.10: the backward of GetItem: slices, integers, repeated and boolean indices (called directly here)."""

import numpy as np
import pytest

from coursework.public.A1.cases import GETITEM_CASES
from nn_from_scratch.coursework.testing import backward_of, expect_close, gradcheck_or_skip, load_known_values
from nn_from_scratch.functional.shape import GetItemFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_10

KNOWN = load_known_values(__file__, "1_10_getitem")
CASES = list(enumerate(GETITEM_CASES))


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i, _ in CASES])
def test_known_values(case):
    """dL/dx for y = x[index]: zero except where x was selected; an element selected twice gets both."""
    i, (shape, index) = case
    (grad,) = backward_of(GetItemFunction(index), [KNOWN[f"case{i}_x"]], KNOWN[f"case{i}_g"])
    expect_close(grad, KNOWN[f"case{i}_grad"], f"{GetItemFunction.__name__}({index!r}).backward on shape {shape}")


def test_gradcheck():
    """nf.gradcheck of x[[0, 0, 2]] (runs the engine and numerical_gradient too)."""
    x = Tensor(np.random.default_rng(10).standard_normal((4, 3)), requires_grad=True)
    gradcheck_or_skip(lambda x: GetItemFunction([0, 0, 2])(x), [x], "1.10")
