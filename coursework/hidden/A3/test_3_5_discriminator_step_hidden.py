"""Hidden tests of task 3.5 (discriminator_step): against the step written out, over several steps with Adam and
SGD, on the tiny models and on the DCGAN discriminator (BatchNorm: its statistics), conditional; the generator
never touched; the optimizer's other parameters untouched."""

import numpy as np
import pytest

from coursework.hidden.A3.reference import reference_discriminator_step
from coursework.hidden.A3.steps import copy_weights, expect_no_gradients, expect_same_state
from coursework.public.A3.shortcuts import own_code_only
from coursework.public.A3.tiny import parameters_of, tiny_models
from nn_from_scratch import optim
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.models.gan import Discriminator, discriminator_loss
from nn_from_scratch.tensor import Tensor
from nn_from_scratch.training.gan_trainer import discriminator_step

pytestmark = pytest.mark.task_3_5

OWN = [discriminator_step, discriminator_loss]


def compare(build_d, classes, make_optimizer, steps, seed, batch=6):
    rng = np.random.default_rng(seed)
    generator, _ = tiny_models(seed, classes)
    mine, theirs = build_d(), build_d()
    copy_weights(mine, theirs)
    opt_mine, opt_theirs = make_optimizer(mine), make_optimizer(theirs)
    g_before = parameters_of(generator)
    for number in range(steps):
        real = Tensor(rng.uniform(0, 1, (batch, 1, 28, 28)))
        labels = rng.integers(0, classes, batch) if classes else None
        fake = generator.sample(Tensor(rng.standard_normal((batch, 6))), labels)
        with own_code_only("discriminator_step", OWN):
            got = discriminator_step(mine, opt_mine, real, fake, labels)
        expected = reference_discriminator_step(theirs, opt_theirs, real, fake, labels)
        where = f"discriminator_step, step {number + 1}"
        for key, value in expected.items():
            expect_close(got[key], value, f"{where}: {key}", rtol=1e-9)
        expect_same_state(mine, theirs, f"{where}: D after the step")
        expect_no_gradients(generator, f"{where}: the generator")
    for name, value in parameters_of(generator).items():
        expect_close(value, g_before[name], f"discriminator_step: the generator's {name} changed")


@pytest.mark.parametrize("optimizer", ["adam", "sgd_momentum"])
def test_tiny_models_over_four_steps(optimizer):
    make = {"adam": lambda m: optim.Adam(m.parameters(), lr=0.02, betas=(0.5, 0.999)),
            "sgd_momentum": lambda m: optim.SGD(m.parameters(), lr=0.1, momentum=0.9)}[optimizer]
    compare(lambda: tiny_models(51)[1], 0, make, 4, 51)


def test_conditional_tiny_models():
    compare(lambda: tiny_models(52, 10)[1], 10, lambda m: optim.Adam(m.parameters(), lr=0.02), 3, 52)


def test_the_dcgan_discriminator_with_batch_norm():
    """BatchNorm: the real and the fake batch are scored separately (two training-mode passes)."""
    compare(lambda: Discriminator().double(), 0, lambda m: optim.Adam(m.parameters(), lr=2e-3, betas=(0.5, 0.999)),
            2, 53, batch=4)
