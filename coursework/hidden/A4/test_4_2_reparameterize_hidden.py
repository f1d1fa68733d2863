"""Hidden tests of task 4.2 (VAE.reparameterize): the formula on many shapes and scales, eps as an array or a
Tensor, both gradients in closed form, strict gradchecks."""

import numpy as np
import pytest

from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close
from nn_from_scratch.models import VAE
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_4_2


@pytest.mark.parametrize("shape", [(1, 1), (6, 2), (3, 20), (2, 4, 3)])
def test_formula_and_gradients(shape):
    rng = np.random.default_rng(sum(shape))
    mu, logvar, eps, g = rng.standard_normal(shape), rng.uniform(-6, 4, shape), rng.standard_normal(shape), \
        rng.standard_normal(shape)
    m, v = Tensor(mu, requires_grad=True), Tensor(logvar, requires_grad=True)
    z = VAE.reparameterize(m, v, Tensor(eps))
    expect_close(z, mu + np.exp(logvar / 2) * eps, f"z, shape {shape}", rtol=1e-12)
    (z * Tensor(g)).sum().backward()
    expect_close(m.grad, g, "dL/dmu", rtol=1e-12)
    expect_close(v.grad, g * np.exp(logvar / 2) * eps / 2, "dL/dlogvar", rtol=1e-12)


def test_eps_as_an_array():
    rng = np.random.default_rng(9)
    mu, logvar, eps = rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    z = VAE.reparameterize(Tensor(mu), Tensor(logvar), eps.astype(np.float32))
    expect_close(z, mu + np.exp(logvar / 2) * eps.astype(np.float32), "z with eps a float32 array", rtol=1e-12)


def test_strict_gradcheck():
    rng = np.random.default_rng(10)
    eps = Tensor(rng.standard_normal((3, 4)))
    mu, logvar = Tensor(rng.standard_normal((3, 4)), requires_grad=True), Tensor(rng.uniform(-2, 2, (3, 4)),
                                                                                requires_grad=True)
    assert gradcheck(lambda m, v: VAE.reparameterize(m, v, eps), [mu, logvar], **STRICT_GRADCHECK)
