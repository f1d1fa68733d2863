"""Hidden tests of task 4.6 (bernoulli_log_likelihood): the stable closed form on several shapes, logits from
-1e4 to 1e4 in float32 and float64, float64 results."""

import numpy as np
import pytest

from coursework.hidden.A4 import reference
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.metrics import bernoulli_log_likelihood
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_4_6


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (5, 1, 28, 28), (2, 3, 4, 5)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_closed_form(shape, dtype):
    rng = np.random.default_rng(shape[0] * 3 + shape[-1])
    logits = (rng.standard_normal(shape) * 10 ** rng.uniform(-1, 4, shape)).astype(dtype)
    x = rng.uniform(0, 1, shape).astype(dtype)
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        got = bernoulli_log_likelihood(Tensor(logits), x)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == (shape[0],)
    expected = reference.log_likelihood(logits.astype(np.float64), x.astype(np.float64))
    expect_close(got, expected, f"{np.dtype(dtype).name} logits", rtol=1e-12 if dtype == np.float64 else 1e-5)
