"""Checkpoints: a whole training state in one ``.npz`` file, without pickle, written atomically.

A training state is a nested dictionary (models' and optimizers' state
dicts, the RNG states, the data loader's position, the config...) whose
leaves are arrays, numbers or strings.  :func:`flatten_state` turns it into
a flat ``{"models/generator/project.0.weight": array, ...}`` that
``numpy.savez`` stores as one ``.npy`` member per key:

* arrays are stored as they are (CuPy arrays are copied to the host first);
* Python ``int``, ``float``, ``bool`` and ``str`` become 0-d arrays, and
  their keys are listed in a JSON "layout" member (with the keys of empty
  dicts) so that :func:`unflatten_state` gives back Python values, not 0-d
  arrays, and the exact same nesting;
* anything else (lists, None, objects) is refused: structured values such
  as RNG states are stored as JSON strings by their owner.

Nothing is pickled, and :func:`load_checkpoint` reads with
``allow_pickle=False``, so a checkpoint cannot run code when it is loaded.

:func:`save_checkpoint` writes to a temporary file in the destination
folder, flushes it to disk and renames it over the destination with
``os.replace`` (atomic on POSIX and Windows): a crash or Ctrl-C while saving
leaves the previous checkpoint intact, never half a file.
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np

from ..atomic_file import save_npz_atomically
from ..backend import is_cupy_array, to_numpy

FORMAT_VERSION = 1
SEPARATOR = "/"
LAYOUT_KEY = "__layout__"                   # JSON: which keys hold Python scalars or empty dicts
FORMAT_KEY = "__format_version__"


class CheckpointError(RuntimeError):
    """A checkpoint file is missing, truncated, corrupt or not a checkpoint."""


def flatten_state(state: dict, prefix: str = "", layout: dict | None = None) -> tuple:
    """Nested dict -> ({"a/b/c": array}, layout).

    ``layout`` = {"python_scalars": [keys that held Python scalars],
    "empty_dicts": [keys of empty dicts]}: what :func:`unflatten_state` needs
    to rebuild the exact same structure.
    """
    if layout is None:
        layout = {"python_scalars": [], "empty_dicts": []}
    arrays = {}
    for name, value in state.items():
        name = str(name)
        if SEPARATOR in name:
            raise ValueError(f"checkpoint: the key {name!r} may not contain {SEPARATOR!r}")
        key = prefix + name
        if isinstance(value, dict):
            if not value:
                layout["empty_dicts"].append(key)
            arrays.update(flatten_state(value, key + SEPARATOR, layout)[0])
            continue
        if isinstance(value, (bool, int, float, str)):
            arrays[key] = np.asarray(value)
            layout["python_scalars"].append(key)
        elif isinstance(value, (np.ndarray, np.generic)) or is_cupy_array(value):
            arrays[key] = np.asarray(to_numpy(value))
        else:
            raise TypeError(f"checkpoint: cannot store {key!r} of type {type(value).__name__} without pickle; "
                            "use an array, a number or a string (JSON for structured values)")
        if arrays[key].dtype.kind == "O":
            raise TypeError(f"checkpoint: {key!r} is an object array, which needs pickle")
    return arrays, layout


def unflatten_state(arrays: dict, layout: dict) -> dict:
    """Inverse of :func:`flatten_state`: flat keys with "/" -> nested dicts; scalars back to Python."""
    scalar_keys = set(layout["python_scalars"])
    state = {}
    for key in layout["empty_dicts"]:
        node = state
        for name in key.split(SEPARATOR):
            node = node.setdefault(name, {})
    for key, array in arrays.items():
        *parents, name = key.split(SEPARATOR)
        node = state
        for parent in parents:
            node = node.setdefault(parent, {})
        node[name] = array.item() if key in scalar_keys else array
    return state


def save_checkpoint(path, state: dict) -> None:
    """Write the nested ``state`` to ``path`` (.npz) atomically: temporary file, fsync, os.replace."""
    arrays, layout = flatten_state(state)
    arrays[LAYOUT_KEY] = np.asarray(json.dumps(layout))
    arrays[FORMAT_KEY] = np.asarray(FORMAT_VERSION)
    save_npz_atomically(path, arrays)


def load_checkpoint(path) -> dict:
    """Read a checkpoint written by :func:`save_checkpoint` (``allow_pickle=False``); return the nested state.

    Every member is read (and its CRC checked by ``zipfile``) before
    returning.  Raises :class:`CheckpointError` with a readable message for
    a missing, truncated, corrupt or foreign file.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CheckpointError(f"no checkpoint at {path}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as error:
        raise CheckpointError(
            f"{path} is not a readable checkpoint: it is truncated or corrupt ({type(error).__name__}: {error}). "
            "It may have been cut off by a full disk or copied incompletely; delete it to start afresh, "
            "or restore a good copy"
        ) from error
    if FORMAT_KEY not in arrays or LAYOUT_KEY not in arrays:
        raise CheckpointError(f"{path} is an .npz file but not a training checkpoint of nn_from_scratch")
    version = int(arrays.pop(FORMAT_KEY))
    if version != FORMAT_VERSION:
        raise CheckpointError(f"{path} has checkpoint format {version}; this version reads format {FORMAT_VERSION}")
    layout = json.loads(str(arrays.pop(LAYOUT_KEY)))
    return unflatten_state(arrays, layout)
