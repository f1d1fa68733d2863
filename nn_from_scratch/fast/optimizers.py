"""Fast optimizer updates: the textbook formulas, computed in place.

The textbook ``update`` methods (``optim/sgd.py``, ``optim/adam.py``,
``optim/rmsprop.py``) write each formula as one expression, such as
``m = beta1 * m + (1 - beta1) * g``, which allocates new arrays for every
intermediate result and for the new state.  These twins update the state
arrays in place (``m *= beta1; m += (1 - beta1) * g``), which reads and
writes each array fewer times and allocates almost nothing; for Adam the
bias corrections are folded into two scalars.  The results agree with the
textbook's to rounding (the tests check it), and with PyTorch's.

Each function has the signature of the method it replaces,
``update(optimizer, param, grad, state, group)``, and ``Optimizer.step``
calls it while the fast kernels are on.
"""

from __future__ import annotations

import math

from ..backend import array_module
from ..optim.adam import Adam
from ..optim.rmsprop import RMSprop
from ..optim.sgd import SGD


def sgd_update(optimizer, param, grad, state, group):
    """SGD with momentum, dampening, Nesterov and weight decay; the momentum buffer updated in place."""
    lr, momentum, weight_decay = float(group["lr"]), float(group["momentum"]), float(group["weight_decay"])
    if weight_decay != 0:
        grad = grad + weight_decay * param            # a new array: param.grad stays as it was
    if momentum != 0:
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = grad.copy()
        else:
            buffer = state["momentum_buffer"]
            buffer *= momentum
            buffer += (1 - float(group["dampening"])) * grad
        buffer = state["momentum_buffer"]
        grad = grad + momentum * buffer if group["nesterov"] else buffer
    param -= lr * grad


def adam_update(optimizer, param, grad, state, group):
    """Adam and AdamW; the moments updated in place, the bias corrections folded into scalars."""
    xp = array_module(param)
    lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
    beta1, beta2 = float(group["betas"][0]), float(group["betas"][1])
    if not state:
        state["step"] = 0
        state["exp_avg"] = xp.zeros_like(param)
        state["exp_avg_sq"] = xp.zeros_like(param)
    state["step"] += 1
    if weight_decay != 0:
        if optimizer.decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            grad = grad + weight_decay * param
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * (grad * grad)
    bias_correction1 = 1 - beta1 ** state["step"]
    bias_correction2 = 1 - beta2 ** state["step"]
    denominator = xp.sqrt(v)
    denominator /= math.sqrt(bias_correction2)
    denominator += eps
    param -= (lr / bias_correction1) * (m / denominator)


def rmsprop_update(optimizer, param, grad, state, group):
    """RMSprop (centered, momentum, weight decay); the running averages updated in place."""
    xp = array_module(param)
    lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
    momentum, weight_decay = float(group["momentum"]), float(group["weight_decay"])
    if not state:
        state["step"] = 0
        state["square_avg"] = xp.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = xp.zeros_like(param)
        if momentum > 0:
            state["momentum_buffer"] = xp.zeros_like(param)
    state["step"] += 1
    if weight_decay != 0:
        grad = grad + weight_decay * param
    square_avg = state["square_avg"]
    square_avg *= alpha
    square_avg += (1 - alpha) * (grad * grad)
    if group["centered"]:
        grad_avg = state["grad_avg"]
        grad_avg *= alpha
        grad_avg += (1 - alpha) * grad
        rms = xp.sqrt(square_avg - grad_avg * grad_avg)
    else:
        rms = xp.sqrt(square_avg)
    rms += eps
    if momentum > 0:
        buffer = state["momentum_buffer"]
        buffer *= momentum
        buffer += grad / rms
        param -= lr * buffer
    else:
        param -= lr * (grad / rms)


TWINS = {
    SGD.update: sgd_update,
    Adam.update: adam_update,
    RMSprop.update: rmsprop_update,
}
