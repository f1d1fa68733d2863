"""Mean.backward divides by the input's total size instead of the number of elements averaged: right for the mean
of everything, wrong over one axis."""

TARGET_TASK = "1.8"


class MeanFunction:
    def backward(self, g):
        size = 1
        for length in self.input_shape:
            size *= length
        return expand_to_input(g / size, self.input_shape, self.axes, self.keepdims)
