"""Task 4.3: F.gaussian_kl, KL(N(mu, exp(logvar)) || N(0, I)) = 1/2 sum (exp(logvar) + mu^2 - 1 - logvar) per
sample, summed over every axis but the first, then reduced over the batch."""

import numpy as np
import pytest

from nn_from_scratch import functional as F
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close, gradcheck_or_skip, load_known_values
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_4_3

KNOWN = load_known_values(__file__, "4_3_gaussian_kl")


@pytest.mark.parametrize("name", ["flat", "deep"])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_known_values(name, reduction):
    """mu, logvar (5, 4) and (3, 2, 2); per-sample values, their sum and their mean."""
    kl = F.gaussian_kl(Tensor(KNOWN[f"{name}_mu"]), Tensor(KNOWN[f"{name}_logvar"]), reduction)
    expect_close(kl, KNOWN[f"{name}_{reduction}"], f"gaussian_kl, {name} input, reduction={reduction!r}")


@pytest.mark.parametrize("name", ["flat", "deep"])
def test_gradients(name):
    mu = Tensor(KNOWN[f"{name}_mu"], requires_grad=True)
    logvar = Tensor(KNOWN[f"{name}_logvar"], requires_grad=True)
    (F.gaussian_kl(mu, logvar, "none") * Tensor(KNOWN[f"{name}_g"])).sum().backward()
    expect_close(mu.grad, KNOWN[f"{name}_grad_mu"], "dKL/dmu")
    expect_close(logvar.grad, KNOWN[f"{name}_grad_logvar"], "dKL/dlogvar")


def test_zero_at_the_prior():
    kl = F.gaussian_kl(Tensor(np.zeros((3, 5))), Tensor(np.zeros((3, 5))), "none")
    expect_close(kl, np.zeros(3), "KL(N(0, I) || N(0, I))")


def test_errors():
    with pytest.raises(ValueError, match="gaussian_kl"):
        F.gaussian_kl(Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 4))))
    with pytest.raises(ValueError, match="reduction"):
        F.gaussian_kl(Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 3))), "average")


def test_gradcheck():
    rng = np.random.default_rng(1)
    mu, logvar = Tensor(rng.standard_normal((3, 2)), requires_grad=True), Tensor(rng.standard_normal((3, 2)),
                                                                                requires_grad=True)
    gradcheck_or_skip(lambda m, v: F.gaussian_kl(m, v, "sum"), [mu, logvar], "4.3", **STRICT_GRADCHECK)
