"""Task 2.1: linear(x, weight, bias) = x @ weight.T + bias, built from the library's differentiable ops."""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype
from coursework.public.A2.cases import LINEAR_CASES
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close, load_known_values
from nn_from_scratch.functional.arithmetic import linear
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_1

KNOWN = load_known_values(__file__, "2_1_linear")
CASES = list(enumerate(LINEAR_CASES))


def tensors(i, has_bias):
    x = Tensor(KNOWN[f"case{i}_x"].copy(), requires_grad=True)
    w = Tensor(KNOWN[f"case{i}_w"].copy(), requires_grad=True)
    b = Tensor(KNOWN[f"case{i}_b"].copy(), requires_grad=True) if has_bias else None
    return x, w, b


@pytest.mark.parametrize("case", CASES, ids=[f"x{s}-out{o}-{'bias' if b else 'nobias'}" for _, (s, o, b) in CASES])
def test_known_values(case):
    """The output, and the gradients autograd derives through it (tutorial 03, section 3.1: G W, G^T X, sum G)."""
    i, (x_shape, out_features, has_bias) = case
    x, w, b = tensors(i, has_bias)
    y = linear(x, w, b)
    what = f"linear(x {x_shape}, weight {w.shape}{', bias' if has_bias else ''})"
    assert isinstance(y, Tensor), f"{what}: expected a Tensor, got {type(y).__name__}"
    expect_close(y, KNOWN[f"case{i}_y"], f"{what}: the output")
    assert y.requires_grad, (f"{what}: the output is not connected to the graph (requires_grad is False): build it "
                             "from the library's ops on tensors (matmul, +), not from raw arrays")
    y.backward(KNOWN[f"case{i}_g"])
    expect_close(x.grad, KNOWN[f"case{i}_grad_x"], f"{what}: x.grad after backward")
    expect_close(w.grad, KNOWN[f"case{i}_grad_w"], f"{what}: weight.grad after backward")
    if has_bias:
        expect_close(b.grad, KNOWN[f"case{i}_grad_b"], f"{what}: bias.grad after backward")


def test_without_bias_is_a_plain_product():
    """bias=None: y = x @ weight.T, nothing added."""
    rng = np.random.default_rng(2101)
    x, w = rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    expect_close(linear(Tensor(x), Tensor(w)), x @ w.T, "linear(x, weight) without bias")


def test_gradcheck():
    """nf.gradcheck of linear with respect to x, weight and bias (strict tolerances)."""
    rng = np.random.default_rng(2102)
    x = Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True)
    gradcheck(linear, [x, w, b], **STRICT_GRADCHECK)


def test_float32_stays_float32():
    """Layers train in float32: float32 tensors in, a float32 output (and gradients) out."""
    x = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    w = Tensor(np.ones((4, 3), dtype=np.float32), requires_grad=True)
    y = linear(x, w, Tensor(np.ones(4, dtype=np.float32)))
    expect_dtype(y.data, np.float32, "linear of float32 tensors")
    y.backward(np.ones((2, 4), dtype=np.float32))
    expect_dtype(w.grad, np.float32, "linear of float32 tensors: weight.grad")
