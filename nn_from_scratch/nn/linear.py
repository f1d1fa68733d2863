"""Linear: the fully connected layer, y = x @ weight.T + bias."""

from __future__ import annotations

import math

from .. import functional as F
from ..checks import whole_number
from . import init
from .module import Module, empty_parameter


class Linear(Module):
    """y = x @ weight.T + bias, like ``torch.nn.Linear``.

    Shapes: x (..., in_features) -> y (..., out_features);
    weight (out_features, in_features), bias (out_features,).
    Initialisation (PyTorch's): weight by kaiming_uniform_(a=sqrt(5)), i.e.
    U(-1/sqrt(in_features), 1/sqrt(in_features)), and bias from the same range.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        self.in_features = whole_number("Linear", "in_features", in_features)
        self.out_features = whole_number("Linear", "out_features", out_features)
        self.weight = empty_parameter((self.out_features, self.in_features))
        self.bias = empty_parameter((self.out_features,)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_weight_and_bias_(self)

    def forward(self, x):
        if not hasattr(x, "ndim"):
            raise TypeError(f"{self!r}: expected a Tensor input, got {type(x).__name__}; wrap it: nf.Tensor(x)")
        if x.ndim < 1 or x.shape[-1] != self.in_features:
            hint = ""
            if x.ndim > 2 and math.prod(x.shape[1:]) == self.in_features:
                hint = "; flatten it first (nn.Flatten())"
            raise ValueError(f"Linear(in_features={self.in_features}, out_features={self.out_features}): "
                             f"expected input (..., {self.in_features}), got {tuple(x.shape)}{hint}")
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
