"""``from nn_from_scratch.nn import functional as F``: every op of ``nn_from_scratch.functional``
plus the ops that live next to their layers: conv2d, conv_transpose2d, batch_norm, dropout.
"""

from ..conv import Conv2dFunction, ConvTranspose2dFunction, conv2d, conv_transpose2d  # noqa: F401  (re-exported)
from ..functional import *  # noqa: F403  (re-exported: add, mul, matmul, linear, relu, losses...)
from .batchnorm import BatchNormFunction, batch_norm  # noqa: F401  (re-exported)
from .dropout import DropoutFunction, dropout  # noqa: F401  (re-exported)
