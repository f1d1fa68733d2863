"""The gradient with respect to the target is g * x instead of -g * x (dl/dt = -x): a sign error."""

TARGET_TASK = "2.4"


class BinaryCrossEntropyWithLogitsFunction:
    def backward(self, g):
        grad_x = g * (stable_sigmoid(self.x) - self.t) if self.needs_input_grad[0] else None
        grad_t = g * self.x if self.needs_input_grad[1] else None
        return grad_x, grad_t
