"""Running a student's step and the reference step side by side on two copies of the same models."""

from __future__ import annotations

import numpy as np

from coursework.public.A3.tiny import gradients_of, parameters_of
from nn_from_scratch.coursework.testing import expect_close


def copy_weights(source, target) -> None:
    target.load_state_dict(source.state_dict())


def expect_same_state(model, reference, what: str, rtol: float = 1e-9) -> None:
    __tracebackhide__ = True
    mine, theirs = parameters_of(model), parameters_of(reference)
    for name in theirs:
        expect_close(mine[name], theirs[name], f"{what}: {name}", rtol=rtol, atol=1e-12)
    for name, value in reference.state_dict().items():
        if "running" in name:
            expect_close(model.state_dict()[name], value, f"{what}: BatchNorm's {name}", rtol=rtol, atol=1e-12)


def expect_no_gradients(model, what: str) -> None:
    __tracebackhide__ = True
    leaked = [name for name, grad in gradients_of(model).items() if grad is not None and np.any(grad != 0)]
    assert not leaked, f"{what}: gradients reached {leaked}"
