"""Small Functions for the tests of the backward engine (tasks 1.1 to 1.3).

They are not library ops: each one's backward is written here, so that the
engine's tests do not depend on the ops' backward tasks.
"""

import numpy as np

from nn_from_scratch import Function, Tensor


class Scale(Function):
    """y = k x.   dL/dx = k g."""

    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x

    def backward(self, g):
        return self.k * g


class Combine(Function):
    """y = 2 a + 3 b (same shapes).   dL/da = 2 g,  dL/db = 3 g."""

    def forward(self, a, b):
        return 2 * a + 3 * b

    def backward(self, g):
        return 2 * g, 3 * g


class AddTwice(Function):
    """y = x + 2 v, v broadcast against x.   Backward returns g and 2 g, both of the broadcast shape."""

    def forward(self, x, v):
        return x + 2 * v

    def backward(self, g):
        return g, 2 * g


class OnlyFirst(Function):
    """y = a * 5 + b, and backward claims no gradient for b (returns None for it)."""

    def forward(self, a, b):
        return a * 5 + b

    def backward(self, g):
        return 5 * g, None


def leaf(values, requires_grad=True):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


def chain(x, length):
    """x scaled by 1.0, ``length`` times in a row: a graph ``length`` ops deep."""
    y = x
    for _ in range(length):
        y = Scale(1.0)(y)
    return y


def is_topological(order, output):
    """(True, "") when ``order`` starts with ``output``, lists each tensor once and every tensor before its
    inputs that require grad, and misses none of them; else (False, why)."""
    position = {}
    for index, tensor in enumerate(order):
        if not isinstance(tensor, Tensor):
            return False, f"item {index} of the order is a {type(tensor).__name__}, not a Tensor"
        if id(tensor) in position:
            return False, f"a tensor appears twice (at {position[id(tensor)]} and {index})"
        position[id(tensor)] = index
    if not order or order[0] is not output:
        return False, "the order must start with the output"
    reachable, stack = {id(output): output}, [output]
    while stack:
        tensor = stack.pop()
        if tensor.creator is None:
            continue
        for parent in tensor.creator.inputs:
            if parent.requires_grad and id(parent) not in reachable:
                reachable[id(parent)] = parent
                stack.append(parent)
    missing = [t for key, t in reachable.items() if key not in position]
    if missing:
        return False, (f"{len(missing)} tensors of the graph that require grad are missing (e.g. one of shape "
                       f"{missing[0].shape})")
    for tensor in order:
        if id(tensor) not in reachable and tensor.requires_grad:
            return False, "the order holds a tensor that is not part of the graph"
        if tensor.creator is None:
            continue
        for parent in tensor.creator.inputs:
            if id(parent) in position and position[id(parent)] < position[id(tensor)]:
                return False, (f"a tensor (shape {parent.shape}) comes at position {position[id(parent)]}, before "
                               f"the tensor made from it at position {position[id(tensor)]}")
    return True, ""
