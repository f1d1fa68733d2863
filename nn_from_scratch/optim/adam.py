"""Adam and AdamW: adaptive moment estimation (AdamW with decoupled weight decay)."""

from __future__ import annotations

from ..backend import array_module
from .optimizer import Optimizer


class Adam(Optimizer):
    """``torch.optim.Adam``'s update, per parameter p with gradient g, at step t = 1, 2, ...:

        g = g + weight_decay * p                   (Adam: L2 penalty in the gradient)
        p = p * (1 - lr * weight_decay)            (AdamW instead: decoupled weight decay)
        m = beta1 * m + (1 - beta1) * g            (first moment: running mean of g)
        v = beta2 * v + (1 - beta2) * g * g        (second moment: running mean of g**2)
        m_hat = m / (1 - beta1**t),  v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    The (1 - beta**t) factors undo the bias of m and v towards their zero start.
    (PyTorch writes the last line as p - lr / (1 - beta1**t) * m / (sqrt(v) /
    sqrt(1 - beta2**t) + eps): the same number, rounded differently.)
    State per parameter: "step", "exp_avg" (m), "exp_avg_sq" (v).
    """

    decoupled_weight_decay = False

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0):
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}   # checked by Optimizer
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        xp = array_module(param)
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = float(group["betas"][0]), float(group["betas"][1])
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(param)
            state["exp_avg_sq"] = xp.zeros_like(param)
        state["step"] += 1
        t = state["step"]
        if weight_decay != 0 and self.decoupled_weight_decay:
            param -= lr * weight_decay * param
        elif weight_decay != 0:
            grad = grad + weight_decay * param
        m = beta1 * state["exp_avg"] + (1 - beta1) * grad
        v = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
        state["exp_avg"], state["exp_avg_sq"] = m, v
        m_hat = m / (1 - beta1 ** t)                   # bias-corrected moments
        v_hat = v / (1 - beta2 ** t)
        param -= lr * m_hat / (xp.sqrt(v_hat) + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): ``p *= 1 - lr * weight_decay``
    before the Adam step, instead of adding ``weight_decay * p`` to the gradient.
    Like ``torch.optim.AdamW`` (default weight_decay=0.01)."""

    decoupled_weight_decay = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)
