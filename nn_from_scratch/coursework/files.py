"""Small file helpers of the kit: atomic text writes and project copies without caches."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

IGNORED_NAMES = ("__pycache__", "*.pyc", "*.pyo", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints",
                 ".hypothesis", "*.egg-info")


def write_text_atomically(path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)     # mkstemp creates files readable by the owner only
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


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
