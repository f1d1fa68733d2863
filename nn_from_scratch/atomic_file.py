"""Writing files so that a crash never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile

import numpy


def write_file_atomically(path, write) -> None:
    """Create or replace the file ``path`` with what ``write(file)`` writes into an open binary file, atomically.

    The content goes to a temporary file in the same folder, is flushed to
    disk (fsync), then renamed over ``path`` with ``os.replace``: ``path``
    holds either the old file or the complete new one, never half of one.
    The file gets the usual permissions (0666 less the umask).
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    descriptor, temporary_path = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.splitext(path)[1])
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary_path, 0o666 & ~umask)   # mkstemp creates files readable by the owner only
        os.replace(temporary_path, path)
    except BaseException:
        if os.path.exists(temporary_path):
            os.remove(temporary_path)
        raise


def save_npz_atomically(path, arrays: dict) -> None:
    """Write ``arrays`` (name -> host array) to ``path`` as an ``.npz`` archive, atomically
    (see :func:`write_file_atomically`)."""
    write_file_atomically(path, lambda file: numpy.savez(file, **arrays))
