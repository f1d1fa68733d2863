"""Task 2.8: ConvTranspose2dFunction, the adjoint of the convolution: its forward is conv2d's input gradient
(one matrix product and col2im), its backward conv2d's forward (im2col and one matrix product).

forward and backward are built on im2col and col2im (task 2.6).
"""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype, forward_backward
from coursework.public.A2.cases import CONV_TRANSPOSE_CASES
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close, load_known_values
from nn_from_scratch.functional import conv
from nn_from_scratch.functional.conv import ConvTranspose2dFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_8

KNOWN = load_known_values(__file__, "2_8_conv_transpose2d")
CASES = list(enumerate(CONV_TRANSPOSE_CASES))
IDS = [f"x{x}-w{w}-s{s}-p{p}-op{op}-d{d}" for _, (x, w, _, s, p, op, d) in CASES]
OWN = [conv.im2col, conv.col2im]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_known_values(case):
    """The output (N, O, OH, OW), OH = (H - 1)*stride - 2*padding + dilation*(KH - 1) + output_padding + 1, and
    (dL/dx, dL/dweight[, dL/dbias])."""
    i, (x_shape, w_shape, has_bias, stride, padding, output_padding, dilation) = case
    options = tuple(conv.as_pair(v) for v in (stride, padding, output_padding, dilation))
    arrays = [KNOWN[f"case{i}_x"], KNOWN[f"case{i}_w"]] + ([KNOWN[f"case{i}_b"]] if has_bias else [])
    what = f"{ConvTranspose2dFunction.__name__}{options} on x {x_shape}, weight {w_shape}"
    y, grads = forward_backward(ConvTranspose2dFunction(*options), arrays, KNOWN[f"case{i}_g"], what, own=OWN)
    expect_close(y, KNOWN[f"case{i}_y"], f"{what}: forward")
    for name, key, grad in zip(["x", "weight", "bias"], ["x", "w", "b"], grads):
        expect_close(grad, KNOWN[f"case{i}_grad_{key}"], f"{what}: dL/d{name}")


def test_gradcheck():
    """nf.gradcheck of a DCGAN-like layer: kernel 4, stride 2, padding 1, with a bias (strict tolerances)."""
    rng = np.random.default_rng(2801)
    x = Tensor(rng.standard_normal((2, 2, 3, 3)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 3, 4, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    gradcheck(lambda x, w, b: ConvTranspose2dFunction((2, 2), (1, 1), (0, 0), (1, 1))(x, w, b), [x, w, b],
              **STRICT_GRADCHECK)


def test_float32_stays_float32():
    """Layers train in float32: float32 inputs give a float32 output and gradients."""
    arrays = [KNOWN["case1_x"], KNOWN["case1_w"], KNOWN["case1_b"]]
    name = ConvTranspose2dFunction.__name__
    y, grads = forward_backward(ConvTranspose2dFunction((2, 2), (1, 1), (0, 0), (1, 1)), arrays, KNOWN["case1_g"],
                                name, own=OWN, dtype=np.float32)
    expect_dtype(y, np.float32, f"{name}.forward")
    for what, grad in zip(["x", "weight", "bias"], grads):
        expect_dtype(grad, np.float32, f"{name}.backward: dL/d{what}")
