"""Task 4.8: metrics.log_mean_exp, log((1/k) sum exp(v)) along an axis, without overflow or underflow."""

import numpy as np
import pytest

from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.metrics import log_mean_exp

pytestmark = pytest.mark.task_4_8

KNOWN = load_known_values(__file__, "4_8_log_mean_exp")
STRICT = {"over": "raise", "divide": "raise", "invalid": "raise", "under": "ignore"}


@pytest.mark.parametrize("axis", [1, 0])
def test_known_values(axis):
    """Rows of ordinary values, of values near -800 and of values near +750 (exp under- and overflows there)."""
    with np.errstate(**STRICT):
        got = log_mean_exp(KNOWN["values"], axis=axis)
    expect_close(got, KNOWN[f"axis{axis}"], f"log_mean_exp(values, axis={axis})")


def test_one_value():
    """k = 1: the value itself."""
    expect_close(log_mean_exp(KNOWN["values"][:, :1], axis=1), KNOWN["single"], "log_mean_exp of one value")


def test_equal_values():
    """k equal values v: log mean exp = v exactly (the 1/k matters)."""
    expect_close(log_mean_exp(np.full((2, 4), -1000.0), axis=1), [-1000.0, -1000.0], "four values of -1000")
