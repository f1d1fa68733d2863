"""Hidden tests of task 1.9 (inverse_permutation, Reshape.backward, Transpose.backward)."""

import itertools

import numpy as np
import pytest

from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, backward_of, expect_adjoint, expect_close
from nn_from_scratch.functional.shape import ReshapeFunction, TransposeFunction, inverse_permutation
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_9

PERMUTATIONS = [p for n in range(1, 5) for p in itertools.permutations(range(n))]


def test_inverse_permutation_undoes_every_permutation():
    x = np.random.default_rng(1901).standard_normal((2, 3, 4, 5))
    for axes in PERMUTATIONS:
        inverse = inverse_permutation(axes)
        assert tuple(inverse) == tuple(np.argsort(axes)), f"inverse_permutation({axes}) = {inverse}"
        y = x.reshape(x.shape[:len(axes)] + (-1,))[..., 0] if len(axes) < 4 else x
        expect_close(np.transpose(np.transpose(y, axes), inverse), y, f"transpose by {axes} then by {inverse}")


@pytest.mark.parametrize("axes", [None] + [p for p in PERMUTATIONS if len(p) == 4][::3])
def test_transpose_is_an_adjoint(axes):
    rng = np.random.default_rng(1902)
    x = rng.standard_normal((2, 3, 4, 5))
    g = rng.standard_normal(np.transpose(x, axes).shape)
    expect_adjoint(lambda x: np.transpose(x, axes), lambda g: backward_of(TransposeFunction(axes), [x], g)[0], x, g,
                   f"{TransposeFunction.__name__}({axes}).backward")


@pytest.mark.parametrize("shape, new_shape", [((2, 3, 4), (4, 6)), ((24,), (2, 3, 4)), ((2, 3, 4), (-1,)),
                                              ((6, 4), (2, 3, 2, 2))])
def test_reshape(shape, new_shape):
    rng = np.random.default_rng(1903)
    x = rng.standard_normal(shape)
    g = rng.standard_normal(x.reshape(new_shape).shape)
    (grad,) = backward_of(ReshapeFunction(new_shape), [x], g)
    expect_close(grad, g.reshape(shape), f"{ReshapeFunction.__name__}({new_shape}).backward on {shape}")


def test_reshape_of_a_transposed_input():
    """The input of a reshape need not be contiguous: the gradient still has its shape and values."""
    rng = np.random.default_rng(1904)
    x = rng.standard_normal((4, 3, 2)).transpose(2, 0, 1)
    g = rng.standard_normal((2, 12))
    grads = backward_of(ReshapeFunction((2, 12)), [x], g)
    expect_close(grads[0], g.reshape(2, 4, 3),
                 f"{ReshapeFunction.__name__}((2, 12)).backward on a transposed (2, 4, 3) input")


def test_strict_gradcheck():
    x = Tensor(np.random.default_rng(1905).standard_normal((2, 3, 4)), requires_grad=True)
    gradcheck(lambda x: TransposeFunction((2, 0, 1))(ReshapeFunction((3, 2, 4))(x)) * TransposeFunction((2, 1, 0))(x),
              [x], **STRICT_GRADCHECK)
