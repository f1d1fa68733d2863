"""topological_order lists tensors breadth-first from the output: wrong when a tensor is reached along paths of
different lengths (it can come before a tensor made from it)."""

TARGET_TASK = "1.1"


def topological_order(output):
    order, seen, queue = [], {id(output)}, [output]
    while queue:
        tensor = queue.pop(0)
        order.append(tensor)
        if tensor.creator is not None:
            for parent in tensor.creator.inputs:
                if parent.requires_grad and id(parent) not in seen:
                    seen.add(id(parent))
                    queue.append(parent)
    return order
