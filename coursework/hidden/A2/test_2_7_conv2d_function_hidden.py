"""Hidden tests of task 2.7 (Conv2dFunction) against an independent reference: the output, the gradients as
transposes, the bias gradient summed over the batch, float32, strict gradchecks through the engine."""

import numpy as np
import pytest

from coursework.hidden.A2 import reference
from coursework.hidden.A2.conv_cases import CONV_CASES, expect_gradients_transpose, pair
from coursework.public.A2.calls import expect_dtype, forward_backward
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close
from nn_from_scratch.functional import conv
from nn_from_scratch.functional.conv import Conv2dFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_7

OWN = [conv.im2col, conv.col2im]
IDS = [f"x{x}-w{w}-s{s}-p{p}-d{d}" for x, w, _, s, p, d in CONV_CASES]


@pytest.mark.parametrize("x_shape, w_shape, has_bias, stride, padding, dilation", CONV_CASES, ids=IDS)
def test_forward_and_backward(x_shape, w_shape, has_bias, stride, padding, dilation):
    rng = np.random.default_rng(2711)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    arrays = [x, w] + ([rng.standard_normal(w_shape[0])] if has_bias else [])
    options = dict(stride=stride, padding=padding, dilation=dilation)
    expected = reference.conv2d(*arrays, **options)
    g = rng.standard_normal(expected.shape)
    what = f"{Conv2dFunction.__name__}({pair(stride)}, {pair(padding)}, {pair(dilation)}) on x {x_shape}, " \
           f"weight {w_shape}"
    y, grads = forward_backward(Conv2dFunction(pair(stride), pair(padding), pair(dilation)), arrays, g, what, own=OWN)
    expect_close(y, expected, f"{what}: forward")
    expect_gradients_transpose(lambda v: reference.conv2d(v, w, **options), lambda v: reference.conv2d(x, v, **options),
                               grads, x, w, g, what, rng)
    if has_bias:
        expect_close(grads[2], g.sum(axis=(0, 2, 3)), f"{what}: dL/dbias (summed over the batch and the pixels)")


def test_float32_stays_float32():
    rng = np.random.default_rng(2712)
    arrays = [rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)]
    g = rng.standard_normal((2, 4, 3, 3))
    y, grads = forward_backward(Conv2dFunction((2, 2), (1, 1), (1, 1)), arrays, g, Conv2dFunction.__name__, own=OWN,
                                dtype=np.float32)
    expect_dtype(y, np.float32, "Conv2dFunction.forward on float32")
    for name, grad in zip(["x", "weight", "bias"], grads):
        expect_dtype(grad, np.float32, f"Conv2dFunction.backward on float32: dL/d{name}")
    expect_close(y, reference.conv2d(*arrays, stride=2, padding=1), "Conv2dFunction.forward on float32", rtol=1e-5,
                 atol=1e-5)


def test_strict_gradcheck():
    rng = np.random.default_rng(2713)
    x = Tensor(rng.standard_normal((2, 2, 6, 5)), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 2, 2, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    gradcheck(lambda x, w, b: Conv2dFunction((2, 1), (1, 2), (2, 1))(x, w, b), [x, w, b], **STRICT_GRADCHECK)
    gradcheck(lambda x, w: Conv2dFunction((1, 1), (0, 0), (1, 1))(x, w), [x, w], **STRICT_GRADCHECK)
