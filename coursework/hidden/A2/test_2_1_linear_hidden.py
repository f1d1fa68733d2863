"""Hidden tests of task 2.1 (linear): more shapes, leading batch axes, square weights, float32, strict gradchecks."""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close
from nn_from_scratch.functional.arithmetic import linear
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_1

SHAPES = [((3, 4), 4, True), ((4, 4), 4, False), ((2, 3, 5), 5, True), ((2, 1, 3, 2), 3, True), ((6, 2), 1, False),
          ((1, 7), 7, True), ((4,), 3, True)]


@pytest.mark.parametrize("x_shape, out_features, has_bias", SHAPES)
def test_values_and_gradients(x_shape, out_features, has_bias):
    """y = x @ W^T + b over any leading axes; dL/dx = G W, dL/dW = G^T X (summed over every leading axis), dL/db =
    sum of G over every leading axis."""
    rng = np.random.default_rng(2111)
    x_data, w_data = rng.standard_normal(x_shape), rng.standard_normal((out_features, x_shape[-1]))
    b_data = rng.standard_normal(out_features)
    x, w = Tensor(x_data, requires_grad=True), Tensor(w_data, requires_grad=True)
    b = Tensor(b_data, requires_grad=True) if has_bias else None
    what = f"linear(x {x_shape}, weight {w_data.shape}{', bias' if has_bias else ''})"
    y = linear(x, w, b)
    expected = x_data @ w_data.T + (b_data if has_bias else 0)
    expect_close(y, expected, f"{what}: the output")
    g = rng.standard_normal(expected.shape)
    y.backward(g)
    rows, g_rows = x_data.reshape(-1, x_shape[-1]), g.reshape(-1, out_features)
    expect_close(x.grad, g @ w_data, f"{what}: x.grad")
    expect_close(w.grad, g_rows.T @ rows, f"{what}: weight.grad")
    if has_bias:
        expect_close(b.grad, g_rows.sum(axis=0), f"{what}: bias.grad")


def test_float32_stays_float32():
    rng = np.random.default_rng(2112)
    x = Tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 4)).astype(np.float32), requires_grad=True)
    b = Tensor(rng.standard_normal(2).astype(np.float32), requires_grad=True)
    y = linear(x, w, b)
    expect_dtype(y.data, np.float32, "linear on float32 tensors: the output")
    y.backward(np.ones((3, 2), dtype=np.float32))
    expect_dtype(w.grad, np.float32, "linear on float32 tensors: weight.grad")


def test_constant_input():
    """Only the parameters need gradients (the usual case for a first layer)."""
    rng = np.random.default_rng(2113)
    x_data = rng.standard_normal((5, 3))
    w = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal(2), requires_grad=True)
    y = linear(Tensor(x_data), w, b)
    y.backward(np.ones((5, 2)))
    expect_close(w.grad, np.ones((2, 5)) @ x_data, "linear with a constant x: weight.grad")
    expect_close(b.grad, [5.0, 5.0], "linear with a constant x: bias.grad")


def test_strict_gradcheck():
    rng = np.random.default_rng(2114)
    x = Tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True)
    gradcheck(linear, [x, w, b], **STRICT_GRADCHECK)
    gradcheck(lambda x, w: linear(x, w), [x, w], **STRICT_GRADCHECK)
