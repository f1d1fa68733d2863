"""One DCGAN training step: update D on real and fake images, then G through D."""

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
        conditions = labels if self.config.num_classes else None
        real = Tensor(images)
        noise = standard_normal(self.rng, (len(images), self.config.latent_dim))
        fake = F.sigmoid(self.generator(noise, conditions))

        # 1. Discriminator: real -> 1, fake -> 0.
        real_logits = self.discriminator(real, conditions)
        fake_logits = self.discriminator(fake.detach(), conditions)
        d_loss = discriminator_loss(real_logits, fake_logits)
        self.optimizers["discriminator"].zero_grad()
        d_loss.backward()
        self.optimizers["discriminator"].step()

        # 2. Generator: make the updated D call the fakes real.  D's weights are
        #    frozen meanwhile: the gradient flows through D, but none is computed for it.
        self.discriminator.requires_grad_(False)
        g_losses = []
        for g_step in range(self.config.generator_steps):
            if g_step > 0:                  # 3. further G updates: fresh noise through the new G
                noise = standard_normal(self.rng, (len(images), self.config.latent_dim))
                fake = F.sigmoid(self.generator(noise, conditions))
            g_loss = generator_loss(self.discriminator(fake, conditions))
            self.optimizers["generator"].zero_grad()
            g_loss.backward()
            self.optimizers["generator"].step()
            g_losses.append(g_loss.item())
        self.discriminator.requires_grad_(True)

        return {
            "d_loss": d_loss.item(),
            "g_loss": sum(g_losses) / len(g_losses),
            "d_real": F.sigmoid(real_logits).mean().item(),
            "d_fake": F.sigmoid(fake_logits).mean().item(),
        }

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
