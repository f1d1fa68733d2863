"""conv2d_loops hands its work to Conv2dFunction (im2col and one matrix product): the values are right, but it is
another implementation of the same convolution, which the task forbids (the tests' shortcut guard refuses it)."""

TARGET_TASK = "2.5"


def conv2d_loops(x, weight, bias=None, stride=1, padding=0, dilation=1):
    function = Conv2dFunction(as_pair(stride), as_pair(padding), as_pair(dilation))
    return function.forward(x, weight) if bias is None else function.forward(x, weight, bias)
