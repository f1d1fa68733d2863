"""The models of nn_from_scratch written for PyTorch, and a builder for any converted module tree.

This file imports only ``torch`` (and the standard library), never
``nn_from_scratch``:

* :func:`nn_from_scratch.interop.to_torch` builds its PyTorch modules here;
* ``python -m nn_from_scratch export RUN_DIR --format torch --out FILE.pt``
  copies this file, unchanged, into ``FILE.py`` and appends the code that builds
  the run's models and loads their weights, so that the exported model loads where
  nn_from_scratch is not installed.

The four model classes below hold **no layer definitions**: their layers
(``project``, ``upsample``, ``features``...) are given to them, converted one by
one from the library's models, whose files (``nn_from_scratch/models/``) stay
the one place where the architectures are written.  What the classes add is
what a ``torch.nn.Sequential`` cannot say: the one-hot labels of the
conditional models, and the methods ``sample``, ``encode``, ``decode``,
``reparameterize``, ``reconstruct`` and ``features``, line for line as in the
library.  Attribute names, parameter names and shapes are the library's, so
``state_dict()`` keys are the same in both.

An *architecture* is plain data (dicts, lists, numbers, strings) that
:func:`build` turns into modules::

    {"kind": "Linear", "arguments": {"in_features": 100, "out_features": 6272, "bias": False}}
    {"kind": "Sequential", "children": [architecture, architecture, ...]}
    {"kind": "Generator", "arguments": {"latent_dim": 100, ...}, "children": {"project": ..., "upsample": ...}}
"""

from __future__ import annotations

import torch
from torch import nn

# The layers an architecture may name: the same class names in nn_from_scratch.nn and torch.nn.
LAYERS = {
    "Linear": nn.Linear,
    "Conv2d": nn.Conv2d,
    "ConvTranspose2d": nn.ConvTranspose2d,
    "BatchNorm1d": nn.BatchNorm1d,
    "BatchNorm2d": nn.BatchNorm2d,
    "LayerNorm": nn.LayerNorm,
    "MaxPool2d": nn.MaxPool2d,
    "AvgPool2d": nn.AvgPool2d,
    "Dropout": nn.Dropout,
    "ReLU": nn.ReLU,
    "LeakyReLU": nn.LeakyReLU,
    "Sigmoid": nn.Sigmoid,
    "Tanh": nn.Tanh,
    "Flatten": nn.Flatten,
    "Unflatten": nn.Unflatten,
    "Upsample": nn.Upsample,
}


# --------------------------------------------------------------------------
# Class conditioning (nn_from_scratch/models/conditioning.py)
# --------------------------------------------------------------------------


def check_labels(labels, num_classes: int, model_name: str) -> None:
    """A clear error when a conditional model gets no labels, or an unconditional one gets some.

    The same check as nn_from_scratch/models/conditioning.py's, repeated because this file imports nothing
    from nn_from_scratch (an exported model must load without it).
    """
    if num_classes > 0 and labels is None:
        raise ValueError(f"{model_name} was built with num_classes={num_classes}: pass the labels (N,) "
                         "of the images to draw/encode")
    if num_classes == 0 and labels is not None:
        raise ValueError(f"{model_name} is unconditional (num_classes=0): it takes no labels")


def one_hot(labels, num_classes: int, like: torch.Tensor) -> torch.Tensor:
    """One-hot rows (N, num_classes) for integer ``labels`` (N,) (a tensor or an array), in ``like``'s dtype
    and on its device."""
    labels = torch.as_tensor(labels, device=like.device)
    if labels.ndim != 1 or labels.shape[0] != like.shape[0]:
        raise ValueError(f"expected labels of shape ({like.shape[0]},), one per image, got {tuple(labels.shape)}")
    return nn.functional.one_hot(labels.long(), num_classes).to(like.dtype)


def append_one_hot(x: torch.Tensor, labels, num_classes: int) -> torch.Tensor:
    """(N, D) -> (N, D + num_classes): ``x`` followed by the one-hot labels (``x`` itself if unconditional)."""
    if num_classes == 0:
        return x
    return torch.cat([x, one_hot(labels, num_classes, like=x)], dim=1)


def append_label_maps(images: torch.Tensor, labels, num_classes: int) -> torch.Tensor:
    """(N, C, H, W) -> (N, C + num_classes, H, W): one constant channel per class, 1 for the image's class."""
    if num_classes == 0:
        return images
    n, _, height, width = images.shape
    codes = one_hot(labels, num_classes, like=images)                              # (N, classes)
    return torch.cat([images, codes[:, :, None, None].expand(n, num_classes, height, width)], dim=1)


# --------------------------------------------------------------------------
# The models (nn_from_scratch/models/gan.py, vae.py, classifier.py)
# --------------------------------------------------------------------------


class Generator(nn.Module):
    """G(z, labels): noise (N, latent_dim) [and labels (N,)] -> image logits (N, 1, 28, 28).

    ``project`` maps (N, latent_dim + num_classes) to feature maps, ``upsample`` those to the logits.
    """

    def __init__(self, project: nn.Module, upsample: nn.Module, *, latent_dim: int, num_classes: int,
                 architecture: str):
        super().__init__()
        self.latent_dim, self.num_classes, self.architecture = latent_dim, num_classes, architecture
        self.project = project
        self.upsample = upsample

    def forward(self, noise: torch.Tensor, labels=None) -> torch.Tensor:
        check_labels(labels, self.num_classes, "Generator")
        return self.upsample(self.project(append_one_hot(noise, labels, self.num_classes)))

    def sample(self, noise: torch.Tensor, labels=None) -> torch.Tensor:
        """Images in [0, 1], (N, 1, 28, 28): sigmoid of the logits."""
        return torch.sigmoid(self(noise, labels))

    def extra_repr(self) -> str:
        return f"latent_dim={self.latent_dim}, num_classes={self.num_classes}, architecture={self.architecture!r}"


