"""One VAE training step: encode, sample z with the reparameterisation trick, decode, minimise -ELBO."""

from __future__ import annotations

import numpy as np

from .. import metrics, optim
from ..models import VAE, standard_normal, vae_loss
from ..tensor import Tensor, no_grad
from .gan_trainer import fixed_noise_and_labels
from .trainer import Trainer


class VAETrainer(Trainer):
    """Trains a :class:`VAE` with Adam(lr) on loss = reconstruction + KL, in nats per image.

    Recorded per step: loss, reconstruction (BCE summed over pixels) and kl,
    each averaged over the batch.  After each epoch: test_loss (-ELBO on up
    to 2000 test images, one z sample each, with a fixed generator) and
    test_reconstruction_mse.  The sample grid decodes the same prior codes
    every epoch.
    """

    loss_names = ("loss", "reconstruction", "kl")

    @staticmethod
    def build_models(config) -> dict:
        return {"vae": VAE(config.latent_dim, config.num_classes)}

    def build_optimizers(self) -> dict:
        return {"vae": optim.Adam(self.vae.parameters(), lr=self.config.lr)}

    @property
    def vae(self) -> VAE:
        return self.models["vae"]

    def train_step(self, images, labels) -> dict:
        conditions = labels if self.config.num_classes else None
        x = Tensor(images)
        eps = standard_normal(self.rng, (len(images), self.config.latent_dim))
        logits, mu, logvar = self.vae(x, eps, conditions)
        loss, reconstruction, kl = vae_loss(logits, x, mu, logvar)
        self.optimizers["vae"].zero_grad()
        loss.backward()
        self.optimizers["vae"].step()
        return {"loss": loss.item(), "reconstruction": reconstruction.item(), "kl": kl.item()}

    def evaluate(self) -> dict:
        images, labels = self.test_images(limit=2000)
        conditions = labels if self.config.num_classes else None
        eval_rng = np.random.default_rng([self.config.seed, 4])
        return {
            "test_loss": metrics.vae_negative_elbo(self.vae, images, conditions, rng=eval_rng),
            "test_reconstruction_mse": metrics.reconstruction_error(self.vae, images, conditions)["mse"],
        }

    def sample_grid(self) -> tuple:
        noise, labels, per_row = fixed_noise_and_labels(self.config.latent_dim, self.config.num_classes,
                                                        self.config.seed)
        with no_grad():
            images = self.vae.sample(Tensor(noise), labels).numpy()
        title = "decoded prior samples" + (" (column = label)" if labels is not None else "")
        return images, per_row, title
