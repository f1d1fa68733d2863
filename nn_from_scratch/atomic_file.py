"""Writing files so that a crash, a Ctrl-C or a full disk never leaves half a file behind.

Every file goes to a temporary file in the destination's folder (named
``.tmp-*``), is flushed to disk (fsync), then renamed over the destination
with ``os.replace``: the destination holds either the old file or the
complete new one, never half of one.  A process killed with ``kill -9``
while writing leaves its ``.tmp-*`` file behind; :func:`remove_stale_temporary_files`
clears them (a training run does so when it starts in its folder).

An ``OSError`` (a full disk, no permission) names the destination file.
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile

import numpy

TEMPORARY_PREFIX = ".tmp-"


@contextlib.contextmanager
def atomic_output(path, binary: bool = True):
    """``with atomic_output(path) as file: file.write(...)``: ``path`` appears complete, or not at all.

    The file gets the usual permissions (0666 less the umask).  On any error
    (or Ctrl-C) the temporary file is removed and ``path`` keeps its old content.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    suffix = os.path.splitext(path)[1]
    temporary_path = None
    try:
        if not os.path.isdir(folder):
            _refuse_a_file_in_the_path(folder, path)
            os.makedirs(folder, exist_ok=True)
        if os.path.isdir(path):
            raise IsADirectoryError(21, "Is a directory (a file was expected)", path)
        descriptor, temporary_path = tempfile.mkstemp(dir=folder, prefix=TEMPORARY_PREFIX, suffix=suffix)
        with os.fdopen(descriptor, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary_path, 0o666 & ~umask)   # mkstemp creates files readable by the owner only
        os.replace(temporary_path, path)
    except OSError as error:
        _remove(temporary_path)
        if error.filename == path:
            raise
        raise type(error)(error.errno, error.strerror or str(error), path) from error
    except BaseException:
        _remove(temporary_path)
        raise


def _refuse_a_file_in_the_path(folder: str, path: str) -> None:
    """NotADirectoryError naming ``path`` when a part of ``folder`` is a file (makedirs would say "File exists")."""
    part = folder
    while part and not os.path.exists(part):
        part = os.path.dirname(part)
    if part and not os.path.isdir(part):
        raise NotADirectoryError(20, f"{part} is a file, not a folder", path)


def _remove(temporary_path) -> None:
    if temporary_path is not None and os.path.exists(temporary_path):
        os.remove(temporary_path)


def save_npz_atomically(path, arrays: dict) -> None:
    """Write ``arrays`` (name -> host array) to ``path`` as an ``.npz`` archive, atomically."""
    with atomic_output(path) as file:
        numpy.savez(file, **arrays)


def write_text_atomically(path, text: str) -> None:
    """Write ``text`` to ``path`` (UTF-8), atomically."""
    with atomic_output(path, binary=False) as file:
        file.write(text)


def remove_stale_temporary_files(folder) -> list:
    """Delete the ``.tmp-*`` files that killed writes left in ``folder``; return their paths.

    Call it only while no other process writes into ``folder`` (a training
    run holds its folder's lock when it does).
    """
    removed = []
    for path in glob.glob(os.path.join(glob.escape(os.fspath(folder)), TEMPORARY_PREFIX + "*")):
        if os.path.isfile(path):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
                removed.append(path)
    return removed
