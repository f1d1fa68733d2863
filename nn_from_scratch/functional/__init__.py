"""Differentiable operations on tensors, PyTorch's ``torch.nn.functional`` style.

Import it as ``F``::

    from nn_from_scratch.nn import functional as F   # or: nn_from_scratch.functional
    loss = F.binary_cross_entropy_with_logits(logits, targets)

Each op is a Function class (``F.Mul``, ``F.Conv2dFunction``...) with
``forward`` and ``backward`` side by side, plus a lowercase function that
applies it.  Files, by concept:

    arithmetic.py   + - * / neg pow exp log sqrt abs clip matmul linear cast to_device
    reductions.py   sum mean max min
    shape.py        reshape transpose permute flatten getitem concatenate stack broadcast_to where
                    upsample_nearest
    activations.py  relu leaky_relu sigmoid tanh softplus softmax log_softmax
    losses.py       binary_cross_entropy(_with_logits) mse_loss cross_entropy nll_loss gaussian_kl
    ../conv.py      conv2d conv_transpose2d
"""

from .activations import (
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    softplus,
    tanh,
)
from .arithmetic import (
    Abs,
    Add,
    Cast,
    Clip,
    Div,
    Exp,
    Log,
    MatMul,
    Mul,
    Neg,
    Pow,
    Sqrt,
    Sub,
    ToDevice,
    abs,
    add,
    cast,
    clip,
    div,
    exp,
    linear,
    log,
    matmul,
    mul,
    neg,
    pow,
    sqrt,
    sub,
    to_device,
)
from .losses import (
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    NegativeLogLikelihood,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    gaussian_kl,
    mse_loss,
    nll_loss,
)
from .reductions import Max, Mean, Min, Sum, max, mean, min, sum
from .shape import (
    BroadcastTo,
    Concatenate,
    GetItem,
    Reshape,
    Stack,
    Transpose,
    UpsampleNearest2d,
    Where,
    broadcast_to,
    cat,
    concatenate,
    flatten,
    getitem,
    permute,
    reshape,
    stack,
    swapaxes,
    transpose,
    upsample_nearest,
    where,
)
