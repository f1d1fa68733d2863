"""Adam without the bias correction: p -= lr * m / (sqrt(v) + eps), with m and v still biased towards their zero
start (the first steps are far too small or too large)."""

TARGET_TASK = "2.12"


class Adam:
    def update(self, param, grad, state, group):
        xp = array_module(param)
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = float(group["betas"][0]), float(group["betas"][1])
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(param)
            state["exp_avg_sq"] = xp.zeros_like(param)
        state["step"] += 1
        if weight_decay != 0 and self.decoupled_weight_decay:
            param -= lr * weight_decay * param
        elif weight_decay != 0:
            grad = grad + weight_decay * param
        m = beta1 * state["exp_avg"] + (1 - beta1) * grad
        v = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
        state["exp_avg"], state["exp_avg_sq"] = m, v
        param -= lr * m / (xp.sqrt(v) + eps)
