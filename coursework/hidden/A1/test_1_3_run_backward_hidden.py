"""Hidden tests of task 1.3 (run_backward): exact gradients of random graphs, accumulation, broadcasting,
the graph's release, and strict gradchecks through library ops."""

import numpy as np
import pytest

from coursework.hidden.A1.dags import expect_exact_gradients, random_dag
from coursework.public.A1.graphs import Combine, Scale, leaf
from nn_from_scratch import functional as F
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_1_3


def test_random_graphs_exact_gradients():
    """80 random graphs of Scale and Combine with reused nodes: every leaf's gradient, exactly."""
    expect_exact_gradients(np.random.default_rng(1301), 80, 3, "random graph")


def test_a_leaf_used_twice_by_one_op():
    a = leaf([1.0, -1.0])
    y = Combine()(a, a)
    y.backward(np.ones(2))
    expect_close(a.grad, [5.0, 5.0], "a.grad for Combine(a, a) = 2a + 3a")


def test_gradients_accumulate_over_three_calls():
    x = leaf([1.0, 2.0])
    y = Scale(2.0)(x)
    for _ in range(3):
        y.backward(np.ones(2), retain_graph=True)
    expect_close(x.grad, [6.0, 6.0], "x.grad after three backward() calls of y = 2x")


def test_a_retained_intermediate_used_twice_gets_the_sum():
    x = leaf([1.0])
    middle = Scale(3.0)(x).retain_grad()
    y = Combine()(middle, Scale(4.0)(middle))
    y.backward(np.ones(1))
    expect_close(middle.grad, [14.0], "middle.grad for y = 2 middle + 3 (4 middle)")
    expect_close(x.grad, [42.0], "x.grad")


def test_backward_on_a_leaf():
    x = leaf([1.0, 2.0])
    x.backward(np.array([3.0, 4.0]))
    expect_close(x.grad, [3.0, 4.0], "x.grad after x.backward([3, 4]) on a leaf")


def test_every_function_is_released_after_backward():
    rng = np.random.default_rng(1302)
    output, _, _ = random_dag(rng, leaves=2, ops=15)
    functions, stack, seen = [], [output], set()
    while stack:
        t = stack.pop()
        if t.creator is not None and id(t.creator) not in seen:
            seen.add(id(t.creator))
            functions.append(t.creator)
            stack.extend(t.creator.inputs)
    output.backward(np.ones(output.shape), retain_graph=True)
    assert not any(f.released for f in functions), "backward(retain_graph=True) released part of the graph"
    output.backward(np.ones(output.shape))
    assert all(f.released for f in functions), "backward() left some Functions of the graph unreleased"


def test_strict_gradcheck_through_library_ops():
    """Reused tensors, broadcasting and reductions, with the library's own (reference) ops."""
    rng = np.random.default_rng(1303)
    a = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True)
    c = Tensor(rng.standard_normal((4, 2)), requires_grad=True)

    def fn(a, b, c):
        h = a * b + a                 # a used twice, b broadcast over rows
        z = (h @ c).exp() * h.sum(axis=1, keepdims=True)
        return z / (1.0 + z * z) + F.log(1.5 + a.mean(axis=0))[:2].sum()

    gradcheck(fn, [a, b, c], **STRICT_GRADCHECK)
