"""Hidden tests of task 3.7 (GANTrainer.train_step): the student's step and the step written out, run side by
side on two identical trainers, step by step: the library's DCGAN (float32, as `train gan` runs it), conditional
with three generator updates per step, and the tiny models over more steps; the losses of every step, every
weight and BatchNorm statistic, the noise generator's position."""

import tempfile

import pytest

from coursework.hidden.A3.reference import reference_train_step
from coursework.hidden.A3.steps import expect_same_state
from coursework.public.A3.shortcuts import own_code_only
from coursework.public.A3.tiny import tiny_trainer
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.data import load_dataset
from nn_from_scratch.models.gan import discriminator_loss, generator_loss
from nn_from_scratch.training import GANTrainer, TrainConfig
from nn_from_scratch.training.gan_trainer import discriminator_step, generator_step
from nn_from_scratch.training.run import keep_first

pytestmark = pytest.mark.task_3_7

OWN = [GANTrainer.train_step, discriminator_step, generator_step, discriminator_loss, generator_loss]


def dcgan_trainer(conditional, generator_steps, batch_size):
    config = TrainConfig("gan", dataset="mnist-10k", batch_size=batch_size, seed=5, conditional=conditional,
                         generator_steps=generator_steps, out=tempfile.mkdtemp(prefix="a3-hidden-run-"))
    return GANTrainer(config, keep_first(load_dataset("mnist-10k", train=True), 64),
                      keep_first(load_dataset("mnist-10k", train=False), 16))


def compare(make_trainer, steps, rtol):
    mine, theirs = make_trainer(), make_trainer()
    batches = iter(mine.loader)
    for number in range(steps):
        images, labels = next(batches)
        with own_code_only("GANTrainer.train_step", OWN):
            got = mine.train_step(images, labels)
        expected = reference_train_step(theirs, images, labels)
        where = f"train_step, step {number + 1}"
        assert isinstance(got, dict) and set(got) == set(expected), f"{where}: expected keys {sorted(expected)}, " \
            f"got {got!r}"
        for key, value in expected.items():
            expect_close(got[key], value, f"{where}: {key}", rtol=rtol, atol=1e-7)
        for name in theirs.models:
            expect_same_state(mine.models[name], theirs.models[name], f"{where}: the {name}", rtol=rtol)
        expect_close(mine.rng.standard_normal(2), theirs.rng.standard_normal(2),
                     f"{where}: the noise generator's position (one draw of B vectors per generator update)")


def test_the_dcgan():
    compare(lambda: dcgan_trainer(False, 1, 8), 2, rtol=1e-4)


def test_the_conditional_dcgan_with_three_generator_updates():
    compare(lambda: dcgan_trainer(True, 3, 4), 2, rtol=1e-4)


@pytest.mark.parametrize("conditional, generator_steps", [(False, 2), (True, 1)])
def test_tiny_models_over_six_steps(conditional, generator_steps):
    compare(lambda: tiny_trainer(71, conditional, generator_steps), 6, rtol=1e-9)
