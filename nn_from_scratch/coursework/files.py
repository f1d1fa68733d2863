"""Small file helpers of the kit: project copies without caches (atomic writes: ``atomic_file``)."""

from __future__ import annotations

import shutil
from pathlib import Path

IGNORED_NAMES = ("__pycache__", "*.pyc", "*.pyo", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints",
                 ".hypothesis", "*.egg-info")


def copy_tree(source, destination, leave_out=()) -> None:
    """Copy the folder ``source`` to ``destination`` without caches; ``leave_out``: paths below ``source`` to skip."""
    source = Path(source)
    skipped = {(source / path).resolve() for path in leave_out}
    ignore_caches = shutil.ignore_patterns(*IGNORED_NAMES)

    def ignore(folder, names):
        ignored = set(ignore_caches(folder, names))
        ignored.update(name for name in names if (Path(folder) / name).resolve() in skipped)
        return ignored

    shutil.copytree(source, destination, ignore=ignore, symlinks=False)
