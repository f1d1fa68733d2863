"""SGD starts its momentum buffer at zero, so the first step is dampened too (b = (1 - dampening) g): PyTorch's rule
starts with b = g.  Right without dampening, a smaller first step with it."""

TARGET_TASK = "2.11"


class SGD:
    def update(self, param, grad, state, group):
        lr, momentum, weight_decay = float(group["lr"]), float(group["momentum"]), float(group["weight_decay"])
        dampening = float(group["dampening"])
        if weight_decay != 0:
            grad = grad + weight_decay * param
        if momentum != 0:
            previous = state.get("momentum_buffer", 0 * grad)
            buffer = momentum * previous + (1 - dampening) * grad
            state["momentum_buffer"] = buffer
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param -= lr * grad
