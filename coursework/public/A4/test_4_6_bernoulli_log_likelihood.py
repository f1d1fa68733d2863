"""Task 4.6: bernoulli_log_likelihood, log p(x|z) = -(BCE on logits summed over the pixels), per image, as a
float64 NumPy array; finite for any logit."""

import numpy as np
import pytest

from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.metrics import bernoulli_log_likelihood
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_4_6

KNOWN = load_known_values(__file__, "4_6_bernoulli_log_likelihood")


def test_known_values():
    """Three images of 4 x 4 pixels, grey and 0/1 targets, logits up to +-1e4."""
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        got = bernoulli_log_likelihood(Tensor(KNOWN["logits"]), KNOWN["targets"])
    assert isinstance(got, np.ndarray) and got.dtype == np.float64, \
        f"expected a float64 NumPy array, got {type(got).__name__} {getattr(got, 'dtype', '')}"
    expect_close(got, KNOWN["log_likelihood"], "bernoulli_log_likelihood")


def test_a_certain_decoder():
    """Logits of +-50 on 0/1 targets: every pixel is right with probability about 1, log p about 0."""
    targets = np.array([[[[1.0, 0.0], [0.0, 1.0]]]])
    got = bernoulli_log_likelihood(Tensor((targets * 2 - 1) * 50.0), targets)
    expect_close(got, [4 * -np.log1p(np.exp(-50.0))], "log p(x|z) of a certain decoder", rtol=1e-6, atol=1e-30)
