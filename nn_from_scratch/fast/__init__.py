"""The fast kernels: twins of textbook ops and optimizer updates, rewritten for speed.

Everything in the library that exists for speed lives here, and only here:
memory layouts (channels-last convolutions), BLAS tricks (per-channel sums,
outer products), fewer passes over memory (fused element-wise steps,
in-place updates), and the page-fault fix :func:`keep_freed_memory`.  Each
file says in words why its code is faster; the measured figures are in
BENCHMARKS.md.  Every twin computes what its textbook original in
``functional/`` or ``optim/`` computes, and the tests check each against it.

``TWINS`` maps each textbook Function class (or update method) to its fast
twin; ``nn_from_scratch.kernels.choose`` looks it up while the fast kernel
set is on.  An op without a twin runs its textbook form in both sets.

    file                what it speeds up
    conv.py             conv2d, conv_transpose2d (channels-last im2col, col2im by stride phase)
    channel_sums.py     per-channel sums (bias gradients, BatchNorm statistics) by BLAS
    normalization.py    BatchNorm (BLAS sums, two arrays instead of many)
    activations.py      ReLU, LeakyReLU, sigmoid, softplus, BCE with logits (no scalar loops)
    arithmetic.py       matmul (an outer product as a multiply)
    shape.py            reshape (the gradient in the input's memory layout)
    pooling.py          max and average pooling of tiling windows
    optimizers.py       SGD, Adam, RMSprop updates in place
    host_memory.py      keep_freed_memory: no page faults for each step's arrays (glibc)
"""

import importlib

from .host_memory import keep_freed_memory

TWIN_MODULES = ("activations", "arithmetic", "conv", "normalization", "optimizers", "pooling", "shape")

TWINS = {}
for _name in TWIN_MODULES:
    try:
        _module = importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{_name}":
            raise
        continue        # a coursework release leaves out the fast kernels of what its tasks ask
    TWINS.update(_module.TWINS)

__all__ = ["TWINS", "TWIN_MODULES", "keep_freed_memory"]
