"""Task 3.2: the generator loss, non-saturating -mean log D(G(z)) = BCE(a, 1) and saturating mean log(1 - D(G(z)))
= -BCE(a, 0), on logits a, stable for any logit."""

import numpy as np
import pytest

from coursework.public.A3 import calls
from coursework.public.A3.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.models.gan import generator_loss
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_3_2

KNOWN = load_known_values(__file__, "3_2_generator_loss")
FORMS = {"non_saturating": False, "saturating": True}


def loss_and_grad(logits, saturating, dtype=np.float64):
    return calls.loss_and_grads(lambda a: generator_loss(a, saturating=saturating), [logits],
                                f"generator_loss(saturating={saturating})", [generator_loss], dtype)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("kind", ["moderate", "extreme"])
def test_known_values(kind, form):
    """The loss and dL/da: (sigmoid(a) - 1) / N non-saturating, -sigmoid(a) / N saturating."""
    loss, grad = loss_and_grad(KNOWN[f"{kind}_logits"], FORMS[form])
    expect_close(loss, KNOWN[f"{kind}_{form}_loss"], f"generator_loss(saturating={FORMS[form]}) on {kind} logits")
    expect_close(grad, KNOWN[f"{kind}_{form}_grad"],
                 f"generator_loss(saturating={FORMS[form]}) on {kind} logits: dL/da")


def test_the_default_is_non_saturating():
    a = Tensor(np.array(KNOWN["moderate_logits"]), requires_grad=True)
    with own_code_only("generator_loss", [generator_loss]):
        loss = generator_loss(a)
    expect_close(loss, KNOWN["moderate_non_saturating_loss"], "generator_loss(logits) without saturating=")


def test_where_d_rejects_the_fakes_only_the_saturating_gradient_vanishes():
    """Logits -12 to -7 (D(G(z)) below 1e-3): saturating |dL/da| < 1e-3 / N, non-saturating about 1 / N."""
    logits = np.linspace(-12, -7, 8)[:, None]
    _, saturating = loss_and_grad(logits, True)
    _, non_saturating = loss_and_grad(logits, False)
    assert np.abs(saturating).max() < 1e-3 / 8, f"saturating gradient {saturating.ravel()}: expected -sigmoid(a)/N"
    assert np.abs(non_saturating + 1 / 8).max() < 1e-3 / 8, \
        f"non-saturating gradient {non_saturating.ravel()}: expected (sigmoid(a) - 1)/N"


@pytest.mark.parametrize("form", FORMS)
def test_float32_stays_float32(form):
    loss, grad = loss_and_grad(KNOWN["extreme_logits"], FORMS[form], dtype=np.float32)
    assert loss.dtype == np.float32 and grad.dtype == np.float32, \
        f"generator_loss(saturating={FORMS[form]}): expected float32, got {loss.dtype} and {grad.dtype}"
    assert np.isfinite(float(loss.data)), f"generator_loss(saturating={FORMS[form]}) is not finite: {loss.data}"
