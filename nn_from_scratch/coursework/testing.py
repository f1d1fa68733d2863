"""Helpers for the coursework tests: comparisons that explain themselves, known values, gradchecks.

Every failure message says what was compared, expected versus got (shape,
dtype, the worst element and its relative error, the whole arrays when they
are small), so that ``coursework check`` can show it as it is.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy

from ..gradcheck import gradcheck
from ..tensor import Tensor

SMALL_ARRAY = 24        # arrays of at most this many elements are printed whole

# gradcheck tolerances of the hidden tests: a gradient 0.1% off fails them by a factor of about 1000, while
# float64 central differences (eps 1e-6) of smooth functions of moderate size stay within them
STRICT_GRADCHECK = {"atol": 1e-8, "rtol": 1e-6}


def not_implemented_task(error: BaseException) -> str | None:
    """The task id in a stub's NotImplementedError ("Task 1.3: ..."), or None."""
    if not isinstance(error, NotImplementedError):
        return None
    match = re.match(r"Task (\d+\.\d+):", str(error))
    return match.group(1) if match else None


def load_known_values(test_file, name: str) -> dict:
    """The arrays of ``data/<name>.npz`` next to ``test_file`` (written by coursework/generators/)."""
    path = Path(test_file).resolve().parent / "data" / f"{name}.npz"
    if not path.is_file():
        raise FileNotFoundError(f"known values {path} are missing: regenerate them with "
                                f"python coursework/generators/generate_{path.parent.parent.name}.py")
    with numpy.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def _as_array(value):
    if isinstance(value, Tensor):
        value = value.data
    from ..backend import to_numpy
    return to_numpy(value) if hasattr(value, "shape") else numpy.asarray(value)


def _show(array) -> str:
    return numpy.array2string(numpy.asarray(array), precision=8, separator=", ", threshold=SMALL_ARRAY,
                              edgeitems=3, max_line_width=100)


def expect_close(got, expected, what: str, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """Assert that ``got`` has ``expected``'s shape and values (|got - expected| <= atol + rtol |expected|)."""
    __tracebackhide__ = True    # pytest shows the test's line, not this helper's
    if got is None:
        raise AssertionError(f"{what}: expected an array of shape {numpy.shape(expected)}, got None")
    if isinstance(got, (tuple, list)) and not isinstance(expected, (tuple, list)):
        raise AssertionError(f"{what}: expected one array of shape {numpy.shape(expected)}, got a "
                             f"{type(got).__name__} of {len(got)} items")
    got_array, expected_array = _as_array(got), numpy.asarray(expected)
    if got_array.shape != expected_array.shape:
        raise AssertionError(f"{what}: expected shape {expected_array.shape}, got shape {got_array.shape}\n"
                             f"expected:\n{_show(expected_array)}\ngot:\n{_show(got_array)}")
    if got_array.dtype.kind not in "fiub":
        raise AssertionError(f"{what}: expected numbers, got an array of dtype {got_array.dtype}")
    got64, expected64 = got_array.astype(numpy.float64), expected_array.astype(numpy.float64)
    if not numpy.all(numpy.isfinite(got64)) and numpy.all(numpy.isfinite(expected64)):
        index = tuple(int(i) for i in numpy.argwhere(~numpy.isfinite(got64))[0])
        raise AssertionError(f"{what}: got a non-finite value {got64[index]} at index {index}")
    difference = numpy.abs(got64 - expected64)
    excess = difference - (atol + rtol * numpy.abs(expected64))
    if excess.size == 0 or excess.max() <= 0:
        return
    worst = numpy.unravel_index(int(numpy.argmax(excess)), excess.shape)
    worst_index = tuple(int(i) for i in worst)
    scale = max(abs(expected64[worst]) + abs(got64[worst]), 1e-300)
    message = (f"{what}: {int((excess > 0).sum())} of {excess.size} elements differ; worst at index "
               f"{worst_index}: expected {expected64[worst]:.10g}, got {got64[worst]:.10g} "
               f"(relative error {difference[worst] / scale:.2e})")
    if expected64.size <= SMALL_ARRAY:
        message += f"\nexpected:\n{_show(expected64)}\ngot:\n{_show(got64)}"
    raise AssertionError(message)


def expect_shape(got, shape: tuple, what: str) -> None:
    __tracebackhide__ = True    # pytest shows the test's line, not this helper's
    got_shape = tuple(_as_array(got).shape) if got is not None else None
    if got_shape != tuple(shape):
        raise AssertionError(f"{what}: expected shape {tuple(shape)}, got {got_shape}")


def backward_of(function, arrays, grad_output, requires_grad=None) -> tuple:
    """Apply ``function`` (a fresh Function instance) to float64 tensors of ``arrays``, then call its
    ``backward(grad_output)`` directly (not through the engine); returns the gradients as a tuple."""
    __tracebackhide__ = True    # pytest shows the test's line, not this helper's
    requires_grad = requires_grad or [True] * len(arrays)
    tensors = [Tensor(numpy.array(a, dtype=numpy.float64), requires_grad=r) for a, r in zip(arrays, requires_grad)]
    function(*tensors)
    grads = function.backward(numpy.array(grad_output, dtype=numpy.float64))
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(arrays):
        raise AssertionError(f"{type(function).__name__}.backward: expected {len(arrays)} gradients (one per "
                             f"input), got {len(grads)}")
    return grads


def gradcheck_or_skip(fn, inputs, task_id: str, **tolerances) -> None:
    """``nf.gradcheck(fn, inputs)``, skipped while a task it needs is not written yet.

    gradcheck runs the backward engine (tasks of the autograd assignment) and
    ``numerical_gradient``: in a release they may still be stubs.
    """
    __tracebackhide__ = True    # pytest shows the test's line, not this helper's
    import pytest

    try:
        gradcheck(fn, inputs, **tolerances)
    except NotImplementedError as error:
        other = not_implemented_task(error)
        if other is not None and other != task_id:
            pytest.skip(f"gradcheck needs Task {other} first (it runs backward and numerical_gradient)")
        raise


def random_array(rng, shape, low: float = -2.0, high: float = 2.0, away_from_zero: float = 0.0):
    """Uniform float64 values in [low, high], with |x| >= away_from_zero."""
    values = rng.uniform(low, high, size=shape)
    if away_from_zero:
        values = numpy.where(numpy.abs(values) < away_from_zero,
                             numpy.copysign(away_from_zero, values) + values, values)
    return values


def expect_adjoint(forward, backward, x, g, what: str, rtol: float = 1e-10) -> None:
    """The dot-product test of a linear map A and its backward: <g, A x> == <A^T g, x>.

    For a linear op the backward is exactly the transpose; a missing sum, a
    wrong permutation or a lost index shows up as unequal products.
    """
    __tracebackhide__ = True    # pytest shows the test's line, not this helper's
    left = float(numpy.sum(numpy.asarray(g, dtype=numpy.float64) * forward(x)))
    right = float(numpy.sum(numpy.asarray(backward(g), dtype=numpy.float64) * x))
    if abs(left - right) > rtol * max(abs(left), abs(right), 1.0):
        raise AssertionError(f"{what}: the backward is not the transpose of the forward: <g, A x> = {left:.12g} "
                             f"but <backward(g), x> = {right:.12g}")
