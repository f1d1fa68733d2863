"""Write the known values of assignment A3's public tests, from the solution (this project's library).

    PYTHONPATH=. python coursework/generators/generate_A3.py           # (re)write coursework/public/A3/data/
    PYTHONPATH=. python coursework/generators/generate_A3.py --check   # only compare; exit 1 on a difference

Deterministic: fixed seeds, float64 models and inputs, the textbook kernels.  The expected values are
what the library's own functions return: the losses and their gradients, the DCGAN models' outputs
for given weights, one discriminator and one generator step of the small models of
coursework/public/A3/tiny.py, a few training steps of a GANTrainer built on them, and the class
coverage of given probabilities.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import nn_from_scratch as nf  # noqa: E402
from coursework.generators.known_values import write_known_values  # noqa: E402
from coursework.public.A3 import cases, tiny  # noqa: E402
from nn_from_scratch import kernels, metrics, optim  # noqa: E402
from nn_from_scratch.models import gan  # noqa: E402
from nn_from_scratch.training import gan_trainer  # noqa: E402

DATA = ROOT / "coursework" / "public" / "A3" / "data"


def loss_and_grads(loss_of, *arrays):
    tensors = [nf.Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    loss = loss_of(*tensors)
    loss.backward()
    return [loss.data] + [t.grad for t in tensors]


def discriminator_loss_values(rng):
    values = {}
    for kind, scale in cases.LOGIT_SCALES.items():
        real, fake = cases.logits(rng, scale), cases.logits(rng, scale)
        loss, grad_real, grad_fake = loss_and_grads(gan.discriminator_loss, real, fake)
        values.update({f"{kind}_real": real, f"{kind}_fake": fake, f"{kind}_loss": loss,
                       f"{kind}_grad_real": grad_real, f"{kind}_grad_fake": grad_fake})
    return values


def generator_loss_values(rng):
    values = {}
    for kind, scale in cases.LOGIT_SCALES.items():
        logits = cases.logits(rng, scale)
        values[f"{kind}_logits"] = logits
        for name, saturating in (("non_saturating", False), ("saturating", True)):
            loss, grad = loss_and_grads(lambda a, s=saturating: gan.generator_loss(a, saturating=s), logits)
            values.update({f"{kind}_{name}_loss": loss, f"{kind}_{name}_grad": grad})
    return values


def model_values(build, inputs_of, rng, prefix, seed):
    """The shapes of the model's state, weights from cases.random_state(seed, ...); the outputs in training and
    in evaluation mode."""
    model = build().double()
    shapes = {name: np.shape(value) for name, value in model.state_dict().items()}
    state = cases.random_state(seed, shapes)
    model.load_state_dict(state)
    inputs = inputs_of(rng)
    values = {f"{prefix}_shape:{name}": np.array(shape, dtype=np.float64) for name, shape in shapes.items()}
    values.update({f"{prefix}_in{i}": np.asarray(x, dtype=np.float64) for i, x in enumerate(inputs)})
    values[f"{prefix}_train"] = model(*cases.as_inputs(inputs)).data
    model.load_state_dict(state)          # the training-mode pass moved BatchNorm's running statistics
    model.eval()
    with nf.no_grad():
        values[f"{prefix}_eval"] = model(*cases.as_inputs(inputs)).data
    return values


def generator_values(rng):
    values = {}
    for prefix, (latent, classes) in cases.GENERATOR_CASES.items():
        values.update(model_values(lambda latent=latent, classes=classes: gan.Generator(latent, classes),
                                   lambda r, latent=latent, classes=classes: cases.generator_inputs(r, latent, classes),
                                   rng, prefix, cases.WEIGHT_SEEDS[prefix]))
    values.update(model_values(lambda: gan.generator_projection(*cases.PROJECTION_CASE),
                               lambda r: [r.standard_normal((4, cases.PROJECTION_CASE[0]))], rng, "projection",
                               cases.WEIGHT_SEEDS["projection"]))
    return values


def discriminator_values(rng):
    values = {}
    for prefix, classes in cases.DISCRIMINATOR_CASES.items():
        values.update(model_values(lambda classes=classes: gan.Discriminator(classes),
                                   lambda r, classes=classes: cases.discriminator_inputs(r, classes), rng, prefix,
                                   cases.WEIGHT_SEEDS[prefix]))
    values.update(model_values(lambda: gan.discriminator_features(*cases.FEATURES_CASE),
                               lambda r: [r.uniform(0, 1, (3, cases.FEATURES_CASE[0], 28, 28))], rng, "features",
                               cases.WEIGHT_SEEDS["features"]))
    return values


def flat(prefix, arrays: dict) -> dict:
    return {f"{prefix}:{name}": value for name, value in arrays.items()}


def discriminator_step_values(rng):
    values = {}
    for case, (seed, classes, steps) in cases.D_STEP_CASES.items():
        generator, discriminator = tiny.tiny_models(seed, classes)
        optimizer = optim.Adam(discriminator.parameters(), **cases.ADAM)
        for step in range(steps):
            real, noise, labels = cases.step_inputs(rng, classes)
            fake = generator.sample(nf.Tensor(noise), labels)
            result = gan_trainer.discriminator_step(discriminator, optimizer, tiny.images_tensor(real), fake, labels)
            values.update({f"{case}_{step}_real": real, f"{case}_{step}_noise": noise})
            if labels is not None:
                values[f"{case}_{step}_labels"] = labels
            values.update({f"{case}_{step}_{key}": value for key, value in result.items()})
            values.update(flat(f"{case}_{step}_after", tiny.parameters_of(discriminator)))
    return values


def generator_step_values(rng):
    values = {}
    for case, (seed, classes, steps, saturating) in cases.G_STEP_CASES.items():
        generator, discriminator = tiny.tiny_models(seed, classes)
        optimizer = optim.Adam(generator.parameters(), **cases.ADAM)
        for step in range(steps):
            _, noise, labels = cases.step_inputs(rng, classes)
            fake = generator.sample(nf.Tensor(noise), labels)
            loss = gan_trainer.generator_step(discriminator, optimizer, fake, labels, saturating=saturating)
            values.update({f"{case}_{step}_noise": noise, f"{case}_{step}_loss": loss})
            if labels is not None:
                values[f"{case}_{step}_labels"] = labels
            values.update(flat(f"{case}_{step}_after", tiny.parameters_of(generator)))
    return values


def train_step_values(rng):
    values = {}
    for case, (seed, conditional, generator_steps, steps) in cases.TRAIN_CASES.items():
        trainer = tiny.tiny_trainer(seed, conditional, generator_steps)
        for step, result in enumerate(tiny.train_steps(trainer, steps)):
            values.update({f"{case}_{step}_{key}": value for key, value in result.items()})
        for name, model in trainer.models.items():
            values.update(flat(f"{case}_{name}", tiny.parameters_of(model)))
        values[f"{case}_next_noise"] = trainer.rng.standard_normal(3)
    return values


def class_coverage_values(rng):
    values = {}
    for i, probs in enumerate(cases.coverage_probs(rng)):
        result = metrics.class_coverage(probs)
        missing = np.zeros(probs.shape[1])
        missing[result["missing_classes"]] = 1
        values.update({f"case{i}_probs": probs, f"case{i}_fractions": result["class_fractions"],
                       f"case{i}_effective": result["effective_classes"], f"case{i}_missing": missing})
    return values


GENERATORS = {
    "3_1_discriminator_loss": (discriminator_loss_values, 3101),
    "3_2_generator_loss": (generator_loss_values, 3201),
    "3_3_generator": (generator_values, 3301),
    "3_4_discriminator": (discriminator_values, 3401),
    "3_5_discriminator_step": (discriminator_step_values, 3501),
    "3_6_generator_step": (generator_step_values, 3601),
    "3_7_train_step": (train_step_values, 3701),
    "3_8_class_coverage": (class_coverage_values, 3801),
}

if __name__ == "__main__":
    with kernels.using("textbook"):
        sys.exit(write_known_values(GENERATORS, DATA, __doc__.splitlines()[0]))
