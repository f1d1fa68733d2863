"""The convolution cases of assignment A2's hidden tests, and an adjoint check against the references."""

from __future__ import annotations

import numpy as np

from nn_from_scratch.coursework.testing import expect_adjoint

# conv2d: (x's shape, weight's shape, with a bias, stride, padding, dilation): odd and rectangular sizes, a stride
# larger than the kernel (pixels no window reads), a padding as large as the kernel, dilations 2 and 3, a batch of 3
CONV_CASES = [
    ((3, 2, 5, 5), (2, 2, 3, 3), True, 1, 1, 1),
    ((2, 3, 7, 5), (4, 3, 2, 3), True, (2, 1), (0, 2), 1),
    ((1, 1, 9, 8), (2, 1, 3, 3), False, 2, 0, 3),
    ((2, 2, 6, 7), (3, 2, 1, 2), True, 3, (1, 0), 1),
    ((1, 3, 4, 4), (2, 3, 4, 4), True, 1, 3, 1),
    ((2, 1, 8, 6), (1, 1, 2, 2), True, (3, 2), (2, 1), (2, 3)),
    ((1, 2, 3, 3), (1, 2, 3, 3), False, 1, 0, 1),
    ((3, 1, 5, 6), (2, 1, 3, 1), True, 2, 2, (1, 2)),
]

# conv_transpose2d: (x's shape, weight's shape (C, O, KH, KW), with a bias, stride, padding, output_padding,
# dilation): the DCGAN's 4x4 stride 2 layers, output_padding with stride 1 and dilation 2 (so output_padding >=
# stride), rectangular everything
CONV_TRANSPOSE_CASES = [
    ((3, 2, 3, 3), (2, 3, 4, 4), True, 2, 1, 0, 1),
    ((1, 3, 4, 5), (3, 2, 3, 2), True, (2, 3), (1, 0), (1, 2), 1),
    ((2, 2, 3, 3), (2, 1, 2, 2), False, 1, 0, 1, 2),
    ((1, 1, 4, 3), (1, 2, 3, 3), True, 2, 0, 2, 3),
    ((2, 2, 2, 2), (2, 2, 1, 1), True, 3, 0, 2, 1),
    ((1, 2, 5, 4), (2, 3, 3, 3), False, 1, 1, 0, (1, 2)),
    ((1, 4, 1, 1), (4, 2, 7, 7), True, 1, 0, 0, 1),
]


def pair(value) -> tuple:
    return (value, value) if isinstance(value, int) else tuple(value)


def expect_gradients_transpose(forward_x, forward_w, grads, x, w, g, what, rng):
    """The gradients of a bilinear op y = A(x, w) (+ bias): dL/dx and dL/dweight are the transposes of x -> A(x, w)
    and w -> A(x, w) applied to g, and dL/dbias sums g over (N, H, W)."""
    __tracebackhide__ = True
    grad_x, grad_w = grads[0], grads[1]
    for name, grad, like in (("x", grad_x, x), ("weight", grad_w, w)):
        if grad is None or np.shape(grad) != like.shape:
            raise AssertionError(f"{what}: dL/d{name} should have shape {like.shape}, got "
                                 f"{None if grad is None else np.shape(grad)}")
    expect_adjoint(forward_x, lambda _: grad_x, rng.standard_normal(x.shape), g, f"{what}: dL/dx")
    expect_adjoint(forward_w, lambda _: grad_w, rng.standard_normal(w.shape), g, f"{what}: dL/dweight")
