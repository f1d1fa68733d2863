"""Adam divides by sqrt(v_hat + eps) instead of sqrt(v_hat) + eps: indistinguishable for gradients of size 1 (a
relative change of about 1e-8), wrong by orders of magnitude for tiny gradients."""

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
        t = state["step"]
        if weight_decay != 0 and self.decoupled_weight_decay:
            param -= lr * weight_decay * param
        elif weight_decay != 0:
            grad = grad + weight_decay * param
        m = beta1 * state["exp_avg"] + (1 - beta1) * grad
        v = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
        state["exp_avg"], state["exp_avg_sq"] = m, v
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        param -= lr * m_hat / xp.sqrt(v_hat + eps)
