"""Task 2.10: the backward of batch normalisation (forward is given: read what it saves on self).

Training: dL/dx = weight / sqrt(var + eps) * (g - mean(g) - x_hat * mean(g * x_hat)), means per channel;
evaluation (fixed mean and var): dL/dx = g * weight / sqrt(var + eps).  dL/dweight = sum(g * x_hat), dL/dbias = sum(g).
"""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype, forward_backward
from coursework.public.A2.cases import BATCH_NORM_CASES
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close, load_known_values
from nn_from_scratch.functional.normalization import BatchNormFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_10

KNOWN = load_known_values(__file__, "2_10_batch_norm")
CASES = list(enumerate(BATCH_NORM_CASES))
IDS = [f"x{x}-{given}-{'training' if training else 'eval'}" for _, (x, given, training) in CASES]
NAMES = {"x": "x", "w": "weight", "b": "bias"}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_known_values(case):
    """The gradient of every input given (x; x and weight; or x, weight and bias)."""
    i, (x_shape, given, training) = case
    function = BatchNormFunction(1e-5) if training else \
        BatchNormFunction(1e-5, KNOWN[f"case{i}_mean"], KNOWN[f"case{i}_var"])
    what = f"{BatchNormFunction.__name__}.backward ({'training' if training else 'evaluation'}) on x {x_shape}, " \
           f"inputs {', '.join(NAMES[k] for k in given)}"
    _, grads = forward_backward(function, [KNOWN[f"case{i}_{k}"] for k in given], KNOWN[f"case{i}_g"], what)
    for key, grad in zip(given, grads):
        expect_close(grad, KNOWN[f"case{i}_grad_{key}"], f"{what}: dL/d{NAMES[key]}")


@pytest.mark.parametrize("shape", [(5, 3), (3, 2, 2, 3)])
def test_gradcheck(shape):
    """nf.gradcheck in training, with respect to x, weight and bias (strict tolerances)."""
    rng = np.random.default_rng(3001)
    x = Tensor(rng.normal(0.5, 2.0, shape), requires_grad=True)
    w = Tensor(rng.uniform(0.5, 2, shape[1]), requires_grad=True)
    b = Tensor(rng.standard_normal(shape[1]), requires_grad=True)
    gradcheck(lambda x, w, b: BatchNormFunction(1e-5)(x, w, b), [x, w, b], **STRICT_GRADCHECK)


def test_float32_stays_float32():
    """Layers train in float32: float32 inputs give float32 gradients."""
    name = BatchNormFunction.__name__
    _, grads = forward_backward(BatchNormFunction(1e-5), [KNOWN[f"case2_{k}"] for k in "xwb"], KNOWN["case2_g"],
                                f"{name}.backward", dtype=np.float32)
    for key, grad in zip("xwb", grads):
        expect_dtype(grad, np.float32, f"{name}.backward: dL/d{NAMES[key]}")
