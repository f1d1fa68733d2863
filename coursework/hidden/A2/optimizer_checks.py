"""Running an optimizer of the library and the reference side by side (hidden tests of tasks 2.11 and 2.12)."""

from __future__ import annotations

import numpy as np

from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.tensor import Tensor

SHAPES = [(3, 4), (5,), (2, 1, 3)]


def draw(rng, steps, scale=1.0, dtype=np.float64):
    """(start values, gradients of every step) for the parameters of SHAPES."""
    starts = [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]
    grads = [[(scale * rng.standard_normal(shape)).astype(dtype) for shape in SHAPES] for _ in range(steps)]
    return starts, grads


def run(optimizer_class, hyperparameters, starts, grads_per_step, update, resume_after=None):
    """Parameters after each step; with ``resume_after`` the optimizer is rebuilt from its state_dict after that
    many steps (a killed run that resumes).  Fails when a step changes a gradient array in place."""
    __tracebackhide__ = True
    params = [Tensor(start.copy(), requires_grad=True) for start in starts]
    optimizer = optimizer_class(params, **hyperparameters)
    history = []
    for step, grads in enumerate(grads_per_step):
        if step == resume_after:
            saved = optimizer.state_dict()
            optimizer = optimizer_class(params, **hyperparameters)
            optimizer.load_state_dict(saved)
        for param, grad in zip(params, grads):
            param.grad = grad.copy()
        with own_code_only(update.__qualname__, [update]):
            optimizer.step()
        for k, (param, grad) in enumerate(zip(params, grads)):
            assert np.array_equal(param.grad, grad), (f"{optimizer_class.__name__}.step changed parameter {k}'s "
                                                      "gradient in place: compute new arrays (g + wd * p, not g +=)")
        history.append([param.data.copy() for param in params])
    return history


def expect_same_history(got, expected, what, **tolerances):
    __tracebackhide__ = True
    for step, (params, wanted) in enumerate(zip(got, expected)):
        for k, (param, want) in enumerate(zip(params, wanted)):
            expect_close(param, want, f"{what}: parameter {k} (shape {want.shape}) after step {step + 1}",
                         **tolerances)
