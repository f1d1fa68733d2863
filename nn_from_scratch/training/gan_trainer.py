"""One DCGAN training step: update D on real and fake images (:func:`discriminator_step`), then G through D
(:func:`generator_step`); :class:`GANTrainer` runs them on batches."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import optim
from ..models import Discriminator, Generator, discriminator_loss, generator_loss, standard_normal
from ..tensor import Tensor, no_grad
from .trainer import Trainer

GAN_BETAS = (0.5, 0.999)   # Radford et al.: beta1 = 0.9 made training oscillate


def fixed_noise_and_labels(latent_dim: int, num_classes: int, seed: int) -> tuple:
    """The noise (and labels) of the sample grids: the same every epoch, so the grids can be compared.

    Unconditional: 64 codes, shown 8 per row.  Conditional: 100 codes,
    shown 10 per row, column c drawn with label c.
    """
    rng = np.random.default_rng([seed, 3])
    if num_classes:
        labels = np.tile(np.arange(num_classes), num_classes)
        return rng.standard_normal((len(labels), latent_dim), dtype=np.float32), labels, num_classes
    return rng.standard_normal((64, latent_dim), dtype=np.float32), None, 8


def discriminator_step(discriminator, optimizer, real: Tensor, fake: Tensor, labels=None) -> dict:
    """One update of the discriminator D: real images -> 1, generated images -> 0.

        real_logits = D(real, labels)            (N, 1)
        fake_logits = D(fake.detach(), labels)   (N, 1)   detached: no gradient reaches the generator
        L_D = discriminator_loss(real_logits, fake_logits)
        optimizer.zero_grad(); L_D.backward(); optimizer.step()

    ``real`` and ``fake`` are image Tensors (N, 1, 28, 28) in [0, 1] (``fake`` = sigmoid(G(z)), with
    its history: the generator step reuses it); ``labels`` (N,) for a conditional D, else None.
    Returns floats: ``d_loss`` (L_D), ``d_real`` = mean sigmoid(real_logits) = mean D(x) and
    ``d_fake`` = mean sigmoid(fake_logits) = mean D(G(z)), both as scored before the update.
    """
    real_logits = discriminator(real, labels)
    fake_logits = discriminator(fake.detach(), labels)
    loss = discriminator_loss(real_logits, fake_logits)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return {"d_loss": loss.item(), "d_real": F.sigmoid(real_logits).mean().item(),
            "d_fake": F.sigmoid(fake_logits).mean().item()}


def generator_step(discriminator, optimizer, fake: Tensor, labels=None, saturating: bool = False) -> float:
    """One update of the generator G, through the discriminator D: make D call the fakes real.

        D.requires_grad_(False)       the gradient flows THROUGH D, none is computed FOR D's weights
        L_G = generator_loss(D(fake, labels), saturating)
        optimizer.zero_grad(); L_G.backward(); optimizer.step()      (``optimizer`` holds G's parameters)
        D.requires_grad_(True)

    ``fake`` = sigmoid(G(z)) (N, 1, 28, 28) with its history back to G's weights (not detached);
    ``saturating`` chooses the loss (see :func:`generator_loss`).  D's weights and gradients are left
    as they were.  Returns L_G as a float.
    """
    discriminator.requires_grad_(False)
    loss = generator_loss(discriminator(fake, labels), saturating)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    discriminator.requires_grad_(True)
    return loss.item()


class GANTrainer(Trainer):
    """Trains a :class:`Generator` and a :class:`Discriminator` with Adam(lr, betas=(0.5, 0.999)).

    Each step, with a batch x of B real images and B noise vectors z:

    1. D step: fake = sigmoid(G(z)) (detached: no gradient into G);
       L_D = BCE(D(x), 1) + BCE(D(fake), 0); update D.
    2. G step: L_G = BCE(D(fake), 1), the non-saturating loss, through the
       just-updated D; update G.
    3. With ``generator_steps`` = k > 1 (``--generator-steps``), k - 1 more G
       updates follow, each on B fresh noise vectors, through the same D: G
       gets k updates per batch, D one (the reverse of WGAN's several critic
       updates per generator update).

    A conditional GAN draws each fake image with the label of the real
    image in the same batch position, so D sees the same classes in both halves.
    Recorded: d_loss, g_loss (mean over the G updates), d_real = mean D(x), d_fake = mean D(G(z)) (before the D update).
    """

    loss_names = ("d_loss", "g_loss", "d_real", "d_fake")

    @staticmethod
    def build_models(config) -> dict:
        return {"generator": Generator(config.latent_dim, config.num_classes, config.generator),
                "discriminator": Discriminator(config.num_classes, config.discriminator_kernel,
                                               config.discriminator_hidden)}

    def build_optimizers(self) -> dict:
        return {name: optim.Adam(model.parameters(), lr=self.config.lr, betas=GAN_BETAS)
                for name, model in self.models.items()}

    @property
    def generator(self) -> Generator:
        return self.models["generator"]

    @property
    def discriminator(self) -> Discriminator:
        return self.models["discriminator"]

    def train_step(self, images, labels) -> dict:
        """One step on a batch (see the class docstring): B noise vectors from ``self.rng``
        (``standard_normal(self.rng, (B, latent_dim))``), fake = sigmoid(G(z)), one
        :func:`discriminator_step`, then ``config.generator_steps`` :func:`generator_step` calls (the
        first on the same fakes, each later one on fakes of B fresh noise vectors).  Labels condition
        both models when ``config.num_classes`` > 0.  Returns d_loss, g_loss (the mean over the G
        steps), d_real and d_fake as floats."""
        conditions = labels if self.config.num_classes else None
        noise = standard_normal(self.rng, (len(images), self.config.latent_dim))
        fake = F.sigmoid(self.generator(noise, conditions))
        scores = discriminator_step(self.discriminator, self.optimizers["discriminator"], Tensor(images), fake,
                                    conditions)
        g_losses = []
        for g_step in range(self.config.generator_steps):
            if g_step > 0:                  # further G updates: fresh noise through the new G
                noise = standard_normal(self.rng, (len(images), self.config.latent_dim))
                fake = F.sigmoid(self.generator(noise, conditions))
            g_losses.append(generator_step(self.discriminator, self.optimizers["generator"], fake, conditions))
        return {"d_loss": scores["d_loss"], "g_loss": sum(g_losses) / len(g_losses),
                "d_real": scores["d_real"], "d_fake": scores["d_fake"]}

    def evaluate(self) -> dict:
        """Mean D(x) on up to 1000 held-out real images: far below train d_real when D overfits."""
        images, labels = self.test_images(limit=1000)
        conditions = labels if self.config.num_classes else None
        with no_grad():
            logits = self.discriminator(Tensor(images), conditions)
            return {"test_d_real": F.sigmoid(logits).mean().item()}

    def sample_grid(self) -> tuple:
        noise, labels, per_row = fixed_noise_and_labels(self.config.latent_dim, self.config.num_classes,
                                                        self.config.seed)
        with no_grad():
            images = self.generator.sample(Tensor(noise), labels).numpy()
        title = "generator samples" + (" (column = label)" if labels is not None else "")
        return images, per_row, title
