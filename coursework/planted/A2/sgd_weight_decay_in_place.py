"""SGD adds the weight decay to the gradient in place (grad += weight_decay * param): the step is right, but the
parameter's .grad array has changed, and a second step() without a new backward decays twice."""

TARGET_TASK = "2.11"


class SGD:
    def update(self, param, grad, state, group):
        lr, momentum, weight_decay = float(group["lr"]), float(group["momentum"]), float(group["weight_decay"])
        dampening = float(group["dampening"])
        if weight_decay != 0:
            grad += weight_decay * param
        if momentum != 0:
            if "momentum_buffer" not in state:
                buffer = grad.copy()
            else:
                buffer = momentum * state["momentum_buffer"] + (1 - dampening) * grad
            state["momentum_buffer"] = buffer
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param -= lr * grad
