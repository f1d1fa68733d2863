"""Task 1.2: sum_to_shape(grad, shape) sums a broadcast gradient back to the shape of the input."""

import numpy as np
import pytest

from coursework.public.A1.cases import SUM_TO_SHAPE_CASES
from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.tensor import sum_to_shape

pytestmark = pytest.mark.task_1_2

KNOWN = load_known_values(__file__, "1_2_sum_to_shape")
CASES = list(enumerate(SUM_TO_SHAPE_CASES))
IDS = [f"{g}->{s}" for _, (g, s) in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_known_values(case):
    """Each element of the result is the sum of the gradients of every copy of that input element."""
    i, (grad_shape, shape) = case
    grad = KNOWN[f"case{i}_grad"]
    expect_close(sum_to_shape(grad, shape), KNOWN[f"case{i}_expected"],
                 f"sum_to_shape(grad of shape {grad_shape}, {shape})")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_total_is_kept(case):
    """Summing back never changes the total of the gradient."""
    i, (grad_shape, shape) = case
    grad = KNOWN[f"case{i}_grad"]
    result = np.asarray(sum_to_shape(grad, shape))
    assert result.shape == tuple(shape), f"sum_to_shape(grad of shape {grad_shape}, {shape}): got shape {result.shape}"
    assert np.isclose(result.sum(), grad.sum(), rtol=1e-12), \
        f"sum_to_shape(grad of shape {grad_shape}, {shape}): total {result.sum():.6g}, expected {grad.sum():.6g}"


def test_same_shape_is_unchanged():
    grad = np.arange(6.0).reshape(2, 3)
    expect_close(sum_to_shape(grad, (2, 3)), grad, "sum_to_shape(grad, its own shape)")
