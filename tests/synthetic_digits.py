"""A tiny MNIST-layout folder written by the tests themselves (no download, no ../shared).

Each 28x28 image is a bright bar whose position and orientation depend on its
label, with a little noise: enough structure for a GAN or a VAE to train on for
a few steps, and real IDX files read by the package's own loaders.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nn_from_scratch import data


def synthetic_digits(count: int, seed: int) -> tuple:
    """(images uint8 (count, 28, 28), labels uint8 (count,))."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=count).astype(np.uint8)
    images = rng.integers(0, 40, size=(count, 28, 28)).astype(np.uint8)
    for image, label in zip(images, labels):
        position = 4 + 2 * int(label)
        if label % 2:
            image[4:24, position:position + 3] = 255          # a vertical bar
        else:
            image[position:position + 3, 4:24] = 255          # a horizontal bar
    return images, labels


def write_mnist_folder(folder, train_count: int = 256, test_count: int = 64) -> Path:
    """Write train and test IDX files (MNIST's names) of synthetic digits into ``folder``; returns it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for files, count, seed in ((data.TRAIN_FILES, train_count, 0), (data.TEST_FILES, test_count, 1)):
        images, labels = synthetic_digits(count, seed)
        data.write_idx(folder / files[0], images)
        data.write_idx(folder / files[1], labels)
    return folder
