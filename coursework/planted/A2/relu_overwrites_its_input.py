"""ReLU's forward zeroes the negative entries of x in place and returns x: values and gradient are right, but the
caller's input array has changed (in a graph, every other op that reads x now sees max(x, 0))."""

TARGET_TASK = "2.2"


class ReLUFunction:
    def forward(self, x):
        x[x < 0] = 0
        self.x = x
        return x
