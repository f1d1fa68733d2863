"""Pow.backward uses x ** p instead of x ** (p - 1): an off-by-one in the exponent."""

TARGET_TASK = "1.5"


class PowFunction:
    def backward(self, g):
        p = self.exponent
        return g * p * self.x ** p
