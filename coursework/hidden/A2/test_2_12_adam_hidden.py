"""Hidden tests of task 2.12 (Adam.update, AdamW through it) against the formula, written independently: bias
correction over twelve steps, eps with tiny gradients, L2 and decoupled weight decay, the state's names, resuming,
float32."""

import numpy as np
import pytest

from coursework.hidden.A2 import reference
from coursework.hidden.A2.optimizer_checks import draw, expect_same_history, run
from coursework.public.A2.calls import expect_dtype
from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch.optim import Adam, AdamW
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_12

STEPS = 12
# (class, hyperparameters, gradient scale)
CASES = [
    (Adam, {}, 1.0),
    (Adam, {"lr": 0.05, "betas": (0.5, 0.9)}, 1.0),
    (Adam, {"lr": 0.01, "betas": (0.95, 0.9999)}, 3.0),
    (Adam, {"lr": 0.01, "eps": 1e-4}, 1e-5),
    (Adam, {"lr": 0.01}, 1e-7),
    (Adam, {"lr": 0.02, "weight_decay": 0.3}, 1.0),
    (AdamW, {"lr": 0.02}, 1.0),
    (AdamW, {"lr": 0.05, "weight_decay": 0.2, "betas": (0.8, 0.99)}, 0.5),
    (Adam, {"lr": 0.01, "betas": (0.0, 0.0)}, 1.0),
]


def reference_run(optimizer_class, hyperparameters, starts, grads):
    options = {"lr": 1e-3, "weight_decay": 0.01 if optimizer_class is AdamW else 0.0, **hyperparameters}
    return reference.adam_run(starts, grads, decoupled=optimizer_class is AdamW, **options)


@pytest.mark.parametrize("optimizer_class, hyperparameters, scale", CASES,
                         ids=[f"{c.__name__}-" + ",".join(f"{k}={v}" for k, v in h.items()) + f"-g~{s:g}"
                              for c, h, s in CASES])
def test_against_the_formula(optimizer_class, hyperparameters, scale):
    rng = np.random.default_rng(3211)
    starts, grads = draw(rng, STEPS, scale)
    what = f"{optimizer_class.__name__}({', '.join(f'{k}={v}' for k, v in hyperparameters.items())}) with " \
           f"gradients of size {scale:g}"
    expected = reference_run(optimizer_class, hyperparameters, starts, grads)
    expect_same_history(run(optimizer_class, hyperparameters, starts, grads, Adam.update), expected, what)
    expect_same_history(run(optimizer_class, hyperparameters, starts, grads, Adam.update, resume_after=5), expected,
                        f"{what}, resumed from its state_dict after 5 steps")


def test_the_state_has_the_documented_names():
    """"step", "exp_avg" (m) and "exp_avg_sq" (v) per parameter, as the docstring says (state_dict, resuming and
    the fast kernels rely on them)."""
    p = Tensor(np.array([1.0, -1.0]), requires_grad=True)
    optimizer = Adam([p], lr=0.1)
    for _ in range(3):
        p.grad = np.array([0.5, 2.0])
        with own_code_only("Adam.update", [Adam.update]):
            optimizer.step()
    state = optimizer.state[id(p)]
    assert set(state) == {"step", "exp_avg", "exp_avg_sq"}, f"Adam's state per parameter: expected the keys step, " \
        f"exp_avg, exp_avg_sq, got {sorted(state)}"
    assert state["step"] == 3, f"Adam's state['step'] after 3 steps: expected 3, got {state['step']!r}"


def test_float32_stays_float32():
    rng = np.random.default_rng(3212)
    starts, grads = draw(rng, 5, dtype=np.float32)
    history = run(AdamW, {"lr": 0.01}, starts, grads, Adam.update)
    for k, param in enumerate(history[-1]):
        expect_dtype(param, np.float32, f"AdamW on float32 parameters: parameter {k}")
    expected = reference_run(AdamW, {"lr": 0.01}, [s.astype(np.float64) for s in starts],
                             [[g.astype(np.float64) for g in step] for step in grads])
    expect_same_history(history, expected, "AdamW on float32 parameters", rtol=1e-5, atol=1e-6)
