"""Replaying a stored optimizer run (tasks 2.11 and 2.12): the same start, the same gradients, step by step."""

from __future__ import annotations

import numpy as np

from coursework.public.A2.cases import OPTIMIZER_STEPS, PARAMETER_SHAPES
from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.tensor import Tensor


def replay(known: dict, prefix: str, optimizer_class, hyperparameters: dict, update) -> None:
    """Take the stored run ``prefix`` again with ``optimizer_class(params, **hyperparameters)``; after each
    ``step()`` every parameter must hold the stored values (its update changes ``param`` in place, and leaves the
    gradient array as it was)."""
    __tracebackhide__ = True
    params = [Tensor(known[f"{prefix}_p{k}_start"].copy(), requires_grad=True) for k in range(len(PARAMETER_SHAPES))]
    arrays = [p.data for p in params]
    optimizer = optimizer_class(params, **hyperparameters)
    what = f"{optimizer_class.__name__}({', '.join(f'{k}={v}' for k, v in hyperparameters.items())})"
    for step in range(OPTIMIZER_STEPS):
        for k, param in enumerate(params):
            param.grad = known[f"{prefix}_p{k}_grad{step}"].copy()
        with own_code_only(f"{update.__qualname__}", [update]):
            optimizer.step()
        for k, param in enumerate(params):
            assert param.data is arrays[k], (f"{what}: step() replaced parameter {k}'s array; update must change "
                                             "`param` in place (param -= ...)")
            assert np.array_equal(param.grad, known[f"{prefix}_p{k}_grad{step}"]), \
                (f"{what}: step {step + 1} changed parameter {k}'s gradient array in place; compute new arrays "
                 "(grad + weight_decay * param, not grad +=)")
            expect_close(param.data, known[f"{prefix}_p{k}_after{step}"],
                         f"{what}: parameter {k} (shape {param.shape}) after step {step + 1}")
