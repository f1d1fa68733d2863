"""Choosing a dataset by name, with an offline fallback for the command line."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence

from .digits import Digits
from .download import DEFAULT_TIMEOUT
from .image_dataset import ImageDataset
from .locations import DatasetNotFoundError
from .mnist import MNIST, FashionMNIST

__all__ = [
    "DATASET_NAMES",
    "DatasetFallbackWarning",
    "canonical_name",
    "find_or_fallback",
    "load_dataset",
]

DATASET_NAMES = ("mnist", "fashion-mnist", "digits")
FALLBACK_NAME = "digits"


class DatasetFallbackWarning(UserWarning):
    """Warned when a requested dataset is unavailable and 'digits' is used instead."""


def canonical_name(name: str) -> str:
    """Return the standard spelling of a dataset name.

    For example ``"Fashion_MNIST"`` gives ``"fashion-mnist"``.
    """
    key = name.strip().lower().replace("_", "-")
    if key == "fashionmnist":
        key = "fashion-mnist"
    if key not in DATASET_NAMES:
        raise ValueError(
            f"unknown dataset {name!r}; choose one of {', '.join(DATASET_NAMES)}"
        )
    return key


def load_dataset(
    name: str,
    data_dir: str | os.PathLike | None = None,
    train: bool = True,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    progress: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> ImageDataset:
    """Load the training or test split of a dataset by name.

    Args:
        name: ``"mnist"``, ``"fashion-mnist"`` or ``"digits"``.
        data_dir: folder holding the files (the ``root`` argument of
            :class:`MNIST`); ignored for ``"digits"``.
        train: training split if ``True``, test split if ``False``.
        download: allow downloading missing files (not used by ``"digits"``).
        mirrors: download mirrors to use instead of the dataset's defaults.
        progress: show a progress bar while downloading.
        timeout: seconds to wait for a server before trying the next mirror.

    Raises:
        ValueError: unknown name.
        DatasetNotFoundError: files not found and not downloadable.
        ImportError: ``"digits"`` without scikit-learn.
    """
    key = canonical_name(name)
    if key == "digits":
        return Digits(train=train)
    if key == "mnist":
        dataset_class = MNIST
    else:
        dataset_class = FashionMNIST
    return dataset_class(
        root=data_dir,
        train=train,
        download=download,
        mirrors=mirrors,
        progress=progress,
        timeout=timeout,
    )


def find_or_fallback(
    name: str,
    data_dir: str | os.PathLike | None = None,
    train: bool = True,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    progress: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> ImageDataset:
    """Load dataset ``name``, or fall back LOUDLY to ``"digits"`` if it is unavailable.

    Meant for command-line tools that should still run on a machine without
    internet access. When ``name`` cannot be found or downloaded, a
    :class:`DatasetFallbackWarning` is issued, a banner explaining how to get
    the real dataset is printed on stderr, and scikit-learn's digits are
    returned instead. Check ``dataset.name`` to see which one you got.

    The arguments are those of :func:`load_dataset`.

    Raises:
        DatasetNotFoundError: if ``name`` is unavailable and scikit-learn
            (needed for the fallback) is not installed either.
    """
    try:
        return load_dataset(name, data_dir, train, download, mirrors, progress, timeout)
    except DatasetNotFoundError as exc:
        not_found = exc

    try:
        fallback = Digits(train=train)
    except ImportError:
        raise DatasetNotFoundError(
            f"{not_found}\nThe offline fallback (scikit-learn's 'digits') is not "
            "available either: pip install scikit-learn"
        ) from not_found

    title = canonical_name(name)
    split = "training" if train else "test"
    warnings.warn(
        f"dataset {title!r} is not available; falling back to scikit-learn's "
        f"{FALLBACK_NAME!r} ({len(fallback)} enlarged 8x8 digits): results are NOT "
        f"comparable with {title!r}. See stderr for how to get the real dataset.",
        DatasetFallbackWarning,
        stacklevel=2,
    )
    rule = "=" * 78
    print(
        f"{rule}\n"
        f"WARNING: dataset {title!r} is not available, using {FALLBACK_NAME!r} "
        "instead.\n"
        f"The {len(fallback)} {split} images come from scikit-learn's 8x8 digits "
        "enlarged to 28x28;\n"
        f"accuracies are NOT comparable with {title!r}.\n\n"
        f"{not_found}\n"
        f"{rule}",
        file=sys.stderr,
    )
    return fallback
