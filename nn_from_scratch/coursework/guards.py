"""In-process guards for code under test: modules it may not import, and no network.

``ModuleBlocker`` makes ``import torch`` (or any listed module) fail with a
message saying why; the public tests use it around each task test, the
grader's runner for the whole test process.  ``block_network`` makes every
socket connection fail: the grader's fallback where no network namespace can
be made (see :mod:`nn_from_scratch.coursework.sandbox`).
"""

from __future__ import annotations

import sys


class ForbiddenImportError(ImportError):
    """Raised by ``import name`` for a module the assignment forbids."""


class ModuleBlocker:
    """A ``sys.meta_path`` finder that refuses the listed top-level modules (and their submodules).

    As a context manager it also hides such modules already imported (from
    ``sys.modules``) and puts them back on exit; ``install()`` blocks for the
    rest of the process.
    """

    def __init__(self, names, reason: str):
        self.names = tuple(names)
        self.reason = reason
        self.hidden = {}

    def blocks(self, fullname: str) -> bool:
        return fullname.split(".")[0] in self.names

    def find_spec(self, fullname, path=None, target=None):
        if self.blocks(fullname):
            raise ForbiddenImportError(f"import {fullname}: {self.reason}")
        return None

    def install(self) -> ModuleBlocker:
        for name in list(sys.modules):
            if self.blocks(name):
                self.hidden[name] = sys.modules.pop(name)
        sys.meta_path.insert(0, self)
        return self

    def uninstall(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        sys.modules.update(self.hidden)
        self.hidden = {}

    def __enter__(self) -> ModuleBlocker:
        return self.install()

    def __exit__(self, *exc_info) -> bool:
        self.uninstall()
        return False


def forbidden_reason(assignment_id: str) -> str:
    return (f"not allowed in assignment {assignment_id}'s tasks (the tests and the grader refuse it): "
            "write the computation yourself with NumPy")


class NetworkBlockedError(OSError):
    """Raised by every socket operation that would reach the network while grading."""


def block_network() -> None:
    """Make socket connections, name lookups and binds fail for the rest of the process."""
    import socket

    def refuse(*args, **kwargs):
        raise NetworkBlockedError("network access is disabled while grading")

    for name in ("connect", "connect_ex", "bind", "sendto", "sendmsg"):
        setattr(socket.socket, name, refuse)
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    socket.gethostbyname = refuse
    socket.gethostbyname_ex = refuse
