"""Task 4.4: vae_loss, (loss, reconstruction, kl): BCE on logits summed over the pixels and the KL summed over the
latent axis, each per image, then averaged over the images; loss is their sum, the negative ELBO per image."""

import pytest

from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.models import vae_loss
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_4_4

KNOWN = load_known_values(__file__, "4_4_vae_loss")


def inputs():
    logits, mu, logvar = (Tensor(KNOWN[name], requires_grad=True) for name in ("logits", "mu", "logvar"))
    return logits, Tensor(KNOWN["images"]), mu, logvar


def test_known_values():
    result = vae_loss(*inputs())
    assert isinstance(result, tuple) and len(result) == 3, "vae_loss must return (loss, reconstruction, kl)"
    for name, value in zip(("loss", "reconstruction", "kl"), result):
        expect_close(value, KNOWN[name], f"vae_loss: {name}")


def test_gradients():
    """d loss / d logits = (sigmoid(logits) - x) / N, and the KL's gradients divided by N."""
    logits, images, mu, logvar = inputs()
    vae_loss(logits, images, mu, logvar)[0].backward()
    expect_close(logits.grad, KNOWN["grad_logits"], "d loss / d logits")
    expect_close(mu.grad, KNOWN["grad_mu"], "d loss / d mu")
    expect_close(logvar.grad, KNOWN["grad_logvar"], "d loss / d logvar")
