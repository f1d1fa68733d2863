"""Exp.backward is 0.1% too large: a gradient that loose checks (rtol 1e-3) would let through."""

TARGET_TASK = "1.6"


class ExpFunction:
    def backward(self, g):
        return g * self.y * 1.001
