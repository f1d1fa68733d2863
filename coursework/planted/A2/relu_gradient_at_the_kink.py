"""ReLU's backward lets the gradient through where x >= 0: at the kink x = 0 it passes g instead of 0 (PyTorch's
convention, and the docstring's, is 0)."""

TARGET_TASK = "2.2"


class ReLUFunction:
    def backward(self, g):
        return g * (self.x >= 0)
