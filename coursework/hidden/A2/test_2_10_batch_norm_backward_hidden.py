"""Hidden tests of task 2.10 (BatchNormFunction.backward): against autograd through the forward written with
elementary ops, a channel of 1000 values (a gradient 0.1% off fails), the zero-sum properties, evaluation mode,
float32, strict gradchecks."""

import numpy as np
import pytest

from coursework.hidden.A2 import reference
from coursework.public.A2.calls import expect_dtype, forward_backward
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close
from nn_from_scratch.functional.normalization import BatchNormFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_10

NAME = BatchNormFunction.__name__
EPS = 1e-5
NAMES = ["x", "weight", "bias"]
# (x's shape, number of inputs: 1 = x, 2 = x and weight, 3 = x, weight and bias)
CASES = [((8, 3), 3), ((7, 2), 1), ((3, 4, 6), 2), ((2, 3, 5, 4), 3), ((4, 2, 3, 3), 1), ((250, 2, 2, 2), 3),
         ((1000, 2), 2)]


def inputs(x_shape, count, rng, dtype=np.float64):
    channels = x_shape[1]
    return [a.astype(dtype) for a in (rng.normal(-1.0, 3.0, x_shape), rng.uniform(0.5, 2, channels),
                                      rng.standard_normal(channels))][:count]


@pytest.mark.parametrize("x_shape, count", CASES)
def test_training_against_autograd(x_shape, count):
    rng = np.random.default_rng(3011)
    arrays = inputs(x_shape, count, rng)
    g = rng.standard_normal(x_shape)
    what = f"{NAME}.backward (training) on x {x_shape} with {', '.join(NAMES[:count])}"
    _, grads = forward_backward(BatchNormFunction(EPS), arrays, g, what)
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    reference.batch_norm_training(*(tensors + [None] * (3 - count)), EPS).backward(g)
    for name, grad, tensor in zip(NAMES, grads, tensors):
        expect_close(grad, tensor.grad, f"{what}: dL/d{name}", rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("x_shape", [(6, 3), (3, 2, 4, 4)])
def test_the_input_gradient_sums_to_zero_per_channel(x_shape):
    """Shifting one channel of x by a constant, or scaling it, leaves x_hat unchanged: so sum(dL/dx) = 0 and
    sum(dL/dx * (x - mean)) = 0 per channel."""
    rng = np.random.default_rng(3012)
    (x,) = inputs(x_shape, 1, rng)
    _, (grad_x,) = forward_backward(BatchNormFunction(0.0), [x], rng.standard_normal(x_shape), NAME)
    axes = (0,) + tuple(range(2, len(x_shape)))
    expect_close(grad_x.sum(axis=axes), np.zeros(x_shape[1]), f"{NAME}.backward: dL/dx summed over each channel",
                 atol=1e-10)
    centered = x - x.mean(axis=axes, keepdims=True)
    expect_close((grad_x * centered).sum(axis=axes), np.zeros(x_shape[1]),
                 f"{NAME}.backward: dL/dx * (x - mean) summed over each channel", atol=1e-10)


@pytest.mark.parametrize("x_shape, count", [((5, 3), 3), ((2, 3, 4, 4), 2), ((4, 2, 3), 1)])
def test_evaluation_mode(x_shape, count):
    """Fixed mean and var (running averages) are constants: dL/dx = g * weight / sqrt(var + eps)."""
    rng = np.random.default_rng(3013)
    arrays = inputs(x_shape, count, rng)
    mean, var = rng.standard_normal(x_shape[1]), rng.uniform(0.5, 3, x_shape[1])
    g = rng.standard_normal(x_shape)
    shape = (1, x_shape[1]) + (1,) * (len(x_shape) - 2)
    what = f"{NAME}.backward (evaluation) on x {x_shape} with {', '.join(NAMES[:count])}"
    _, grads = forward_backward(BatchNormFunction(EPS, mean, var), arrays, g, what)
    scale = 1 / np.sqrt(var.reshape(shape) + EPS) * (arrays[1].reshape(shape) if count > 1 else 1)
    x_hat = (arrays[0] - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + EPS)
    axes = (0,) + tuple(range(2, len(x_shape)))
    expected = [g * scale, (g * x_hat).sum(axis=axes), g.sum(axis=axes)]
    for name, grad, want in zip(NAMES, grads, expected):
        expect_close(grad, want, f"{what}: dL/d{name}")


def test_float32_stays_float32():
    rng = np.random.default_rng(3014)
    arrays = inputs((4, 3, 2, 2), 3, rng)
    _, grads = forward_backward(BatchNormFunction(EPS), arrays, rng.standard_normal((4, 3, 2, 2)), NAME,
                                dtype=np.float32)
    for name, grad in zip(NAMES, grads):
        expect_dtype(grad, np.float32, f"{NAME}.backward on float32: dL/d{name}")


def test_strict_gradcheck():
    rng = np.random.default_rng(3015)
    x = Tensor(rng.normal(1.0, 2.0, (4, 3, 2, 3)), requires_grad=True)
    w = Tensor(rng.uniform(0.5, 2, 3), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    gradcheck(lambda x, w, b: BatchNormFunction(EPS)(x, w, b), [x, w, b], **STRICT_GRADCHECK)
    gradcheck(lambda x: BatchNormFunction(EPS)(x), [x], **STRICT_GRADCHECK)
