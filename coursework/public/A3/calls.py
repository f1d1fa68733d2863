"""Calling a loss under test (tasks 3.1 and 3.2): float inputs, no overflow allowed, no other task's function."""

from __future__ import annotations

import numpy as np

from coursework.public.A3.shortcuts import own_code_only
from nn_from_scratch.tensor import Tensor

NO_OVERFLOW = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}


def loss_and_grads(loss_of, arrays, what: str, own, dtype=np.float64) -> tuple:
    """(loss, gradient of each array) of ``loss_of(*tensors)``, a scalar Tensor, with its backward run."""
    __tracebackhide__ = True
    tensors = [Tensor(np.array(array, dtype=dtype), requires_grad=True) for array in arrays]
    with own_code_only(what, own), np.errstate(**NO_OVERFLOW):
        try:
            loss = loss_of(*tensors)
        except FloatingPointError as error:
            raise AssertionError(f"{what}: {error}; use binary cross-entropy on the logits, which is stable "
                                 "(F.binary_cross_entropy_with_logits)") from None
    if not isinstance(loss, Tensor) or loss.shape != ():
        raise AssertionError(f"{what}: expected a scalar Tensor, got {loss!r}")
    loss.backward()
    return (loss, *[tensor.grad for tensor in tensors])
