"""The NumPy/CuPy switch: the one place in the library that imports ``cupy``.

Every array operation in the library asks *its inputs* which array module to
use (``xp = array_module(x)``), so the same code runs on NumPy arrays (CPU)
and on CuPy arrays (an NVIDIA GPU).  This module decides

* which module **new** tensors are created with (:func:`use`, or the
  environment variable ``NN_FROM_SCRATCH_BACKEND``),
* how arrays move between devices (:func:`to_device`, :func:`to_numpy`),
* why CuPy cannot be used, when it cannot (:func:`cupy_unavailable_reason`).

Devices are named like PyTorch's: ``"cpu"`` (NumPy) and ``"cuda"`` (CuPy).

    >>> import nn_from_scratch as nf
    >>> nf.backend.use("numpy")
    >>> nf.backend.current()
    'numpy'
"""

from __future__ import annotations

import contextlib
import os

import numpy

ENV_VARIABLE = "NN_FROM_SCRATCH_BACKEND"
BACKENDS = ("numpy", "cupy")
DEVICE_OF_BACKEND = {"numpy": "cpu", "cupy": "cuda"}
BACKEND_OF_DEVICE = {"cpu": "numpy", "cuda": "cupy", "gpu": "cupy"}


class BackendError(RuntimeError):
    """Raised when a backend or device is asked for that cannot be used."""


class DeviceMismatchError(RuntimeError):
    """Raised when one operation receives arrays that live on different devices."""


# --------------------------------------------------------------------------
# CuPy availability
# --------------------------------------------------------------------------

_cupy_module = None          # the imported cupy module, once it has been found usable
_cupy_reason = "not checked yet"


def cupy_unavailable_reason() -> str | None:
    """Return why CuPy cannot be used here, or ``None`` when it can.

    CuPy counts as usable only when it imports *and*
    ``cupy.cuda.is_available()`` reports a CUDA device.
    """
    global _cupy_module, _cupy_reason
    if _cupy_module is not None:
        return None
    try:
        import cupy  # the only cupy import in the library
    except ImportError as error:
        _cupy_reason = (
            f"CuPy is not installed ({error}); install it with "
            "`pip install nn-from-scratch[cuda12]` or `[cuda13]` matching your CUDA driver, "
            "or use the 'numpy' backend"
        )
        return _cupy_reason
    try:
        available = bool(cupy.cuda.is_available())
    except Exception as error:  # a broken driver raises instead of returning False
        available = False
        _cupy_reason = f"CuPy is installed but CUDA failed to initialise ({error})"
    else:
        _cupy_reason = "CuPy is installed but no CUDA device is available (cupy.cuda.is_available() is False)"
    if not available:
        return _cupy_reason + "; use the 'numpy' backend on this machine"
    _cupy_module = cupy
    return None


def cupy_is_available() -> bool:
    """True when CuPy is installed and a CUDA device is present."""
    return cupy_unavailable_reason() is None


def _require_cupy():
    reason = cupy_unavailable_reason()
    if reason is not None:
        raise BackendError(reason)
    return _cupy_module


# --------------------------------------------------------------------------
# The current backend (used for *new* tensors only)
# --------------------------------------------------------------------------

_current = "numpy"
_environment_problem = None   # why NN_FROM_SCRATCH_BACKEND could not be followed, until use() is called


def use(name: str) -> None:
    """Make ``name`` ("numpy" or "cupy") the backend that new tensors are created with.

    Raises :class:`BackendError` with the reason when CuPy is asked for but
    cannot be used.  An explicit choice replaces the environment variable's.
    """
    global _current, _environment_problem
    name = str(name).lower()
    if name not in BACKENDS:
        raise BackendError(f"unknown backend {name!r}: expected one of {BACKENDS}")
    if name == "cupy":
        _require_cupy()
    _current = name
    _environment_problem = None


