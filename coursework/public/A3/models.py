"""Checking a model the student builds (tasks 3.3 and 3.4): its state's names and shapes, then its outputs for
given weights, in training and in evaluation mode."""

from __future__ import annotations

import numpy as np

from coursework.public.A3.cases import as_inputs, random_state, state_shapes
from coursework.public.A3.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.tensor import no_grad


def expect_state_shapes(model, known: dict, prefix: str, what: str) -> dict:
    """The model's state (parameters and BatchNorm buffers) has exactly the known names and shapes."""
    __tracebackhide__ = True
    expected = state_shapes(known, prefix)
    got = {name: tuple(np.shape(value)) for name, value in model.state_dict().items()}
    if got != expected:
        missing = sorted(set(expected) - set(got))
        extra = sorted(set(got) - set(expected))
        wrong = sorted(name for name in set(got) & set(expected) if got[name] != expected[name])
        raise AssertionError(f"{what}: its parameters and buffers differ from the architecture of the docstring: "
                             f"missing {missing}, unexpected {extra}, wrong shapes "
                             f"{[(name, got[name], expected[name]) for name in wrong]} (name: expected shape "
                             f"{ {name: expected[name] for name in missing} })")
    return expected


def expect_outputs(build, known: dict, prefix: str, what: str, seed: int, own) -> None:
    """Build the model (float64), give it the known weights, compare its outputs in both modes."""
    __tracebackhide__ = True
    with own_code_only(what, own):
        model = build().double()
    state = random_state(seed, expect_state_shapes(model, known, prefix, what))
    model.load_state_dict(state)
    inputs = as_inputs([known[key] for key in sorted(k for k in known if k.startswith(f"{prefix}_in"))])
    with own_code_only(what, own):
        trained = model(*inputs)
    expect_close(trained, known[f"{prefix}_train"], f"{what} in training mode (BatchNorm on the batch's statistics)",
                 rtol=1e-9, atol=1e-11)
    model.load_state_dict(state)
    model.eval()
    with own_code_only(what, own), no_grad():
        evaluated = model(*inputs)
    expect_close(evaluated, known[f"{prefix}_eval"], f"{what} in evaluation mode (BatchNorm on running statistics)",
                 rtol=1e-9, atol=1e-11)
