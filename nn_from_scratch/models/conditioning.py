"""Class conditioning and noise: the small helpers shared by the GAN and the VAE.

A *conditional* model (``num_classes=10``) is told which digit to draw by a
one-hot label concatenated to its input:

* to a vector input (the generator's noise, the VAE's code, the features
  before a Linear layer): ``concatenate([x, one_hot(labels)], axis=1)``,
  (N, D) -> (N, D + C);
* to an image input (the discriminator's first convolution): C constant
  channel maps, map c being all ones for images of class c and all zeros
  otherwise, (N, 1, H, W) -> (N, 1 + C, H, W).

Labels are integer arrays (N,) (NumPy, CuPy or a Tensor); the one-hot
vectors are created on the device of the tensor they are joined to.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..backend import array_module
from ..tensor import Tensor, unwrap


def check_labels(labels, num_classes: int, model_name: str) -> None:
    """Raise a clear error when a conditional model gets no labels, or an unconditional one gets some."""
    if num_classes > 0 and labels is None:
        raise ValueError(f"{model_name} was built with num_classes={num_classes}: pass the labels (N,) "
                         "of the images to draw/encode")
    if num_classes == 0 and labels is not None:
        raise ValueError(f"{model_name} is unconditional (num_classes=0): it takes no labels")


def one_hot(labels, num_classes: int, like: Tensor) -> Tensor:
    """One-hot float32 rows (N, num_classes) for integer ``labels`` (N,), on ``like``'s device.

    one_hot([2, 0], 3) = [[0, 0, 1], [1, 0, 0]].
    """
    xp = array_module(like.data)
    labels = xp.asarray(unwrap(labels))
    if labels.ndim != 1 or labels.shape[0] != like.shape[0]:
        raise ValueError(f"expected labels of shape ({like.shape[0]},), one per image, got {tuple(labels.shape)}")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"expected integer class labels, got dtype {labels.dtype}")
    return Tensor(xp.eye(num_classes, dtype=xp.float32)[labels])


def append_one_hot(x: Tensor, labels, num_classes: int) -> Tensor:
    """(N, D) -> (N, D + num_classes): ``x`` followed by the one-hot labels (``x`` itself if unconditional)."""
    if num_classes == 0:
        return x
    return F.concatenate([x, one_hot(labels, num_classes, like=x)], axis=1)


def append_label_maps(images: Tensor, labels, num_classes: int) -> Tensor:
    """(N, C, H, W) -> (N, C + num_classes, H, W): one constant channel per class, 1 for the image's class."""
    if num_classes == 0:
        return images
    xp = array_module(images.data)
    n, _, height, width = images.shape
    codes = one_hot(labels, num_classes, like=images).data                 # (N, classes)
    maps = xp.broadcast_to(codes[:, :, None, None], (n, num_classes, height, width))
    return F.concatenate([images, Tensor(maps)], axis=1)


def standard_normal(rng: np.random.Generator, shape) -> Tensor:
    """A float32 Tensor of N(0, 1) samples drawn on the host with ``rng``, on the current backend.

    Drawing on the host with a NumPy Generator makes the noise identical on
    the NumPy and CuPy backends and lets a checkpoint store the exact RNG state.
    """
    return Tensor(rng.standard_normal(shape, dtype=np.float32))
