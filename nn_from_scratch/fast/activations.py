"""Fast activations and logistic losses: fewer passes over memory than the textbook forms.

The textbook forms (``functional/activations.py``, ``functional/losses.py``)
use ``maximum(x, 0)`` and ``where``.  Two NumPy behaviours make those slow on
the large arrays of a training step:

* ``maximum(x, 0)`` with the scalar 0 runs as a scalar loop, while
  ``maximum`` of two arrays is vectorised.  :func:`positive_part` compares
  with one sample's worth of zeros, broadcast over the batch axis: vectorised,
  without filling a whole array of zeros.
* ``where`` on an array of mixed signs runs as a branchy scalar loop.  The
  twins below pick between two values by arithmetic instead (a 0/1 mask
  times one value plus the complement times the other), which gives the same
  results bit for bit.

They also keep what forward computed for backward: ReLU its output (y > 0
exactly where x > 0, as in PyTorch), LeakyReLU its factor, softplus and the
logistic loss ``exp(-|x|)``.  The measured gains are in BENCHMARKS.md ("What
was changed for speed").
"""

from __future__ import annotations

import numpy

from ..backend import array_module
from ..functional import activations as textbook
from ..functional import losses as textbook_losses


def positive_part(x):
    """max(x, 0), element-wise (NaN stays NaN), as ``maximum`` of two arrays."""
    xp = array_module(x)
    zeros = xp.zeros_like(x[:1]) if x.ndim >= 2 else xp.zeros_like(x)
    return xp.maximum(x, zeros)


def stable_sigmoid(x, e=None):
    """The textbook ``stable_sigmoid`` with its numerator picked by arithmetic.

    With e = exp(-|x|): sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e)
    for x < 0, i.e. numerator = e * negative + (1 - negative) with negative =
    1 where x < 0, else 0 (the same bits as ``where``, since e is finite).  A
    caller that has ``e`` already passes it in.
    """
    xp = array_module(x)
    if e is None:
        e = xp.exp(-xp.abs(x))
    negative = (x < 0).astype(e.dtype)
    numerator = e * negative
    numerator += 1 - negative
    return numerator / (1 + e)


class ReLUFunction(textbook.ReLUFunction):
    """y = max(x, 0) by :func:`positive_part`; backward builds the mask from the output (y > 0 iff x > 0)."""

    def forward(self, x):
        self.y = positive_part(x)
        return self.y

    def backward(self, g):
        return g * (self.y > 0)


class LeakyReLUFunction(textbook.LeakyReLUFunction):
    """y = x * factor with factor = 1 where x > 0, slope elsewhere; backward is g * factor.

    The constants are rounded to x's dtype first, so that (1 - slope) + slope
    is exactly 1 and x * factor equals ``where(x > 0, x, slope * x)`` bit for bit.
    """

    def forward(self, x):
        slope = numpy.dtype(x.dtype).type(self.negative_slope)
        factor = (x > 0).astype(x.dtype)
        factor *= 1 - slope
        factor += slope
        self.factor = factor
        return x * factor

    def backward(self, g):
        return g * self.factor


class SigmoidFunction(textbook.SigmoidFunction):
    """y = sigmoid(x) by the arithmetic :func:`stable_sigmoid`; backward as the textbook's."""

    def forward(self, x):
        self.y = stable_sigmoid(x)
        return self.y


class SoftplusFunction(textbook.SoftplusFunction):
    """y = positive_part(x) + log1p(e), e = exp(-|x|) kept for backward's sigmoid."""

    def forward(self, x):
        xp = array_module(x)
        self.x = x
        self.e = xp.exp(-xp.abs(x))
        return positive_part(x) + xp.log1p(self.e)

    def backward(self, g):
        return g * stable_sigmoid(self.x, self.e)


class BinaryCrossEntropyWithLogitsFunction(textbook_losses.BinaryCrossEntropyWithLogitsFunction):
    """l = positive_part(x) - x t + log1p(e), e = exp(-|x|) kept for backward's sigmoid(x) - t."""

    def forward(self, x, t):
        xp = array_module(x, t)
        self.x, self.t = x, t
        self.e = xp.exp(-xp.abs(x))
        return positive_part(x) - x * t + xp.log1p(self.e)

    def backward(self, g):
        grad_x = g * (stable_sigmoid(self.x, self.e) - self.t) if self.needs_input_grad[0] else None
        grad_t = -g * self.x if self.needs_input_grad[1] else None
        return grad_x, grad_t


TWINS = {
    textbook.ReLUFunction: ReLUFunction,
    textbook.LeakyReLUFunction: LeakyReLUFunction,
    textbook.SigmoidFunction: SigmoidFunction,
    textbook.SoftplusFunction: SoftplusFunction,
    textbook_losses.BinaryCrossEntropyWithLogitsFunction: BinaryCrossEntropyWithLogitsFunction,
}
