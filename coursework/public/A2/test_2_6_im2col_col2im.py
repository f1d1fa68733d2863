"""Task 2.6: im2col copies every kernel window into a row; col2im, its adjoint, adds every row back onto its window.

kernel, stride, padding and dilation are (height, width) pairs here; output_size (OH, OW) is optional.
"""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype
from coursework.public.A2.cases import IM2COL_CASES
from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_adjoint, expect_close, load_known_values
from nn_from_scratch.functional import conv

pytestmark = pytest.mark.task_2_6

KNOWN = load_known_values(__file__, "2_6_im2col_col2im")
CASES = list(enumerate(IM2COL_CASES))
IDS = [f"x{x}-k{k}-s{s}-p{p}-d{d}" + (f"-out{o}" if o else "") for _, (x, k, s, p, d, o) in CASES]
OWN = [conv.im2col, conv.col2im]


def described(case) -> str:
    _, (x_shape, kernel, stride, padding, dilation, output_size) = case
    return (f"x {x_shape}, kernel {kernel}, stride {stride}, padding {padding}, dilation {dilation}"
            + (f", output_size {output_size}" if output_size else ""))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_im2col_known_values(case):
    """cols[(n, i, j), (c, p, q)] = x_padded[n, c, i*stride + p*dilation, j*stride + q*dilation]; case 0 is the
    4x4 picture of tutorial 04, section 4.3."""
    i, (_, kernel, stride, padding, dilation, output_size) = case
    with own_code_only("im2col", OWN):
        cols = conv.im2col(KNOWN[f"case{i}_x"].copy(), kernel, stride, padding, dilation, output_size)
    expect_close(cols, KNOWN[f"case{i}_cols"], f"im2col({described(case)})")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_col2im_known_values(case):
    """x_padded[n, c, i*stride + p*dilation, j*stride + q*dilation] += cols[(n, i, j), (c, p, q)], then the padding
    border cut off: overlapping windows add up."""
    i, (x_shape, kernel, stride, padding, dilation, output_size) = case
    with own_code_only("col2im", OWN):
        image = conv.col2im(KNOWN[f"case{i}_c"].copy(), x_shape, kernel, stride, padding, dilation, output_size)
    expect_close(image, KNOWN[f"case{i}_col2im"], f"col2im({described(case)})")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_col2im_is_the_adjoint_of_im2col(case):
    """<im2col(x), c> = <x, col2im(c)> for every image x and matrix c (tutorial 04, section 4.4)."""
    _, (x_shape, kernel, stride, padding, dilation, output_size) = case
    rng = np.random.default_rng(2601)
    with own_code_only("im2col and col2im", OWN):
        cols_shape = conv.im2col(np.zeros(x_shape), kernel, stride, padding, dilation, output_size).shape
        expect_adjoint(lambda x: conv.im2col(x, kernel, stride, padding, dilation, output_size),
                       lambda c: conv.col2im(c, x_shape, kernel, stride, padding, dilation, output_size),
                       rng.standard_normal(x_shape), rng.standard_normal(cols_shape), f"col2im({described(case)})")


def test_float32_stays_float32():
    """float32 images give float32 columns, and back."""
    x = KNOWN["case2_x"].astype(np.float32)
    with own_code_only("im2col and col2im", OWN):
        cols = conv.im2col(x, (3, 2), (2, 2), (1, 1), (1, 1))
        image = conv.col2im(cols, x.shape, (3, 2), (2, 2), (1, 1), (1, 1))
    expect_dtype(cols, np.float32, "im2col")
    expect_dtype(image, np.float32, "col2im")
