"""LeakyReLU's backward applies the slope where x > 0 and passes g unchanged where x <= 0: the two sides swapped."""

TARGET_TASK = "2.2"


class LeakyReLUFunction:
    def backward(self, g):
        return array_module(g).where(self.x > 0, self.negative_slope * g, g)
