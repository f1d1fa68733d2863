"""Task 1.5: the backward of Div and Pow (called directly here, not through the engine)."""

import numpy as np
import pytest

from coursework.public.A1.cases import POW_EXPONENTS
from nn_from_scratch.coursework.testing import backward_of, expect_close, gradcheck_or_skip, load_known_values
from nn_from_scratch.functional.arithmetic import DivFunction, PowFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_5

KNOWN = load_known_values(__file__, "1_5_div_pow")


def test_div_known_values():
    """dL/da and dL/db for y = a / b."""
    grad_a, grad_b = backward_of(DivFunction(), [KNOWN["div_a"], KNOWN["div_b"]], KNOWN["div_g"])
    expect_close(grad_a, KNOWN["div_grad_a"], f"{DivFunction.__name__}.backward: dL/da")
    expect_close(grad_b, KNOWN["div_grad_b"], f"{DivFunction.__name__}.backward: dL/db")


@pytest.mark.parametrize("i, p", list(enumerate(POW_EXPONENTS)), ids=[f"p={p}" for p in POW_EXPONENTS])
def test_pow_known_values(i, p):
    """dL/dx for y = x ** p."""
    (grad,) = backward_of(PowFunction(p), [KNOWN[f"pow{i}_x"]], KNOWN[f"pow{i}_g"])
    expect_close(grad, KNOWN[f"pow{i}_grad"], f"{PowFunction.__name__}({p}).backward: dL/dx")


def test_gradcheck():
    """nf.gradcheck of a / b and of x ** 3 (runs the engine and numerical_gradient too)."""
    rng = np.random.default_rng(5)
    a = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = Tensor(rng.uniform(0.5, 2.0, (2, 3)), requires_grad=True)
    gradcheck_or_skip(lambda a, b: DivFunction()(a, b), [a, b], "1.5")
    gradcheck_or_skip(lambda b: PowFunction(3)(b), [b], "1.5")
