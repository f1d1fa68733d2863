"""Comparing a model the student builds with the reference model of the same architecture: the same state names
and shapes, and, with the same random weights, the same outputs in both modes and the same input gradients."""

from __future__ import annotations

import numpy as np

from coursework.public.A3.cases import random_state
from coursework.public.A3.models import expect_state_shapes
from coursework.public.A3.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.tensor import Tensor


def expect_same_model(build, reference, inputs, what: str, own, seed: int = 0) -> None:
    __tracebackhide__ = True
    with own_code_only(what, own):
        model = build().double()
    reference = reference.double()
    shapes = {f"x_shape:{name}": np.array(np.shape(value)) for name, value in reference.state_dict().items()}
    expect_state_shapes(model, shapes, "x", what)
    state = random_state(seed, {name: np.shape(value) for name, value in reference.state_dict().items()})
    first, *rest = inputs
    for mode in ("training", "evaluation"):
        outputs, grads = [], []
        for net in (model, reference):
            net.load_state_dict(state)
            net.train(mode == "training")
            x = Tensor(np.array(first, dtype=np.float64), requires_grad=True)
            with own_code_only(what, own):
                y = net(x, *rest)
            y.backward(np.cos(np.arange(y.size)).reshape(y.shape))
            outputs.append(y.data)
            grads.append(x.grad)
        expect_close(outputs[0], outputs[1], f"{what} in {mode} mode: the output", rtol=1e-9, atol=1e-11)
        expect_close(grads[0], grads[1], f"{what} in {mode} mode: the gradient with respect to its input",
                     rtol=1e-8, atol=1e-11)
        if mode == "training":
            for name, value in reference.state_dict().items():
                if "running" in name:
                    expect_close(model.state_dict()[name], value, f"{what}: BatchNorm's {name} after a training pass")
