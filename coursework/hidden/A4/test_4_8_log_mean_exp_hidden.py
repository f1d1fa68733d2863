"""Hidden tests of task 4.8 (log_mean_exp): logaddexp references over many shapes, axes and magnitudes (up to
+-1e5), no floating-point warnings, exact for equal values."""

import numpy as np
import pytest

from coursework.hidden.A4 import reference
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.metrics import log_mean_exp

pytestmark = pytest.mark.task_4_8


@pytest.mark.parametrize("shape, axis", [((1, 1), 1), ((4, 1000), 1), ((6, 3), 0), ((2, 5, 3), 1), ((2, 3, 7), 2),
                                         ((3, 4), -1)])
@pytest.mark.parametrize("scale", [1.0, 300.0, 1e5])
def test_against_logaddexp(shape, axis, scale):
    rng = np.random.default_rng(int(scale) % 97 + len(shape))
    values = rng.standard_normal(shape) * scale + rng.uniform(-scale, scale)
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        got = log_mean_exp(values, axis=axis)
    expect_close(got, reference.log_mean_exp(values, axis), f"shape {shape}, axis {axis}, scale {scale}",
                 rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("k", [1, 2, 10, 1000])
def test_equal_values(k):
    expect_close(log_mean_exp(np.full((3, k), -2000.0), axis=1), np.full(3, -2000.0), f"{k} equal values")
