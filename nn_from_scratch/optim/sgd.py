"""SGD: stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from .optimizer import Optimizer


class SGD(Optimizer):
    """``torch.optim.SGD``'s update, per parameter p with gradient g:

        g = g + weight_decay * p                        (if weight_decay)
        b = g                                           (first step, if momentum)
        b = momentum * b + (1 - dampening) * g          (later steps)
        g = g + momentum * b   if nesterov   else   b
        p = p - lr * g

    State per parameter: "momentum_buffer" (b), from the first step with momentum.
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, dampening: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0):
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,       # checked by Optimizer
                    "nesterov": nesterov, "weight_decay": weight_decay}
        super().__init__(params, defaults)
        if self.defaults["nesterov"] and (self.defaults["momentum"] <= 0 or self.defaults["dampening"] != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0")

    def update(self, param, grad, state, group):
        lr, momentum, weight_decay = float(group["lr"]), float(group["momentum"]), float(group["weight_decay"])
        dampening = float(group["dampening"])
        if weight_decay != 0:
            grad = grad + weight_decay * param
        if momentum != 0:
            if "momentum_buffer" not in state:
                buffer = grad.copy()
            else:
                buffer = momentum * state["momentum_buffer"] + (1 - dampening) * grad
            state["momentum_buffer"] = buffer
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param -= lr * grad
