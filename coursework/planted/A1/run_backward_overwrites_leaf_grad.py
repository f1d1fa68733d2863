"""run_backward sets a leaf's .grad instead of adding to it: gradients no longer accumulate across backward() calls
(the reason training loops call zero_grad)."""

TARGET_TASK = "1.3"


def run_backward(output, grad_output, retain_graph=False):
    pending = {id(output): grad_output}
    for tensor in topological_order(output):
        grad = pending.pop(id(tensor), None)
        if grad is None:
            continue
        if tensor.creator is None or tensor.retains_grad:
            tensor.grad = grad
        function = tensor.creator
        if function is None:
            continue
        input_grads = function.backward(grad)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        for parent, parent_grad in zip(function.inputs, input_grads):
            if parent_grad is None or not parent.requires_grad:
                continue
            parent_grad = sum_to_shape(parent_grad, parent.shape)
            if id(parent) in pending:
                pending[id(parent)] = pending[id(parent)] + parent_grad
            else:
                pending[id(parent)] = parent_grad
        if not retain_graph:
            function.release()
