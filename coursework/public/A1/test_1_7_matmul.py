"""Task 1.7: the backward of MatMul: 2-D, with a 1-D side, and batched (called directly here)."""

import numpy as np
import pytest

from coursework.public.A1.cases import MATMUL_CASES
from nn_from_scratch.coursework.testing import backward_of, expect_close, gradcheck_or_skip, load_known_values
from nn_from_scratch.functional.arithmetic import MatMulFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_7

KNOWN = load_known_values(__file__, "1_7_matmul")
CASES = list(enumerate(MATMUL_CASES))


@pytest.mark.parametrize("case", CASES, ids=[f"{a}@{b}" for _, (a, b) in CASES])
def test_known_values(case):
    """dL/da and dL/db for y = a @ b; each gradient has its input's shape."""
    i, (a_shape, b_shape) = case
    grad_a, grad_b = backward_of(MatMulFunction(), [KNOWN[f"case{i}_a"], KNOWN[f"case{i}_b"]], KNOWN[f"case{i}_g"])
    expect_close(grad_a, KNOWN[f"case{i}_grad_a"],
                 f"{MatMulFunction.__name__}.backward for {a_shape} @ {b_shape}: dL/da")
    expect_close(grad_b, KNOWN[f"case{i}_grad_b"],
                 f"{MatMulFunction.__name__}.backward for {a_shape} @ {b_shape}: dL/db")


def test_gradcheck():
    """nf.gradcheck of a @ b (runs the engine and numerical_gradient too)."""
    rng = np.random.default_rng(7)
    a = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal((4, 2)), requires_grad=True)
    gradcheck_or_skip(lambda a, b: MatMulFunction()(a, b), [a, b], "1.7")
