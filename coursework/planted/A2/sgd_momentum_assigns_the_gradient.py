"""SGD's momentum buffer is set to the (dampened) gradient at every step (= instead of accumulating: b = (1 -
dampening) g, not momentum * b + (1 - dampening) g): momentum does nothing."""

TARGET_TASK = "2.11"


class SGD:
    def update(self, param, grad, state, group):
        lr, momentum, weight_decay = float(group["lr"]), float(group["momentum"]), float(group["weight_decay"])
        dampening = float(group["dampening"])
        if weight_decay != 0:
            grad = grad + weight_decay * param
        if momentum != 0:
            if "momentum_buffer" not in state:
                buffer = grad.copy()
            else:
                buffer = (1 - dampening) * grad
            state["momentum_buffer"] = buffer
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param -= lr * grad
