"""Task 1.1: topological_order(output) lists the graph's tensors, each before the tensors it was made from."""

import pytest

from coursework.public.A1.graphs import Combine, Scale, chain, is_topological, leaf
from nn_from_scratch.tensor import topological_order

pytestmark = pytest.mark.task_1_1


def expect_topological(order, output, what):
    ok, why = is_topological(order, output)
    assert ok, f"topological_order({what}): {why}"


def test_a_leaf_alone():
    """The graph of a leaf is the leaf itself."""
    x = leaf([1.0, 2.0])
    assert topological_order(x) == [x], "topological_order(leaf) must be [leaf]"


def test_a_chain_in_order():
    """For y = Scale(Scale(x)), the order is y, the middle tensor, x."""
    x = leaf([1.0])
    middle = Scale(2.0)(x)
    y = Scale(3.0)(middle)
    order = topological_order(y)
    assert [id(t) for t in order] == [id(y), id(middle), id(x)], \
        f"expected [y, middle, x], got {len(order)} tensors in another order"


def test_a_reused_tensor_is_listed_once_before_its_inputs():
    """b = Scale(a); c = Combine(b, b): b is used twice but listed once, after c and before a."""
    a = leaf([1.0, 2.0])
    b = Scale(2.0)(a)
    c = Combine()(b, b)
    order = topological_order(c)
    expect_topological(order, c, "c = Combine(b, b)")
    assert len(order) == 3, f"expected 3 tensors (c, b, a), got {len(order)}"


def test_paths_of_different_lengths():
    """x reaches the output directly and through two Scales: x must still come after both of them."""
    x = leaf([1.0, -1.0])
    long_path = Scale(2.0)(Scale(3.0)(x))
    out = Combine()(long_path, x)
    expect_topological(topological_order(out), out, "Combine(Scale(Scale(x)), x)")
    out2 = Combine()(x, long_path)
    expect_topological(topological_order(out2), out2, "Combine(x, Scale(Scale(x)))")


def test_a_diamond():
    """Two branches from one tensor that meet again."""
    x = leaf([0.5, 1.5, 2.5])
    top = Scale(2.0)(x)
    left, right = Scale(3.0)(top), Scale(5.0)(Scale(7.0)(top))
    out = Combine()(left, right)
    expect_topological(topological_order(out), out, "a diamond")


def test_inputs_that_need_no_gradient_may_be_left_out():
    """A constant input (requires_grad=False) needs no gradient: the order must list every tensor that does."""
    x = leaf([1.0, 2.0])
    constant = leaf([3.0, 4.0], requires_grad=False)
    out = Combine()(Scale(2.0)(x), constant)
    order = topological_order(out)
    expect_topological(order, out, "Combine(Scale(x), constant)")
    assert any(t is x for t in order), "the leaf x (requires_grad=True) is missing"


def test_a_deep_chain_without_recursion():
    """A chain 30,000 ops deep: far past Python's recursion limit, so walk the graph with a loop and a stack."""
    x = leaf([1.0])
    y = chain(x, 30_000)
    order = topological_order(y)
    assert len(order) == 30_001, f"expected 30001 tensors, got {len(order)}"
    assert order[0] is y and order[-1] is x, "the chain must start with its output and end with its leaf"
