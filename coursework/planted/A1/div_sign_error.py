"""Div.backward forgets the minus sign of d(a/b)/db = -a / b**2."""

TARGET_TASK = "1.5"


class DivFunction:
    def backward(self, g):
        grad_a = g / self.b if self.needs_input_grad[0] else None
        grad_b = g * self.a / (self.b * self.b) if self.needs_input_grad[1] else None
        return grad_a, grad_b
