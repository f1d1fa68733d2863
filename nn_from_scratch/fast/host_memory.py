"""Keep freed host memory in the process, so that each training step does not page-fault it back.

Why.  A training step allocates dozens of arrays of 0.2-13 MB (activations,
gradients, im2col column matrices) and frees them all by the end of the step.
glibc's ``malloc`` serves blocks that large with ``mmap`` and gives them back
to the kernel on ``free`` (or trims the top of the heap back to the kernel).
The next step asks for the same sizes again, and the kernel hands the memory
back one zero-filled 4 KiB page at a time, on first touch: thousands of page
faults per training step, a sizeable share of its CPU time (counted with
``resource.getrusage``; the figures are in BENCHMARKS.md, "What was changed
for speed").

What.  :func:`keep_freed_memory` sets two ``mallopt`` parameters: the size
above which ``malloc`` uses ``mmap`` (32 MiB instead of the adaptive 128 KiB-
32 MiB) and the free space at the top of the heap that ``free`` keeps
instead of returning it to the kernel (512 MiB instead of 128 KiB-64 MiB).
Freed arrays then stay in the heap and the next step reuses them, and the
page faults of a step all but disappear.  The process keeps its peak
memory until it exits rather than shrinking between steps; the peak itself
does not grow.  The same settings can be made without Python through the
environment: ``MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=536870912``.

It affects the whole process (every library in it, PyTorch included), works
on Linux with glibc only, and does nothing elsewhere: musl, macOS and Windows
allocators behave differently.  The trainers call it when the fast kernels
are on; call it yourself (``nn_from_scratch.fast.keep_freed_memory()``) at the
top of a training script that does not use them.  CuPy keeps its own memory
pool on the GPU and does not need it.
"""

from __future__ import annotations

import ctypes
import platform

# mallopt parameter numbers, from glibc's <malloc.h>
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024      # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD_BYTES = 512 * 1024 * 1024

_applied = False


def keep_freed_memory() -> bool:
    """Make glibc keep freed memory for reuse (see the module docstring).

    Returns True if the settings are in effect (now or from an earlier call),
    False where they cannot be applied (not Linux with glibc).  Safe to call
    any number of times.
    """
    global _applied
    if _applied:
        return True
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    # Both are needed: fixing the trim threshold alone also switches off glibc's
    # adaptive mmap threshold, and then every block above 128 KiB is mmapped.
    _applied = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
                    and libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
    return _applied
