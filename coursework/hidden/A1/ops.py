"""Checks shared by the hidden tests of the ops' backward (tasks 1.4 to 1.10)."""

import numpy as np

from nn_from_scratch.coursework.testing import backward_of, expect_close
from nn_from_scratch.tensor import sum_to_shape


def expect_backward(function, arrays, grad_output, expected, what, requires_grad=None):
    """Call backward directly; compare each needed gradient (summed back to its input's shape) with
    ``expected``, tightly; grad_output must not be changed in place."""
    g = np.array(grad_output, dtype=np.float64)
    g_before = g.copy()
    grads = backward_of(function, arrays, g, requires_grad)
    requires_grad = requires_grad or [True] * len(arrays)
    for position, (grad, want, needed) in enumerate(zip(grads, expected, requires_grad)):
        if not needed:
            continue
        if grad is None:
            raise AssertionError(f"{what}: backward returned None for input {position}, which needs a gradient")
        expect_close(sum_to_shape(np.asarray(grad, dtype=np.float64), np.shape(arrays[position])), want,
                     f"{what}: gradient of input {position}")
    assert np.array_equal(g, g_before), (f"{what}: backward changed grad_output in place; the engine may pass the "
                                         "same array to other ops, so compute new arrays instead")
