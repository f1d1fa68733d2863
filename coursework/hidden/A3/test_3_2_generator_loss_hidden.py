"""Hidden tests of task 3.2 (generator_loss): both forms against the formula on many batches, the gradients,
strict gradchecks, logits up to 1e4 in float32 and float64."""

import numpy as np
import pytest

from coursework.hidden.A3 import reference
from coursework.public.A3.calls import loss_and_grads
from coursework.public.A3.shortcuts import own_code_only
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close
from nn_from_scratch.models.gan import generator_loss
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_3_2



def run(logits, saturating, dtype=np.float64):
    return loss_and_grads(lambda a: generator_loss(a, saturating=saturating), [logits],
                          f"generator_loss(saturating={saturating})", [generator_loss], dtype)


@pytest.mark.parametrize("saturating", [False, True])
@pytest.mark.parametrize("size", [1, 4, 33])
def test_the_formula_and_its_gradient(size, saturating):
    rng = np.random.default_rng(size)
    logits = rng.normal(0, 4, (size, 1))
    loss, grad = run(logits, saturating)
    expect_close(loss, reference.generator_loss(logits, saturating), f"generator_loss(saturating={saturating})")
    expected = -reference.sigmoid(logits) / size if saturating else (reference.sigmoid(logits) - 1) / size
    expect_close(grad, expected, f"generator_loss(saturating={saturating}): dL/da")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("saturating", [False, True])
def test_extreme_logits(saturating, dtype):
    logits = np.array([[-1e4], [-80.0], [-3.0], [0.0], [3.0], [80.0], [1e4]])
    loss, grad = run(logits, saturating, dtype)
    assert loss.dtype == dtype, f"generator_loss(saturating={saturating}): float {np.dtype(dtype)} in, {loss.dtype} out"
    expect_close(loss, reference.generator_loss(logits, saturating), f"generator_loss(saturating={saturating}), "
                 f"extreme logits in {np.dtype(dtype)}", rtol=1e-6 if dtype == np.float32 else 1e-12)
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("saturating", [False, True])
def test_strict_gradcheck(saturating):
    a = Tensor(np.random.default_rng(321).normal(0, 2, (6, 1)), requires_grad=True)
    with own_code_only("generator_loss", [generator_loss]):
        gradcheck(lambda x: generator_loss(x, saturating=saturating), [a], **STRICT_GRADCHECK)
