"""Task 1.6: the backward of Exp and Log (called directly here, not through the engine)."""

import numpy as np
import pytest

from nn_from_scratch.coursework.testing import backward_of, expect_close, gradcheck_or_skip, load_known_values
from nn_from_scratch.functional.arithmetic import ExpFunction, LogFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_6

KNOWN = load_known_values(__file__, "1_6_exp_log")


@pytest.mark.parametrize("name, function_class", [("exp", ExpFunction), ("log", LogFunction)])
def test_known_values(name, function_class):
    """dL/dx for y = exp(x) and y = log(x)."""
    (grad,) = backward_of(function_class(), [KNOWN[f"{name}_x"]], KNOWN[f"{name}_g"])
    expect_close(grad, KNOWN[f"{name}_grad"], f"{function_class.__name__}.backward: dL/dx")


def test_gradcheck():
    """nf.gradcheck of log(exp(x) + ...) pieces (runs the engine and numerical_gradient too)."""
    rng = np.random.default_rng(6)
    x = Tensor(rng.uniform(0.5, 2.0, (3, 2)), requires_grad=True)
    gradcheck_or_skip(lambda x: ExpFunction()(x), [x], "1.6")
    gradcheck_or_skip(lambda x: LogFunction()(x), [x], "1.6")
