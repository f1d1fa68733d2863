"""Hidden tests of task 3.1 (discriminator_loss): the formula on many batches, both gradients, strict gradchecks,
extreme logits in float32 and float64."""

import numpy as np
import pytest

from coursework.hidden.A3 import reference
from coursework.public.A3.calls import loss_and_grads
from coursework.public.A3.shortcuts import own_code_only
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close
from nn_from_scratch.models.gan import discriminator_loss
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_3_1



def run(real, fake, dtype=np.float64):
    return loss_and_grads(discriminator_loss, [real, fake], "discriminator_loss", [discriminator_loss], dtype)


@pytest.mark.parametrize("sizes", [(1, 1), (3, 5), (16, 16), (7, 2)])
def test_the_formula_and_its_gradients(sizes):
    """L_D = mean softplus(-r) + mean softplus(f); dL/dr = (sigmoid(r) - 1)/N_r, dL/df = sigmoid(f)/N_f; the two
    halves may differ in size."""
    rng = np.random.default_rng(sum(sizes))
    real, fake = rng.normal(0, 3, (sizes[0], 1)), rng.normal(0, 3, (sizes[1], 1))
    loss, grad_real, grad_fake = run(real, fake)
    expect_close(loss, reference.discriminator_loss(real, fake), f"discriminator_loss on batches {sizes}")
    expect_close(grad_real, (reference.sigmoid(real) - 1) / len(real), f"dL/d(real logits), batches {sizes}")
    expect_close(grad_fake, reference.sigmoid(fake) / len(fake), f"dL/d(fake logits), batches {sizes}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits(dtype):
    logits = np.array([[-1e4], [-50.0], [-1.0], [0.0], [1.0], [50.0], [1e4]])
    loss, grad_real, grad_fake = run(logits, logits[::-1], dtype)
    assert loss.dtype == dtype and np.isfinite(float(loss.data)), f"discriminator_loss in {np.dtype(dtype)}: {loss}"
    expect_close(loss, reference.discriminator_loss(logits, logits[::-1]), "discriminator_loss, extreme logits",
                 rtol=1e-6 if dtype == np.float32 else 1e-12)
    assert np.all(np.isfinite(grad_real)) and np.all(np.isfinite(grad_fake))


def test_strict_gradcheck():
    rng = np.random.default_rng(311)
    real = Tensor(rng.normal(0, 2, (5, 1)), requires_grad=True)
    fake = Tensor(rng.normal(0, 2, (5, 1)), requires_grad=True)
    with own_code_only("discriminator_loss", [discriminator_loss]):
        gradcheck(discriminator_loss, [real, fake], **STRICT_GRADCHECK)
