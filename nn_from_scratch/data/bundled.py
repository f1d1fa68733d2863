"""MNIST-10k: real MNIST digits shipped inside the package, so that everything works offline.

The package holds the two official MNIST test files, ``t10k-images-idx3-ubyte.gz``
and ``t10k-labels-idx1-ubyte.gz`` (10,000 images, 1.6 MB), byte for byte as
published by Y. LeCun, C. Cortes and C. J. C. Burges (CC BY-SA 3.0; see the
``NOTICE`` file next to them).  :class:`MNIST10k` cuts them into a small
training / test split:

=========  =====================================  ======
split      images                                 count
=========  =====================================  ======
training   the first 8,000 official test images   8,000
test       the last 2,000                         2,000
=========  =====================================  ======

Every class appears in both splits.  Only the official *test* set is shipped,
so a model trained on MNIST-10k has seen 8,000 of the images full MNIST tests
on: compare MNIST-10k runs with MNIST-10k runs.
"""

from __future__ import annotations

from pathlib import Path

from .download import md5_of_file
from .idx import read_idx
from .image_dataset import ImageDataset
from .mnist import MNIST, MNIST_MD5, TEST_FILES

__all__ = ["BUNDLED_DIR", "MNIST10k", "TRAIN_SIZE"]

#: The folder of the package data: the two official MNIST test files and NOTICE.
BUNDLED_DIR = Path(__file__).parent / "bundled"
#: The first TRAIN_SIZE images form the training split, the rest the test split.
TRAIN_SIZE = 8000


class MNIST10k(ImageDataset):
    """The 10,000 official MNIST test images shipped with the package: 8,000 to train, 2,000 to test.

    Args:
        train: the first 8,000 images (``True``) or the last 2,000 (``False``).

    Raises:
        OSError: the package's copy of the files is missing or damaged
            (their MD5 checksums are checked against the published ones);
            reinstall the package.

    Example::

        >>> train = MNIST10k(train=True)
        >>> train.images.shape, train.labels[:5]
        ((8000, 28, 28), array([7, 2, 1, 0, 4]))
    """

    NAME = "mnist-10k"
    TITLE = "MNIST-10k"
    CLASSES = MNIST.CLASSES
    # Statistics of the 8,000 training images scaled to [0, 1].
    MEAN = 0.1301
    STD = 0.3077

    def __init__(self, train: bool = True):
        for filename in TEST_FILES:
            path = BUNDLED_DIR / filename
            if not path.is_file() or md5_of_file(path) != MNIST_MD5[filename]:
                problem = "is missing" if not path.is_file() else "does not have the published MD5 checksum"
                raise OSError(f"the package's copy of MNIST, {path}, {problem}: reinstall nn-from-scratch")
        images = read_idx(BUNDLED_DIR / TEST_FILES[0])
        labels = read_idx(BUNDLED_DIR / TEST_FILES[1])
        part = slice(None, TRAIN_SIZE) if train else slice(TRAIN_SIZE, None)
        super().__init__(images[part], labels[part], source=BUNDLED_DIR, train=train)
