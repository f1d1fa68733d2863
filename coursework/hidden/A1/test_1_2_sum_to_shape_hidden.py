"""Hidden tests of task 1.2 (sum_to_shape): the adjoint of broadcasting, on random shape pairs."""

import numpy as np
import pytest

from nn_from_scratch.coursework.testing import expect_adjoint, expect_close
from nn_from_scratch.tensor import sum_to_shape

pytestmark = pytest.mark.task_1_2


def random_broadcast_pair(rng):
    """(target shape, broadcast shape): the target with some axes of size 1 and maybe fewer axes."""
    ndim = int(rng.integers(1, 5))
    big = tuple(int(s) for s in rng.integers(2, 5, size=ndim))
    small = list(big[int(rng.integers(0, ndim + 1)):])
    for axis in range(len(small)):
        if rng.random() < 0.4:
            small[axis] = 1
    return tuple(small), big


def test_sum_to_shape_is_the_transpose_of_broadcasting():
    """<g, broadcast(x)> == <sum_to_shape(g), x> for 300 random shape pairs: nothing lost, nothing doubled."""
    rng = np.random.default_rng(1201)
    for _ in range(300):
        small, big = random_broadcast_pair(rng)
        x, g = rng.standard_normal(small), rng.standard_normal(big)
        result = sum_to_shape(g, small)
        assert np.shape(result) == small, f"sum_to_shape(grad {big}, {small}): got shape {np.shape(result)}"
        expect_adjoint(lambda x, big=big: np.broadcast_to(x, big), lambda g, small=small: sum_to_shape(g, small),
                       x, g, f"sum_to_shape(grad {big}, {small})")


def test_each_element_is_the_sum_of_its_copies():
    """(2, 3, 4) -> (3, 1): element [j, 0] is the sum of g[:, j, :]."""
    g = np.arange(24.0).reshape(2, 3, 4)
    expect_close(sum_to_shape(g, (3, 1)), g.sum(axis=(0, 2)).reshape(3, 1), "sum_to_shape((2, 3, 4) -> (3, 1))")
    expect_close(sum_to_shape(g, (1, 3, 1)), g.sum(axis=(0, 2)).reshape(1, 3, 1), "sum_to_shape -> (1, 3, 1)")
    expect_close(sum_to_shape(g, ()), g.sum(), "sum_to_shape((2, 3, 4) -> ())")


def test_an_unbroadcast_gradient_is_returned_unchanged():
    g = np.random.default_rng(1202).standard_normal((3, 2))
    expect_close(sum_to_shape(g, (3, 2)), g, "sum_to_shape(g, g.shape)")
