"""Fast matrix product: an outer product as a broadcast multiply.

A product whose summed axis has length 1, ``(n, 1) @ (1, m)``, is an outer
product: each entry is one multiplication.  BLAS runs it as a general GEMM
and is slow there (the input gradient of a Linear layer with one output, the
discriminator's last layer, is such a product); ``a * b`` with broadcasting
gives the same bits at memory speed.  Figures: BENCHMARKS.md ("What was
changed for speed").
"""

from __future__ import annotations

from ..functional import arithmetic as textbook


def matrix_product(a, b):
    """``a @ b``, but as a broadcast multiply when the summed axis has length 1 (an outer product)."""
    if a.ndim >= 2 and b.ndim >= 2 and a.shape[-1] == 1:
        return a * b                     # (..., n, 1) * (..., 1, m) -> (..., n, m)
    return a @ b


class MatMulFunction(textbook.MatMulFunction):
    """The textbook MatMul with its 2-D products through :func:`matrix_product`."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return matrix_product(a, b)

    def backward(self, g):
        if self.a.ndim != 2 or self.b.ndim != 2:
            return super().backward(g)      # batched and 1-D products: the textbook's
        grad_a = matrix_product(g, self.b.T) if self.needs_input_grad[0] else None
        grad_b = matrix_product(self.a.T, g) if self.needs_input_grad[1] else None
        return grad_a, grad_b


TWINS = {textbook.MatMulFunction: MatMulFunction}
