"""Hidden tests of task 4.7 (vae_negative_elbo): an independent NumPy -ELBO with the same draws, for several
seeds, batch sizes and both kinds of model; the generator is the one given, and it is advanced."""

import numpy as np
import pytest

from coursework.hidden.A4 import reference
from coursework.public.A4.models import digits, linear_vae
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.metrics import vae_negative_elbo

pytestmark = pytest.mark.task_4_7

IMAGES, LABELS = digits(9)


@pytest.mark.parametrize("classes", [0, 10])
@pytest.mark.parametrize("seed, batch_size", [(1, 1), (3, 4), (12, 500)])
def test_against_a_reference(classes, seed, batch_size):
    model = linear_vae(2, classes)
    given = LABELS if classes else None
    got = vae_negative_elbo(model, IMAGES, given, rng=np.random.default_rng(seed), batch_size=batch_size)
    expected = reference.negative_elbo(model, IMAGES, given, np.random.default_rng(seed), batch_size)
    expect_close(got, expected, f"-ELBO, seed {seed}, batch_size {batch_size}, {classes} classes", rtol=1e-9)


def test_the_given_generator_is_used_and_advanced():
    rng = np.random.default_rng(21)
    first = vae_negative_elbo(linear_vae(2), IMAGES, rng=rng)
    second = vae_negative_elbo(linear_vae(2), IMAGES, rng=rng)
    check = np.random.default_rng(21)
    expect_close(first, reference.negative_elbo(linear_vae(2), IMAGES, None, check, 500), "first call", rtol=1e-9)
    expect_close(second, reference.negative_elbo(linear_vae(2), IMAGES, None, check, 500), "second call",
                 rtol=1e-9)
