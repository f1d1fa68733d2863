"""Task 4.7: metrics.vae_negative_elbo, the mean -ELBO of images in nats, one z per image drawn with the given
generator, batch after batch, the KL in closed form; the model's mode is restored."""

import numpy as np
import pytest

from coursework.public.A4.models import digits, linear_vae
from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.metrics import vae_negative_elbo

pytestmark = pytest.mark.task_4_7

KNOWN = load_known_values(__file__, "4_7_negative_elbo")
IMAGES, LABELS = digits(12)


@pytest.mark.parametrize("classes", [0, 10])
def test_known_values(classes):
    """Twelve digits in batches of 5 (5, 5, 2), eps from default_rng(7); with and without labels."""
    model = linear_vae(3, classes)
    got = vae_negative_elbo(model, IMAGES, LABELS if classes else None, rng=np.random.default_rng(7), batch_size=5)
    assert isinstance(got, float), f"expected a Python float, got {type(got).__name__}"
    expect_close(got, KNOWN[f"seed7_{classes}"], f"-ELBO, {classes} classes, default_rng(7)", rtol=1e-7)


def test_default_generator():
    """Without rng, eps comes from default_rng(0); one batch of 500."""
    expect_close(vae_negative_elbo(linear_vae(3), IMAGES), KNOWN["default_0"], "-ELBO with rng=None", rtol=1e-7)


@pytest.mark.parametrize("training", [True, False])
def test_the_mode_is_restored(training):
    model = linear_vae(3)
    model.train(training)
    vae_negative_elbo(model, IMAGES[:2], rng=np.random.default_rng(1))
    assert model.training == training, "vae_negative_elbo must leave the model in the mode it found it in"
