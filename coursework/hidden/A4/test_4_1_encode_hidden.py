"""Hidden tests of task 4.1 (VAE.encode): other latent sizes, batches and class counts, against the model's own
layers composed at run time; the split (mean first) and the label both matter."""

import numpy as np
import pytest

from coursework.public.A4.models import as_tensor, digits, fixed_parameters
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.models import VAE
from nn_from_scratch.models.conditioning import append_one_hot
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_4_1

IMAGES, LABELS = digits(7)


@pytest.mark.parametrize("latent, classes", [(1, 0), (5, 0), (2, 3), (4, 10)])
def test_against_the_layers(latent, classes):
    vae = fixed_parameters(VAE(latent, classes), 0.15)
    labels = LABELS % classes if classes else None
    both = vae.to_gaussian(append_one_hot(vae.encoder(as_tensor(IMAGES)), labels, classes)).data
    mu, logvar = vae.encode(as_tensor(IMAGES), labels)
    expect_close(mu, both[:, :latent], f"mu, latent {latent}, {classes} classes", rtol=1e-9)
    expect_close(logvar, both[:, latent:], f"logvar, latent {latent}, {classes} classes", rtol=1e-9)


def test_unexpected_labels_are_refused():
    with pytest.raises(ValueError, match="unconditional"):
        fixed_parameters(VAE(2, 0)).encode(as_tensor(IMAGES), LABELS)
    with pytest.raises(ValueError, match="num_classes"):
        fixed_parameters(VAE(2, 10)).encode(as_tensor(IMAGES))


def test_float32_stays_float32():
    mu, logvar = VAE(3, 10).encode(Tensor(IMAGES.astype(np.float32)), LABELS)
    assert mu.data.dtype == np.float32 and logvar.data.dtype == np.float32
