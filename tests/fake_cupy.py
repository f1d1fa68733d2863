"""A fake GPU for CPU-only machines: NumPy dressed up as CuPy, strict about host arrays.

The library's CuPy code paths (``backend.is_cupy_array`` branches,
``to_device``, ``.get()``, ``model.to("cuda")``, ``xp = array_module(x)``
returning the GPU module) cannot run without a CUDA device.  This module
lets them run on the CPU:

* :class:`FakeDeviceArray` is a NumPy array whose class lives in a module
  named ``cupy...``, so ``backend.is_cupy_array`` takes it for a GPU array.
  Like a real CuPy array it refuses to be mixed with NumPy (host) arrays in
  arithmetic, ``numpy`` functions and assignments (``TypeError``), returns
  0-d arrays where NumPy returns scalars, and has ``.get()``.
* :data:`fake_cupy` is the module ``backend.array_module`` returns for such
  arrays: NumPy's functions, with every array they return turned into a
  :class:`FakeDeviceArray`; only ``asarray``/``array`` accept host arrays
  (they "copy them to the device").  ``random`` has CuPy's signatures
  (``random(size, dtype)``, ``seed``).
* inside :func:`no_host_transfers`, every device -> host transfer raises
  :class:`HostTransferError`: ``.get()``, ``.item()``, ``.tolist()``,
  ``float()``, ``int()``, ``bool()`` (an ``if`` on an array) and indexing with a
  device array as an int.  On a real GPU each of those stalls the pipeline.

What it cannot imitate: a real kernel (everything still runs in NumPy), so
dtype rules and speed are NumPy's; and ``numpy.asarray(device_array)``,
which raises on CuPy, silently gives a host array here (the hooks of the
runtime guard catch that, because the result is no longer a device array).

Use it in a test with :func:`installed` (a context manager), or for the
whole suite as a pytest plugin, which runs every ``backend``-parametrised
test's "cupy" case on the fake device::

    PYTHONPATH=tests python -m pytest tests -p fake_cupy      # from the repository root

(``PYTHONPATH=tests``: pytest imports ``-p`` plugins before it puts tests/ on the path.)

Never import it from the library: it is a test double.
"""

from __future__ import annotations

import contextlib
import types

import numpy

from nn_from_scratch import backend


class HostTransferError(AssertionError):
    """A device array was copied to the host (or synchronised on) where that is not allowed."""


_strict_depth = 0


@contextlib.contextmanager
def no_host_transfers():
    """Inside this block, any device -> host transfer of a FakeDeviceArray raises HostTransferError."""
    global _strict_depth
    _strict_depth += 1
    try:
        yield
    finally:
        _strict_depth -= 1


def _refuse_transfer(what: str) -> None:
    if _strict_depth:
        raise HostTransferError(
            f"{what} on a GPU array inside a training step: that copies it to the host and waits for the "
            "GPU. Keep values on the device (xp = array_module(x); xp.<function>), or move the transfer "
            "out of Function.forward/backward and Optimizer.step"
        )


def _is_host_array(value) -> bool:
    """A NumPy array that is not a (fake) device array: CuPy refuses these in computations."""
    return isinstance(value, numpy.ndarray) and not isinstance(value, FakeDeviceArray)


def _refuse_host_arrays(where: str, values) -> None:
    for value in values:
        parts = value if isinstance(value, (list, tuple)) else (value,)
        for part in parts:
            if _is_host_array(part):
                raise TypeError(
                    f"{where}: got a NumPy (host) array of shape {part.shape} together with GPU arrays; "
                    "CuPy refuses that. Create arrays with the inputs' module (xp = array_module(x)) "
                    "or move them with backend.to_device(array, 'cuda') first"
                )


def _to_device(value):
    """Turn what a NumPy function returned into what the CuPy function would: device arrays, 0-d not scalars."""
    if isinstance(value, FakeDeviceArray):
        return value
    if isinstance(value, numpy.ndarray):
        return value.view(FakeDeviceArray)
    if isinstance(value, numpy.generic):
        return numpy.asarray(value).view(FakeDeviceArray)
    if isinstance(value, tuple):
        return tuple(_to_device(v) for v in value)
    if isinstance(value, list):
        return [_to_device(v) for v in value]
    return value


