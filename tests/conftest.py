"""Shared fixtures.

``backend``: parametrises a test over the array backends.  NumPy always
runs; CuPy runs where CuPy is installed and a CUDA device exists, and is
skipped with the reason otherwise.  Inside the test, tensors created from
NumPy arrays land on the selected backend (``nf.Tensor(numpy_array)``), and
``to_host`` brings results back for comparisons.

``kernels``: parametrises a test over the kernel sets, "textbook" and "fast":
every gradient check, comparison with the loops and parity test takes it.

Without ``-v`` or ``-q`` the run is reported as with ``-q`` (dots, no file
names), and the end summarises the skipped tests by reason, with a count for
each, instead of one line per test (pyproject's ``-rfE`` lists only failures
and errors), so that the output fits a screen on a machine without a GPU.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import nn_from_scratch as nf

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
MNIST_10K = SHARED_DATA / "mnist-10k"


@pytest.fixture(params=["numpy", "cupy"])
def backend(request):
    """The name of the backend under test ("numpy" or "cupy"), made current for the test."""
    name = request.param
    if name == "cupy":
        reason = nf.backend.cupy_unavailable_reason()
        if reason is not None:
            pytest.skip(f"CuPy backend not tested: {reason}")
    previous = nf.backend.current()
    nf.backend.use(name)
    yield name
    nf.backend.use(previous)


@pytest.fixture(params=["textbook", "fast"])
def kernels(request):
    """The kernel set under test ("textbook" or "fast"), in use for the test (see nn_from_scratch/kernels.py)."""
    with nf.kernels.using(request.param):
        yield request.param


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def to_host(value):
    """A NumPy array from a Tensor or a backend array."""
    if isinstance(value, nf.Tensor):
        value = value.data
    return nf.backend.to_numpy(value)


@pytest.fixture
def mnist_10k_dir():
    if not (MNIST_10K / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"shared MNIST-10k data not found at {MNIST_10K}")
    return MNIST_10K


@pytest.fixture(scope="session")
def tiny_mnist_dir(tmp_path_factory):
    """A folder of MNIST-named IDX files holding 256 training and 64 test images of random pixels.

    Made here, so that the tests that use it run everywhere, also without ../shared: for the
    command line's errors, interruptions and resumes, what the images show does not matter.
    """
    from nn_from_scratch.data import write_idx
    folder = tmp_path_factory.mktemp("tiny-mnist")
    generator = np.random.default_rng(0)
    for prefix, count in (("train", 256), ("t10k", 64)):
        images = generator.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", generator.integers(0, 10, count, dtype=np.uint8))
    return folder


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Quiet by default (before the terminal reporter reads the verbosity); -v and -q work as usual."""
    if config.option.verbose == 0:
        config.option.verbose = -1


def pytest_terminal_summary(terminalreporter):
    """One line per distinct skip reason, with the number of tests it skipped."""
    reasons = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if reasons:
        terminalreporter.section(f"{sum(reasons.values())} skipped, by reason", sep="-")
        for reason, count in reasons.most_common():
            terminalreporter.write_line(f"{count:5d}  {reason}")
