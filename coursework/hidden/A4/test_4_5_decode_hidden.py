"""Hidden tests of task 4.5 (VAE.decode): other latent sizes, batches and class counts against the decoder layers
composed at run time (the code first, then the one-hot label); shape errors."""

import numpy as np
import pytest

from coursework.public.A4.models import as_tensor, fixed_parameters
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.models import VAE
from nn_from_scratch.models.conditioning import one_hot
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_4_5


@pytest.mark.parametrize("latent, classes, n", [(1, 0, 2), (5, 0, 3), (2, 3, 4), (4, 10, 5)])
def test_against_the_layers(latent, classes, n):
    vae = fixed_parameters(VAE(latent, classes), 0.15)
    z = np.random.default_rng(latent * 10 + classes).standard_normal((n, latent)) * 2
    labels = np.arange(n) % classes if classes else None
    joined = z if not classes else np.concatenate([z, one_hot(labels, classes, like=Tensor(z)).data], axis=1)
    expected = vae.decoder(as_tensor(joined)).data
    expect_close(vae.decode(as_tensor(z), labels), expected, f"logits, latent {latent}, {classes} classes",
                 rtol=1e-9)


@pytest.mark.parametrize("shape", [(2, 3), (2,), (2, 4, 1)])
def test_wrong_code_shapes(shape):
    with pytest.raises(ValueError, match="VAE.decode"):
        fixed_parameters(VAE(4)).decode(as_tensor(np.zeros(shape)))
