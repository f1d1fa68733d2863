"""linear computes x @ W.T + b on the raw arrays and wraps the result in a new Tensor: the values are right, but the
output is cut off from the graph, so no gradient reaches x, weight or bias."""

TARGET_TASK = "2.1"


def linear(x, weight, bias=None):
    y = x.data @ weight.data.T
    if bias is not None:
        y = y + bias.data
    return Tensor(y)
