"""Independent references for A3's hidden tests: the losses in NumPy, the DCGAN models spelled out layer by layer,
and the discriminator step, the generator step and the training step written out again."""

from __future__ import annotations

import numpy as np

from nn_from_scratch import functional as F
from nn_from_scratch import nn
from nn_from_scratch.models.conditioning import append_label_maps, append_one_hot, standard_normal
from nn_from_scratch.tensor import Tensor


def softplus(x):
    """log(1 + exp(x)), stable."""
    x = np.asarray(x, dtype=np.float64)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return np.exp(x - softplus(x))


def discriminator_loss(real, fake) -> float:
    """-mean log sigmoid(r) - mean log(1 - sigmoid(f)) = mean softplus(-r) + mean softplus(f)."""
    return float(np.mean(softplus(-np.asarray(real))) + np.mean(softplus(np.asarray(fake))))


def generator_loss(fake, saturating: bool) -> float:
    """Non-saturating: mean softplus(-a) = -mean log sigmoid(a); saturating: -mean softplus(a) = mean log(1 - D)."""
    fake = np.asarray(fake, dtype=np.float64)
    return float(-np.mean(softplus(fake)) if saturating else np.mean(softplus(-fake)))


def bce_constant(logits: Tensor, value: float) -> Tensor:
    return F.binary_cross_entropy_with_logits(logits, Tensor(np.full(logits.shape, value, dtype=logits.dtype)))


class ReferenceGenerator(nn.Module):
    """The DCGAN generator (and the Radford variant with hidden=1024-like layer), written out."""

    def __init__(self, latent_dim, num_classes=0, hidden=0, channels=128, upsample=None):
        super().__init__()
        self.num_classes = num_classes
        inputs = latent_dim + num_classes
        first = [nn.Linear(inputs, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU()] if hidden else []
        self.project = nn.Sequential(*first, nn.Linear(hidden or inputs, channels * 49, bias=False),
                                     nn.BatchNorm1d(channels * 49), nn.ReLU(), nn.Unflatten(1, (channels, 7, 7)))
        self.upsample = upsample if upsample is not None else nn.Sequential(
            nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1))

    def forward(self, noise, labels=None):
        return self.upsample(self.project(append_one_hot(noise, labels, self.num_classes)))


class ReferenceDiscriminator(nn.Module):
    def __init__(self, num_classes=0, kernel_size=4, hidden=0):
        super().__init__()
        self.num_classes, self.hidden_units = num_classes, hidden
        p = (kernel_size - 1) // 2
        self.features = nn.Sequential(nn.Conv2d(1 + num_classes, 64, kernel_size, stride=2, padding=p),
                                      nn.LeakyReLU(0.2),
                                      nn.Conv2d(64, 128, kernel_size, stride=2, padding=p, bias=False),
                                      nn.BatchNorm2d(128), nn.LeakyReLU(0.2), nn.Flatten())
        if hidden:
            self.hidden = nn.Sequential(nn.Linear(128 * 49 + num_classes, hidden, bias=False), nn.BatchNorm1d(hidden),
                                        nn.LeakyReLU(0.2))
        self.classify = nn.Linear(hidden or 128 * 49 + num_classes, 1)

    def forward(self, images, labels=None):
        features = append_one_hot(self.features(append_label_maps(images, labels, self.num_classes)), labels,
                                  self.num_classes)
        if self.hidden_units:
            features = self.hidden(features)
        return self.classify(features)


def reference_discriminator_step(discriminator, optimizer, real, fake, labels=None) -> dict:
    for parameter in discriminator.parameters():
        parameter.grad = None
    real_logits = discriminator(real, labels)
    fake_logits = discriminator(Tensor(fake.data), labels)
    loss = bce_constant(real_logits, 1.0) + bce_constant(fake_logits, 0.0)
    loss.backward()
    optimizer.step()
    return {"d_loss": float(loss.data), "d_real": float(sigmoid(real_logits.data).mean()),
            "d_fake": float(sigmoid(fake_logits.data).mean())}


def reference_generator_step(discriminator, optimizer, fake, labels=None, saturating=False) -> float:
    for parameter in optimizer.all_parameters():
        parameter.grad = None
    saved = [(p, p.requires_grad) for p in discriminator.parameters()]
    for parameter, _ in saved:
        parameter.requires_grad = False
    logits = discriminator(fake, labels)
    loss = -bce_constant(logits, 0.0) if saturating else bce_constant(logits, 1.0)
    loss.backward()
    optimizer.step()
    for parameter, _ in saved:
        parameter.requires_grad = True
    return float(loss.data)


def reference_train_step(trainer, images, labels) -> dict:
    """GANTrainer.train_step written out with the reference steps."""
    config, rng = trainer.config, trainer.rng
    conditions = labels if config.num_classes else None
    generator, discriminator = trainer.models["generator"], trainer.models["discriminator"]
    fake = F.sigmoid(generator(standard_normal(rng, (len(images), config.latent_dim)), conditions))
    scores = reference_discriminator_step(discriminator, trainer.optimizers["discriminator"], Tensor(images), fake,
                                          conditions)
    losses = []
    for g_step in range(config.generator_steps):
        if g_step:
            fake = F.sigmoid(generator(standard_normal(rng, (len(images), config.latent_dim)), conditions))
        losses.append(reference_generator_step(discriminator, trainer.optimizers["generator"], fake, conditions))
    return {"d_loss": scores["d_loss"], "g_loss": sum(losses) / len(losses), "d_real": scores["d_real"],
            "d_fake": scores["d_fake"]}
