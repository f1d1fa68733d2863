"""Small models for the tests of the steps and of the training loop (tasks 3.5 to 3.7).

The steps take any generator and discriminator; these small ones, float64, make the tests fast and
independent of the DCGAN tasks (3.3, 3.4).  Their layers are the library's (A2's solution).
"""

from __future__ import annotations

import numpy as np

from nn_from_scratch import nn
from nn_from_scratch.models.conditioning import append_one_hot
from nn_from_scratch.models.gan import IMAGE_SHAPE
from nn_from_scratch.tensor import Tensor

PIXELS = 28 * 28


class TinyGenerator(nn.Module):
    """noise (N, L) [+ one-hot (N, C)] -> Linear -> BatchNorm1d -> ReLU -> Linear -> logits (N, 1, 28, 28)."""

    def __init__(self, latent_dim: int = 6, num_classes: int = 0, hidden: int = 12):
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        self.body = nn.Sequential(nn.Linear(latent_dim + num_classes, hidden, bias=False), nn.BatchNorm1d(hidden),
                                  nn.ReLU(), nn.Linear(hidden, PIXELS), nn.Unflatten(1, IMAGE_SHAPE))

    def forward(self, noise, labels=None):
        return self.body(append_one_hot(noise, labels, self.num_classes))

    def sample(self, noise, labels=None):
        from nn_from_scratch import functional as F
        return F.sigmoid(self(noise, labels))


class TinyDiscriminator(nn.Module):
    """images (N, 1, 28, 28) -> Flatten [+ one-hot (N, C)] -> Linear -> LeakyReLU(0.2) -> Linear -> logits (N, 1)."""

    def __init__(self, num_classes: int = 0, hidden: int = 10):
        super().__init__()
        self.num_classes = num_classes
        self.flatten = nn.Flatten()
        self.body = nn.Sequential(nn.Linear(PIXELS + num_classes, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1))

    def forward(self, images, labels=None):
        return self.body(append_one_hot(self.flatten(images), labels, self.num_classes))


def tiny_models(seed: int, num_classes: int = 0) -> tuple:
    """(TinyGenerator, TinyDiscriminator), float64, weights drawn from ``seed`` (the same on every machine)."""
    rng = np.random.default_rng(seed)
    models = (TinyGenerator(num_classes=num_classes).double(), TinyDiscriminator(num_classes=num_classes).double())
    for model in models:
        for parameter in model.parameters():
            parameter.data[...] = rng.normal(0.0, 0.3, parameter.shape)
    return models


def parameters_of(model) -> dict:
    """{name: a copy of the array} of the model's parameters."""
    return {name: np.array(p.data) for name, p in model.named_parameters()}


def gradients_of(model) -> dict:
    """{name: a copy of the gradient, or None} of the model's parameters."""
    return {name: None if p.grad is None else np.array(p.grad) for name, p in model.named_parameters()}


def images_tensor(array) -> Tensor:
    return Tensor(np.asarray(array, dtype=np.float64))


def tiny_trainer(seed: int, conditional: bool = False, generator_steps: int = 1, batch_size: int = 16):
    """A GANTrainer on the shipped MNIST-10k (first 256 training images) whose models are the tiny ones of
    ``seed``, float64; its ``train_step`` is the code under test (task 3.7)."""
    import tempfile

    from nn_from_scratch.data import load_dataset
    from nn_from_scratch.training import GANTrainer, TrainConfig
    from nn_from_scratch.training.run import keep_first

    class TinyGANTrainer(GANTrainer):
        @staticmethod
        def build_models(config) -> dict:
            generator, discriminator = tiny_models(seed, config.num_classes)
            return {"generator": generator, "discriminator": discriminator}

    train_set = keep_first(load_dataset("mnist-10k", train=True), 256)
    test_set = keep_first(load_dataset("mnist-10k", train=False), 64)
    config = TrainConfig("gan", dataset="mnist-10k", batch_size=batch_size, lr=0.01, latent_dim=6, seed=seed,
                         conditional=conditional, generator_steps=generator_steps,
                         out=tempfile.mkdtemp(prefix="a3-tiny-run-"))
    return TinyGANTrainer(config, train_set, test_set)


def train_steps(trainer, steps: int) -> list:
    """Run ``steps`` calls of ``trainer.train_step`` on the loader's batches; the returned dicts."""
    batches = iter(trainer.loader)
    results = []
    for _ in range(steps):
        images, labels = next(batches)
        results.append(trainer.train_step(images, labels))
    return results
