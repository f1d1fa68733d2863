"""Hidden tests of task 4.4 (vae_loss): the three values and all gradients against closed forms, for several
batch sizes and image shapes (the sums over pixels and latent axes, the mean over images)."""

import numpy as np
import pytest

from coursework.hidden.A4 import reference
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.models import vae_loss
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_4_4


@pytest.mark.parametrize("n, image, latent", [(1, (1, 2, 2), 1), (3, (1, 28, 28), 4), (6, (2, 3, 5), 2)])
def test_closed_form(n, image, latent):
    rng = np.random.default_rng(n * 7 + latent)
    logits, x = rng.standard_normal((n, *image)) * 4, rng.uniform(0, 1, (n, *image))
    mu, logvar = rng.standard_normal((n, latent)), rng.uniform(-3, 2, (n, latent))
    tensors = [Tensor(logits, requires_grad=True), Tensor(x), Tensor(mu, requires_grad=True),
               Tensor(logvar, requires_grad=True)]
    loss, reconstruction, kl = vae_loss(*tensors)
    expected_reconstruction = -reference.log_likelihood(logits, x).mean()
    expected_kl = reference.kl(mu, logvar).mean()
    expect_close(reconstruction, expected_reconstruction, "reconstruction", rtol=1e-12)
    expect_close(kl, expected_kl, "kl", rtol=1e-12)
    expect_close(loss, expected_reconstruction + expected_kl, "loss", rtol=1e-12)
    loss.backward()
    expect_close(tensors[0].grad, (1 / (1 + np.exp(-logits)) - x) / n, "d loss / d logits", rtol=1e-10)
    expect_close(tensors[2].grad, mu / n, "d loss / d mu", rtol=1e-12)
    expect_close(tensors[3].grad, 0.5 * (np.exp(logvar) - 1) / n, "d loss / d logvar", rtol=1e-12)
