"""Task 2.4: binary cross-entropy on logits, l = max(x, 0) - x t + log(1 + exp(-|x|)), finite for any logit.

backward needs sigmoid(x): stable_sigmoid (task 2.3) computes it.
"""

import numpy as np
import pytest

from coursework.public.A2.calls import expect_dtype, forward_backward
from nn_from_scratch import gradcheck
from nn_from_scratch.coursework.testing import STRICT_GRADCHECK, expect_close, load_known_values
from nn_from_scratch.functional.activations import stable_sigmoid
from nn_from_scratch.functional.losses import BinaryCrossEntropyWithLogitsFunction
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_4

KNOWN = load_known_values(__file__, "2_4_bce_with_logits")
NAME = BinaryCrossEntropyWithLogitsFunction.__name__
NO_OVERFLOW = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}


def run(kind):
    with np.errstate(**NO_OVERFLOW):
        try:
            return forward_backward(BinaryCrossEntropyWithLogitsFunction(), [KNOWN[f"{kind}_x"], KNOWN[f"{kind}_t"]],
                                    KNOWN[f"{kind}_g"], NAME, own=[stable_sigmoid])
        except FloatingPointError as error:
            raise AssertionError(f"{NAME} on {kind} logits: {error} (an exp of a large number, or a log of 0); use "
                                 "the stable form of the docstring") from None


@pytest.mark.parametrize("kind", ["moderate", "extreme"])
def test_known_values(kind):
    """The loss and its gradients dl/dx = g (sigmoid(x) - t), dl/dt = -g x; extreme: x from -1e4 to 1e4."""
    loss, (grad_x, grad_t) = run(kind)
    expect_close(loss, KNOWN[f"{kind}_loss"], f"{NAME}.forward on {kind} logits")
    expect_close(grad_x, KNOWN[f"{kind}_grad_x"], f"{NAME}.backward on {kind} logits: dL/dx")
    expect_close(grad_t, KNOWN[f"{kind}_grad_t"], f"{NAME}.backward on {kind} logits: dL/dt")


def test_only_the_logits_need_a_gradient():
    """A target without requires_grad: the logits' gradient is still sigmoid(x) - t (times g)."""
    _, (grad_x, _) = forward_backward(BinaryCrossEntropyWithLogitsFunction(), [KNOWN["moderate_x"],
                                      KNOWN["moderate_t"]], KNOWN["moderate_g"], NAME, own=[stable_sigmoid],
                                      requires_grad=[True, False])
    expect_close(grad_x, KNOWN["moderate_grad_x"], f"{NAME}.backward with a constant target: dL/dx")


def test_gradcheck():
    """nf.gradcheck with respect to the logits and the targets (strict tolerances)."""
    rng = np.random.default_rng(2401)
    x = Tensor(rng.uniform(-4, 4, (3, 4)), requires_grad=True)
    t = Tensor(rng.uniform(0, 1, (3, 4)), requires_grad=True)
    gradcheck(lambda x, t: BinaryCrossEntropyWithLogitsFunction()(x, t), [x, t], **STRICT_GRADCHECK)


def test_float32_stays_float32():
    """float32 logits and targets give a float32 loss and gradients, finite for logits up to 1e4."""
    with np.errstate(**NO_OVERFLOW):
        loss, grads = forward_backward(BinaryCrossEntropyWithLogitsFunction(), [KNOWN["extreme_x"],
                                       KNOWN["extreme_t"]], KNOWN["extreme_g"], NAME, own=[stable_sigmoid],
                                       dtype=np.float32)
    expect_dtype(loss, np.float32, f"{NAME}.forward")
    for name, grad in zip(["x", "t"], grads):
        expect_dtype(grad, np.float32, f"{NAME}.backward: dL/d{name}")
