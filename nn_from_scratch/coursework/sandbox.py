"""Running a command with limits: wall-clock time, memory, output size, and no network.

What is enforced, and where:

* **time**: the parent waits at most ``timeout_s`` and then kills the whole
  process group (and, with namespaces, every process of the child's PID
  namespace); RLIMIT_CPU (``timeout_s`` + 5 CPU seconds) stops a runaway even
  if the parent dies.
* **memory**: RLIMIT_AS (address space) of the assignment's ``memory_mb``; an
  allocation past it raises MemoryError or kills the process.
* **files and processes**: RLIMIT_FSIZE (64 MiB per file written), RLIMIT_CORE 0,
  RLIMIT_NOFILE 256, and RLIMIT_NPROC 256 when not root.
  The resource limits are set by ``runner.py`` on itself, before any test code
  is imported (a ``preexec_fn`` is unsafe with the grader's threads).
* **output**: stdout and stderr go to a pipe that the parent drains; it keeps
  the first and last 32 KiB and counts the rest, so flooding costs the child
  time, never the grader memory or disk.
* **network and the instructor's files**: where ``unshare`` can make user,
  mount, network and PID namespaces (Linux with unprivileged user namespaces,
  or root), the command runs in new ones: no network interface but a downed
  loopback, and the runner covers the instructor's folders with empty
  tmpfs mounts (see ``runner.py``).  Elsewhere (macOS, containers that forbid
  ``unshare``) the runner's in-process socket guard refuses connections
  (best effort: C code could still open sockets) and the folders stay visible.

``namespaces_available()`` says which case holds; the grader reports it.
"""

from __future__ import annotations

import collections
import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

UNSHARE_OPTIONS = ("--user", "--map-root-user", "--mount", "--net", "--pid", "--fork", "--kill-child")
OUTPUT_KEPT = 32 * 1024
_namespaces = None


@dataclass
class SandboxResult:
    returncode: int | None          # None when killed for the time limit
    timed_out: bool
    seconds: float
    output: str                     # the first and last OUTPUT_KEPT bytes of stdout + stderr
    output_bytes: int               # how much the command wrote in all


def namespaces_available() -> bool:
    """True when ``unshare`` can put a command in new user, mount, network and PID namespaces here."""
    global _namespaces
    if _namespaces is None:
        unshare = shutil.which("unshare")
        _namespaces = False
        if unshare is not None:
            try:
                done = subprocess.run([unshare, *UNSHARE_OPTIONS, "true"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, timeout=20)
                _namespaces = done.returncode == 0
            except (OSError, subprocess.SubprocessError):
                _namespaces = False
    return _namespaces


def mount_namespace() -> str | None:
    """This process's mount namespace (the runner hides folders only in another one)."""
    try:
        return os.readlink("/proc/self/ns/mnt")
    except OSError:
        return None


class _OutputKeeper:
    """Drains a pipe in a thread, keeping its head and tail."""

    def __init__(self, stream):
        self.stream = stream
        self.head = bytearray()
        self.tail = collections.deque()
        self.tail_size = 0
        self.total = 0
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self):
        while True:
            chunk = self.stream.read1(65536) if hasattr(self.stream, "read1") else self.stream.read(65536)
            if not chunk:
                break
            self.total += len(chunk)
            room = OUTPUT_KEPT - len(self.head)
            if room > 0:
                self.head += chunk[:room]
                chunk = chunk[room:]
            if chunk:
                self.tail.append(chunk)
                self.tail_size += len(chunk)
                while self.tail and self.tail_size - len(self.tail[0]) >= OUTPUT_KEPT:
                    self.tail_size -= len(self.tail.popleft())

    def text(self) -> str:
        self.thread.join(timeout=5)
        head = self.head.decode("utf-8", errors="replace")
        tail = b"".join(self.tail)[-OUTPUT_KEPT:].decode("utf-8", errors="replace")
        kept = len(self.head) + min(self.tail_size, OUTPUT_KEPT)
        if self.total > kept:
            return f"{head}\n[... {self.total - kept} bytes of output left out ...]\n{tail}"
        return head + tail


def run_limited(command: list, cwd, env: dict, timeout_s: float, use_namespaces: bool = True) -> SandboxResult:
    """Run ``command`` in new namespaces (where possible), killed after ``timeout_s``; never raises for what
    the command does.  The resource limits are set by the command itself: ``runner.py`` sets them first thing."""
    if use_namespaces and namespaces_available():
        command = [shutil.which("unshare"), *UNSHARE_OPTIONS, "--", *command]
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    keeper = _OutputKeeper(process.stdout)
    timed_out = False
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        try:
            if hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)     # the command's children too
            else:                                          # Windows (a student's check): the process itself
                process.kill()
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()
    seconds = time.monotonic() - start
    output = keeper.text()
    process.stdout.close()
    return SandboxResult(None if timed_out else process.returncode, timed_out, seconds, output, keeper.total)
