"""Layers and the Module system, like ``torch.nn``.

    from nn_from_scratch import nn
    from nn_from_scratch.nn import functional as F

    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    print(model)                       # the tree of layers
    model.summary((1, 1, 28, 28))      # output shapes and parameter counts

Files, by concept:

    module.py        Module, Parameter, Sequential, ModuleList
    linear.py        Linear
    conv_layers.py   Conv2d, ConvTranspose2d
    batchnorm.py     BatchNorm1d, BatchNorm2d (+ BatchNormFunction, batch_norm)
    activation.py    ReLU, LeakyReLU, Sigmoid, Tanh
    dropout.py       Dropout (+ DropoutFunction, dropout)
    shape_layers.py  Flatten, Unflatten, Upsample
    init.py          kaiming_uniform_, uniform_, normal_, zeros_, ones_, dcgan_init, manual_seed
    functional.py    every functional op, as F
"""

from . import functional, init
from .activation import LeakyReLU, ReLU, Sigmoid, Tanh
from .batchnorm import BatchNorm1d, BatchNorm2d
from .conv_layers import Conv2d, ConvTranspose2d
from .dropout import Dropout
from .linear import Linear
from .module import Module, ModuleList, Parameter, Sequential
from .shape_layers import Flatten, Unflatten, Upsample

__all__ = [
    "BatchNorm1d", "BatchNorm2d", "Conv2d", "ConvTranspose2d", "Dropout", "Flatten", "LeakyReLU", "Linear",
    "Module", "ModuleList", "Parameter", "ReLU", "Sequential", "Sigmoid", "Tanh", "Unflatten", "Upsample",
    "functional",
    "init",
]
