"""Calling a task's code in assignment A2's tests: directly, without shortcuts, without changing its inputs."""

from __future__ import annotations

import numpy as np

from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch.tensor import Tensor


def as_tuple(grads) -> tuple:
    return grads if isinstance(grads, tuple) else (grads,)


def forward_backward(function, arrays, grad_output, what: str, own=(), requires_grad=None, dtype=np.float64):
    """Apply the Function instance ``function`` to tensors of ``arrays`` (cast to ``dtype``), then call its
    ``backward(grad_output)`` directly (not through the engine), both inside :func:`own_code_only`.

    Returns (output array, tuple of gradients); with ``grad_output`` None only forward runs (gradients None).
    Fails when forward changed an input array or backward changed grad_output in place (the engine may hand the
    same array to other ops).
    """
    __tracebackhide__ = True
    requires_grad = requires_grad or [True] * len(arrays)
    tensors = [Tensor(np.array(a, dtype=dtype), requires_grad=r) for a, r in zip(arrays, requires_grad)]
    before = [t.data.copy() for t in tensors]
    g = None if grad_output is None else np.array(grad_output, dtype=dtype)
    g_before = None if g is None else g.copy()
    with own_code_only(what, [type(function), *own]):
        y = function(*tensors)
        for position, (tensor, original) in enumerate(zip(tensors, before)):
            if not np.array_equal(tensor.data, original, equal_nan=True):
                raise AssertionError(f"{what}: forward changed its input {position} in place; compute a new array "
                                     "instead (the input may be used elsewhere in the graph)")
        grads = None if g is None else as_tuple(function.backward(g))
    if grads is not None:
        if not np.array_equal(g, g_before, equal_nan=True):
            raise AssertionError(f"{what}: backward changed grad_output in place; compute a new array instead (the "
                                 "engine may pass the same array to other ops)")
        if len(grads) != len(arrays):
            raise AssertionError(f"{what}: backward returned {len(grads)} gradient(s), expected {len(arrays)} (one "
                                 "per input of forward)")
    return y.data, grads


def expect_dtype(array, dtype, what: str) -> None:
    __tracebackhide__ = True
    got = getattr(array, "dtype", None)
    if got != np.dtype(dtype):
        raise AssertionError(f"{what}: expected dtype {np.dtype(dtype)} (the input's: float32 layers must stay "
                             f"float32), got {got}")
