"""The cases of assignment A1's known-value tests: shapes, axes, indices, exponents.

Shared by the public tests and by coursework/generators/generate_A1.py, which
stores each case's inputs and the solution's results in data/*.npz.
"""

import numpy as np

# sum_to_shape(grad, shape): (grad's shape, target shape)
SUM_TO_SHAPE_CASES = [
    ((2, 3, 4), (3, 1)),
    ((2, 3), (3,)),
    ((4, 1), (4, 1)),
    ((5,), ()),
    ((2, 1, 3), (1, 1, 1)),
    ((3, 4), (1, 4)),
    ((2, 3, 4), (2, 1, 4)),
    ((6,), (1,)),
    ((2, 3, 4, 5), (3, 1, 5)),
]

# the element-wise binary ops: one shape for both inputs (broadcasting is the engine's job)
BINARY_SHAPE = (3, 4)

# x ** p for these exponents, on positive x
POW_EXPONENTS = [2, 3, 0.5, -1, 1.5, 1]

# a @ b: (a's shape, b's shape)
MATMUL_CASES = [
    ((3, 4), (4, 2)),
    ((4,), (4, 2)),
    ((3, 4), (4,)),
    ((4,), (4,)),
    ((2, 3, 4), (2, 4, 5)),
    ((1, 1), (1, 5)),
]

# sum / mean over axis: (input shape, axis, keepdims)
REDUCTION_CASES = [
    ((2, 3, 4), None, False),
    ((2, 3, 4), 0, False),
    ((2, 3, 4), (0, 2), False),
    ((2, 3, 4), -1, True),
    ((2, 3, 4), (1,), True),
    ((5,), 0, False),
    ((3, 4), None, True),
]

# reshape: (input shape, new shape)
RESHAPE_CASES = [
    ((2, 3, 4), (6, 4)),
    ((12,), (3, 4)),
    ((3, 4), (2, 2, 3)),
    ((2, 3), (6,)),
]

# transpose: (input shape, axes or None)
TRANSPOSE_CASES = [
    ((3, 4), None),
    ((2, 3, 4), None),
    ((2, 3, 4), (1, 2, 0)),
    ((2, 3, 4), (2, 0, 1)),
    ((2, 3, 4), (0, 2, 1)),
    ((2, 3, 4, 5), (3, 1, 0, 2)),
]

# inverse_permutation(axes)
PERMUTATIONS = [(0,), (1, 0), (1, 2, 0), (2, 0, 1), (0, 2, 1), (3, 1, 0, 2)]

# x[index]: (input shape, index)
GETITEM_CASES = [
    ((5, 4), (slice(1, 3),)),
    ((5, 4), 2),
    ((5, 4), (-1, slice(None, None, 2))),
    ((5,), [0, 0, 2]),
    ((5, 4), ([0, 3, 0], [1, 1, 1])),
    ((5, 4), (slice(None), [2, 0, 2, 2])),
    ((6,), np.array([True, False, True, True, False, False])),
]
