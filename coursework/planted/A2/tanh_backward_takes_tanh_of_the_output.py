"""tanh's backward computes 1 - tanh(y)**2 from the saved output y = tanh(x), applying tanh twice, instead of
1 - y**2."""

TARGET_TASK = "2.3"


class TanhFunction:
    def backward(self, g):
        return g * (1 - array_module(g).tanh(self.y) ** 2)
