"""Task 4.2: VAE.reparameterize, z = mu + exp(logvar / 2) * eps, with library operations (it has a backward)."""

import numpy as np
import pytest

from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close, gradcheck_or_skip, load_known_values
from nn_from_scratch.models import VAE
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_4_2

KNOWN = load_known_values(__file__, "4_2_reparameterize")


def test_known_values():
    z = VAE.reparameterize(Tensor(KNOWN["mu"]), Tensor(KNOWN["logvar"]), Tensor(KNOWN["eps"]))
    assert isinstance(z, Tensor), f"VAE.reparameterize must return a Tensor, got {type(z).__name__}"
    expect_close(z, KNOWN["z"], "VAE.reparameterize: z")


def test_broadcast_over_samples():
    """mu, logvar (2, 1, 3) and eps (2, 5, 3): five samples per row, as the importance-weighted bound uses it."""
    z = VAE.reparameterize(Tensor(KNOWN["wide_mu"]), Tensor(KNOWN["wide_logvar"]), Tensor(KNOWN["wide_eps"]))
    expect_close(z, KNOWN["wide_z"], "VAE.reparameterize with eps (2, 5, 3): z")


def test_gradients_reach_mu_and_logvar():
    """dL/dmu = g and dL/dlogvar = g * sigma * eps / 2, through the engine."""
    mu, logvar = Tensor(KNOWN["mu"], requires_grad=True), Tensor(KNOWN["logvar"], requires_grad=True)
    z = VAE.reparameterize(mu, logvar, Tensor(KNOWN["eps"]))
    assert z.requires_grad, "z does not require grad: compute it with library operations (F.exp, *, +)"
    (z * Tensor(KNOWN["g"])).sum().backward()
    expect_close(mu.grad, KNOWN["grad_mu"], "dL/dmu")
    expect_close(logvar.grad, KNOWN["grad_logvar"], "dL/dlogvar")


def test_gradcheck():
    eps = Tensor(np.random.default_rng(2).standard_normal((2, 3)))
    mu = Tensor(np.random.default_rng(3).standard_normal((2, 3)), requires_grad=True)
    logvar = Tensor(np.random.default_rng(4).standard_normal((2, 3)), requires_grad=True)
    gradcheck_or_skip(lambda m, v: VAE.reparameterize(m, v, eps), [mu, logvar], "4.2", **STRICT_GRADCHECK)
