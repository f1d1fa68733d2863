"""A small convolutional classifier for 28x28 digits, also the feature network of FID and IS.

Layers (N images)::

    x (N, 1, 28, 28)
      Conv2d(1, 32, 4, stride 2, padding 1) -> ReLU      (N, 32, 14, 14)
      Conv2d(32, 64, 4, stride 2, padding 1) -> ReLU     (N, 64, 7, 7)
      Flatten -> Linear(64*7*7, 128) -> ReLU             features (N, 128)
      Linear(128, num_classes)                           logits (N, 10)

There is no pooling: the stride-2 convolutions halve the resolution.
:meth:`Classifier.features` returns the 128 penultimate activations: the
space in which :func:`nn_from_scratch.metrics.fid` compares real and
generated images, as FID uses the Inception network's pool features.
It reaches about 97-98% test accuracy on MNIST after a few epochs.  The
Inception Score needs it *confident* on real digits as well as right, hence
longer training on randomly shifted images (``train classifier
--shift-augment 2``, the default).

**The shipped evaluation classifiers.**  So that FID and Inception Score are
the same numbers for every user, the package ships one trained classifier per
dataset (:func:`evaluation_classifier`), used by default by ``evaluate`` and
:mod:`nn_from_scratch.metrics`:

* ``"mnist"`` (also used for ``"mnist-10k"``): trained on MNIST-10k's 8,000
  training images;
* ``"fashion-mnist"``: trained on Fashion-MNIST's 60,000 training images.

Each was trained by this library; the weights are stored in float16 (under
1 MB) in ``models/weights/classifier-<dataset>.npz`` and loaded into float32.
Beside them, ``classifier-<dataset>.json`` records the command, seed, data
and the resulting test accuracy (``benchmarks/evaluation_classifier.py``
wrote both).  Their SHA-256 checksums are below and checked on every load.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from .. import nn
from ..tensor import Tensor

FEATURE_SIZE = 128

#: The folder of the shipped evaluation classifiers' weights and records.
WEIGHTS_DIR = Path(__file__).parent / "weights"
#: The SHA-256 checksum of each shipped classifier's weights file, by the dataset it was trained on.
EVALUATION_CLASSIFIER_SHA256 = {
    "mnist": "e5cb3c64d54f6c9d0efe357b1cf7ff4d862b0974a0585d42891b25d3684cbe71",
    "fashion-mnist": "32b329b0efd803a6ed45b33de97feefd272c44e336274e4da34f4d44729d2214",
}
#: Which shipped classifier scores the images of each dataset.
EVALUATION_CLASSIFIER_OF = {"mnist": "mnist", "mnist-10k": "mnist", "fashion-mnist": "fashion-mnist"}


class Classifier(nn.Module):
    """Conv classifier: ``features(x)`` (N, 128), ``forward(x)`` class logits (N, num_classes)."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.num_classes = int(num_classes)
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 4, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, 4, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(64 * 7 * 7, FEATURE_SIZE),
            nn.ReLU(),
        )
        self.head = nn.Linear(FEATURE_SIZE, self.num_classes)

    def features(self, images: Tensor) -> Tensor:
        """Penultimate features (N, 128) of images (N, 1, 28, 28) in [0, 1]."""
        if images.ndim != 4 or tuple(images.shape[1:]) != (1, 28, 28):
            raise ValueError(f"Classifier: expected images of shape (N, 1, 28, 28), got {images.shape}")
        return self.body(images)

    def forward(self, images: Tensor) -> Tensor:
        """Class logits (N, num_classes); softmax them for probabilities."""
        return self.head(self.features(images))


def evaluation_classifier_path(dataset: str) -> Path:
    """The weights file of the shipped classifier that scores ``dataset``'s images.

    Raises:
        ValueError: no classifier is shipped for ``dataset`` (e.g. ``"digits"``).
    """
    if dataset not in EVALUATION_CLASSIFIER_OF:
        raise ValueError(f"no evaluation classifier is shipped for the {dataset!r} dataset (there are ones for "
                         f"{', '.join(EVALUATION_CLASSIFIER_OF)}): train a classifier on it "
                         f"(train classifier --dataset {dataset}) and score with that one")
    return WEIGHTS_DIR / f"classifier-{EVALUATION_CLASSIFIER_OF[dataset]}.npz"


def evaluation_classifier(dataset: str = "mnist") -> Classifier:
    """The shipped evaluation classifier for ``dataset``, in evaluation mode, on the current backend.

    ``"mnist"`` and ``"mnist-10k"`` share the MNIST one.  The weights file's
    SHA-256 is checked against :data:`EVALUATION_CLASSIFIER_SHA256` first.

    Raises:
        ValueError: no classifier is shipped for ``dataset``.
        OSError: the weights file is missing or damaged (reinstall the package).
    """
    path = evaluation_classifier_path(dataset)
    expected = EVALUATION_CLASSIFIER_SHA256[EVALUATION_CLASSIFIER_OF[dataset]]
    if not path.is_file():
        raise OSError(f"the shipped evaluation classifier {path} is missing: reinstall nn-from-scratch")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != expected:
        raise OSError(f"the shipped evaluation classifier {path} is damaged (SHA-256 {actual}, expected "
                      f"{expected}): reinstall nn-from-scratch")
    classifier = Classifier(10)
    with np.load(path, allow_pickle=False) as archive:
        classifier.load_state_dict({name: archive[name] for name in archive.files})   # float16 -> float32
    return classifier.eval()
