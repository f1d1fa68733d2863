"""Hidden tests of task 2.8 (ConvTranspose2dFunction) against independent references: the scatter definition, the
adjoint identity with conv2d, output_padding at least the stride, the gradients as transposes, float32."""

import numpy as np
import pytest

from coursework.hidden.A2 import reference
from coursework.hidden.A2.conv_cases import CONV_TRANSPOSE_CASES, expect_gradients_transpose, pair
from coursework.public.A2.calls import expect_dtype, forward_backward
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close
from nn_from_scratch.functional import conv
from nn_from_scratch.functional.conv import ConvTranspose2dFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_8

OWN = [conv.im2col, conv.col2im]
IDS = [f"x{x}-w{w}-s{s}-p{p}-op{op}-d{d}" for x, w, _, s, p, op, d in CONV_TRANSPOSE_CASES]
NAME = ConvTranspose2dFunction.__name__


@pytest.mark.parametrize("x_shape, w_shape, has_bias, stride, padding, output_padding, dilation",
                         CONV_TRANSPOSE_CASES, ids=IDS)
def test_forward_and_backward(x_shape, w_shape, has_bias, stride, padding, output_padding, dilation):
    rng = np.random.default_rng(2811)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    arrays = [x, w] + ([rng.standard_normal(w_shape[1])] if has_bias else [])
    options = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)
    expected = reference.conv_transpose2d(*arrays, **options)
    g = rng.standard_normal(expected.shape)
    pairs = tuple(pair(v) for v in (stride, padding, output_padding, dilation))
    what = f"{NAME}{pairs} on x {x_shape}, weight {w_shape}"
    y, grads = forward_backward(ConvTranspose2dFunction(*pairs), arrays, g, what, own=OWN)
    expect_close(y, expected, f"{what}: forward")
    expect_gradients_transpose(lambda v: reference.conv_transpose2d(v, w, **options),
                               lambda v: reference.conv_transpose2d(x, v, **options), grads, x, w, g, what, rng)
    if has_bias:
        expect_close(grads[2], g.sum(axis=(0, 2, 3)), f"{what}: dL/dbias (summed over the batch and the pixels)")


@pytest.mark.parametrize("stride, padding, output_padding, dilation", [(2, 1, 1, 1), (1, 0, 1, 2), (3, 2, 0, 1)])
def test_the_adjoint_of_conv2d(stride, padding, output_padding, dilation):
    """<conv2d(v, w), x> = <v, conv_transpose2d(x, w)> with the same weight array (tutorial 04, section 4.5)."""
    rng = np.random.default_rng(2812)
    x, w = rng.standard_normal((2, 3, 4, 4)), rng.standard_normal((3, 2, 3, 3))
    pairs = tuple(pair(v) for v in (stride, padding, output_padding, dilation))
    y, _ = forward_backward(ConvTranspose2dFunction(*pairs), [x, w], None, NAME, own=OWN)
    v = rng.standard_normal(y.shape)
    conv_v = reference.conv2d(v, w, stride=stride, padding=padding, dilation=dilation)[:, :, :4, :4]
    left, right = float(np.sum(conv_v * x)), float(np.sum(v * y))
    assert abs(left - right) <= 1e-10 * max(abs(left), abs(right), 1.0), \
        f"{NAME}{pairs}: <conv2d(v, w), x> = {left:.12g} but <v, conv_transpose2d(x, w)> = {right:.12g}"


def test_float32_stays_float32():
    rng = np.random.default_rng(2813)
    arrays = [rng.standard_normal((2, 3, 4, 4)), rng.standard_normal((3, 2, 4, 4)), rng.standard_normal(2)]
    g = rng.standard_normal((2, 2, 8, 8))
    y, grads = forward_backward(ConvTranspose2dFunction((2, 2), (1, 1), (0, 0), (1, 1)), arrays, g, NAME, own=OWN,
                                dtype=np.float32)
    expect_dtype(y, np.float32, f"{NAME}.forward on float32")
    for name, grad in zip(["x", "weight", "bias"], grads):
        expect_dtype(grad, np.float32, f"{NAME}.backward on float32: dL/d{name}")


def test_strict_gradcheck():
    rng = np.random.default_rng(2814)
    x = Tensor(rng.standard_normal((2, 2, 3, 3)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 2, 3, 2)), requires_grad=True)
    b = Tensor(rng.standard_normal(2), requires_grad=True)
    gradcheck(lambda x, w, b: ConvTranspose2dFunction((2, 1), (1, 0), (1, 0), (1, 2))(x, w, b), [x, w, b],
              **STRICT_GRADCHECK)
