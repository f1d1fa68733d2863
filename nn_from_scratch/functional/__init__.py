"""Every differentiable operation on tensors, PyTorch's ``torch.nn.functional`` style.

Import it as ``F`` (``nn_from_scratch.nn.functional`` is the same module)::

    from nn_from_scratch import functional as F
    loss = F.binary_cross_entropy_with_logits(logits, targets)

Each op is a Function class named ``<Op>Function`` (``F.MulFunction``,
``F.Conv2dFunction``...) with ``forward`` and ``backward`` side by side, plus
a lowercase function that applies it (``F.mul``, ``F.conv2d``).  Layers (the
Modules of ``nn``) keep PyTorch's names: ``nn.ReLU`` is a layer,
``F.ReLUFunction`` the op it applies.  Files, by concept:

    arithmetic.py     + - * / neg pow exp log sqrt abs clip maximum minimum matmul linear cast to_device
    reductions.py     sum mean max min prod
    shape.py          reshape transpose permute flatten getitem concatenate stack broadcast_to where
                      upsample_nearest
    activations.py    relu leaky_relu sigmoid tanh softplus softmax log_softmax
    losses.py         binary_cross_entropy(_with_logits) mse_loss cross_entropy nll_loss gaussian_kl
    conv.py           conv2d conv_transpose2d (with their loops, im2col and col2im)
    pooling.py        max_pool2d avg_pool2d
    normalization.py  batch_norm layer_norm
    dropout.py        dropout

This is the textbook form of every op.  Some have a fast twin in
``nn_from_scratch/fast/``, which runs instead while the fast kernel set is on
(the default; see ``nn_from_scratch/kernels.py``).
"""

from .activations import (
    LeakyReLUFunction,
    LogSoftmaxFunction,
    ReLUFunction,
    SigmoidFunction,
    SoftmaxFunction,
    SoftplusFunction,
    TanhFunction,
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    softplus,
    tanh,
)
from .arithmetic import (
    AbsFunction,
    AddFunction,
    CastFunction,
    ClipFunction,
    DivFunction,
    ExpFunction,
    LogFunction,
    MatMulFunction,
    MaximumFunction,
    MinimumFunction,
    MulFunction,
    NegFunction,
    PowFunction,
    SqrtFunction,
    SubFunction,
    ToDeviceFunction,
    abs,
    add,
    cast,
    clip,
    div,
    exp,
    linear,
    log,
    matmul,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    sqrt,
    sub,
    to_device,
)
from .conv import Conv2dFunction, ConvTranspose2dFunction, conv2d, conv_transpose2d
from .dropout import DropoutFunction, dropout
from .losses import (
    BinaryCrossEntropyFunction,
    BinaryCrossEntropyWithLogitsFunction,
    NegativeLogLikelihoodFunction,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    gaussian_kl,
    mse_loss,
    nll_loss,
)
from .normalization import BatchNormFunction, LayerNormFunction, batch_norm, layer_norm
from .pooling import AvgPool2dFunction, MaxPool2dFunction, avg_pool2d, max_pool2d
from .reductions import MaxFunction, MeanFunction, MinFunction, ProdFunction, SumFunction, max, mean, min, prod, sum
from .shape import (
    BroadcastToFunction,
    ConcatenateFunction,
    GetItemFunction,
    ReshapeFunction,
    StackFunction,
    TransposeFunction,
    UpsampleNearest2dFunction,
    WhereFunction,
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
