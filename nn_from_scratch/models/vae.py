"""A convolutional variational autoencoder (Kingma & Welling, 2014), optionally class-conditional.

The encoder maps an image x to a Gaussian q(z|x) = N(mu, diag(exp(logvar)))
over a latent code z; the decoder maps z to the logits of a Bernoulli
distribution over the pixels, p(x|z).  Training minimises the negative
evidence lower bound, per image, in nats::

    loss(x) = -ELBO(x) = E_q[ -log p(x|z) ] + KL( q(z|x) || N(0, I) )
            ~=  BCE(decode(z), x) summed over the 784 pixels          (reconstruction)
              + 1/2 sum_d (exp(logvar_d) + mu_d^2 - 1 - logvar_d)    (KL, closed form)

with one sample z = mu + exp(logvar / 2) * eps, eps ~ N(0, I): the
*reparameterisation trick*, which makes z a differentiable function of
(mu, logvar), so the gradient reaches the encoder.  The batch loss is the
mean of loss(x) over the images.

**Targets.**  The grey levels x in [0, 1] are used directly as the
Bernoulli targets (no binarisation), as PyTorch's VAE example does.  This is
the usual, deterministic choice for MNIST, but it makes the BCE a
cross-entropy rather than a proper log-likelihood: even a perfect decoder
pays the entropy of the grey pixels.  So the nats reported here compare with
other continuous-target VAEs (PyTorch's example reaches about 105 after 10
epochs on MNIST), not with the ~80-90 nats published for *binarized* MNIST.

Shapes (N images, latent size L, C classes; C = 0 for the unconditional model)::

    encode   x (N, 1, 28, 28)
      Conv2d(1, 32, 4, stride 2, padding 1) -> ReLU      (N, 32, 14, 14)
      Conv2d(32, 64, 4, stride 2, padding 1) -> ReLU     (N, 64, 7, 7)
      Flatten [+ one-hot (N, C)] -> Linear(64*7*7 + C, 2L)  -> mu (N, L), logvar (N, L)
    decode   z (N, L) [+ one-hot (N, C)]
      Linear(L + C, 64*7*7) -> ReLU -> Unflatten         (N, 64, 7, 7)
      ConvTranspose2d(64, 32, 4, stride 2, padding 1) -> ReLU   (N, 32, 14, 14)
      ConvTranspose2d(32, 1, 4, stride 2, padding 1)     logits (N, 1, 28, 28)
"""

from __future__ import annotations

from .. import functional as F
from .. import nn
from ..tensor import Tensor
from .conditioning import append_one_hot, check_labels


class VAE(nn.Module):
    """Convolutional VAE: ``encode``, ``reparameterize``, ``decode``; ``forward`` chains the three."""

    def __init__(self, latent_dim: int = 20, num_classes: int = 0):
        super().__init__()
        self.latent_dim = int(latent_dim)
        self.num_classes = int(num_classes)
        self.encoder = nn.Sequential(                      # (N, 1, 28, 28) -> (N, 64*7*7)
            nn.Conv2d(1, 32, 4, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, 4, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
        )
        self.to_gaussian = nn.Linear(64 * 7 * 7 + self.num_classes, 2 * self.latent_dim)
        self.decoder = nn.Sequential(                      # (N, L + C) -> logits (N, 1, 28, 28)
            nn.Linear(self.latent_dim + self.num_classes, 64 * 7 * 7),
            nn.ReLU(),
            nn.Unflatten(1, (64, 7, 7)),
            nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1),
            nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1),
        )

    def encode(self, images: Tensor, labels=None) -> tuple:
        """q(z|x): (mu, logvar), each (N, latent_dim), for images (N, 1, 28, 28) [and labels (N,)].

            features = encoder(images)                      (N, 64*7*7)
            features = [features, one_hot(labels)]          (N, 64*7*7 + C), conditional model only
            gaussian = to_gaussian(features)                (N, 2L)
            mu, logvar = gaussian[:, :L], gaussian[:, L:]   the first L numbers, then the last L

        ``append_one_hot(x, labels, num_classes)`` joins the one-hot labels (and returns ``x`` itself
        when num_classes is 0); ``check_labels`` raises when labels are missing or unexpected.
        """
        check_labels(labels, self.num_classes, "VAE")
        features = append_one_hot(self.encoder(images), labels, self.num_classes)
        gaussian = self.to_gaussian(features)                                  # (N, 2L)
        return gaussian[:, :self.latent_dim], gaussian[:, self.latent_dim:]

    @staticmethod
    def reparameterize(mu: Tensor, logvar: Tensor, eps) -> Tensor:
        """z = mu + sigma * eps with sigma = exp(logvar / 2); ``eps`` (N, L) ~ N(0, I) is given by the caller.

        Written with library operations, so that z is differentiable in mu and logvar:
        dz/dmu = 1, dz/dlogvar = sigma * eps / 2.  Shapes broadcast: mu, logvar (..., L), eps (..., L).
        """
        return mu + F.exp(logvar * 0.5) * eps

    def decode(self, z: Tensor, labels=None) -> Tensor:
        """p(x|z): pixel logits (N, 1, 28, 28) for codes z (N, latent_dim) [and labels (N,)].

        The decoder reads the code followed by the one-hot label, [z, one_hot(labels)] (N, L + C), in the
        conditional model (C = num_classes), and z alone otherwise (``append_one_hot``).  Raises a
        ValueError naming the expected shape when z is not (N, latent_dim).
        """
        check_labels(labels, self.num_classes, "VAE")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"VAE.decode: expected codes of shape (N, {self.latent_dim}), got {z.shape}")
        return self.decoder(append_one_hot(z, labels, self.num_classes))

    def forward(self, images: Tensor, eps, labels=None) -> tuple:
        """(logits, mu, logvar): encode, sample z with the noise ``eps`` (N, latent_dim), decode."""
        mu, logvar = self.encode(images, labels)
        return self.decode(self.reparameterize(mu, logvar, eps), labels), mu, logvar

    def sample(self, noise: Tensor, labels=None) -> Tensor:
        """Images in [0, 1], (N, 1, 28, 28), decoded from prior samples ``noise`` = z ~ N(0, I)."""
        return F.sigmoid(self.decode(noise, labels))

    def reconstruct(self, images: Tensor, labels=None) -> Tensor:
        """Images in [0, 1] decoded from the mean code mu(x) (no sampling)."""
        mu, _ = self.encode(images, labels)
        return F.sigmoid(self.decode(mu, labels))


def vae_loss(logits: Tensor, images: Tensor, mu: Tensor, logvar: Tensor) -> tuple:
    """(loss, reconstruction, kl): each the mean over the batch of a per-image value in nats.

    reconstruction = BCE(logits, images) summed over pixels, averaged over images;
    kl             = KL(N(mu, exp(logvar)) || N(0, I)) summed over latent dims, averaged over images;
    loss           = reconstruction + kl  (the negative ELBO per image).
    """
    batch_size = images.shape[0]
    reconstruction = F.binary_cross_entropy_with_logits(logits, images, reduction="sum") / batch_size
    kl = F.gaussian_kl(mu, logvar, reduction="mean")
    return reconstruction + kl, reconstruction, kl
