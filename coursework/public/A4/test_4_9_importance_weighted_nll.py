"""Task 4.9: metrics.importance_weighted_nll, -log_mean_exp(log p(x|z_i) + log p(z_i) - log q(z_i|x)) over k
samples per image, averaged over the images, eps drawn with the given generator pass after pass."""

import numpy as np
import pytest

from coursework.public.A4.models import digits, linear_vae
from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.metrics import importance_weighted_nll

pytestmark = pytest.mark.task_4_9

KNOWN = load_known_values(__file__, "4_9_importance_weighted_nll")
IMAGES, LABELS = digits(6)


@pytest.mark.parametrize("classes", [0, 10])
@pytest.mark.parametrize("k, batch_size", [(4, 9), (1, 2), (7, 100)])
def test_known_values(classes, k, batch_size):
    """Six digits; k samples each; batch_size // k images per pass; eps from default_rng(5)."""
    got = importance_weighted_nll(linear_vae(3, classes), IMAGES, k, LABELS if classes else None,
                                  rng=np.random.default_rng(5), batch_size=batch_size)
    assert isinstance(got, float), f"expected a Python float, got {type(got).__name__}"
    expect_close(got, KNOWN[f"k{k}_{classes}"], f"IWAE bound, {classes} classes, k={k}, batch_size={batch_size}",
                 rtol=1e-7)


def test_k_must_be_positive():
    with pytest.raises(ValueError, match="k"):
        importance_weighted_nll(linear_vae(3), IMAGES, 0)


@pytest.mark.parametrize("training", [True, False])
def test_the_mode_is_restored(training):
    model = linear_vae(3)
    model.train(training)
    importance_weighted_nll(model, IMAGES[:2], 2, rng=np.random.default_rng(1))
    assert model.training == training, "importance_weighted_nll must leave the model in the mode it found it in"
