"""Task 3.5: one discriminator step: score real and detached fakes, L_D, zero_grad, backward, step."""

import pytest

from coursework.public.A3.cases import ADAM, D_STEP_CASES, labels_of
from coursework.public.A3.shortcuts import own_code_only
from coursework.public.A3.tiny import gradients_of, images_tensor, parameters_of, tiny_models
from nn_from_scratch import optim
from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.models.gan import discriminator_loss
from nn_from_scratch.tensor import Tensor
from nn_from_scratch.training.gan_trainer import discriminator_step

pytestmark = pytest.mark.task_3_5

KNOWN = load_known_values(__file__, "3_5_discriminator_step")
OWN = [discriminator_step, discriminator_loss]


def step(discriminator, optimizer, real, fake, labels):
    with own_code_only("discriminator_step", OWN):
        result = discriminator_step(discriminator, optimizer, real, fake, labels)
    if not isinstance(result, dict) or set(result) != {"d_loss", "d_real", "d_fake"}:
        raise AssertionError(f"discriminator_step: expected a dict with d_loss, d_real and d_fake, got {result!r}")
    for key, value in result.items():
        if type(value) is not float:
            raise AssertionError(f"discriminator_step: {key} must be a Python float (use .item()), got "
                                 f"{type(value).__name__}")
    return result


@pytest.mark.parametrize("case", D_STEP_CASES)
def test_known_steps(case):
    """The returned loss and mean scores (as before the update), and D's weights after each step; the plain case
    takes two steps with the same optimizer (the second fails when the gradients of the first are kept)."""
    seed, classes, steps = D_STEP_CASES[case]
    generator, discriminator = tiny_models(seed, classes)
    optimizer = optim.Adam(discriminator.parameters(), **ADAM)
    for number in range(steps):
        labels = labels_of(KNOWN.get(f"{case}_{number}_labels"))
        fake = generator.sample(Tensor(KNOWN[f"{case}_{number}_noise"]), labels)
        result = step(discriminator, optimizer, images_tensor(KNOWN[f"{case}_{number}_real"]), fake, labels)
        where = f"discriminator_step, {case} case, step {number + 1}"
        for key in ("d_loss", "d_real", "d_fake"):
            expect_close(result[key], KNOWN[f"{case}_{number}_{key}"], f"{where}: {key}", rtol=1e-9)
        for name, value in parameters_of(discriminator).items():
            expect_close(value, KNOWN[f"{case}_{number}_after:{name}"], f"{where}: D's {name} after the step",
                         rtol=1e-9, atol=1e-12)


def test_no_gradient_reaches_the_generator():
    """The fakes keep their history (the generator step reuses it), but the D step must not backpropagate into G:
    G's gradients stay None and its weights unchanged."""
    generator, discriminator = tiny_models(D_STEP_CASES["plain"][0])
    before = parameters_of(generator)
    fake = generator.sample(Tensor(KNOWN["plain_0_noise"]))
    step(discriminator, optim.Adam(discriminator.parameters(), **ADAM), images_tensor(KNOWN["plain_0_real"]), fake,
         None)
    leaked = [name for name, grad in gradients_of(generator).items() if grad is not None]
    assert not leaked, f"discriminator_step: gradients reached the generator's {leaked}: detach the fakes"
    for name, value in parameters_of(generator).items():
        expect_close(value, before[name], f"discriminator_step: the generator's {name}")
    assert fake.requires_grad, "discriminator_step: the fakes lost their history (detach a copy, not them)"
