"""Choosing a dataset by name, with an offline fallback from MNIST to the bundled MNIST-10k."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from .bundled import MNIST10k
from .digits import Digits
from .download import DEFAULT_TIMEOUT
from .image_dataset import ImageDataset
from .locations import DATA_ENV_VAR, DatasetNotFoundError
from .mnist import MNIST, FashionMNIST

__all__ = [
    "BUNDLED_NAMES",
    "DATASET_NAMES",
    "FALLBACKS",
    "canonical_name",
    "find_or_fallback",
    "load_dataset",
]

DATASET_NAMES = ("mnist", "mnist-10k", "fashion-mnist", "digits")
#: Datasets that come with the installed packages and are never read from a data folder.
BUNDLED_NAMES = ("mnist-10k", "digits")
#: What :func:`find_or_fallback` uses when a dataset can be neither found nor downloaded.
FALLBACKS = {"mnist": "mnist-10k"}

FALLBACK_BANNER = """\
note: MNIST is not on this machine and {why}, so this uses MNIST-10k: the
10,000 official MNIST test images shipped with nn_from_scratch (8,000 to train, 2,000 to test).
For the full 60,000 training images, run again with internet access (they are downloaded once),
or set ${env} to a folder holding MNIST's four files."""


def canonical_name(name: str) -> str:
    """Return the standard spelling of a dataset name.

    For example ``"Fashion_MNIST"`` gives ``"fashion-mnist"`` and ``"MNIST10k"``
    gives ``"mnist-10k"``.
    """
    key = name.strip().lower().replace("_", "-")
    key = {"fashionmnist": "fashion-mnist", "mnist10k": "mnist-10k"}.get(key, key)
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
        name: ``"mnist"``, ``"mnist-10k"`` (the 10,000 MNIST images shipped
            with the package, :class:`MNIST10k`), ``"fashion-mnist"`` or
            ``"digits"`` (scikit-learn's, :class:`Digits`).
        data_dir: an existing folder holding the files (the ``root`` argument
            of :class:`MNIST`); must be ``None`` for the bundled
            ``"mnist-10k"`` and ``"digits"``.
        train: training split if ``True``, test split if ``False``.
        download: allow downloading missing files (MNIST and Fashion-MNIST).
        mirrors: download mirrors to use instead of the dataset's defaults.
        progress: show a progress bar while downloading.
        timeout: seconds to wait for a server before trying the next mirror.

    Raises:
        ValueError: unknown name, or a data folder for a bundled dataset.
        DatasetNotFoundError: ``data_dir`` is not an existing folder, or the
            files are neither found nor downloadable.
        ImportError: ``"digits"`` without scikit-learn.
    """
    key = canonical_name(name)
    if key in BUNDLED_NAMES and data_dir is not None:
        raise ValueError(f"the {key!r} dataset comes with the installed packages and is not read from a data "
                         f"folder ({data_dir}): leave the data folder out, or ask for 'mnist', which is read from one")
    if key == "mnist-10k":
        return MNIST10k(train=train)
    if key == "digits":
        return Digits(train=train)
    dataset_class = MNIST if key == "mnist" else FashionMNIST
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
    """Load dataset ``name``; if it is MNIST and unavailable, use the bundled MNIST-10k and say so.

    For command-line tools and notebooks that should work on a machine
    without internet access.  When ``"mnist"`` can be neither found on disk
    nor downloaded, a short note is printed on stderr (once, with no Python
    warning) and :class:`MNIST10k` is returned.  Check ``dataset.name`` to
    see which one you got.  There is no fallback for an explicit
    ``data_dir`` (an explicit choice is never silently replaced) nor for the
    other datasets: their errors say where the files were looked for and how
    to get them.

    The arguments are those of :func:`load_dataset`.
    """
    key = canonical_name(name)
    if data_dir is not None or key not in FALLBACKS:
        return load_dataset(key, data_dir, train, download, mirrors, progress, timeout)
    try:
        return load_dataset(key, None, train, download, mirrors, progress, timeout)
    except DatasetNotFoundError:
        fallback = load_dataset(FALLBACKS[key], train=train)
    why = "could not be downloaded" if download else "downloading is switched off"
    print(FALLBACK_BANNER.format(why=why, env=DATA_ENV_VAR), file=sys.stderr)
    return fallback
