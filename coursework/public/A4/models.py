"""Models and data of A4's tests: deterministic weights, a small linear VAE, a few real digits.

* :func:`fixed_parameters` gives every parameter of a model float64 values from integer arithmetic (no random
  generator, so the same on every machine), small enough that logits and log-variances stay moderate;
* :class:`LinearVAE` is a VAE with one linear layer each way (images (N, 1, 28, 28), codes (N, L)): the
  evaluation tasks (4.7, 4.9) are tested on it, so that they need neither the convolutional VAE nor tasks
  4.1 and 4.5;
* :func:`digits` returns the first test images of the shipped MNIST-10k, as float64, with their labels.
"""

from __future__ import annotations

import numpy as np

from nn_from_scratch import nn
from nn_from_scratch.models.conditioning import append_one_hot, check_labels
from nn_from_scratch.tensor import Tensor


def fixed_values(size: int, index: int, scale: float) -> np.ndarray:
    """``size`` float64 values in [-scale, scale), from integer arithmetic (exact, machine independent)."""
    integers = (np.arange(size, dtype=np.int64) * 7919 + 104729 * (index + 1)) % 1013
    return (integers / 1013.0 - 0.5) * (2 * scale)


def fixed_parameters(model, scale: float = 0.05):
    """Set every parameter of ``model`` (in ``named_parameters`` order) to float64 fixed values; returns it."""
    for index, (_, parameter) in enumerate(model.named_parameters()):
        parameter.data = fixed_values(parameter.data.size, index, scale).reshape(parameter.data.shape)
    return model


class LinearVAE(nn.Module):
    """q(z|x) by one linear map of the flattened image [and one-hot label]; p(x|z) by one linear map back."""

    def __init__(self, latent_dim: int = 3, num_classes: int = 0):
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        self.to_gaussian = nn.Linear(28 * 28 + num_classes, 2 * latent_dim)
        self.to_logits = nn.Linear(latent_dim + num_classes, 28 * 28)

    def encode(self, images, labels=None) -> tuple:
        check_labels(labels, self.num_classes, "LinearVAE")
        flat = images.reshape(images.shape[0], 28 * 28)
        both = self.to_gaussian(append_one_hot(flat, labels, self.num_classes))
        return both[:, :self.latent_dim], both[:, self.latent_dim:] * 0.5

    def decode(self, z, labels=None):
        check_labels(labels, self.num_classes, "LinearVAE")
        return self.to_logits(append_one_hot(z, labels, self.num_classes)).reshape(z.shape[0], 1, 28, 28)


def linear_vae(latent_dim: int = 3, num_classes: int = 0) -> LinearVAE:
    """A LinearVAE with fixed float64 weights: codes of a few units, logits of a few units."""
    model = fixed_parameters(LinearVAE(latent_dim, num_classes), scale=0.2)
    model.to_gaussian.weight.data *= 0.25
    return model


def conv_vae(num_classes: int = 0, latent_dim: int = 3):
    """The library's convolutional VAE with fixed float64 weights (scale 0.1), for tasks 4.1 and 4.5."""
    from nn_from_scratch.models import VAE

    return fixed_parameters(VAE(latent_dim, num_classes), 0.1)


def digits(count: int) -> tuple:
    """(images (count, 1, 28, 28) float64 in [0, 1], labels (count,) int64): the first MNIST-10k test digits."""
    from nn_from_scratch.data import load_dataset

    test_set = load_dataset("mnist-10k", train=False)
    return test_set.as_float()[:count].astype(np.float64), np.asarray(test_set.labels[:count], dtype=np.int64)


def as_tensor(array) -> Tensor:
    return Tensor(np.asarray(array, dtype=np.float64))


__all__ = ["conv_vae", "LinearVAE", "as_tensor", "digits", "fixed_parameters", "fixed_values", "linear_vae"]
