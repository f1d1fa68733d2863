"""Where dataset files are looked for on disk.

For a dataset called ``name`` (``"mnist"`` or ``"fashion-mnist"``) the folders
below are searched in this order, and the first one that holds all the
requested files wins:

1. the folder given explicitly (``root=`` / ``data_dir=``, the command
   line's ``--data-dir``): that folder's subfolder ``<name>``, then the
   folder itself. When a folder is given explicitly, *only* it is searched
   (and downloads go into it), so that an explicit choice is never silently
   replaced by other files; it must exist (:func:`check_data_folder`: a
   mistyped path is an error, no folder is created);
2. ``$NN_FROM_SCRATCH_DATA/<name>``, then ``$NN_FROM_SCRATCH_DATA`` itself;
3. the user cache folder, ``$XDG_CACHE_HOME/nn_from_scratch/<name>`` or
   ``~/.cache/nn_from_scratch/<name>`` (downloads go here);
4. system folders ``/usr/share/datasets/<name>`` (Debian's
   ``dataset-fashion-mnist`` package installs its files there).

MNIST and Fashion-MNIST use the same file names, so a folder holding the
files directly (rather than in a ``mnist/`` or ``fashion-mnist/`` subfolder)
is used for whichever of the two is asked for. Check ``dataset.source``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "DATA_ENV_VAR",
    "SYSTEM_DATA_DIRS",
    "DatasetNotFoundError",
    "candidate_folders",
    "check_data_folder",
    "find_folder",
    "user_cache_dir",
]

DATA_ENV_VAR = "NN_FROM_SCRATCH_DATA"

# Folders holding one subfolder per dataset, installed by system packages.
SYSTEM_DATA_DIRS = (Path("/usr/share/datasets"),)


class DatasetNotFoundError(FileNotFoundError):
    """Raised when a dataset's files are neither on disk nor downloadable."""


def user_cache_dir(name: str) -> Path:
    """Return the per-user cache folder for dataset ``name`` (it may not exist yet)."""
    cache_home = os.environ.get("XDG_CACHE_HOME")
    base = Path(cache_home) if cache_home else Path.home() / ".cache"
    return base / "nn_from_scratch" / name


def check_data_folder(root: str | os.PathLike) -> Path:
    """Return the explicitly given data folder ``root`` as a Path, if it is an existing folder.

    Raises:
        DatasetNotFoundError: ``root`` does not exist, or is a file; the
            message names it.  Nothing is created.
    """
    folder = Path(root).expanduser()
    if not folder.exists():
        raise DatasetNotFoundError(f"data folder {folder} does not exist: check the path "
                                   "(nothing was created or downloaded)")
    if not folder.is_dir():
        raise DatasetNotFoundError(f"data folder {folder} is a file, not a folder: give the folder "
                                   "that holds the dataset's files")
    return folder


def candidate_folders(
    name: str, root: str | os.PathLike | None = None
) -> list[tuple[Path, str]]:
    """List the folders to search for dataset ``name``, in order.

    Args:
        name: the dataset's folder name, e.g. ``"mnist"``.
        root: a folder chosen by the user; if given, only it is searched.

    Returns:
        ``(folder, reason)`` pairs; ``reason`` says why the folder is searched
        and is used in error messages.
    """
    if root is not None:
        root = Path(root).expanduser()
        return [(root / name, "data folder given"), (root, "data folder given")]

    candidates = []
    env_folder = os.environ.get(DATA_ENV_VAR)
    if env_folder:
        env_folder = Path(env_folder).expanduser()
        candidates.append((env_folder / name, f"${DATA_ENV_VAR}"))
        candidates.append((env_folder, f"${DATA_ENV_VAR}"))
    candidates.append((user_cache_dir(name), "user cache"))
    for system_folder in SYSTEM_DATA_DIRS:
        candidates.append((Path(system_folder) / name, "system folder"))
    return candidates


def find_folder(
    name: str, filenames: Sequence[str], root: str | os.PathLike | None = None
) -> Path | None:
    """Return the first candidate folder holding all of ``filenames``, or ``None``."""
    for folder, _reason in candidate_folders(name, root):
        if all((folder / filename).is_file() for filename in filenames):
            return folder
    return None
