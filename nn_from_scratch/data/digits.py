"""scikit-learn's small digits dataset, reshaped to look like MNIST.

``sklearn.datasets.load_digits()`` ships 1,797 real handwritten digits of
8x8 pixels (values 0..16) inside the scikit-learn package, so it works
offline. To use it wherever MNIST is expected, each image is enlarged to
20x20 by bilinear interpolation and centred on a 28x28 canvas with a 4-pixel
border, as MNIST digits are, and its values are scaled to 0..255.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .image_dataset import ImageDataset

__all__ = ["Digits", "resize_bilinear"]

DIGIT_SIZE = 20  # MNIST digits fit in a 20x20 box ...
IMAGE_SIZE = 28  # ... centred in a 28x28 image.
TEST_SIZE = 360  # the last 360 of the 1,797 images form the test split


def resize_bilinear(images: np.ndarray, size: int) -> np.ndarray:
    """Resize a batch of square images ``(N, h, h)`` to ``(N, size, size)``.

    Each output pixel centre is mapped back into the input image and its
    value is interpolated linearly between the four nearest input pixels.
    Returns ``float64`` values.
    """
    height, width = images.shape[1:]
    images = images.astype(np.float64)

    def sample_positions(length: int):
        # Output pixel centres, in input pixel coordinates, kept inside the image.
        positions = (np.arange(size) + 0.5) * length / size - 0.5
        positions = np.clip(positions, 0, length - 1)
        before = np.floor(positions).astype(np.intp)
        after = np.minimum(before + 1, length - 1)
        weight_after = positions - before
        return before, after, weight_after

    top, bottom, weight_y = sample_positions(height)
    left, right, weight_x = sample_positions(width)

    # Interpolate vertically (between two rows), then horizontally.
    rows_top = images[:, top, :]
    rows_bottom = images[:, bottom, :]
    rows = (
        rows_top * (1 - weight_y)[:, np.newaxis] + rows_bottom * weight_y[:, np.newaxis]
    )
    return rows[:, :, left] * (1 - weight_x) + rows[:, :, right] * weight_x


class Digits(ImageDataset):
    """scikit-learn's 1,797 handwritten digits, enlarged to 28x28 ``uint8`` like MNIST.

    The first 1,437 images form the training split and the last 360 the
    test split. (Offline, MNIST falls back to the shipped MNIST-10k instead:
    see :func:`~nn_from_scratch.data.find_or_fallback`.)

    Args:
        train: load the training split (``True``) or the test split (``False``).

    Raises:
        ImportError: if scikit-learn is not installed (``pip install scikit-learn``).
    """

    NAME = "digits"
    TITLE = "scikit-learn digits"
    CLASSES = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
    MEAN = 0.1558
    STD = 0.2768

    def __init__(self, train: bool = True):
        try:
            import sklearn.datasets
        except ImportError as exc:
            raise ImportError(
                "the 'digits' dataset needs scikit-learn: pip install scikit-learn"
            ) from exc

        bunch = sklearn.datasets.load_digits()
        small_images = bunch.images  # (1797, 8, 8), values 0..16
        labels = bunch.target

        digits = resize_bilinear(small_images, DIGIT_SIZE) * (255 / 16)
        border = (IMAGE_SIZE - DIGIT_SIZE) // 2
        images = np.zeros((len(digits), IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
        images[:, border : border + DIGIT_SIZE, border : border + DIGIT_SIZE] = np.clip(
            np.rint(digits), 0, 255
        )

        split = len(images) - TEST_SIZE
        if train:
            images, labels = images[:split], labels[:split]
        else:
            images, labels = images[split:], labels[split:]
        source = Path(sklearn.datasets.__file__).parent / "data"
        super().__init__(images, labels, source=source, train=train)
