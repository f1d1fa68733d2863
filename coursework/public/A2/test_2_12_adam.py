"""Task 2.12: Adam's update (torch.optim.Adam's rule), and AdamW's decoupled weight decay, at step t = 1, 2, ...:

    m = beta1 m + (1 - beta1) g,  v = beta2 v + (1 - beta2) g^2,
    p = p - lr * m_hat / (sqrt(v_hat) + eps)  with  m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)
"""

import numpy as np
import pytest

from coursework.public.A2.cases import ADAM_CASES
from coursework.public.A2.optimizer_runs import replay
from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.optim import Adam, AdamW
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_12

KNOWN = load_known_values(__file__, "2_12_adam")
CASES = list(enumerate(ADAM_CASES))
CLASSES = {"Adam": Adam, "AdamW": AdamW}


@pytest.mark.parametrize("case", CASES, ids=[f"{name}-" + ",".join(f"{k}={v}" for k, v in h.items())
                                             + f"-g~{scale:g}" for _, (name, h, scale) in CASES])
def test_known_runs(case):
    """Six steps on two parameters from fixed gradients (tiny ones, 1e-4, where eps matters); the parameters after
    every step."""
    i, (name, hyperparameters, _) = case
    replay(KNOWN, f"case{i}", CLASSES[name], hyperparameters, Adam.update)


def test_the_first_step_moves_each_parameter_by_lr():
    """At t = 1 the bias corrections make m_hat = g and v_hat = g**2: each entry moves by lr * g / (|g| + eps)."""
    g = np.array([0.3, -2.0, 1e-3])
    p = Tensor(np.zeros(3), requires_grad=True)
    p.grad = g.copy()
    with own_code_only("Adam.update", [Adam.update]):
        Adam([p], lr=0.01).step()
    expect_close(p.data, -0.01 * g / (np.abs(g) + 1e-8), "Adam(lr=0.01): the first step")
