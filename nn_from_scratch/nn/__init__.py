"""Layers and the Module system, like ``torch.nn``.

    from nn_from_scratch import nn
    from nn_from_scratch.nn import functional as F    # the same module as nn_from_scratch.functional

    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    print(model)                       # the tree of layers
    model.summary((1, 1, 28, 28))      # output shapes and parameter counts

A layer holds parameters (or options) and applies a functional op; the op's
forward and backward are in ``nn_from_scratch/functional/``.  Files, by concept:

    module.py         Module, Parameter, Sequential, ModuleList
    linear.py         Linear
    conv_layers.py    Conv2d, ConvTranspose2d
    pooling.py        MaxPool2d, AvgPool2d
    normalization.py  BatchNorm1d, BatchNorm2d, LayerNorm
    activation.py     ReLU, LeakyReLU, Sigmoid, Tanh
    dropout.py        Dropout
    shape_layers.py   Flatten, Unflatten, Upsample
    init.py           kaiming_uniform_, uniform_, normal_, zeros_, ones_, dcgan_init, manual_seed
"""

import sys

from .. import functional
from . import init
from .activation import LeakyReLU, ReLU, Sigmoid, Tanh
from .conv_layers import Conv2d, ConvTranspose2d
from .dropout import Dropout
from .linear import Linear
from .module import Module, ModuleList, Parameter, Sequential
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .pooling import AvgPool2d, MaxPool2d
from .shape_layers import Flatten, Unflatten, Upsample

# ``import nn_from_scratch.nn.functional as F`` finds the one functional module too.
sys.modules[__name__ + ".functional"] = functional

__all__ = [
    "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "Conv2d", "ConvTranspose2d", "Dropout", "Flatten", "LayerNorm",
    "LeakyReLU", "Linear", "MaxPool2d", "Module", "ModuleList", "Parameter", "ReLU", "Sequential", "Sigmoid",
    "Tanh", "Unflatten", "Upsample", "functional", "init",
]
