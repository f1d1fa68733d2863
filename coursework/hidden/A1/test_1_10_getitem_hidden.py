"""Hidden tests of task 1.10 (GetItem.backward): the transpose of indexing, repeated indices, masks."""

import numpy as np
import pytest

from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, backward_of, expect_adjoint, expect_close
from nn_from_scratch.functional.shape import GetItemFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_10

INDICES = [
    (slice(None, None, -1),), (1, slice(1, None)), (-2,), (slice(0, 5, 2), -1),
    ([1, 1, 1, 0],), (np.array([3, 0, 3]),), ([0, 2, 0], [1, 1, 1]), (slice(None), [3, 3, 0]),
    (np.array([[0, 1], [1, 1]]),), (np.array([True, False, True, False, True]),),
    (np.array([[True, False, True, True], [False] * 4, [True] * 4, [False, True, False, False], [True] * 4]),),
]


@pytest.mark.parametrize("index", INDICES, ids=[f"index{i}" for i in range(len(INDICES))])
def test_getitem_is_an_adjoint(index):
    rng = np.random.default_rng(2001)
    x = rng.standard_normal((5, 4))
    g = rng.standard_normal(x[index].shape)
    expect_adjoint(lambda x: x[index], lambda g: backward_of(GetItemFunction(index), [x], g)[0], x, g,
                   f"{GetItemFunction.__name__}({index!r}).backward")


def test_an_element_picked_three_times_gets_three_gradients():
    x = np.zeros(3)
    (grad,) = backward_of(GetItemFunction([2, 2, 0, 2]), [x], np.array([1.0, 10.0, 100.0, 1000.0]))
    expect_close(grad, [100.0, 0.0, 1011.0], f"{GetItemFunction.__name__}([2, 2, 0, 2]).backward")


def test_strict_gradcheck():
    x = Tensor(np.random.default_rng(2002).standard_normal((4, 3)), requires_grad=True)
    gradcheck(lambda x: GetItemFunction(([0, 3, 0], slice(None)))(x) * GetItemFunction(1)(x), [x], **STRICT_GRADCHECK)
