"""Task 2.5: the convolution by loops, the definition: conv2d_loops and its gradients conv2d_backward_loops.

Each is called on plain arrays; stride, padding and dilation come as ints or (height, width) pairs.
"""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype
from coursework.public.A2.cases import CONV_CASES
from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_adjoint, expect_close, load_known_values
from nn_from_scratch.functional import conv

pytestmark = pytest.mark.task_2_5

KNOWN = load_known_values(__file__, "conv2d")
CASES = list(enumerate(CONV_CASES))
IDS = [f"x{x}-w{w}-s{s}-p{p}-d{d}" for _, (x, w, _, s, p, d) in CASES]
OWN = [conv.conv2d_loops, conv.conv2d_backward_loops]


def arguments(case):
    i, (_, _, has_bias, stride, padding, dilation) = case
    bias = KNOWN[f"case{i}_b"].copy() if has_bias else None
    return KNOWN[f"case{i}_x"].copy(), KNOWN[f"case{i}_w"].copy(), bias, dict(stride=stride, padding=padding,
                                                                              dilation=dilation)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_known_values(case):
    """y[n, o, i, j] = bias[o] + sum over c, p, q of weight[o, c, p, q] * x_padded[n, c, i*s + p*d, j*s + q*d]."""
    x, w, b, options = arguments(case)
    with own_code_only("conv2d_loops", OWN):
        y = conv.conv2d_loops(x, w, b, **options)
    expect_close(y, KNOWN[f"case{case[0]}_y"], f"conv2d_loops(x {x.shape}, weight {w.shape}, "
                 f"bias={b is not None}, {options})")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_backward_known_values(case):
    """(dL/dx, dL/dweight, dL/dbias) for the upstream gradient g = dL/dy (tutorial 04, section 4.4)."""
    i = case[0]
    x, w, _, options = arguments(case)
    with own_code_only("conv2d_backward_loops", OWN):
        grads = conv.conv2d_backward_loops(KNOWN[f"case{i}_g"].copy(), x, w, **options)
    what = f"conv2d_backward_loops(g, x {x.shape}, weight {w.shape}, {options})"
    assert isinstance(grads, tuple) and len(grads) == 3, f"{what}: expected (dL/dx, dL/dweight, dL/dbias)"
    for name, grad in zip(["x", "w", "b"], grads):
        expect_close(grad, KNOWN[f"case{i}_grad_{name}"], f"{what}: dL/d{dict(x='x', w='weight', b='bias')[name]}")


@pytest.mark.parametrize("case", CASES[:4], ids=IDS[:4])
def test_the_input_gradient_is_the_transpose(case):
    """For a fixed weight, x -> conv2d_loops(x) is linear, and dL/dx is its transpose applied to g:
    <g, conv(x)> = <dL/dx, x> for every x and g."""
    rng = np.random.default_rng(2501)
    x, w, _, options = arguments(case)
    with own_code_only("conv2d_loops and conv2d_backward_loops", OWN):
        g = rng.standard_normal(conv.conv2d_loops(x, w, None, **options).shape)
        expect_adjoint(lambda x: conv.conv2d_loops(x, w, None, **options),
                       lambda g: conv.conv2d_backward_loops(g, x, w, **options)[0], rng.standard_normal(x.shape), g,
                       f"conv2d_backward_loops, dL/dx, for {options}")


def test_float32_stays_float32():
    """Layers train in float32: float32 arrays in, float32 output and gradients out."""
    x, w, b, options = (a.astype(np.float32) if a is not None and hasattr(a, "astype") else a
                        for a in arguments(CASES[1]))
    with own_code_only("conv2d_loops and conv2d_backward_loops", OWN):
        y = conv.conv2d_loops(x, w, b, **options)
        grads = conv.conv2d_backward_loops(np.ones_like(y), x, w, **options)
    expect_dtype(y, np.float32, "conv2d_loops on float32")
    for name, grad in zip(["x", "weight", "bias"], grads):
        expect_dtype(grad, np.float32, f"conv2d_backward_loops on float32: dL/d{name}")
