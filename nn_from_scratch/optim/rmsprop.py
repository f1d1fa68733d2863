"""RMSprop: divide the gradient by a running root mean square of recent gradients."""

from __future__ import annotations

from ..backend import array_module
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """``torch.optim.RMSprop``'s update, per parameter p with gradient g:

        g = g + weight_decay * p                            (if weight_decay)
        s = alpha * s + (1 - alpha) * g * g                 (running mean of g**2)
        a = alpha * a + (1 - alpha) * g                     (centered only: running mean of g)
        r = sqrt(s - a * a) + eps   if centered   else   sqrt(s) + eps
        b = momentum * b + g / r;   p = p - lr * b          (if momentum > 0)
        p = p - lr * g / r                                  (otherwise)

    State per parameter: "step", "square_avg" (s), "grad_avg" (a, centered), "momentum_buffer" (b).
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, momentum: float = 0.0,
                 centered: bool = False, weight_decay: float = 0.0):
        defaults = {"lr": lr, "alpha": alpha, "eps": eps, "momentum": momentum,     # checked by Optimizer
                    "centered": centered, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
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
        square_avg = alpha * state["square_avg"] + (1 - alpha) * grad * grad
        state["square_avg"] = square_avg
        if group["centered"]:
            grad_avg = alpha * state["grad_avg"] + (1 - alpha) * grad
            state["grad_avg"] = grad_avg
            rms = xp.sqrt(square_avg - grad_avg * grad_avg) + eps
        else:
            rms = xp.sqrt(square_avg) + eps
        if momentum > 0:
            buffer = momentum * state["momentum_buffer"] + grad / rms
            state["momentum_buffer"] = buffer
            param -= lr * buffer
        else:
            param -= lr * grad / rms
