"""Task 3.7: GANTrainer.train_step: noise, fakes, one D step, generator_steps G steps; the run compared with the
solution's, step by step."""

import pytest

from coursework.public.A3.cases import TRAIN_CASES
from coursework.public.A3.shortcuts import own_code_only
from coursework.public.A3.tiny import parameters_of, tiny_trainer, train_steps
from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.models.gan import discriminator_loss, generator_loss
from nn_from_scratch.training.gan_trainer import GANTrainer, discriminator_step, generator_step

pytestmark = pytest.mark.task_3_7

KNOWN = load_known_values(__file__, "3_7_train_step")
OWN = [GANTrainer.train_step, discriminator_step, generator_step, discriminator_loss, generator_loss]


@pytest.mark.parametrize("case", TRAIN_CASES)
def test_known_run(case):
    """Small models on MNIST-10k: the losses of every step, the weights at the end, and the noise generator's
    position (the same number of draws as the solution: B per generator update)."""
    seed, conditional, generator_steps, steps = TRAIN_CASES[case]
    trainer = tiny_trainer(seed, conditional, generator_steps)
    with own_code_only("GANTrainer.train_step", OWN):
        results = train_steps(trainer, steps)
    for number, result in enumerate(results):
        if not isinstance(result, dict) or set(result) != set(GANTrainer.loss_names):
            raise AssertionError(f"train_step: expected a dict with {GANTrainer.loss_names}, got {result!r}")
        for key, value in result.items():
            expect_close(value, KNOWN[f"{case}_{number}_{key}"], f"train_step, {case} run, step {number + 1}: {key}",
                         rtol=1e-9)
    for name, model in trainer.models.items():
        for parameter, value in parameters_of(model).items():
            expect_close(value, KNOWN[f"{case}_{name}:{parameter}"],
                         f"train_step, {case} run, after {steps} steps: the {name}'s {parameter}", rtol=1e-8,
                         atol=1e-11)
    expect_close(trainer.rng.standard_normal(3), KNOWN[f"{case}_next_noise"],
                 f"train_step, {case} run: the next noise after {steps} steps (did you draw the noise with "
                 "standard_normal(self.rng, (B, latent_dim)) once per generator update?)")