class Discriminator(nn.Module):
    """D(x, labels): images (N, 1, 28, 28) in [0, 1] [and labels (N,)] -> logits (N, 1) of "real".

    ``features`` maps the images (with one constant map per class, if conditional) to a vector;
    ``hidden`` (present when ``hidden_units`` > 0) and ``classify`` map that vector (with the
    one-hot label, if conditional) to the logit.
    """

    def __init__(self, features: nn.Module, classify: nn.Module, hidden: nn.Module | None = None, *,
                 num_classes: int, kernel_size: int, hidden_units: int):
        super().__init__()
        self.num_classes, self.kernel_size, self.hidden_units = num_classes, kernel_size, hidden_units
        self.features = features
        if hidden is not None:
            self.hidden = hidden
        self.classify = classify

    def forward(self, images: torch.Tensor, labels=None) -> torch.Tensor:
        check_labels(labels, self.num_classes, "Discriminator")
        features = append_one_hot(self.features(append_label_maps(images, labels, self.num_classes)),
                                  labels, self.num_classes)
        if self.hidden_units:
            features = self.hidden(features)
        return self.classify(features)

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}, kernel_size={self.kernel_size}, hidden_units={self.hidden_units}"


class VAE(nn.Module):
    """Convolutional VAE: ``encode``, ``reparameterize``, ``decode``; ``forward`` chains the three."""

    def __init__(self, encoder: nn.Module, to_gaussian: nn.Module, decoder: nn.Module, *, latent_dim: int,
                 num_classes: int):
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        self.encoder = encoder
        self.to_gaussian = to_gaussian
        self.decoder = decoder

    def encode(self, images: torch.Tensor, labels=None) -> tuple:
        """q(z|x): (mu, logvar), each (N, latent_dim)."""
        check_labels(labels, self.num_classes, "VAE")
        gaussian = self.to_gaussian(append_one_hot(self.encoder(images), labels, self.num_classes))
        return gaussian[:, :self.latent_dim], gaussian[:, self.latent_dim:]

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        """z = mu + exp(logvar / 2) * eps, with ``eps`` (N, latent_dim) ~ N(0, I) given by the caller."""
        return mu + torch.exp(logvar * 0.5) * eps

    def decode(self, z: torch.Tensor, labels=None) -> torch.Tensor:
        """p(x|z): pixel logits (N, 1, 28, 28)."""
        check_labels(labels, self.num_classes, "VAE")
        return self.decoder(append_one_hot(z, labels, self.num_classes))

    def forward(self, images: torch.Tensor, eps: torch.Tensor, labels=None) -> tuple:
        """(logits, mu, logvar): encode, sample z with the noise ``eps``, decode."""
        mu, logvar = self.encode(images, labels)
        return self.decode(self.reparameterize(mu, logvar, eps), labels), mu, logvar

    def sample(self, noise: torch.Tensor, labels=None) -> torch.Tensor:
        """Images in [0, 1] decoded from prior samples ``noise`` = z ~ N(0, I)."""
        return torch.sigmoid(self.decode(noise, labels))

    def reconstruct(self, images: torch.Tensor, labels=None) -> torch.Tensor:
        """Images in [0, 1] decoded from the mean code mu(x)."""
        mu, _ = self.encode(images, labels)
        return torch.sigmoid(self.decode(mu, labels))

    def extra_repr(self) -> str:
        return f"latent_dim={self.latent_dim}, num_classes={self.num_classes}"


class Classifier(nn.Module):
    """Conv classifier: ``features(x)`` the penultimate activations, ``forward(x)`` class logits."""

    def __init__(self, body: nn.Module, head: nn.Module, *, num_classes: int):
        super().__init__()
        self.num_classes = num_classes
        self.body = body
        self.head = head

    def features(self, images: torch.Tensor) -> torch.Tensor:
        return self.body(images)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(images))

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}"


MODELS = {"Generator": Generator, "Discriminator": Discriminator, "VAE": VAE, "Classifier": Classifier}
CONTAINERS = {"Sequential": nn.Sequential, "ModuleList": nn.ModuleList, "ModuleDict": nn.ModuleDict}


# --------------------------------------------------------------------------
# Building modules from an architecture
# --------------------------------------------------------------------------


def build(architecture: dict) -> nn.Module:
    """The PyTorch module tree an architecture describes (freshly initialised; load a state dict into it)."""
    kind = architecture["kind"]
    if kind in LAYERS:
        return LAYERS[kind](**architecture["arguments"])
    if kind == "Sequential":
        return nn.Sequential(*[build(child) for child in architecture["children"]])
    if kind == "ModuleList":
        return nn.ModuleList([build(child) for child in architecture["children"]])
    if kind == "ModuleDict":
        return nn.ModuleDict({name: build(child) for name, child in architecture["children"].items()})
    if kind in MODELS:
        children = {name: build(child) for name, child in architecture["children"].items()}
        return MODELS[kind](**children, **architecture["arguments"])
    raise ValueError(f"unknown kind {kind!r} in the architecture; known: "
                     f"{', '.join([*LAYERS, *CONTAINERS, *MODELS])}")
