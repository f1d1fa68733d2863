"""The inputs of A3's known values: shared by the public tests and the generator (coursework/generators)."""

from __future__ import annotations

import numpy as np

from nn_from_scratch.tensor import Tensor

# logits of the loss tests: moderate ones, and extreme ones where a careless log(sigmoid) overflows
LOGIT_SCALES = {"moderate": 3.0, "extreme": 1e4}

ADAM = {"lr": 0.05, "betas": (0.5, 0.999)}

# generator known values: name -> (latent_dim, num_classes)
GENERATOR_CASES = {"generator": (5, 0), "conditional_generator": (4, 10)}
PROJECTION_CASE = (7, 2, 6)          # generator_projection(in_features, channels, hidden)
DISCRIMINATOR_CASES = {"discriminator": 0, "conditional_discriminator": 10}
FEATURES_CASE = (3, 5)               # discriminator_features(in_channels, kernel_size)
WEIGHT_SEEDS = {"generator": 1, "conditional_generator": 2, "projection": 3, "discriminator": 4,
                "conditional_discriminator": 5, "features": 6}

# the steps: name -> (seed of the tiny models, num_classes, steps[, saturating])
D_STEP_CASES = {"plain": (11, 0, 2), "conditional": (12, 10, 1)}
G_STEP_CASES = {"plain": (21, 0, 2, False), "saturating": (22, 0, 1, True), "conditional": (23, 10, 1, False)}
# the training step: name -> (seed, conditional, generator_steps, steps)
TRAIN_CASES = {"plain": (31, False, 1, 3), "conditional_two_g_steps": (32, True, 2, 2)}
BATCH = 8
LATENT = 6                            # of the tiny generator


def logits(rng, scale: float) -> np.ndarray:
    """(6, 1) logits in [-scale, scale], with one 0."""
    values = rng.uniform(-scale, scale, (6, 1))
    values[2, 0] = 0.0
    return values


def random_state(seed: int, shapes: dict) -> dict:
    """Random values of a model's state {name: shape}, the same for the same names and shapes: weights
    N(0, 0.2^2), running means N(0, 0.3^2), running variances in [0.5, 2], num_batches_tracked 7."""
    values = {}
    for index, name in enumerate(sorted(shapes)):
        rng = np.random.default_rng([seed, index])
        shape = tuple(int(n) for n in shapes[name])
        if name.endswith("num_batches_tracked"):
            values[name] = np.asarray(7)
        elif name.endswith("running_var"):
            values[name] = rng.uniform(0.5, 2.0, shape)
        elif name.endswith("running_mean"):
            values[name] = rng.normal(0.0, 0.3, shape)
        else:
            values[name] = rng.normal(0.0, 0.2, shape)
    return values


def state_shapes(known: dict, prefix: str) -> dict:
    """{name: shape} of a model's state, from the known values' "<prefix>_shape:<name>" entries."""
    start = f"{prefix}_shape:"
    return {key[len(start):]: tuple(int(n) for n in value) for key, value in known.items() if key.startswith(start)}


def generator_inputs(rng, latent: int, classes: int) -> list:
    noise = rng.standard_normal((4, latent))
    return [noise] + ([rng.integers(0, classes, 4).astype(np.float64)] if classes else [])


def discriminator_inputs(rng, classes: int) -> list:
    images = rng.uniform(0, 1, (4, 1, 28, 28))
    return [images] + ([rng.integers(0, classes, 4).astype(np.float64)] if classes else [])


def as_inputs(arrays) -> list:
    """[Tensor of the first array (float64)] + [the labels as int64, if any]."""
    first, *rest = arrays
    return [Tensor(np.asarray(first, dtype=np.float64))] + [np.asarray(labels).astype(np.int64) for labels in rest]


def labels_of(values) -> np.ndarray | None:
    return None if values is None else np.asarray(values).astype(np.int64)


def step_inputs(rng, classes: int) -> tuple:
    """(real images (B, 1, 28, 28), noise (B, LATENT), labels (B,) int64 or None) of one step."""
    real = rng.uniform(0, 1, (BATCH, 1, 28, 28))
    noise = rng.standard_normal((BATCH, LATENT))
    labels = rng.integers(0, classes, BATCH) if classes else None
    return real, noise, labels


def coverage_probs(rng) -> list:
    """Probabilities (N, C) for class_coverage: confident and unsure images, missing classes, ties, N = 1."""
    confident = rng.dirichlet(np.full(10, 0.1), 60)                  # mostly sharp
    unsure = rng.dirichlet(np.full(10, 20.0), 40)                    # each image unsure between all classes
    skewed = np.eye(10)[rng.choice(10, 50, p=[0.3, 0.3, 0.2, 0.1, 0.04, 0.03, 0.02, 0.01, 0, 0])]
    skewed = 0.8 * skewed + 0.2 * rng.dirichlet(np.ones(10), 50)
    ties = np.array([[0.4, 0.4, 0.2], [0.2, 0.4, 0.4], [0.5, 0.25, 0.25], [0.1, 0.1, 0.8]])
    single = rng.dirichlet(np.ones(4), 1)
    return [confident, unsure, skewed, ties, single]
