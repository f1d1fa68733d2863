"""Hidden tests of task 1.1 (topological_order): random graphs, reused nodes, depth, and the engine's results."""

import numpy as np
import pytest

from coursework.hidden.A1.dags import expect_exact_gradients, random_dag
from coursework.public.A1.graphs import Combine, Scale, chain, is_topological, leaf
from nn_from_scratch.tensor import topological_order

pytestmark = pytest.mark.task_1_1


def test_random_graphs_are_ordered():
    """200 random graphs of Scale and Combine with reused nodes: every tensor before its inputs, each once."""
    rng = np.random.default_rng(1001)
    for number in range(200):
        output, _, _ = random_dag(rng, leaves=int(rng.integers(1, 4)), ops=int(rng.integers(1, 30)))
        ok, why = is_topological(list(topological_order(output)), output)
        assert ok, f"random graph #{number}: {why}"


def test_backward_with_this_order_gives_exact_gradients():
    """The reference backward loop, run in this order, gives the exact gradients of random graphs."""
    expect_exact_gradients(np.random.default_rng(1002), 60, 2, "random graph")


def test_a_node_reached_along_many_paths():
    """A ladder: each rung combines the two previous ones, so early nodes are reached along many paths."""
    x = leaf([1.0])
    previous, current = x, Scale(1.0)(x)
    for _ in range(12):
        previous, current = current, Combine()(current, previous)
    ok, why = is_topological(list(topological_order(current)), current)
    assert ok, f"ladder graph: {why}"


def test_a_very_deep_chain():
    """100,000 ops deep: no recursion."""
    x = leaf([1.0])
    y = chain(x, 100_000)
    order = list(topological_order(y))
    assert len(order) == 100_001 and order[0] is y and order[-1] is x, "a chain of 100000 ops is not in order"


def test_a_wide_graph():
    """One leaf used by 3000 ops that are then combined one by one: each tensor once."""
    x = leaf([2.0])
    branches = [Scale(float(k % 5 + 1))(x) for k in range(3000)]
    total = branches[0]
    for branch in branches[1:]:
        total = Scale(0.4)(Combine()(total, branch))
    order = list(topological_order(total))
    ok, why = is_topological(order, total)
    assert ok, f"wide graph: {why}"
