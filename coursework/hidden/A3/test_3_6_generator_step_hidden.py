"""Hidden tests of task 3.6 (generator_step): against the step written out, over several steps, both losses,
conditional, a discriminator with BatchNorm (the DCGAN one); D's weights, gradients and trainability untouched."""

import numpy as np
import pytest

from coursework.hidden.A3.reference import reference_generator_step
from coursework.hidden.A3.steps import copy_weights, expect_same_state
from coursework.public.A3.shortcuts import own_code_only
from coursework.public.A3.tiny import gradients_of, parameters_of, tiny_models
from nn_from_scratch import optim
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.models.gan import Discriminator, generator_loss
from nn_from_scratch.tensor import Tensor
from nn_from_scratch.training.gan_trainer import generator_step

pytestmark = pytest.mark.task_3_6

OWN = [generator_step, generator_loss]


def compare(seed, classes, saturating, steps, discriminator=None, batch=6):
    rng = np.random.default_rng(seed)
    mine, d_mine = tiny_models(seed, classes)
    theirs, d_theirs = tiny_models(seed, classes)
    if discriminator is not None:
        d_mine, d_theirs = discriminator(), discriminator()
        copy_weights(d_mine, d_theirs)
    opt_mine = optim.Adam(mine.parameters(), lr=0.02, betas=(0.5, 0.999))
    opt_theirs = optim.Adam(theirs.parameters(), lr=0.02, betas=(0.5, 0.999))
    d_weights = parameters_of(d_mine)
    earlier_labels = rng.integers(0, classes, batch) if classes else None
    d_mine(Tensor(rng.uniform(0, 1, (batch, 1, 28, 28))), earlier_labels).sum().backward()   # an earlier D step's
    d_grads = gradients_of(d_mine)
    for number in range(steps):
        noise = rng.standard_normal((batch, 6))
        labels = rng.integers(0, classes, batch) if classes else None
        with own_code_only("generator_step", OWN):
            got = generator_step(d_mine, opt_mine, mine.sample(Tensor(noise), labels), labels, saturating=saturating)
        expected = reference_generator_step(d_theirs, opt_theirs, theirs.sample(Tensor(noise), labels), labels,
                                            saturating)
        where = f"generator_step (saturating={saturating}), step {number + 1}"
        expect_close(got, expected, f"{where}: the loss", rtol=1e-9)
        expect_same_state(mine, theirs, f"{where}: G after the step")
    for name, value in parameters_of(d_mine).items():
        expect_close(value, d_weights[name], f"generator_step: D's {name}")
    for name, grad in gradients_of(d_mine).items():
        expect_close(grad, d_grads[name], f"generator_step: D's gradient of {name}")
    assert all(p.requires_grad for p in d_mine.parameters()), "generator_step: D left frozen"


@pytest.mark.parametrize("saturating", [False, True])
def test_tiny_models_over_four_steps(saturating):
    compare(61, 0, saturating, 4)


def test_conditional():
    compare(62, 10, False, 3)


def test_the_dcgan_discriminator_with_batch_norm():
    compare(63, 0, False, 2, discriminator=lambda: Discriminator().double(), batch=4)
