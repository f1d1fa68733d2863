"""Hidden tests of task 3.4 (the DCGAN discriminator): the student's Discriminator against the architecture
written out, with 4x4 and 5x5 kernels, a hidden layer, conditional; outputs and input gradients in both modes."""

import numpy as np
import pytest

from coursework.hidden.A3.models import expect_same_model
from coursework.hidden.A3.reference import ReferenceDiscriminator
from nn_from_scratch.models.gan import Discriminator, discriminator_features

pytestmark = pytest.mark.task_3_4

OWN = [discriminator_features, Discriminator.forward]


@pytest.mark.parametrize("classes, kernel, hidden", [(0, 4, 0), (0, 5, 0), (10, 4, 0), (3, 5, 8), (0, 4, 6)])
def test_against_the_architecture(classes, kernel, hidden):
    rng = np.random.default_rng(classes * 100 + kernel * 10 + hidden)
    images = rng.uniform(0, 1, (3, 1, 28, 28))
    labels = [rng.integers(0, classes, 3)] if classes else []
    expect_same_model(lambda: Discriminator(classes, kernel, hidden), ReferenceDiscriminator(classes, kernel, hidden),
                      [images] + labels, f"Discriminator({classes}, kernel_size={kernel}, hidden={hidden})", OWN,
                      seed=kernel + hidden)


def test_the_slope_of_leaky_relu_matters():
    """Images scaled so that many pre-activations are negative: a slope other than 0.2 changes the logits."""
    rng = np.random.default_rng(34)
    images = rng.uniform(-1, 0, (3, 1, 28, 28))
    expect_same_model(Discriminator, ReferenceDiscriminator(), [images], "Discriminator() on negative images", OWN,
                      seed=9)
