"""Iterating over a dataset in (optionally shuffled) mini-batches."""

from __future__ import annotations

import json
import math

import numpy as np

from .image_dataset import pixels_to_float

__all__ = ["DataLoader"]


class DataLoader:
    """Split a dataset into mini-batches of NumPy arrays, one epoch per ``for`` loop.

    Args:
        data: either a dataset object with ``.images`` and ``.labels`` (such
            as :class:`MNIST`), or a tuple/list of arrays with the same first
            dimension, e.g. ``(x, y)``.
        batch_size: number of samples per batch.
        shuffle: visit the samples in a new random order each epoch.
        drop_last: skip the last batch if it is smaller than ``batch_size``.
        seed: seed of the random generator used for shuffling; with the same
            seed, the sequence of epoch orders is the same on every run.

    Each batch is a tuple of arrays:

    * for a dataset: ``(images, labels)`` with ``images`` ``float32`` of shape
      ``(B, 1, height, width)`` scaled to [0, 1] and ``labels`` ``int64`` ``(B,)``;
    * for a tuple of arrays: the same arrays, indexed by the batch, unchanged.

    Each batch is gathered with one fancy-indexing operation per array (no
    Python loop over samples).

    To resume training with exactly the same data order, save
    :meth:`state_dict` at the end of an epoch and give it to
    :meth:`load_state_dict` of a new loader built the same way.

    Example::

        >>> loader = DataLoader((np.arange(10), np.arange(10) * 2), batch_size=4)
        >>> [len(x) for x, y in loader]
        [4, 4, 2]
    """

    def __init__(
        self,
        data,
        batch_size: int = 64,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
    ):
        if isinstance(data, (tuple, list)):
            arrays = tuple(np.asarray(array) for array in data)
            self.from_dataset = False
        elif hasattr(data, "images") and hasattr(data, "labels"):
            arrays = (np.asarray(data.images), np.asarray(data.labels))
            self.from_dataset = True
        else:
            raise TypeError(
                "DataLoader needs a dataset with .images and .labels "
                f"or a tuple of arrays, got {type(data).__name__}"
            )
        if len(arrays) == 0:
            raise ValueError("DataLoader needs at least one array")
        lengths = {len(array) for array in arrays}
        if len(lengths) != 1:
            raise ValueError(
                f"all arrays must have the same length, got {[len(a) for a in arrays]}"
            )
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(
                f"batch_size must be a positive integer, got {batch_size!r}"
            )

        self.arrays = arrays
        self.num_samples = lengths.pop()
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.rng = np.random.default_rng(seed)
        #: Number of epochs started so far: 0 before the first ``for`` loop,
        #: 1 during and after the first one, and so on.
        self.epoch = 0

    def __len__(self) -> int:
        """Number of batches per epoch."""
        if self.drop_last:
            return self.num_samples // self.batch_size
        return math.ceil(self.num_samples / self.batch_size)

    def __iter__(self):
        """Yield the batches of one epoch."""
        self.epoch += 1
        if self.shuffle:
            order = self.rng.permutation(self.num_samples)
        else:
            order = None

        for batch_number in range(len(self)):
            start = batch_number * self.batch_size
            stop = min(start + self.batch_size, self.num_samples)
            if order is None:
                batch = tuple(array[start:stop] for array in self.arrays)
            else:
                indices = order[start:stop]
                batch = tuple(array[indices] for array in self.arrays)
            if self.from_dataset:
                batch = (
                    pixels_to_float(batch[0]),
                    batch[1].astype(np.int64, copy=False),
                )
            yield batch

    def state_dict(self) -> dict:
        """Return the loader's position: ``{"epoch": int, "rng_state": str}``.

        The random generator's state is stored as a JSON string, so the
        dictionary can be saved with ``np.savez`` and read back without pickle.
        Take it between epochs: the next epoch after :meth:`load_state_dict`
        has the order the next epoch would have had here.
        """
        return {
            "epoch": self.epoch,
            "rng_state": json.dumps(self.rng.bit_generator.state),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore a position saved by :meth:`state_dict`.

        The values may also be 0-d NumPy arrays, as returned by ``np.load``.
        """
        rng_state = json.loads(str(state["rng_state"]))
        generator_name = type(self.rng.bit_generator).__name__
        if rng_state.get("bit_generator") != generator_name:
            raise ValueError(
                f"the saved state is for a {rng_state.get('bit_generator')} generator, "
                f"this loader uses {generator_name}"
            )
        self.rng.bit_generator.state = rng_state
        self.epoch = int(state["epoch"])

    def __repr__(self) -> str:
        return (
            f"DataLoader({self.num_samples} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, epoch={self.epoch})"
        )
