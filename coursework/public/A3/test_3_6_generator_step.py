"""Task 3.6: one generator step through a frozen discriminator: L_G = generator_loss(D(fake)), zero_grad,
backward, step; D's weights get no gradient and are trainable again afterwards."""

import numpy as np
import pytest

from coursework.public.A3.cases import ADAM, G_STEP_CASES, labels_of
from coursework.public.A3.shortcuts import own_code_only
from coursework.public.A3.tiny import gradients_of, parameters_of, tiny_models
from nn_from_scratch import optim
from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.models.gan import generator_loss
from nn_from_scratch.tensor import Tensor
from nn_from_scratch.training.gan_trainer import generator_step

pytestmark = pytest.mark.task_3_6

KNOWN = load_known_values(__file__, "3_6_generator_step")
OWN = [generator_step, generator_loss]


def step(discriminator, optimizer, fake, labels, saturating):
    with own_code_only("generator_step", OWN):
        loss = generator_step(discriminator, optimizer, fake, labels, saturating=saturating)
    if type(loss) is not float:
        raise AssertionError(f"generator_step: must return the loss as a Python float (.item()), got {loss!r}")
    return loss


@pytest.mark.parametrize("case", G_STEP_CASES)
def test_known_steps(case):
    """The loss and G's weights after each step; plain: two steps with one optimizer (the second fails when the
    first step's gradients are kept); saturating: the saturating loss."""
    seed, classes, steps, saturating = G_STEP_CASES[case]
    generator, discriminator = tiny_models(seed, classes)
    optimizer = optim.Adam(generator.parameters(), **ADAM)
    for number in range(steps):
        labels = labels_of(KNOWN.get(f"{case}_{number}_labels"))
        fake = generator.sample(Tensor(KNOWN[f"{case}_{number}_noise"]), labels)
        loss = step(discriminator, optimizer, fake, labels, saturating)
        where = f"generator_step, {case} case, step {number + 1}"
        expect_close(loss, KNOWN[f"{case}_{number}_loss"], f"{where}: the loss", rtol=1e-9)
        for name, value in parameters_of(generator).items():
            expect_close(value, KNOWN[f"{case}_{number}_after:{name}"], f"{where}: G's {name} after the step",
                         rtol=1e-9, atol=1e-12)


def test_the_discriminator_is_left_as_it_was():
    """D's weights unchanged, its gradients (here: those of an earlier D step) untouched, and every D parameter
    trainable again after the step."""
    generator, discriminator = tiny_models(G_STEP_CASES["plain"][0])
    rng = np.random.default_rng(5)
    discriminator(Tensor(rng.uniform(0, 1, (4, 1, 28, 28)))).sum().backward()      # gradients of an earlier D step
    weights, grads = parameters_of(discriminator), gradients_of(discriminator)
    fake = generator.sample(Tensor(KNOWN["plain_0_noise"]))
    step(discriminator, optim.Adam(generator.parameters(), **ADAM), fake, None, False)
    for name, value in parameters_of(discriminator).items():
        expect_close(value, weights[name], f"generator_step: D's {name}")
    for name, grad in gradients_of(discriminator).items():
        expect_close(grad, grads[name], f"generator_step: D's gradient of {name} (freeze D: requires_grad_(False))")
    frozen = [name for name, p in discriminator.named_parameters() if not p.requires_grad]
    assert not frozen, f"generator_step: D's {frozen} are still frozen after the step (requires_grad_(True))"
