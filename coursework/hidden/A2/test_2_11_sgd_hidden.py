"""Hidden tests of task 2.11 (SGD.update) against the formula, written independently: every combination of
momentum, dampening, Nesterov and weight decay over ten steps, two parameter groups, resuming, float32."""

import numpy as np
import pytest

from coursework.hidden.A2 import reference
from coursework.hidden.A2.optimizer_checks import draw, expect_same_history, run
from coursework.public.A2.calls import expect_dtype
from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch.optim import SGD
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_11

STEPS = 10
CASES = [
    {"lr": 0.05},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.03, "momentum": 0.7, "dampening": 0.5},
    {"lr": 0.03, "momentum": 0.9, "dampening": 1.0},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    {"lr": 0.05, "weight_decay": 0.2},
    {"lr": 0.02, "momentum": 0.8, "weight_decay": 0.05},
    {"lr": 0.02, "momentum": 0.6, "dampening": 0.2, "weight_decay": 0.3},
    {"lr": 0.01, "momentum": 1.5, "nesterov": True, "weight_decay": 0.01},
]


@pytest.mark.parametrize("hyperparameters", CASES, ids=[",".join(f"{k}={v}" for k, v in h.items()) for h in CASES])
def test_against_the_formula(hyperparameters):
    rng = np.random.default_rng(3111)
    starts, grads = draw(rng, STEPS)
    what = f"SGD({', '.join(f'{k}={v}' for k, v in hyperparameters.items())})"
    expected = reference.sgd_run(starts, grads, **hyperparameters)
    expect_same_history(run(SGD, hyperparameters, starts, grads, SGD.update), expected, what)
    expect_same_history(run(SGD, hyperparameters, starts, grads, SGD.update, resume_after=4), expected,
                        f"{what}, resumed from its state_dict after 4 steps")


def test_parameter_groups_have_their_own_hyperparameters():
    rng = np.random.default_rng(3112)
    starts, grads = draw(rng, 5)
    params = [Tensor(s.copy(), requires_grad=True) for s in starts]
    groups = [{"params": params[:1], "lr": 0.1, "momentum": 0.9}, {"params": params[1:], "weight_decay": 0.1}]
    optimizer = SGD(groups, lr=0.02)
    for step_grads in grads:
        for param, grad in zip(params, step_grads):
            param.grad = grad.copy()
        with own_code_only("SGD.update", [SGD.update]):
            optimizer.step()
    first = reference.sgd_run(starts[:1], [g[:1] for g in grads], lr=0.1, momentum=0.9)
    rest = reference.sgd_run(starts[1:], [g[1:] for g in grads], lr=0.02, weight_decay=0.1)
    expect_same_history([[p.data for p in params]], [first[-1] + rest[-1]], "SGD with two parameter groups")


def test_float32_stays_float32():
    rng = np.random.default_rng(3113)
    starts, grads = draw(rng, 4, dtype=np.float32)
    hyperparameters = {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01, "nesterov": True}
    history = run(SGD, hyperparameters, starts, grads, SGD.update)
    for k, param in enumerate(history[-1]):
        expect_dtype(param, np.float32, f"SGD on float32 parameters: parameter {k}")
    expected = reference.sgd_run([s.astype(np.float64) for s in starts],
                                 [[g.astype(np.float64) for g in step] for step in grads], **hyperparameters)
    expect_same_history(history, expected, "SGD on float32 parameters", rtol=1e-5, atol=1e-6)
