"""Mul.backward multiplies each input's gradient by that input instead of by the other one: right for x * x,
wrong for a * b."""

TARGET_TASK = "1.4"


class MulFunction:
    def backward(self, g):
        grad_a = g * self.a if self.needs_input_grad[0] else None
        grad_b = g * self.b if self.needs_input_grad[1] else None
        return grad_a, grad_b
