"""Task 1.8: expand_to_input, and the backward of Sum and Mean over any axes (called directly here)."""

import numpy as np
import pytest

from coursework.public.A1.cases import REDUCTION_CASES
from nn_from_scratch.coursework.testing import backward_of, expect_close, gradcheck_or_skip, load_known_values
from nn_from_scratch.functional.reductions import MeanFunction, SumFunction, expand_to_input, normalize_axes
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_8

KNOWN = load_known_values(__file__, "1_8_sum_mean")
CASES = list(enumerate(REDUCTION_CASES))
IDS = [f"{s}-axis={a}-keepdims={k}" for _, (s, a, k) in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expand_to_input(case):
    """The reduced gradient spread back over the reduced axes, to the input's shape."""
    i, (shape, axis, keepdims) = case
    axes = normalize_axes(axis, len(shape))
    got = expand_to_input(KNOWN[f"case{i}_g"], shape, axes, keepdims)
    expect_close(got, KNOWN[f"case{i}_expand"], f"expand_to_input(g, {shape}, axes={axes}, keepdims={keepdims})")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sum_and_mean_known_values(case):
    """dL/dx for y = x.sum(axis, keepdims) and y = x.mean(axis, keepdims)."""
    i, (shape, axis, keepdims) = case
    x, g = KNOWN[f"case{i}_x"], KNOWN[f"case{i}_g"]
    (grad,) = backward_of(SumFunction(axis, keepdims), [x], g)
    expect_close(grad, KNOWN[f"case{i}_sum"],
                 f"{SumFunction.__name__}(axis={axis}, keepdims={keepdims}).backward on {shape}")
    (grad,) = backward_of(MeanFunction(axis, keepdims), [x], g)
    expect_close(grad, KNOWN[f"case{i}_mean"],
                 f"{MeanFunction.__name__}(axis={axis}, keepdims={keepdims}).backward on {shape}")


def test_gradcheck():
    """nf.gradcheck of sums and means (runs the engine and numerical_gradient too)."""
    x = Tensor(np.random.default_rng(8).standard_normal((2, 3, 4)), requires_grad=True)
    gradcheck_or_skip(lambda x: SumFunction((0, 2))(x), [x], "1.8")
    gradcheck_or_skip(lambda x: MeanFunction(1, True)(x), [x], "1.8")