def environment_problem() -> str | None:
    """Why the backend named by ``NN_FROM_SCRATCH_BACKEND`` cannot be used (None: no problem).

    ``import nn_from_scratch`` does not fail on a bad value (the command line
    must be able to report it in one line); creating the first tensor does,
    with this message, unless :func:`use` chose a backend first.
    """
    return _environment_problem


def _check_environment() -> None:
    if _environment_problem is not None:
        raise BackendError(_environment_problem)


def current() -> str:
    """The name of the backend new tensors are created with: "numpy" or "cupy"."""
    _check_environment()
    return _current


def default_device() -> str:
    """The device new tensors are created on: "cpu" or "cuda"."""
    _check_environment()
    return DEVICE_OF_BACKEND[_current]


def xp_for_new_arrays():
    """The array module (``numpy`` or ``cupy``) that new tensors are created with."""
    _check_environment()
    return numpy if _current == "numpy" else _require_cupy()


def _use_environment_variable() -> None:
    global _environment_problem
    requested = os.environ.get(ENV_VARIABLE, "").strip().lower()
    if requested:
        try:
            use(requested)
        except BackendError as error:
            _environment_problem = (f"{ENV_VARIABLE}={requested!r}: {error}; unset it or set it to "
                                    f"{' or '.join(BACKENDS)} (or call nn_from_scratch.backend.use(...) first)")


# --------------------------------------------------------------------------
# Arrays and devices
# --------------------------------------------------------------------------


def is_cupy_array(array) -> bool:
    """True when ``array`` is a CuPy array (checked without importing CuPy)."""
    return type(array).__module__.startswith("cupy")


def array_module(*arrays):
    """Return ``numpy`` or ``cupy``: the module that ``arrays`` belong to.

    Non-array arguments (Python numbers, ``None``) are ignored.  Raises
    :class:`DeviceMismatchError` when some arrays are NumPy and others CuPy.
    """
    on_gpu = [is_cupy_array(a) for a in arrays if a is not None and hasattr(a, "shape")]
    if any(on_gpu):
        if not all(on_gpu):
            raise DeviceMismatchError(
                "expected all arrays on one device, got arrays on both 'cpu' and 'cuda': "
                "move them with .to('cuda') or .to('cpu') first"
            )
        return _require_cupy()
    return numpy


def device_of(array) -> str:
    """"cuda" for a CuPy array, "cpu" for anything else."""
    return "cuda" if is_cupy_array(array) else "cpu"


def normalize_device(device) -> str:
    """Turn "cpu", "cuda", "cuda:0", "gpu", "numpy" or "cupy" into "cpu" or "cuda"."""
    name = str(device).lower().split(":")[0]
    if name in BACKEND_OF_DEVICE:
        return "cuda" if name in ("cuda", "gpu") else "cpu"
    if name in DEVICE_OF_BACKEND:
        return DEVICE_OF_BACKEND[name]
    raise BackendError(f"unknown device {device!r}: expected 'cpu' or 'cuda'")


def to_device(array, device):
    """Return ``array`` on ``device`` ("cpu" or "cuda"); no copy when it is already there."""
    device = normalize_device(device)
    if device == "cuda":
        cupy = _require_cupy()
        return array if is_cupy_array(array) else cupy.asarray(array)
    return to_numpy(array)


def broadcast_shapes(*shapes) -> tuple:
    """The shape that ``shapes`` broadcast to (shapes are host tuples, whatever the backend)."""
    return numpy.broadcast_shapes(*shapes)


def ignore_float_warnings(xp):
    """A context in which log(0) = -inf and the like give no RuntimeWarning.

    NumPy warns on such values, CuPy never does; losses that clamp -inf on
    purpose (binary cross-entropy on probabilities) compute inside it.
    """
    if xp is numpy:
        return numpy.errstate(divide="ignore", invalid="ignore", over="ignore")
    return contextlib.nullcontext()


def to_numpy(array):
    """Return ``array`` as a NumPy array (copying it to the host if it is a CuPy array)."""
    if is_cupy_array(array):
        return array.get()
    return numpy.asarray(array)


_use_environment_variable()
