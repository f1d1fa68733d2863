"""Hidden tests of task 2.5 (conv2d_loops, conv2d_backward_loops) against an independent reference: odd sizes,
gaps, large paddings, dilations, a batch of 3, ints and pairs, float32, finite differences."""

import numpy as np
import pytest

from coursework.hidden.A2 import reference
from coursework.hidden.A2.conv_cases import CONV_CASES, expect_gradients_transpose
from coursework.public.A2.calls import expect_dtype
from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.functional import conv
from nn_from_scratch.gradcheck import numerical_gradient
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_5

OWN = [conv.conv2d_loops, conv.conv2d_backward_loops]
IDS = [f"x{x}-w{w}-s{s}-p{p}-d{d}" for x, w, _, s, p, d in CONV_CASES]


def loops(*args, **options):
    with own_code_only("conv2d_loops", OWN):
        return conv.conv2d_loops(*args, **options)


def backward_loops(*args, **options):
    with own_code_only("conv2d_backward_loops", OWN):
        return conv.conv2d_backward_loops(*args, **options)


@pytest.mark.parametrize("x_shape, w_shape, has_bias, stride, padding, dilation", CONV_CASES, ids=IDS)
def test_forward_and_backward(x_shape, w_shape, has_bias, stride, padding, dilation):
    rng = np.random.default_rng(2511)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0]) if has_bias else None
    options = dict(stride=stride, padding=padding, dilation=dilation)
    what = f"conv2d_loops(x {x_shape}, weight {w_shape}, bias={has_bias}, {options})"
    x_before, w_before = x.copy(), w.copy()
    y = loops(x, w, b, **options)
    expect_close(y, reference.conv2d(x, w, b, **options), what)
    g = rng.standard_normal(y.shape)
    grads = backward_loops(g.copy(), x, w, **options)
    assert np.array_equal(x, x_before) and np.array_equal(w, w_before), f"{what}: x or weight changed in place"
    what = what.replace("conv2d_loops", "conv2d_backward_loops")
    expect_gradients_transpose(lambda v: reference.conv2d(v, w, **options), lambda v: reference.conv2d(x, v, **options),
                               grads, x, w, g, what, rng)
    expect_close(grads[2], g.sum(axis=(0, 2, 3)), f"{what}: dL/dbias (summed over the batch and the pixels)")


def test_pairs_and_ints_are_the_same():
    rng = np.random.default_rng(2512)
    x, w, b = rng.standard_normal((2, 2, 6, 6)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    expect_close(loops(x, w, b, stride=(2, 2), padding=(1, 1), dilation=(1, 1)),
                 loops(x, w, b, stride=2, padding=1, dilation=1), "conv2d_loops with pairs against ints")
    expect_close(loops(x, w, b), reference.conv2d(x, w, b), "conv2d_loops with the default stride 1, padding 0")


def test_float32_stays_float32():
    rng = np.random.default_rng(2513)
    x = rng.standard_normal((2, 2, 5, 5)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    y = loops(x, w, b, stride=2, padding=1)
    expect_dtype(y, np.float32, "conv2d_loops on float32")
    for name, grad in zip(["x", "weight", "bias"], backward_loops(np.ones_like(y), x, w, stride=2, padding=1)):
        expect_dtype(grad, np.float32, f"conv2d_backward_loops on float32: dL/d{name}")


def test_finite_differences():
    """Each gradient of L = sum(u * conv2d_loops(x, w, b)) against central differences (strict tolerances)."""
    rng = np.random.default_rng(2514)
    x, w, b = (Tensor(rng.standard_normal(s)) for s in [(2, 2, 4, 5), (2, 2, 2, 3), (2,)])
    options = dict(stride=(1, 2), padding=1, dilation=(2, 1))

    def fn(x, w, b):
        return Tensor(loops(x.data, w.data, b.data, **options))

    u = rng.standard_normal(fn(x, w, b).shape)
    grads = backward_loops(u, x.data, w.data, **options)
    for which, (name, grad) in enumerate(zip(["x", "weight", "bias"], grads)):
        expect_close(grad, numerical_gradient(fn, [x, w, b], which, u), f"conv2d_backward_loops({options}): "
                     f"dL/d{name} against finite differences", rtol=1e-6, atol=1e-8)
