"""linear multiplies by weight instead of weight.T: right only by accident, when the weight is square and
symmetric (and a shape error otherwise)."""

TARGET_TASK = "2.1"


def linear(x, weight, bias=None):
    y = matmul(x, weight)
    return y if bias is None else y + bias
