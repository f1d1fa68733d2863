"""Hidden tests of task 1.6 (Exp.backward, Log.backward): direct calls against the formulas, strict gradchecks."""

import numpy as np
import pytest

from coursework.hidden.A1.ops import expect_backward
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK
from nn_from_scratch.functional.arithmetic import ExpFunction, LogFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_6


@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 1, 3), ()])
def test_direct(shape):
    rng = np.random.default_rng(1601)
    x = rng.uniform(-3, 3, shape)
    positive = rng.uniform(0.1, 5, shape)
    g = rng.standard_normal(shape)
    expect_backward(ExpFunction(), [x], g, [g * np.exp(x)], f"{ExpFunction.__name__}.backward on {shape}")
    expect_backward(LogFunction(), [positive], g, [g / positive], f"{LogFunction.__name__}.backward on {shape}")


def test_strict_gradcheck():
    rng = np.random.default_rng(1602)
    x = Tensor(rng.uniform(0.3, 2.0, (3, 4)), requires_grad=True)
    gradcheck(lambda x: LogFunction()(ExpFunction()(x) + x), [x], **STRICT_GRADCHECK)
    gradcheck(lambda x: ExpFunction()(LogFunction()(x) * 0.5), [x], **STRICT_GRADCHECK)
