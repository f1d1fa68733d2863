"""Weight initialisation, in place, like ``torch.nn.init``.

Every function fills an existing tensor (a Parameter) and returns it.  The
random values are drawn on the CPU with ``random_numbers.generator`` (NumPy), cast to
the tensor's dtype and copied to its device.  ``manual_seed(0)`` makes the
initial weights (and the dropout masks) reproducible.

Fans, for a weight of shape (out, in, kH, kW) (a Linear weight is (out, in)):

    fan_in  = in  * kH * kW      (inputs that feed one output)
    fan_out = out * kH * kW

PyTorch's default for Linear and Conv layers is
``kaiming_uniform_(weight, a=sqrt(5))``, i.e. U(-b, b) with
b = gain * sqrt(3 / fan_in), gain = sqrt(2 / (1 + a**2)), which simplifies to
b = 1 / sqrt(fan_in); the bias is U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
"""

from __future__ import annotations

import math

import numpy

from .. import backend, random_numbers


def manual_seed(seed: int) -> None:
    """Seed the generator of initial weights and dropout masks (and CuPy's, on the GPU backend)."""
    random_numbers.generator = numpy.random.default_rng(seed)
    if backend.current() == "cupy":
        backend.xp_for_new_arrays().random.seed(seed)


def _fill(tensor, values):
    """Write host ``values`` into ``tensor.data``, in place, in the tensor's dtype and on its device."""
    tensor.data[...] = backend.to_device(numpy.asarray(values, dtype=tensor.dtype), tensor.device)
    return tensor


def calculate_fan_in_and_fan_out(tensor) -> tuple:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel); see the module docstring."""
    if tensor.ndim < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, got shape {tensor.shape}")
    receptive_field = 1
    for size in tensor.shape[2:]:
        receptive_field *= size
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The factor that keeps the variance of activations steady through ``nonlinearity``.

    linear, conv, sigmoid: 1;  tanh: 5/3;  relu: sqrt(2);  leaky_relu: sqrt(2 / (1 + slope**2)).
    """
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv_transpose2d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def uniform_(tensor, a: float = 0.0, b: float = 1.0):
    """Fill with values from U(a, b)."""
    return _fill(tensor, random_numbers.generator.uniform(a, b, size=tensor.shape))


def normal_(tensor, mean: float = 0.0, std: float = 1.0):
    """Fill with values from N(mean, std**2)."""
    return _fill(tensor, random_numbers.generator.normal(mean, std, size=tensor.shape))


def constant_(tensor, value: float):
    """Fill with ``value``."""
    tensor.data[...] = value
    return tensor


def zeros_(tensor):
    return constant_(tensor, 0)


def ones_(tensor):
    return constant_(tensor, 1)


def kaiming_uniform_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
    """He initialisation: U(-bound, bound) with bound = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a).

    ``mode`` "fan_in" keeps the variance of the forward activations, "fan_out" that of the gradients.
    """
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:
        return tensor                     # an empty weight: nothing to fill
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
    """He initialisation: N(0, std**2) with std = gain / sqrt(fan)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan))


def xavier_uniform_(tensor, gain: float = 1.0):
    """Glorot initialisation: U(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def default_weight_and_bias_(layer) -> None:
    """PyTorch's default for Linear and every convolution, in place.

    weight by ``kaiming_uniform_(a=sqrt(5))``, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    and bias (if the layer has one) from the same range, with fan_in computed from
    the weight's shape (dims 1, 2, 3), also for the transposed convolution whose
    dim 1 is out_channels.
    """
    kaiming_uniform_(layer.weight, a=math.sqrt(5))
    if layer.bias is not None:
        fan_in, _ = calculate_fan_in_and_fan_out(layer.weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(layer.bias, -bound, bound)


def dcgan_init(module):
    """The DCGAN paper's initialisation, applied to every layer of ``module``; returns ``module``.

    Conv2d, ConvTranspose2d and Linear weights ~ N(0, 0.02**2); BatchNorm
    weights ~ N(1, 0.02**2); all biases 0.
    """
    # Imported here, not at the top: the layer files import this file.
    from .conv_layers import Conv2d, ConvTranspose2d
    from .linear import Linear
    from .normalization import BatchNorm1d, BatchNorm2d

    for layer in module.modules():
        if isinstance(layer, (Conv2d, ConvTranspose2d, Linear)):
            normal_(layer.weight, 0.0, 0.02)
        elif isinstance(layer, (BatchNorm1d, BatchNorm2d)) and layer.weight is not None:
            normal_(layer.weight, 1.0, 0.02)
        else:
            continue
        if layer.bias is not None:
            zeros_(layer.bias)
    return module