def _to_host_view(value):
    """A plain-NumPy view of a device array (no copy), for handing it to NumPy's own code."""
    if isinstance(value, FakeDeviceArray):
        return value.view(numpy.ndarray)
    if isinstance(value, (list, tuple)):
        return type(value)(_to_host_view(v) for v in value)
    return value


class FakeDeviceArray(numpy.ndarray):
    """A NumPy array that the library takes for a CuPy array (see the module docstring)."""

    # ---- what CuPy refuses: mixing with host arrays ------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        checked = (inputs[0],) + inputs[2:] if method == "at" else inputs      # ufunc.at(a, index, b)
        _refuse_host_arrays(f"numpy.{ufunc.__name__}{'' if method == '__call__' else '.' + method}",
                            checked + (out or ()))
        inputs = tuple(_to_host_view(i) for i in inputs)
        if out is not None:
            kwargs["out"] = tuple(_to_host_view(o) for o in out)
        result = getattr(ufunc, method)(*inputs, **kwargs)
        if method == "at":
            return None
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _to_device(result)

    def __array_function__(self, func, types, args, kwargs):
        _refuse_host_arrays(f"numpy.{func.__name__}", list(args) + list(kwargs.values()))
        return _to_device(func._implementation(*_to_host_view(list(args)),
                                               **{k: _to_host_view(v) for k, v in kwargs.items()}))

    def __setitem__(self, index, value):
        # CuPy takes scalars and device arrays only ("non-scalar numpy.ndarray cannot be used for
        # fill"; a list is an "Unsupported type"): copy host values with backend.to_device first.
        if isinstance(value, (list, tuple)) or (_is_host_array(value) and value.size != 1):
            raise TypeError(f"array[...] = {type(value).__name__}: CuPy refuses host values here; move them "
                            "with backend.to_device(numpy.asarray(values), 'cuda') first")
        super().__setitem__(index, value)

    def __getitem__(self, index):
        return _to_device(super().__getitem__(index))      # CuPy gives a 0-d array, not a scalar

    # ---- device -> host transfers ---------------------------------------------------------
    def get(self, stream=None):
        """Like ``cupy.ndarray.get``: a host (NumPy) copy."""
        _refuse_transfer(".get()")
        return numpy.array(self.view(numpy.ndarray), copy=True)

    def item(self, *args):
        _refuse_transfer(".item()")
        return self.view(numpy.ndarray).item(*args)

    def tolist(self):
        _refuse_transfer(".tolist()")
        return self.view(numpy.ndarray).tolist()

    def __float__(self):
        _refuse_transfer("float()")
        return float(self.view(numpy.ndarray))

    def __int__(self):
        _refuse_transfer("int()")
        return int(self.view(numpy.ndarray))

    def __index__(self):
        _refuse_transfer("using an array as an int")
        return self.view(numpy.ndarray).__index__()

    def __bool__(self):
        _refuse_transfer("bool() (an `if` on an array)")
        return bool(self.view(numpy.ndarray))


# backend.is_cupy_array looks at the module of the array's class.
FakeDeviceArray.__module__ = "cupy._fake_device"


# ---- the fake cupy module ------------------------------------------------------------------

# NumPy names that CuPy does not have: code that uses them through xp fails on a GPU.
_NOT_IN_CUPY = {"errstate", "seterr", "geterr", "array2string", "array_repr", "set_printoptions", "printoptions"}

# Functions that, as in CuPy, accept host data and return a copy on the device.
_ACCEPT_HOST_DATA = {"asarray", "array", "asanyarray"}


def _device_function(function, name: str):
    def call(*args, **kwargs):
        if name not in _ACCEPT_HOST_DATA:
            _refuse_host_arrays(f"cupy.{name}", list(args) + list(kwargs.values()))
        return _to_device(function(*_to_host_view(args), **{k: _to_host_view(v) for k, v in kwargs.items()}))

    call.__name__ = name
    call.__doc__ = f"Fake ``cupy.{name}``: ``numpy.{name}`` returning device arrays."
    return call


