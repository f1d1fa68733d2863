"""Hidden tests of task 2.6 (im2col, col2im) against an independent gather and scatter: many windows, gaps and
overlaps, dilations, output_size, float32."""

import numpy as np
import pytest

from coursework.hidden.A2 import reference
from coursework.public.A2.calls import expect_dtype
from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.functional import conv

pytestmark = pytest.mark.task_2_6

OWN = [conv.im2col, conv.col2im]
# (x's shape, kernel, stride, padding, dilation, output_size)
CASES = [
    ((2, 3, 5, 5), (3, 3), (1, 1), (0, 0), (1, 1), None),
    ((1, 2, 7, 9), (2, 4), (2, 3), (1, 2), (1, 1), None),
    ((3, 1, 9, 8), (3, 3), (2, 2), (0, 0), (3, 3), None),
    ((1, 2, 6, 7), (1, 2), (3, 3), (1, 0), (1, 1), None),
    ((2, 1, 4, 4), (4, 4), (1, 1), (3, 3), (1, 1), None),
    ((1, 3, 8, 6), (2, 2), (3, 2), (2, 1), (2, 3), None),
    ((1, 2, 5, 5), (3, 3), (1, 1), (1, 1), (1, 1), (4, 3)),
    ((2, 2, 7, 7), (3, 3), (2, 2), (1, 1), (2, 2), (2, 3)),
    ((1, 1, 1, 1), (1, 1), (1, 1), (0, 0), (1, 1), None),
    ((1, 2, 3, 8), (3, 1), (1, 4), (0, 0), (1, 1), None),
]
IDS = [f"x{x}-k{k}-s{s}-p{p}-d{d}" + (f"-out{o}" if o else "") for x, k, s, p, d, o in CASES]


def reference_col2im(c, x_shape, kernel, stride, padding, dilation, output_size):
    n, channels = x_shape[:2]
    rows, cols, (oh, ow) = reference.window_indices(x_shape[2], x_shape[3], kernel, stride, padding, dilation,
                                                    output_size)
    windows = c.reshape(n, oh, ow, channels, *kernel).transpose(0, 3, 1, 2, 4, 5)
    return reference.scatter_windows(windows, x_shape, kernel, stride, padding, dilation, output_size)


@pytest.mark.parametrize("x_shape, kernel, stride, padding, dilation, output_size", CASES, ids=IDS)
def test_against_a_gather_and_a_scatter(x_shape, kernel, stride, padding, dilation, output_size):
    rng = np.random.default_rng(2611)
    x = rng.standard_normal(x_shape)
    what = f"kernel {kernel}, stride {stride}, padding {padding}, dilation {dilation}, output_size {output_size}"
    expected = reference.im2col(x, kernel, stride, padding, dilation, output_size)
    x_before = x.copy()
    with own_code_only("im2col", OWN):
        cols = conv.im2col(x, kernel, stride, padding, dilation, output_size)
    assert np.array_equal(x, x_before), f"im2col({what}) changed x in place"
    expect_close(cols, expected, f"im2col(x {x_shape}, {what})", rtol=0, atol=0)
    c = rng.standard_normal(expected.shape)
    c_before = c.copy()
    with own_code_only("col2im", OWN):
        image = conv.col2im(c, x_shape, kernel, stride, padding, dilation, output_size)
    assert np.array_equal(c, c_before), f"col2im({what}) changed cols in place"
    expect_close(image, reference_col2im(c, x_shape, kernel, stride, padding, dilation, output_size),
                 f"col2im(cols, {x_shape}, {what})")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    x = np.random.default_rng(2612).standard_normal((2, 2, 5, 5)).astype(dtype)
    with own_code_only("im2col and col2im", OWN):
        cols = conv.im2col(x, (3, 3), (2, 2), (1, 1), (1, 1))
        image = conv.col2im(cols, x.shape, (3, 3), (2, 2), (1, 1), (1, 1))
    expect_dtype(cols, dtype, "im2col")
    expect_dtype(image, dtype, "col2im")


def test_defaults():
    """stride 1, padding 0, dilation 1 by default."""
    x = np.random.default_rng(2613).standard_normal((1, 2, 4, 5))
    with own_code_only("im2col and col2im", OWN):
        cols = conv.im2col(x, (2, 3))
        image = conv.col2im(cols, x.shape, (2, 3))
    expect_close(cols, reference.im2col(x, (2, 3), 1, 0, 1), "im2col(x, (2, 3))")
    expect_close(image, reference_col2im(cols, x.shape, (2, 3), (1, 1), (0, 0), (1, 1), None),
                 "col2im(cols, x_shape, (2, 3))")
