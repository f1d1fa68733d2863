"""keep_freed_memory: after it, a training-step-like pattern of allocations stops page-faulting."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

import nn_from_scratch as nf
import nn_from_scratch.fast

GLIBC_LINUX = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# A fresh process allocates, fills and frees 40 arrays of 0.2-13 MB (like the
# activations, gradients and column matrices of a step) ten times over, and
# prints the minor page faults of the last cycles per page it wrote.
CYCLES = textwrap.dedent("""
    import json, resource, sys
    import numpy as np
    import nn_from_scratch.fast
    applied = nn_from_scratch.fast.keep_freed_memory() if sys.argv[1] == "keep" else False
    sizes = np.random.default_rng(0).integers(50_000, 3_300_000, size=40)     # float32 elements
    def cycle():
        arrays = [np.ones(n, dtype=np.float32) for n in sizes]
        del arrays
    for _ in range(3):
        cycle()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(7):
        cycle()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    pages = 7 * int(sizes.sum()) * 4 // 4096
    print(json.dumps({"applied": applied, "faults_per_page": faults / pages}))
""")


def run_cycles(mode: str) -> dict:
    import json
    done = subprocess.run([sys.executable, "-c", CYCLES, mode], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not GLIBC_LINUX, reason="keep_freed_memory acts on glibc's malloc (Linux) only")
def test_keep_freed_memory_stops_page_faults():
    kept = run_cycles("keep")
    assert kept["applied"] is True
    assert kept["faults_per_page"] < 0.01, kept       # freed memory is reused, not faulted in again


@pytest.mark.skipif(not GLIBC_LINUX, reason="keep_freed_memory acts on glibc's malloc (Linux) only")
def test_keep_freed_memory_is_idempotent():
    assert nf.fast.keep_freed_memory() is True
    assert nf.fast.keep_freed_memory() is True


@pytest.mark.skipif(GLIBC_LINUX, reason="only meaningful where glibc is absent")
def test_keep_freed_memory_is_a_no_op_elsewhere():
    assert nf.fast.keep_freed_memory() is False