class _FakeUfunc:
    """``cupy.add`` and friends: calling it, and its ``.at`` / ``.reduce`` methods, on device arrays."""

    def __init__(self, ufunc):
        self._ufunc = ufunc

    def __call__(self, *args, **kwargs):
        _refuse_host_arrays(f"cupy.{self._ufunc.__name__}", list(args) + [kwargs.get("out")])
        return _to_device(self._ufunc(*args, **kwargs))

    def at(self, a, indices, b=None):
        _refuse_host_arrays(f"cupy.{self._ufunc.__name__}.at", (a, b))
        self._ufunc.at(a, indices, b) if b is not None else self._ufunc.at(a, indices)

    def __getattr__(self, name):
        return getattr(self._ufunc, name)


class _FakeRandom:
    """``cupy.random`` with CuPy's signatures (``random(size, dtype)``), drawing with a NumPy Generator."""

    def __init__(self):
        self._generator = numpy.random.default_rng(0)

    def seed(self, seed=None):
        self._generator = numpy.random.default_rng(seed)

    def random(self, size=None, dtype=float):
        return _to_device(self._generator.random(size, dtype=dtype))

    random_sample = random

    def standard_normal(self, size=None, dtype=float):
        return _to_device(self._generator.standard_normal(size, dtype=dtype))

    def normal(self, loc=0.0, scale=1.0, size=None, dtype=float):
        return _to_device(self._generator.normal(loc, scale, size).astype(dtype))

    def uniform(self, low=0.0, high=1.0, size=None, dtype=float):
        return _to_device(self._generator.uniform(low, high, size).astype(dtype))

    def __getattr__(self, name):
        raise AttributeError(f"the fake cupy.random has no {name!r}; add it to tests/fake_cupy.py "
                             "with CuPy's signature")


class _FakeModule(types.ModuleType):
    """A NumPy (sub)module seen as the matching CuPy one: its functions return device arrays."""

    def __init__(self, module, name: str):
        super().__init__(name)
        self._module = module

    def __getattr__(self, name):
        value = getattr(self._module, name)
        if isinstance(value, types.ModuleType):
            return _FakeModule(value, f"{self.__name__}.{name}")
        if isinstance(value, numpy.ufunc):
            return _FakeUfunc(value)
        if name in _NOT_IN_CUPY:
            raise AttributeError(f"module 'cupy' has no attribute {name!r} (NumPy has it, CuPy does not)")
        if isinstance(value, type) or not callable(value):
            return value                                   # dtypes (float32), constants (pi, newaxis)
        return _device_function(value, name)


class _FakeCupy(_FakeModule):
    ndarray = FakeDeviceArray
    __version__ = "0.0-fake"

    def __init__(self):
        super().__init__(numpy, "cupy")
        self.random = _FakeRandom()
        self.cuda = types.SimpleNamespace(is_available=lambda: True)

    @staticmethod
    def asnumpy(array):
        return array.get() if isinstance(array, FakeDeviceArray) else numpy.asarray(array)


fake_cupy = _FakeCupy()


@contextlib.contextmanager
def installed():
    """Make ``backend`` find the fake cupy (``use("cupy")``, ``to("cuda")`` work); restore on exit.

    The current backend is left as it was (numpy, normally): call
    ``nf.backend.use("cupy")`` inside the block to create tensors on the fake device.
    """
    saved = backend._cupy_module, backend._cupy_reason, backend._current
    backend._cupy_module = fake_cupy
    try:
        yield fake_cupy
    finally:
        backend._cupy_module, backend._cupy_reason, backend._current = saved


def is_device_array(value) -> bool:
    return isinstance(value, FakeDeviceArray)


# ---- as a pytest plugin: `python -m pytest tests -p fake_cupy` --------------------------------

def pytest_configure(config):
    """Installed for the whole session, unless a real CuPy device is usable (then it runs the cases)."""
    if backend._cupy_module is None and backend.cupy_unavailable_reason() is not None:
        backend._cupy_module = fake_cupy


def pytest_report_header(config):
    if backend._cupy_module is fake_cupy:
        return "backend 'cupy' is FAKE: NumPy dressed as CuPy (tests/fake_cupy.py), not a GPU"
    return None
