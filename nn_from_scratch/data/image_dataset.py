"""The common base of the image datasets: labelled images held in NumPy arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["ImageDataset", "pixels_to_float"]


def pixels_to_float(images: np.ndarray) -> np.ndarray:
    """Images as the models take them: ``float32`` of shape ``(N, 1, height, width)`` in [0, 1].

    ``images``: ``(N, height, width)`` or ``(N, 1, height, width)``.  ``uint8`` pixels
    0..255 become 0.0..1.0 (``x / 255``); float images are taken as already in [0, 1]
    and only reshaped and cast.  The one place where pixels become numbers.
    """
    if images.ndim == 3:
        images = images[:, np.newaxis, :, :]
    if images.dtype == np.uint8:
        return images.astype(np.float32) / np.float32(255)
    return images.astype(np.float32, copy=False)


class ImageDataset:
    """Labelled grayscale images, all in memory.

    Subclasses (:class:`~nn_from_scratch.data.MNIST`, ...) load their arrays
    and pass them to this constructor.

    Attributes:
        images: ``uint8`` array of shape ``(N, height, width)``; 0 is the
            background, 255 full ink.
        labels: ``int64`` array of shape ``(N,)`` with values in
            ``0 .. len(classes) - 1``.
        classes: the class names; ``classes[label]`` names a label.
        source: the folder the data was read from.
        train: ``True`` for the training split, ``False`` for the test split.
    """

    #: Short name of the dataset, as accepted by :func:`load_dataset`.
    NAME = "images"
    #: Names of the classes, indexed by label.
    CLASSES: tuple[str, ...] = ()
    #: Mean and standard deviation of the training pixels scaled to [0, 1],
    #: used by ``as_float(normalize=True)``.
    MEAN = 0.5
    STD = 0.5

    def __init__(
        self, images: np.ndarray, labels: np.ndarray, source: Path, train: bool
    ):
        where = f"{self.NAME} data in {source}"
        if images.ndim != 3:
            raise ValueError(
                f"{where}: images must have shape (N, height, width), got {images.shape}; "
                "the images file is not an image set"
            )
        if labels.shape != (len(images),):
            raise ValueError(
                f"{where}: {len(images)} images but labels of shape {labels.shape}; "
                "the images and labels files do not belong together"
            )
        if len(labels) > 0 and (labels.min() < 0 or labels.max() >= len(self.CLASSES)):
            raise ValueError(
                f"{where}: labels must be in 0..{len(self.CLASSES) - 1}, "
                f"found {labels.min()}..{labels.max()}"
            )
        self.images = _pixels_as_uint8(images, f"{self.NAME} images from {source}")
        self.labels = labels.astype(np.int64, copy=False)
        self.classes = list(self.CLASSES)
        self.source = source
        self.train = train

    @property
    def name(self) -> str:
        """Short name: ``"mnist"``, ``"fashion-mnist"`` or ``"digits"``."""
        return self.NAME

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index):
        """Return ``(image, label)``; ``index`` may also be a slice or index array."""
        return self.images[index], self.labels[index]

    def as_float(self, normalize: bool = False) -> np.ndarray:
        """Return all images as ``float32`` of shape ``(N, 1, height, width)``.

        Args:
            normalize: if ``False`` (default) the pixels are scaled to [0, 1].
                If ``True`` they are then standardised with the training set's
                statistics, ``(x - MEAN) / STD``, giving roughly zero mean and
                unit variance.
        """
        images = pixels_to_float(self.images)
        if normalize:
            images = (images - np.float32(self.MEAN)) / np.float32(self.STD)
        return images

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return (
            f"{type(self).__name__}({split}: {len(self)} images of shape "
            f"{self.images.shape[1:]}, {len(self.classes)} classes, from {self.source})"
        )


def _pixels_as_uint8(images: np.ndarray, what: str) -> np.ndarray:
    """``images`` as uint8 pixels 0..255: uint8 as they are, other integers only if they lie in 0..255.

    Anything else is refused rather than cast: float pixels in [0, 1] cast to
    uint8 would all become 0 or 1 (black images), and 300 would wrap to 44.
    """
    if images.dtype == np.uint8:
        return images
    if images.dtype.kind in "iu" and (images.size == 0 or (images.min() >= 0 and images.max() <= 255)):
        return images.astype(np.uint8)
    if images.dtype.kind in "iu":
        found = f"values {images.min()}..{images.max()}"
    else:
        found = f"dtype {images.dtype}" + (f", values {images.min():g}..{images.max():g}"
                                           if images.dtype.kind == "f" and images.size else "")
    raise ValueError(f"{what}: expected uint8 pixels 0..255 (IDX type 0x08, as MNIST's), got {found}; "
                     "convert them first, e.g. (x * 255).round().astype(numpy.uint8) for floats in [0, 1]")
