"""The MNIST and Fashion-MNIST datasets: 28x28 grayscale images in 10 classes.

Both are distributed as four gzip-compressed IDX files with the same names:

======================================  ====================================
file                                    content
======================================  ====================================
``train-images-idx3-ubyte.gz``          60,000 training images, (N, 28, 28)
``train-labels-idx1-ubyte.gz``          their labels, (N,)
``t10k-images-idx3-ubyte.gz``           10,000 test images
``t10k-labels-idx1-ubyte.gz``           their labels
======================================  ====================================

The files are looked for on disk first (see :mod:`.locations` for the
order) and otherwise downloaded from the official mirrors into the user cache
folder, checking the published MD5 checksums.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .download import DEFAULT_TIMEOUT, download_from_mirrors
from .idx import read_idx
from .image_dataset import ImageDataset
from .locations import (
    DATA_ENV_VAR,
    DatasetNotFoundError,
    candidate_folders,
    check_data_folder,
    find_folder,
    user_cache_dir,
)

__all__ = [
    "FASHION_MNIST_MD5",
    "FASHION_MNIST_MIRRORS",
    "MNIST",
    "MNIST_MD5",
    "MNIST_MIRRORS",
    "TEST_FILES",
    "TRAIN_FILES",
    "FashionMNIST",
]

TRAIN_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

# Tried in order. The same list as torchvision's.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
# Published checksums of the official files.
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

FASHION_MNIST_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
FASHION_MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}


class MNIST(ImageDataset):
    """The MNIST handwritten digits (60,000 training and 10,000 test images).

    Args:
        root: folder holding the files (directly or in a ``mnist/``
            subfolder). If given, it must exist; only this folder is searched
            and missing files are downloaded into it. If ``None``, the folders listed in
            :mod:`nn_from_scratch.data.locations` are searched and missing
            files are downloaded into the user cache folder.
        train: load the training split (``True``) or the test split (``False``).
        download: download the files if they are not found on disk.
        mirrors: base addresses to download from, tried in order; defaults to
            :data:`MNIST_MIRRORS` (:data:`FASHION_MNIST_MIRRORS` for
            Fashion-MNIST).
        progress: show a progress bar while downloading.
        timeout: seconds to wait for a server before trying the next mirror.

    Raises:
        DatasetNotFoundError: ``root`` is not an existing folder, or the
            files are not on disk and could not be downloaded; the message
            lists where they were looked for.
        IDXError: a file exists but is corrupt or truncated.

    Example::

        >>> train = MNIST(train=True)            # doctest: +SKIP
        >>> train.images.shape, train.labels[:5]  # doctest: +SKIP
        ((60000, 28, 28), array([5, 0, 4, 1, 9]))
    """

    NAME = "mnist"
    TITLE = "MNIST"
    CLASSES = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
    MEAN = 0.1307
    STD = 0.3081
    MIRRORS = MNIST_MIRRORS
    MD5 = MNIST_MD5
    #: Extra line for the "not found" message (how else to get the files).
    INSTALL_HINT = ""

    def __init__(
        self,
        root: str | os.PathLike | None = None,
        train: bool = True,
        download: bool = True,
        mirrors: Sequence[str] | None = None,
        progress: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ):
        if root is not None:
            root = check_data_folder(root)
        images_file, labels_file = TRAIN_FILES if train else TEST_FILES
        filenames = (images_file, labels_file)
        folder = find_folder(self.NAME, filenames, root)
        if folder is None:
            if mirrors is None:
                mirrors = self.MIRRORS
            folder = self._download(
                filenames, root, download, mirrors, progress, timeout
            )

        images = read_idx(folder / images_file)
        labels = read_idx(folder / labels_file)
        super().__init__(images, labels, source=folder, train=train)

    def _download(
        self,
        filenames: Sequence[str],
        root: str | os.PathLike | None,
        download: bool,
        mirrors: Sequence[str],
        progress: bool,
        timeout: float,
    ) -> Path:
        """Download the missing ``filenames``; return the folder now holding them."""
        target = (
            Path(root).expanduser() if root is not None else user_cache_dir(self.NAME)
        )
        if not download:
            problem = "Downloading is switched off."
            raise DatasetNotFoundError(
                self._not_found_message(filenames, root, target, problem)
            )
        try:
            for filename in filenames:
                if not (target / filename).is_file():
                    download_from_mirrors(
                        filename,
                        target,
                        mirrors,
                        md5=self.MD5.get(filename),
                        progress=progress,
                        timeout=timeout,
                    )
        except OSError as exc:  # DownloadError, or e.g. no permission to create target
            problem = f"Downloading into {target} failed: {exc}"
            raise DatasetNotFoundError(
                self._not_found_message(filenames, root, target, problem)
            ) from exc
        return target

    def _not_found_message(
        self,
        filenames: Sequence[str],
        root: str | os.PathLike | None,
        target: Path,
        problem: str,
    ) -> str:
        """Explain where the files were looked for and how to get them."""
        split = "training" if filenames == TRAIN_FILES else "test"
        lines = [
            f"{self.TITLE} {split} files ({', '.join(filenames)}) not found.",
            "Looked in:",
        ]
        for folder, reason in candidate_folders(self.NAME, root):
            if not folder.is_dir():
                status = "does not exist"
            else:
                missing = [name for name in filenames if not (folder / name).is_file()]
                status = "missing " + ", ".join(missing)
            lines.append(f"  - {folder}  ({reason}: {status})")
        lines.append(problem)
        lines.append("How to get the files:")
        lines.append(
            f"  - download the four files ({', '.join(TRAIN_FILES + TEST_FILES)}) from "
            f"{self.MIRRORS[0]} into {target}"
        )
        lines.append(
            f"  - or set ${DATA_ENV_VAR} to a folder holding them "
            f"(directly or in a '{self.NAME}/' subfolder)"
        )
        lines.append("  - or name the folder holding them with --data-dir")
        if self.INSTALL_HINT:
            lines.append(f"  - {self.INSTALL_HINT}")
        return "\n".join(lines)


class FashionMNIST(MNIST):
    """Fashion-MNIST: 28x28 images of clothes in 10 classes, a harder MNIST.

    Same file names, format and sizes as :class:`MNIST`, and the same
    arguments; the files are looked for in ``fashion-mnist/`` subfolders.
    On Debian/Ubuntu ``apt-get install dataset-fashion-mnist`` installs them
    in ``/usr/share/datasets/fashion-mnist``, which is searched.
    """

    NAME = "fashion-mnist"
    TITLE = "Fashion-MNIST"
    CLASSES = (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    )
    MEAN = 0.2860
    STD = 0.3530
    MIRRORS = FASHION_MNIST_MIRRORS
    MD5 = FASHION_MNIST_MD5
    INSTALL_HINT = "or on Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist"
