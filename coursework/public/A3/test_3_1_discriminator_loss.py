"""Task 3.1: the discriminator loss L_D = BCE(real logits, 1) + BCE(fake logits, 0), on logits, stable for any logit."""

import math

import numpy as np
import pytest

from coursework.public.A3 import calls
from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.models.gan import discriminator_loss

pytestmark = pytest.mark.task_3_1

KNOWN = load_known_values(__file__, "3_1_discriminator_loss")


def loss_and_grads(real, fake, dtype=np.float64):
    return calls.loss_and_grads(discriminator_loss, [real, fake], "discriminator_loss", [discriminator_loss], dtype)


@pytest.mark.parametrize("kind", ["moderate", "extreme"])
def test_known_values(kind):
    """L_D and its gradients dL/d(real logit) = (sigmoid(a) - 1) / N, dL/d(fake logit) = sigmoid(a) / N;
    extreme: logits up to 1e4 in size."""
    loss, grad_real, grad_fake = loss_and_grads(KNOWN[f"{kind}_real"], KNOWN[f"{kind}_fake"])
    expect_close(loss, KNOWN[f"{kind}_loss"], f"discriminator_loss on {kind} logits")
    expect_close(grad_real, KNOWN[f"{kind}_grad_real"], f"discriminator_loss on {kind} logits: dL/d(real logits)")
    expect_close(grad_fake, KNOWN[f"{kind}_grad_fake"], f"discriminator_loss on {kind} logits: dL/d(fake logits)")


def test_an_undecided_discriminator_scores_2_ln_2():
    """D(x) = D(G(z)) = 1/2 everywhere (logits 0): L_D = -ln(1/2) - ln(1 - 1/2) = 2 ln 2."""
    loss, _, _ = loss_and_grads(np.zeros((5, 1)), np.zeros((5, 1)))
    expect_close(loss, 2 * math.log(2), "discriminator_loss with every logit 0")


def test_a_perfect_discriminator_scores_0_and_float32_stays_float32():
    """Real logits +30, fake logits -30: D is right and sure, L_D about 2e-13; float32 in, float32 out."""
    loss, grad_real, _ = loss_and_grads(np.full((4, 1), 30.0), np.full((4, 1), -30.0), dtype=np.float32)
    assert loss.dtype == np.float32 and grad_real.dtype == np.float32, \
        f"discriminator_loss: expected float32 for float32 logits, got {loss.dtype} and {grad_real.dtype}"
    assert 0 <= float(loss.data) < 1e-6, f"discriminator_loss of a perfect discriminator: expected ~0, got {loss.data}"
