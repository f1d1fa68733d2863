"""Drawing with a trained generator or VAE: samples, latent interpolations, reconstructions.

Every function returns images as a float32 NumPy array (N, 1, 28, 28) in
[0, 1], ready for :func:`nn_from_scratch.viz.image_grid`.  Both models
have ``sample(noise, labels)`` (noise (N, latent_dim) ~ N(0, I)), so the
same code serves the GAN and the VAE.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, no_grad


def generative_model(config, models):
    """The model that draws images: the GAN's generator or the VAE."""
    if config.model == "gan":
        return models["generator"]
    if config.model == "vae":
        return models["vae"]
    raise ValueError(f"this run trained a {config.model}, which does not generate images; "
                     "use a gan or vae run")


def condition_labels(num_classes: int, count: int, label: int | None):
    """Labels for ``count`` images of a conditional model: all ``label``, or 0, 1, ..., 9, 0, 1, ... if None.

    Returns None for an unconditional model (and refuses a ``label`` there).
    """
    if num_classes == 0:
        if label is not None:
            raise ValueError("this model is unconditional (trained without --conditional): it takes no --label")
        return None
    if label is None:
        return np.arange(count) % num_classes
    if not 0 <= label < num_classes:
        raise ValueError(f"--label must be in 0..{num_classes - 1}, got {label}")
    return np.full(count, label)


def sample_images(model, count: int, rng: np.random.Generator, labels=None) -> np.ndarray:
    """``count`` images decoded from noise z ~ N(0, I) drawn with ``rng``."""
    noise = rng.standard_normal((count, model.latent_dim), dtype=np.float32)
    with no_grad():
        return model.sample(Tensor(noise), labels).numpy()


def slerp(start: np.ndarray, end: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation between latent vectors, (D,), (D,), t (S,) -> (S, D).

        slerp(a, b, t) = sin((1 - t) W) / sin W * a + sin(t W) / sin W * b,   cos W = a.b / (|a| |b|)

    In high dimension, Gaussian samples lie near a sphere of radius sqrt(D);
    the straight line between two of them passes closer to the origin, where
    the model saw no codes in training, while slerp stays near the sphere
    (White, 2016).  For (nearly) parallel vectors it falls back to the line.
    """
    t = np.asarray(t, dtype=np.float64)[:, None]
    cosine = np.dot(start, end) / (np.linalg.norm(start) * np.linalg.norm(end))
    angle = np.arccos(np.clip(cosine, -1.0, 1.0))
    if np.sin(angle) < 1e-6:
        return ((1 - t) * start + t * end).astype(np.float32)
    weights_start = np.sin((1 - t) * angle) / np.sin(angle)
    weights_end = np.sin(t * angle) / np.sin(angle)
    return (weights_start * start + weights_end * end).astype(np.float32)


def interpolation_images(model, rows: int, steps: int, rng: np.random.Generator, label: int | None = None):
    """``rows`` interpolations of ``steps`` images each, between random pairs of codes (row-major).

    A conditional model keeps one label per row: ``label``, or the row number modulo 10.
    """
    codes = []
    for _ in range(rows):
        start, end = rng.standard_normal((2, model.latent_dim))
        codes.append(slerp(start, end, np.linspace(0.0, 1.0, steps)))
    labels = condition_labels(model.num_classes, rows, label)
    labels = None if labels is None else np.repeat(labels, steps)
    with no_grad():
        return model.sample(Tensor(np.concatenate(codes)), labels).numpy()


def reconstruction_images(vae, images: np.ndarray, labels=None, per_row: int = 8) -> np.ndarray:
    """Rows of test images, each followed by the row of their reconstructions sigmoid(decode(mu(x))).

    ``len(images)`` must be a multiple of ``per_row``; returns 2 * len(images) images.
    """
    if len(images) % per_row:
        raise ValueError(f"reconstruction_images: {len(images)} images is not a multiple of {per_row}")
    with no_grad():
        reconstructions = vae.reconstruct(Tensor(images), labels).numpy()
    pairs = np.stack([images.reshape(-1, per_row, *images.shape[1:]),
                      reconstructions.reshape(-1, per_row, *images.shape[1:])], axis=1)   # (rows, 2, per_row, ...)
    return pairs.reshape(-1, *images.shape[1:])
