"""Task 2.11: SGD's update, with momentum, dampening, Nesterov momentum and weight decay (torch.optim.SGD's rule):

    g = g + weight_decay * p;  b = g (first step) or momentum * b + (1 - dampening) * g;
    g = g + momentum * b if nesterov else b;  p = p - lr * g
"""

import numpy as np
import pytest

from coursework.public.A2.cases import SGD_CASES
from coursework.public.A2.optimizer_runs import replay
from coursework.public.A2.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.optim import SGD
from nn_from_scratch.tensor import Tensor

pytestmark = pytest.mark.task_2_11

KNOWN = load_known_values(__file__, "2_11_sgd")
CASES = list(enumerate(SGD_CASES))


@pytest.mark.parametrize("case", CASES, ids=[",".join(f"{k}={v}" for k, v in h.items()) for _, h in CASES])
def test_known_runs(case):
    """Six steps on two parameters from fixed gradients; the parameters after every step."""
    i, hyperparameters = case
    replay(KNOWN, f"case{i}", SGD, hyperparameters, SGD.update)


def test_plain_step():
    """Without momentum: p = p - lr * g, exactly."""
    p = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    p.grad = np.array([0.5, 0.5, -1.0])
    with own_code_only("SGD.update", [SGD.update]):
        SGD([p], lr=0.1).step()
    expect_close(p.data, [0.95, -2.05, 3.1], "SGD(lr=0.1).step() on p = [1, -2, 3], g = [0.5, 0.5, -1]")
