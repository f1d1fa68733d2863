"""MatMul.backward transposes with .T, which reverses every axis: right for matrices, wrong for batched products."""

TARGET_TASK = "1.7"


class MatMulFunction:
    def backward(self, g):
        a = self.a[None, :] if self.a.ndim == 1 else self.a
        b = self.b[:, None] if self.b.ndim == 1 else self.b
        batch_shape = broadcast_shapes(a.shape[:-2], b.shape[:-2])
        g = g.reshape(batch_shape + (a.shape[-2], b.shape[-1]))
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = g @ b.T
            if self.a.ndim == 1:
                grad_a = grad_a.squeeze(-2)
        if self.needs_input_grad[1]:
            grad_b = a.T @ g
            if self.b.ndim == 1:
                grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b
