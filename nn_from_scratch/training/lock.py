"""One run at a time in a run folder: a lock file held while a run writes the folder.

Two training runs writing the same folder would interleave their
checkpoints and their lines of metrics.jsonl.  So a run holds
``<run folder>/.lock`` (an OS lock: ``fcntl.flock`` on POSIX,
``msvcrt.locking`` on Windows) from its start to its end, with its process
id written inside.  A second run finds it held and stops with one line
naming that process.  The OS releases the lock when a process dies, even by
``kill -9``, so a lock file left by a dead run is simply taken over.

Taking the lock also removes the ``.tmp-*`` files that a killed write left
(see :mod:`nn_from_scratch.atomic_file`): no one else is writing there.

The lock is re-entrant within a process: the command line holds it for the
whole of ``train``, and :meth:`Trainer.fit` takes it again inside.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..atomic_file import remove_stale_temporary_files

try:
    import fcntl
except ImportError:                          # Windows
    fcntl = None
    import msvcrt

LOCK_NAME = ".lock"

_held = {}                                   # resolved folder -> [file descriptor, count]


class RunFolderBusy(RuntimeError):
    """Another process is writing the run folder."""


class RunFolderLock:
    """``with RunFolderLock(folder):`` hold ``folder``'s lock (creating the folder if needed).

    Attributes after entering: ``removed_temporary_files`` (the stale ``.tmp-*``
    files deleted, outermost holder only) and ``created_folders`` (the folders
    it made, innermost first: removed again on release if still empty, so that a
    run that stopped before writing anything leaves nothing behind).
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        self.removed_temporary_files = []
        self.created_folders = []

    def __enter__(self) -> RunFolderLock:
        key = self._key()
        if key in _held:
            _held[key][1] += 1
            return self
        self.created_folders = [folder for folder in (self.folder, *self.folder.parents) if not folder.exists()]
        if self.folder.exists() and not self.folder.is_dir():
            raise NotADirectoryError(20, "Not a directory (the run folder is a file)", str(self.folder))
        self.folder.mkdir(parents=True, exist_ok=True)
        descriptor = _lock_file(self.folder / LOCK_NAME)
        _held[self._key()] = [descriptor, 1]
        self.removed_temporary_files = remove_stale_temporary_files(self.folder)
        return self

    def __exit__(self, *exc_info) -> bool:
        key = self._key()
        entry = _held.get(key)
        if entry is None:
            return False
        entry[1] -= 1
        if entry[1] == 0:
            del _held[key]
            _unlock_file(self.folder / LOCK_NAME, entry[0])
            for folder in self.created_folders:
                if any(folder.iterdir()):
                    break
                folder.rmdir()
        return False

    def _key(self) -> str:
        return os.path.realpath(self.folder)


def _lock_file(path: Path) -> int:
    """Open and lock ``path`` without waiting; write our pid in it.  RunFolderBusy if another process holds it."""
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _try_lock(descriptor)
        except OSError:
            owner = _read_owner(descriptor)
            os.close(descriptor)
            raise RunFolderBusy(
                f"{path.parent} is being written by another run (process {owner}); wait for it to end or "
                f"stop it (kill {owner}), or choose another --out") from None
        # The holder we waited for may have deleted the file as we opened it: lock the file at the path.
        try:
            same_file = os.path.samestat(os.fstat(descriptor), os.stat(path))
        except FileNotFoundError:
            same_file = False
        if same_file:
            os.ftruncate(descriptor, 0)
            os.write(descriptor, f"{os.getpid()}\n".encode())
            return descriptor
        os.close(descriptor)


def _unlock_file(path: Path, descriptor: int) -> None:
    try:
        os.remove(path)                      # while still locked, so that no one locks a deleted file
    except FileNotFoundError:
        pass
    finally:
        os.close(descriptor)                 # closing releases the lock


def _try_lock(descriptor: int) -> None:
    if fcntl is not None:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:
        msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)


def _read_owner(descriptor: int) -> str:
    try:
        os.lseek(descriptor, 0, os.SEEK_SET)
        text = os.read(descriptor, 32).decode(errors="replace").strip()
    except OSError:
        text = ""
    return text if text.isdigit() else "unknown"
