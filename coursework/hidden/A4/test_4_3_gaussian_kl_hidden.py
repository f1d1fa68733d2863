"""Hidden tests of task 4.3 (gaussian_kl): the closed form on many shapes (to 1e-12), gradients in closed form, a
Monte-Carlo estimate of the definition, strict gradchecks."""

import numpy as np
import pytest

from coursework.hidden.A4 import reference
from nn_from_scratch import functional as F
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_4_3


@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (2, 50), (4, 2, 3), (2, 1, 2, 2)])
def test_closed_form(shape):
    rng = np.random.default_rng(len(shape) * 10 + shape[-1])
    mu, logvar = rng.standard_normal(shape) * 2, rng.uniform(-8, 5, shape)
    per = reference.kl(mu, logvar)
    for reduction, expected in (("none", per), ("sum", per.sum()), ("mean", per.mean())):
        expect_close(F.gaussian_kl(Tensor(mu), Tensor(logvar), reduction), expected, f"{shape}, {reduction}",
                     rtol=1e-12)
    m, v = Tensor(mu, requires_grad=True), Tensor(logvar, requires_grad=True)
    F.gaussian_kl(m, v, "sum").backward()
    expect_close(m.grad, mu, "dKL/dmu = mu", rtol=1e-12)
    expect_close(v.grad, 0.5 * (np.exp(logvar) - 1), "dKL/dlogvar = (exp(logvar) - 1) / 2", rtol=1e-12)


def test_against_monte_carlo():
    """The definition E_q[log q(z) - log p(z)] with 400,000 samples agrees within 4 standard errors."""
    rng = np.random.default_rng(11)
    mu, logvar = np.array([0.8, -0.3, 1.5]), np.array([-1.0, 0.4, -2.0])
    z = mu + np.exp(logvar / 2) * rng.standard_normal((400_000, 3))
    terms = (-0.5 * ((z - mu) ** 2 / np.exp(logvar) + logvar) + 0.5 * z ** 2).sum(axis=1)
    exact = F.gaussian_kl(Tensor(mu[None]), Tensor(logvar[None]), "none").data[0]
    assert abs(exact - terms.mean()) < 4 * terms.std() / np.sqrt(len(terms)), (exact, terms.mean())


def test_strict_gradcheck():
    rng = np.random.default_rng(12)
    mu, logvar = Tensor(rng.standard_normal((4, 3)), requires_grad=True), Tensor(rng.uniform(-2, 2, (4, 3)),
                                                                                requires_grad=True)
    assert gradcheck(lambda m, v: F.gaussian_kl(m, v, "mean"), [mu, logvar], **STRICT_GRADCHECK)
