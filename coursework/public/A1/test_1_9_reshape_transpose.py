"""Task 1.9: inverse_permutation, and the backward of Reshape and Transpose (called directly here)."""

import numpy as np
import pytest

from coursework.public.A1.cases import PERMUTATIONS, RESHAPE_CASES, TRANSPOSE_CASES
from nn_from_scratch.coursework.testing import backward_of, expect_close, gradcheck_or_skip, load_known_values
from nn_from_scratch.functional.shape import ReshapeFunction, TransposeFunction, inverse_permutation
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_9

KNOWN = load_known_values(__file__, "1_9_reshape_transpose")


@pytest.mark.parametrize("i, axes", list(enumerate(PERMUTATIONS)), ids=[str(p) for p in PERMUTATIONS])
def test_inverse_permutation(i, axes):
    """inverse_permutation(axes) undoes transpose(axes)."""
    got = inverse_permutation(axes)
    assert isinstance(got, tuple), f"inverse_permutation({axes}) must return a tuple, got {type(got).__name__}"
    assert got == tuple(int(k) for k in KNOWN[f"inverse{i}"]), \
        f"inverse_permutation({axes}): expected {tuple(int(k) for k in KNOWN[f'inverse{i}'])}, got {got}"


@pytest.mark.parametrize("i, case", list(enumerate(RESHAPE_CASES)), ids=[f"{a}->{b}" for a, b in RESHAPE_CASES])
def test_reshape_known_values(i, case):
    """dL/dx for y = x.reshape(shape)."""
    (grad,) = backward_of(ReshapeFunction(case[1]), [KNOWN[f"reshape{i}_x"]], KNOWN[f"reshape{i}_g"])
    expect_close(grad, KNOWN[f"reshape{i}_grad"], f"{ReshapeFunction.__name__}({case[1]}).backward on {case[0]}")


@pytest.mark.parametrize("i, case", list(enumerate(TRANSPOSE_CASES)), ids=[f"{a}-{b}" for a, b in TRANSPOSE_CASES])
def test_transpose_known_values(i, case):
    """dL/dx for y = x.transpose(axes)."""
    (grad,) = backward_of(TransposeFunction(case[1]), [KNOWN[f"transpose{i}_x"]], KNOWN[f"transpose{i}_g"])
    expect_close(grad, KNOWN[f"transpose{i}_grad"], f"{TransposeFunction.__name__}({case[1]}).backward on {case[0]}")


def test_gradcheck():
    """nf.gradcheck of a reshape and a transpose (runs the engine and numerical_gradient too)."""
    x = Tensor(np.random.default_rng(9).standard_normal((2, 3, 4)), requires_grad=True)
    gradcheck_or_skip(lambda x: ReshapeFunction((4, 6))(x), [x], "1.9")
    gradcheck_or_skip(lambda x: TransposeFunction((1, 2, 0))(x), [x], "1.9")
