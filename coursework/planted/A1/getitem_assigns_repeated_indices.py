"""GetItem.backward writes g into the selected positions with =: an element selected twice keeps one gradient
instead of their sum."""

TARGET_TASK = "1.10"


class GetItemFunction:
    def backward(self, g):
        xp = array_module(g)
        grad = xp.zeros(self.input_shape, dtype=g.dtype)
        grad[self.index] = g
        return grad
