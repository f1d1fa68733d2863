"""Task 3.3: the DCGAN generator: generator_projection, dcgan_upsampling and Generator.forward."""

import numpy as np
import pytest

from coursework.public.A3.cases import GENERATOR_CASES, PROJECTION_CASE, WEIGHT_SEEDS
from coursework.public.A3.models import expect_outputs
from nn_from_scratch.coursework.testing import load_known_values
from nn_from_scratch.models.gan import Generator, dcgan_upsampling, generator_projection
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_3_3

KNOWN = load_known_values(__file__, "3_3_generator")
OWN = [generator_projection, dcgan_upsampling, Generator.forward]


@pytest.mark.parametrize("name", GENERATOR_CASES)
def test_known_outputs(name):
    """Generator(latent_dim, num_classes) with given weights: logits (4, 1, 28, 28) in both modes; conditional:
    the one-hot labels appended to the noise."""
    latent, classes = GENERATOR_CASES[name]
    expect_outputs(lambda: Generator(latent, classes), KNOWN, name, f"Generator({latent}, num_classes={classes})",
                   WEIGHT_SEEDS[name], OWN)


def test_the_projection_with_a_hidden_layer():
    """generator_projection(7, 2, hidden=6): Linear -> BatchNorm1d -> ReLU twice, then Unflatten to (N, 2, 7, 7)."""
    expect_outputs(lambda: generator_projection(*PROJECTION_CASE), KNOWN, "projection",
                   f"generator_projection{PROJECTION_CASE}", WEIGHT_SEEDS["projection"], OWN)


def test_shapes_and_the_gradient_reaches_every_weight():
    """A batch of 3 noise vectors gives logits (3, 1, 28, 28) (not images in [0, 1]: no sigmoid), and a
    backward from them reaches every parameter."""
    generator = Generator(8)
    logits = generator(Tensor(np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)))
    assert logits.shape == (3, 1, 28, 28), f"Generator(8) on noise (3, 8): expected (3, 1, 28, 28), got {logits.shape}"
    assert logits.data.min() < 0, "Generator.forward returns logits (any real number), not sigmoid images"
    (logits * logits).sum().backward()
    missing = [name for name, p in generator.named_parameters() if p.grad is None]
    assert not missing, f"Generator: no gradient reached {missing}"
