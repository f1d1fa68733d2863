"""Task 2.7: Conv2dFunction, the convolution as im2col and one matrix product; its backward two matrix products and
col2im (called directly here, not through the engine).

forward and backward are built on im2col and col2im (task 2.6).
"""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype, forward_backward
from coursework.public.A2.cases import CONV_CASES
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close, load_known_values
from nn_from_scratch.functional import conv
from nn_from_scratch.functional.conv import Conv2dFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_7

KNOWN = load_known_values(__file__, "conv2d")
CASES = list(enumerate(CONV_CASES))
IDS = [f"x{x}-w{w}-s{s}-p{p}-d{d}" for _, (x, w, _, s, p, d) in CASES]
OWN = [conv.im2col, conv.col2im]


def pairs(stride, padding, dilation):
    return conv.as_pair(stride), conv.as_pair(padding), conv.as_pair(dilation)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_known_values(case):
    """The output and (dL/dx, dL/dweight[, dL/dbias]) against the loops' values."""
    i, (x_shape, w_shape, has_bias, stride, padding, dilation) = case
    arrays = [KNOWN[f"case{i}_x"], KNOWN[f"case{i}_w"]] + ([KNOWN[f"case{i}_b"]] if has_bias else [])
    what = f"{Conv2dFunction.__name__}{pairs(stride, padding, dilation)} on x {x_shape}, weight {w_shape}"
    y, grads = forward_backward(Conv2dFunction(*pairs(stride, padding, dilation)), arrays, KNOWN[f"case{i}_g"], what,
                                own=OWN)
    expect_close(y, KNOWN[f"case{i}_y"], f"{what}: forward")
    for name, grad in zip(["x", "weight", "bias"], grads):
        expect_close(grad, KNOWN[f"case{i}_grad_{name[0] if name != 'bias' else 'b'}"], f"{what}: dL/d{name}")


def test_gradcheck():
    """nf.gradcheck with stride 2, padding 1 and a bias (strict tolerances), as in tutorial 04, section 4.4."""
    rng = np.random.default_rng(2701)
    x = Tensor(rng.standard_normal((2, 2, 5, 5)), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    gradcheck(lambda x, w, b: Conv2dFunction((2, 2), (1, 1), (1, 1))(x, w, b), [x, w, b], **STRICT_GRADCHECK)


def test_float32_stays_float32():
    """Layers train in float32: float32 inputs give a float32 output and gradients."""
    arrays = [KNOWN["case0_x"], KNOWN["case0_w"], KNOWN["case0_b"]]
    name = Conv2dFunction.__name__
    y, grads = forward_backward(Conv2dFunction((1, 1), (0, 0), (1, 1)), arrays, KNOWN["case0_g"], name, own=OWN,
                                dtype=np.float32)
    expect_dtype(y, np.float32, f"{name}.forward")
    for what, grad in zip(["x", "weight", "bias"], grads):
        expect_dtype(grad, np.float32, f"{name}.backward: dL/d{what}")
