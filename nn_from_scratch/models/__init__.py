"""The models of the library's generative-modelling chapter, built only from ``nn`` layers.

* :mod:`.gan`        — DCGAN :class:`Generator` and :class:`Discriminator`, their losses;
* :mod:`.vae`        — the convolutional :class:`VAE` and :func:`vae_loss`;
* :mod:`.classifier` — a small conv :class:`Classifier`, also the feature network of FID;
* :mod:`.conditioning` — one-hot labels and noise shared by the conditional models.

Each generative model takes ``num_classes=10`` to become class-conditional.
"""

from .classifier import Classifier
from .conditioning import one_hot, standard_normal
from .gan import Discriminator, Generator, discriminator_loss, generator_loss
from .vae import VAE, vae_loss

__all__ = [
    "VAE",
    "Classifier",
    "Discriminator",
    "Generator",
    "discriminator_loss",
    "generator_loss",
    "one_hot",
    "standard_normal",
    "vae_loss",
]
