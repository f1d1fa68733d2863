"""Task 3.4: the DCGAN discriminator: discriminator_features and Discriminator.forward."""

import numpy as np
import pytest

from coursework.public.A3.cases import DISCRIMINATOR_CASES, FEATURES_CASE, WEIGHT_SEEDS
from coursework.public.A3.models import expect_outputs
from nn_from_scratch.coursework.testing import load_known_values
from nn_from_scratch.models.gan import Discriminator, discriminator_features
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_3_4

KNOWN = load_known_values(__file__, "3_4_discriminator")
OWN = [discriminator_features, Discriminator.forward]


@pytest.mark.parametrize("name", DISCRIMINATOR_CASES)
def test_known_outputs(name):
    """Discriminator(num_classes) with given weights: logits (4, 1) in both modes; conditional: label maps before
    the convolutions, one-hot labels after them."""
    classes = DISCRIMINATOR_CASES[name]
    expect_outputs(lambda: Discriminator(classes), KNOWN, name, f"Discriminator(num_classes={classes})",
                   WEIGHT_SEEDS[name], OWN)


def test_five_by_five_kernels():
    """discriminator_features(3, 5): padding 2 keeps 28 -> 14 -> 7; features (3, 128*7*7)."""
    expect_outputs(lambda: discriminator_features(*FEATURES_CASE), KNOWN, "features",
                   f"discriminator_features{FEATURES_CASE}", WEIGHT_SEEDS["features"], OWN)


def test_shapes_and_the_gradient_reaches_the_images():
    """Logits (5, 1); a backward from them reaches the images (the generator learns through it) and every
    parameter."""
    discriminator = Discriminator()
    images = Tensor(np.random.default_rng(0).uniform(0, 1, (5, 1, 28, 28)).astype(np.float32), requires_grad=True)
    logits = discriminator(images)
    assert logits.shape == (5, 1), f"Discriminator on images (5, 1, 28, 28): expected logits (5, 1), got {logits.shape}"
    logits.sum().backward()
    assert images.grad is not None and np.abs(images.grad).sum() > 0, "no gradient reached the images"
    missing = [name for name, p in discriminator.named_parameters() if p.grad is None]
    assert not missing, f"Discriminator: no gradient reached {missing}"
