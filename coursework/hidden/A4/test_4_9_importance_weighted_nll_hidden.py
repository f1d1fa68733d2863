"""Hidden tests of task 4.9 (importance_weighted_nll): an independent NumPy bound with the same draws, for several
k, passes and seeds, conditional and not; and the bound tightens with k on average."""

import numpy as np
import pytest

from coursework.hidden.A4 import reference
from coursework.public.A4.models import digits, linear_vae
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.metrics import importance_weighted_nll

pytestmark = pytest.mark.task_4_9

IMAGES, LABELS = digits(5)


@pytest.mark.parametrize("classes", [0, 10])
@pytest.mark.parametrize("k, batch_size, seed", [(1, 1, 3), (3, 7, 4), (8, 16, 6), (20, 1000, 8)])
def test_against_a_reference(classes, k, batch_size, seed):
    model = linear_vae(2, classes)
    given = LABELS if classes else None
    got = importance_weighted_nll(model, IMAGES, k, given, rng=np.random.default_rng(seed), batch_size=batch_size)
    expected = reference.iwae(model, IMAGES, k, given, np.random.default_rng(seed), batch_size)
    expect_close(got, expected, f"IWAE, k={k}, batch_size={batch_size}, {classes} classes", rtol=1e-9)


def test_tighter_with_more_samples():
    """Averaged over 8 seeds, k = 50 gives a lower bound than k = 1."""
    model = linear_vae(2)
    bounds = [np.mean([importance_weighted_nll(model, IMAGES[:3], k, rng=np.random.default_rng(s)) for s in range(8)])
              for k in (1, 50)]
    assert bounds[1] < bounds[0], bounds
