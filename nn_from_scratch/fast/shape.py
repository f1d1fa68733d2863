"""Fast reshape: the gradient keeps the memory layout of the input.

A convolution's output is a channels-last array viewed as (N, C, H, W)
(``fast/conv.py``).  When such an array is reshaped (flattened before a
Linear layer, say), NumPy copies it into row-major order, and the textbook
backward returns a row-major gradient.  The element-wise backward steps that
come next multiply it with arrays saved in the channels-last layout (an
activation's mask, BatchNorm's x_hat), and NumPy runs a product of two
arrays laid out differently several times slower than one of matching
arrays.  So the twin gives the gradient x's memory layout, with one copy.
"""

from __future__ import annotations

from ..backend import array_module
from ..functional import shape as textbook


class ReshapeFunction(textbook.ReshapeFunction):
    """The textbook Reshape whose gradient is laid out in memory like x."""

    def forward(self, x):
        # x's axes from the slowest-varying in memory to the fastest: (0, 2, 3, 1) for a channels-last image
        self.memory_order = None if x.flags.c_contiguous else tuple(sorted(range(x.ndim), key=lambda a: -x.strides[a]))
        return super().forward(x)

    def backward(self, g):
        grad = g.reshape(self.input_shape)
        if self.memory_order is None:
            return grad
        xp = array_module(g)
        in_memory_order = xp.ascontiguousarray(grad.transpose(self.memory_order))          # the one copy
        return in_memory_order.transpose(textbook.inverse_permutation(self.memory_order))  # a view with x's shape


TWINS = {textbook.ReshapeFunction: ReshapeFunction}
