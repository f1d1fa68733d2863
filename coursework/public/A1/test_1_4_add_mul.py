"""Task 1.4: the backward of Add and Mul (called directly here, not through the engine)."""

import numpy as np
import pytest

from nn_from_scratch.coursework.testing import backward_of, expect_close, gradcheck_or_skip, load_known_values
from nn_from_scratch.functional.arithmetic import AddFunction, MulFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_4

KNOWN = load_known_values(__file__, "1_4_add_mul")


@pytest.mark.parametrize("name, function_class", [("add", AddFunction), ("mul", MulFunction)])
def test_known_values(name, function_class):
    """dL/da and dL/db for y = a + b and y = a * b (a, b of shape (3, 4))."""
    grad_a, grad_b = backward_of(function_class(), [KNOWN[f"{name}_a"], KNOWN[f"{name}_b"]], KNOWN[f"{name}_g"])
    expect_close(grad_a, KNOWN[f"{name}_grad_a"], f"{function_class.__name__}.backward: dL/da")
    expect_close(grad_b, KNOWN[f"{name}_grad_b"], f"{function_class.__name__}.backward: dL/db")


def test_mul_with_one_input_that_needs_no_gradient():
    """Only a needs a gradient: dL/da must still be g * b."""
    a, b, g = KNOWN["mul_a"], KNOWN["mul_b"], KNOWN["mul_g"]
    grad_a, _ = backward_of(MulFunction(), [a, b], g, requires_grad=[True, False])
    expect_close(grad_a, KNOWN["mul_grad_a"], f"{MulFunction.__name__}.backward with b constant: dL/da")


def test_gradcheck():
    """nf.gradcheck of a * b + a, with broadcasting (runs the engine and numerical_gradient too)."""
    rng = np.random.default_rng(4)
    a = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True)
    gradcheck_or_skip(lambda a, b: AddFunction()(MulFunction()(a, b), a), [a, b], "1.4")
