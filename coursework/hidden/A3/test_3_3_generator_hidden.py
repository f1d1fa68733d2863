"""Hidden tests of task 3.3 (the DCGAN generator): the student's Generator against the architecture written out,
unconditional and conditional, other latent sizes, generator_projection alone with and without the hidden
layer of the Radford variant, outputs and input gradients in both modes, BatchNorm statistics."""

import numpy as np
import pytest

from coursework.hidden.A3.models import expect_same_model
from coursework.hidden.A3.reference import ReferenceGenerator
from nn_from_scratch import nn
from nn_from_scratch.models.gan import Generator, dcgan_upsampling, generator_projection

pytestmark = pytest.mark.task_3_3

OWN = [generator_projection, dcgan_upsampling, Generator.forward]


@pytest.mark.parametrize("latent, classes", [(3, 0), (16, 0), (2, 10), (6, 3)])
def test_against_the_architecture(latent, classes):
    rng = np.random.default_rng(latent * 10 + classes)
    noise = rng.standard_normal((3, latent))
    labels = [rng.integers(0, classes, 3)] if classes else []
    expect_same_model(lambda: Generator(latent, classes), ReferenceGenerator(latent, classes), [noise] + labels,
                      f"Generator({latent}, num_classes={classes})", OWN, seed=latent)


@pytest.mark.parametrize("hidden", [0, 5])
def test_projection_alone(hidden):
    """generator_projection(9, 3, hidden) on its own, a channel count other than 128."""
    first = [nn.Linear(9, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU()] if hidden else []
    reference = nn.Sequential(*first, nn.Linear(hidden or 9, 3 * 49, bias=False), nn.BatchNorm1d(3 * 49), nn.ReLU(),
                              nn.Unflatten(1, (3, 7, 7)))
    expect_same_model(lambda: generator_projection(9, 3, hidden), reference,
                      [np.random.default_rng(hidden).standard_normal((4, 9))], f"generator_projection(9, 3, {hidden})",
                      OWN)
