"""Task 1.3: run_backward walks the graph in topological order and sums the gradients flowing into each tensor.

These tests use small Functions with a known backward (coursework/public/A1/graphs.py), so they need only the
engine: topological_order (task 1.1), sum_to_shape (task 1.2) and run_backward.
"""

import numpy as np
import pytest

from coursework.public.A1.graphs import AddTwice, Combine, OnlyFirst, Scale, leaf
from nn_from_scratch.coursework.testing import expect_close

pytestmark = pytest.mark.task_1_3


def ones_like(t):
    return np.ones(t.shape)


def test_the_chain_rule_along_a_chain():
    """y = Scale(3)(Scale(2)(a)): dy/da = 6."""
    a = leaf([1.0, -2.0])
    y = Scale(3.0)(Scale(2.0)(a))
    y.backward(ones_like(y))
    expect_close(a.grad, [6.0, 6.0], "a.grad for y = 3 * (2 * a)")


def test_a_reused_tensor_receives_the_sum_of_its_paths():
    """b = 2a; c = Combine(b, b) = 2b + 3b: dc/da = 2 * (2 + 3) = 10."""
    a = leaf([1.0, 2.0, 3.0])
    b = Scale(2.0)(a)
    c = Combine()(b, b)
    c.backward(ones_like(c))
    expect_close(a.grad, [10.0, 10.0, 10.0], "a.grad for c = Combine(b, b), b = 2a")


def test_paths_of_different_lengths():
    """out = Combine(Scale(5)(Scale(7)(x)), x) = 70 x + 3 x: dout/dx = 73."""
    x = leaf([0.5, -0.5])
    out = Combine()(Scale(5.0)(Scale(7.0)(x)), x)
    out.backward(ones_like(out))
    expect_close(x.grad, [73.0, 73.0], "x.grad for Combine(Scale(5)(Scale(7)(x)), x)")


def test_the_upstream_gradient_is_used():
    """backward(u) computes the gradient of sum(u * y)."""
    x = leaf([1.0, 2.0])
    y = Scale(4.0)(x)
    y.backward(np.array([0.5, -3.0]))
    expect_close(x.grad, [2.0, -12.0], "x.grad for y = 4x, backward([0.5, -3])")


def test_gradients_accumulate_across_backward_calls():
    """A second backward adds to .grad (until it is zeroed), as does a leaf that already has a .grad."""
    x = leaf([1.0, 1.0])
    y = Scale(3.0)(x)
    y.backward(ones_like(y), retain_graph=True)
    y.backward(ones_like(y))
    expect_close(x.grad, [6.0, 6.0], "x.grad after two backward() calls of y = 3x")
    z = leaf([1.0])
    z.grad = np.array([10.0])
    w = Scale(2.0)(z)
    w.backward(ones_like(w))
    expect_close(z.grad, [12.0], "z.grad (already [10]) after backward of w = 2z")


def test_only_leaves_keep_their_gradient_unless_retain_grad():
    """Intermediate tensors get no .grad, unless retain_grad() was called on them."""
    x = leaf([1.0, 2.0])
    hidden = Scale(2.0)(x)
    kept = Scale(3.0)(hidden).retain_grad()
    y = Scale(5.0)(kept)
    y.backward(ones_like(y))
    assert hidden.grad is None, "an intermediate tensor got a .grad without retain_grad()"
    expect_close(kept.grad, [5.0, 5.0], "kept.grad (retain_grad) for y = 5 * kept")
    expect_close(x.grad, [30.0, 30.0], "x.grad for y = 5 * 3 * 2 * x")


def test_inputs_that_need_no_gradient_get_none():
    """A constant input gets no .grad; a None from backward is skipped."""
    a = leaf([1.0, 2.0])
    constant = leaf([5.0, 6.0], requires_grad=False)
    y = Combine()(a, constant)
    y.backward(ones_like(y))
    expect_close(a.grad, [2.0, 2.0], "a.grad for Combine(a, constant)")
    assert constant.grad is None, "a tensor with requires_grad=False got a .grad"
    b, c = leaf([1.0]), leaf([2.0])
    z = OnlyFirst()(b, c)
    z.backward(ones_like(z))
    expect_close(b.grad, [5.0], "b.grad for OnlyFirst(b, c)")
    assert c.grad is None, "c.grad must stay None when backward returns None for it"


def test_a_broadcast_gradient_is_summed_back():
    """y = x + 2v with x (3, 4) and v (4,): backward returns a (3, 4) gradient for v; v.grad must be (4,)."""
    x = leaf(np.zeros((3, 4)))
    v = leaf(np.zeros(4))
    y = AddTwice()(x, v)
    y.backward(np.arange(12.0).reshape(3, 4))
    expect_close(v.grad, [24.0, 30.0, 36.0, 42.0], "v.grad for y = x + 2v (v broadcast over 3 rows)")
    expect_close(x.grad, np.arange(12.0).reshape(3, 4), "x.grad for y = x + 2v")


def test_the_graph_is_freed_unless_retain_graph():
    """After backward(), every Function of the graph has been released (Function.release)."""
    x = leaf([1.0])
    middle = Scale(2.0)(x)
    y = Scale(3.0)(middle)
    functions = [y.creator, middle.creator]
    y.backward(ones_like(y), retain_graph=True)
    assert not any(f.released for f in functions), "backward(retain_graph=True) released the graph"
    y.backward(ones_like(y))
    assert all(f.released for f in functions), "backward() must release each Function of the graph"
