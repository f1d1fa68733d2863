"""Random graphs of linear ops for the hidden engine tests, with their exact derivatives.

Every node is Scale(k)(x) or Combine()(a, b) = 2a + 3b of earlier nodes, so
d(node)/d(leaf) is an integer computed here forward, in creation order (an
independent route to the gradients that backward must find).
"""

import numpy as np

from coursework.public.A1.graphs import Combine, Scale, leaf
from nn_from_scratch.coursework.testing import expect_close


def random_dag(rng, leaves=3, ops=20, constant_leaves=1):
    """(output, leaves, derivative) where derivative[id(leaf)] = d(output)/d(leaf) (a float)."""
    nodes = [leaf(rng.integers(-3, 4, 2).astype(float)) for _ in range(leaves)]
    nodes += [leaf(rng.integers(-3, 4, 2).astype(float), requires_grad=False) for _ in range(constant_leaves)]
    # derivative of each node with respect to each (gradient-requiring) leaf
    d = [{id(n): (1.0 if j == i else 0.0) for j, n in enumerate(nodes[:leaves])} for i in range(leaves)]
    d += [{id(n): 0.0 for n in nodes[:leaves]} for _ in range(constant_leaves)]
    for _ in range(ops):
        if rng.random() < 0.4:
            i = int(rng.integers(len(nodes)))
            k = float(rng.integers(-3, 4) or 1)
            nodes.append(Scale(k)(nodes[i]))
            d.append({key: k * value for key, value in d[i].items()})
        else:
            i, j = (int(v) for v in rng.integers(len(nodes), size=2))
            nodes.append(Combine()(nodes[i], nodes[j]))
            d.append({key: 2 * d[i][key] + 3 * d[j][key] for key in d[i]})
    # the output uses the last few nodes, so that most of the graph matters
    output, derivative = nodes[-1], d[-1]
    for back in (2, 3, len(nodes)):       # ... and the first leaf, so that it requires grad
        if len(nodes) >= back:
            derivative = {key: 2 * derivative[key] + 3 * d[-back][key] for key in derivative}
            output = Combine()(output, nodes[-back])
    return output, nodes[:leaves], derivative


def expect_exact_gradients(rng, graphs, max_leaves, what):
    """Backpropagate through ``graphs`` random graphs; every leaf's .grad must be its exact derivative."""
    for number in range(graphs):
        output, leaves, derivative = random_dag(rng, leaves=int(rng.integers(1, max_leaves + 1)),
                                                ops=int(rng.integers(2, 25)))
        output.backward(np.ones(output.shape))
        for position, x in enumerate(leaves):
            expected = np.full(x.shape, derivative[id(x)])
            if x.grad is None and not expected.any():
                continue      # a leaf the output does not depend on may get no gradient at all
            expect_close(x.grad, expected, f"{what} #{number}, leaf {position}: .grad")
