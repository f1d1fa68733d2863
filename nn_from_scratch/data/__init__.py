"""Datasets and mini-batches, as plain NumPy arrays.

This subpackage does not depend on the rest of ``nn_from_scratch``: it only
uses NumPy, the standard library and tqdm (for download progress bars).

Overview:

* :func:`read_idx` / :func:`write_idx` read and write the IDX file format of
  MNIST (:mod:`.idx`);
* :class:`MNIST`, :class:`FashionMNIST` find the files on disk or download
  them safely (:mod:`.mnist`, :mod:`.locations`, :mod:`.download`);
* :class:`MNIST10k` is real MNIST shipped inside the package: the 10,000
  official test images as an 8,000 / 2,000 split, for offline use
  (:mod:`.bundled`); :class:`Digits` is scikit-learn's small 8x8 digits
  dataset made to look like MNIST (:mod:`.digits`);
* :func:`load_dataset` picks a dataset by name and :func:`find_or_fallback`
  falls back from ``"mnist"`` to the bundled ``"mnist-10k"`` (with a note
  on stderr) when MNIST is neither on disk nor downloadable (:mod:`.factory`);
* :class:`DataLoader` cuts a dataset into shuffled mini-batches (:mod:`.loader`);
* :func:`random_shift` moves each image by a random pixel offset (:mod:`.augment`).

Example::

    from nn_from_scratch.data import MNIST, DataLoader

    train = MNIST(train=True)
    for images, labels in DataLoader(train, batch_size=64, shuffle=True, seed=0):
        ...  # images: float32 (64, 1, 28, 28) in [0, 1]; labels: int64 (64,)
"""

from .augment import random_shift
from .bundled import MNIST10k
from .digits import Digits
from .download import (
    ChecksumError,
    DownloadError,
    download_file,
    download_from_mirrors,
    md5_of_file,
)
from .factory import (
    BUNDLED_NAMES,
    DATASET_NAMES,
    FALLBACKS,
    canonical_name,
    find_or_fallback,
    load_dataset,
)
from .idx import IDXError, read_idx, write_idx
from .image_dataset import ImageDataset, pixels_to_float
from .loader import DataLoader
from .locations import DATA_ENV_VAR, DatasetNotFoundError, check_data_folder, user_cache_dir
from .mnist import (
    FASHION_MNIST_MD5,
    FASHION_MNIST_MIRRORS,
    MNIST,
    MNIST_MD5,
    MNIST_MIRRORS,
    TEST_FILES,
    TRAIN_FILES,
    FashionMNIST,
)

__all__ = [
    "BUNDLED_NAMES",
    "DATASET_NAMES",
    "DATA_ENV_VAR",
    "FALLBACKS",
    "FASHION_MNIST_MD5",
    "FASHION_MNIST_MIRRORS",
    "MNIST",
    "MNIST10k",
    "MNIST_MD5",
    "MNIST_MIRRORS",
    "TEST_FILES",
    "TRAIN_FILES",
    "ChecksumError",
    "DataLoader",
    "DatasetNotFoundError",
    "Digits",
    "DownloadError",
    "FashionMNIST",
    "IDXError",
    "ImageDataset",
    "canonical_name",
    "check_data_folder",
    "download_file",
    "download_from_mirrors",
    "find_or_fallback",
    "load_dataset",
    "md5_of_file",
    "random_shift",
    "read_idx",
    "user_cache_dir",
    "write_idx",
    "pixels_to_float",
]
