"""Tests of the layers in nn_from_scratch/nn/.

* finite-difference gradient checks (float64) of every layer, for its input
  and every parameter, over strides, paddings, output paddings, dilations,
  odd and even kernels and non-square inputs; BatchNorm in train and eval mode;
* parity with PyTorch: the same weights loaded through state_dict in both
  directions, then outputs, input gradients, parameter gradients and running
  statistics compared (float64 to 1e-10, float32 to 1e-5, relative);
* default initialisation like PyTorch's, dcgan_init, dropout.

The computing tests take the ``backend`` fixture: NumPy, and CuPy where a CUDA
device exists (PyTorch stays on the CPU; ``to_host`` brings results back).
"""

import inspect
import math
import re

import numpy
import pytest
from conftest import to_host

import nn_from_scratch as nf
from nn_from_scratch import nn
from nn_from_scratch.nn import functional as F

RNG = numpy.random.default_rng(0)


def random_tensor(*shape, requires_grad=True, dtype=numpy.float64):
    return nf.Tensor(RNG.standard_normal(shape).astype(dtype), requires_grad=requires_grad)


def set_data(tensor, values):
    """Write host ``values`` into a parameter or buffer, on its device (CuPy refuses NumPy arrays in ``a[...] =``)."""
    tensor.data[...] = nf.backend.to_device(numpy.asarray(values, dtype=tensor.dtype), tensor.device)


def check_layer_gradients(layer, x):
    """gradcheck of ``layer`` for its input and all its parameters (layer cast to float64)."""
    layer.double()
    params = list(layer.parameters())
    assert nf.gradcheck(lambda x, *params: layer(x), [x, *params])


# --------------------------------------------------------------------------
# Gradient checks
# --------------------------------------------------------------------------


@pytest.mark.parametrize("x_shape, bias", [((3, 4), True), ((2, 3, 4), True), ((3, 4), False)])
def test_linear_gradcheck(backend, kernels, x_shape, bias):
    check_layer_gradients(nn.Linear(4, 3, bias=bias), random_tensor(*x_shape))


# (in, out, kernel, stride, padding, dilation, bias, (H, W))
CONV2D_CASES = [
    (2, 3, 3, 1, 0, 1, True, (5, 6)),
    (2, 2, 4, 2, 1, 1, True, (6, 8)),                 # the DCGAN layer, small
    (1, 2, (2, 3), (2, 1), (1, 0), 1, True, (6, 5)),  # even x odd kernel
    (2, 2, 2, 1, 1, 2, False, (5, 4)),                # dilation 2, no bias
    (3, 2, (3, 2), 3, 2, (1, 2), True, (7, 6)),
]


@pytest.mark.parametrize("in_c, out_c, kernel, stride, padding, dilation, bias, hw", CONV2D_CASES)
def test_conv2d_gradcheck(backend, kernels, in_c, out_c, kernel, stride, padding, dilation, bias, hw):
    layer = nn.Conv2d(in_c, out_c, kernel, stride=stride, padding=padding, dilation=dilation, bias=bias)
    check_layer_gradients(layer, random_tensor(2, in_c, *hw))


# (in, out, kernel, stride, padding, output_padding, dilation, bias, (H, W))
CONV_TRANSPOSE2D_CASES = [
    (2, 3, 3, 1, 0, 0, 1, True, (3, 4)),
    (2, 2, 4, 2, 1, 0, 1, True, (3, 3)),                   # the DCGAN layer, small
    (2, 2, 3, 2, 1, 1, 1, False, (3, 2)),                  # output_padding
    (1, 2, (2, 3), (3, 2), (0, 1), (2, 1), (1, 2), True, (2, 3)),
    (3, 1, 2, 1, 1, 1, 2, True, (3, 4)),                   # output_padding < dilation, stride 1
]


@pytest.mark.parametrize("in_c, out_c, kernel, stride, padding, output_padding, dilation, bias, hw",
                         CONV_TRANSPOSE2D_CASES)
def test_conv_transpose2d_gradcheck(backend, kernels, in_c, out_c, kernel, stride, padding, output_padding, dilation,
                                    bias, hw):
    layer = nn.ConvTranspose2d(in_c, out_c, kernel, stride=stride, padding=padding, output_padding=output_padding,
                               dilation=dilation, bias=bias)
    check_layer_gradients(layer, random_tensor(2, in_c, *hw))


def randomise_batchnorm(layer):
    """Non-trivial weight, bias and running statistics, so that every term of the formulas matters."""
    if layer.affine:
        set_data(layer.weight, RNG.uniform(0.5, 1.5, layer.num_features))
        set_data(layer.bias, RNG.standard_normal(layer.num_features))
    if layer.track_running_stats:
        set_data(layer.running_mean, RNG.standard_normal(layer.num_features))
        set_data(layer.running_var, RNG.uniform(0.5, 2.0, layer.num_features))
    return layer


@pytest.mark.parametrize("layer_class, x_shape", [
    (nn.BatchNorm1d, (5, 3)), (nn.BatchNorm1d, (3, 2, 4)), (nn.BatchNorm2d, (3, 2, 3, 4)),
])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm_gradcheck(backend, kernels, layer_class, x_shape, training, affine):
    layer = randomise_batchnorm(layer_class(x_shape[1], affine=affine).double())
    layer.train(training)
    x = random_tensor(*x_shape)
    if affine:
        check_layer_gradients(layer, x)
    else:
        assert nf.gradcheck(layer, [x])


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval(backend):
    layer = nn.BatchNorm2d(2, track_running_stats=False).double().eval()
    assert layer.running_mean is None and list(layer.buffers()) == []
    x = random_tensor(4, 2, 3, 3)
    y = to_host(layer(x))
    numpy.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    check_layer_gradients(layer, x)


@pytest.mark.parametrize("layer", [nn.ReLU(), nn.LeakyReLU(0.2), nn.Sigmoid(), nn.Tanh()], ids=repr)
def test_activation_gradcheck(backend, kernels, layer):
    x = nf.Tensor(RNG.uniform(0.1, 2.0, (3, 4)) * RNG.choice([-1, 1], (3, 4)), requires_grad=True)  # no kinks
    assert nf.gradcheck(layer, [x])


def test_shape_layers_gradcheck(backend, kernels):
    x = random_tensor(2, 3, 2, 2)
    assert nf.gradcheck(nn.Flatten(), [x])
    assert nf.gradcheck(nn.Flatten(2, 3), [x])
    assert nf.gradcheck(nn.Unflatten(1, (2, 6)), [random_tensor(2, 12)])
    assert nn.Unflatten(1, (3, -1, 2))(random_tensor(2, 12)).shape == (2, 3, 2, 2)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 2, 2)
    assert nn.Unflatten(-1, (2, 2))(random_tensor(2, 3, 4)).shape == (2, 3, 2, 2)


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_upsample_gradcheck(backend, kernels, scale):
    x = random_tensor(2, 3, 2, 3)                                                  # non-square
    assert nn.Upsample(scale_factor=scale)(x).shape == (2, 3, 2 * scale, 3 * scale)
    assert nf.gradcheck(nn.Upsample(scale_factor=scale), [x])


def test_dropout_function_gradcheck_with_a_fixed_mask(backend):
    mask = nf.Tensor((RNG.random((3, 4)) > 0.3) / 0.7).data            # on the backend, like the input
    assert nf.gradcheck(lambda x: F.DropoutFunction(mask)(x), [random_tensor(3, 4)])


def test_sequential_gradcheck(backend, kernels):
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.LeakyReLU(0.2), nn.Flatten(),
                          nn.Linear(2 * 3 * 4, 2), nn.Tanh())
    check_layer_gradients(model, random_tensor(3, 1, 3, 4))


# --------------------------------------------------------------------------
# Dropout and initialisation
# --------------------------------------------------------------------------


def test_dropout_statistics_and_modes(backend):
    nn.init.manual_seed(0)
    layer = nn.Dropout(0.25)
    x = nf.Tensor(numpy.ones((200, 100), dtype=numpy.float32), requires_grad=True)
    y = layer(x)
    assert y.dtype == numpy.float32
    values = numpy.unique(to_host(y))
    numpy.testing.assert_allclose(values, [0.0, 1 / 0.75], rtol=1e-6)
    assert abs((to_host(y) == 0).mean() - 0.25) < 0.01
    y.sum().backward()
    numpy.testing.assert_array_equal(to_host(x.grad), to_host(y))       # dL/dx = mask
    layer.eval()
    assert layer(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert numpy.all(to_host(nn.Dropout(1.0)(x)) == 0)
    nn.init.manual_seed(3)
    first = to_host(nn.Dropout(0.5)(x))
    nn.init.manual_seed(3)
    numpy.testing.assert_array_equal(first, to_host(nn.Dropout(0.5)(x)))
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


@pytest.mark.parametrize("make_layer, fan_in", [
    (lambda: nn.Linear(300, 200), 300),
    (lambda: nn.Conv2d(16, 32, 3), 16 * 9),
    (lambda: nn.ConvTranspose2d(64, 8, 4), 8 * 16),      # PyTorch's fan_in: weight dim 1 (out_channels)
])
def test_default_init_matches_pytorch_bounds(backend, make_layer, fan_in):
    layer = make_layer()
    bound = 1 / math.sqrt(fan_in)               # kaiming_uniform_(a=sqrt(5)) == U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    for parameter in (layer.weight, layer.bias):
        values = to_host(parameter)
        assert parameter.dtype == numpy.float32
        assert values.min() >= -bound and values.max() <= bound
    weight = to_host(layer.weight)
    assert weight.max() > 0.9 * bound and weight.min() < -0.9 * bound
    assert abs(weight.std() - bound / math.sqrt(3)) < 0.05 * bound


def test_batchnorm_defaults(backend):
    layer = nn.BatchNorm2d(3)
    assert layer.weight.data.tolist() == [1, 1, 1] and layer.bias.data.tolist() == [0, 0, 0]
    assert layer.running_mean.data.tolist() == [0, 0, 0] and layer.running_var.data.tolist() == [1, 1, 1]
    assert layer.num_batches_tracked.dtype == numpy.int64 and layer.num_batches_tracked.shape == ()


def test_dcgan_init_and_manual_seed(backend):
    def make():
        nn.init.manual_seed(7)
        return nn.init.dcgan_init(nn.Sequential(nn.Conv2d(32, 64, 4), nn.BatchNorm2d(64), nn.ConvTranspose2d(64, 32, 4),
                                                nn.BatchNorm1d(64), nn.Linear(64, 64)))
    model = make()
    for index in (0, 2, 4):
        weight = to_host(model[index].weight)
        assert abs(weight.mean()) < 0.002 and abs(weight.std() - 0.02) < 0.002
        assert numpy.all(to_host(model[index].bias) == 0)
    bn_weights = numpy.concatenate([to_host(model[1].weight), to_host(model[3].weight)])
    assert abs(bn_weights.mean() - 1) < 0.01 and 0.01 < bn_weights.std() < 0.03
    assert numpy.all(to_host(model[1].bias) == 0)
    again = make()
    for name, array in model.state_dict().items():
        numpy.testing.assert_array_equal(to_host(array), to_host(again.state_dict()[name]))


def test_init_functions(backend):
    t = nf.Tensor(numpy.empty((50, 40), dtype=numpy.float32))
    assert nn.init.zeros_(t) is t and numpy.all(to_host(t) == 0)
    assert numpy.all(to_host(nn.init.ones_(t)) == 1)
    values = to_host(nn.init.uniform_(t, -2, 3))
    assert t.dtype == numpy.float32 and values.min() >= -2 and values.max() <= 3
    values = to_host(nn.init.normal_(t, 5, 0.1))
    assert abs(values.mean() - 5) < 0.01 and abs(values.std() - 0.1) < 0.01
    assert nn.init.calculate_fan_in_and_fan_out(nf.Tensor(numpy.empty((8, 3, 4, 5)))) == (60, 160)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))


def test_layers_on_each_backend(backend):
    """Forward, backward and an optimizer step on NumPy and (where available) CuPy."""
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout(0.1),
                          nn.Flatten(), nn.Linear(4 * 5 * 5, 2))
    device = "cuda" if backend == "cupy" else "cpu"
    assert {p.device for p in model.parameters()} == {device}
    opt = nf.optim.Adam(model.parameters())
    x = nf.Tensor(RNG.standard_normal((3, 1, 5, 5)).astype(numpy.float32))
    loss = (model(x) * model(x)).mean()
    loss.backward()
    opt.step()
    assert all(p.grad.dtype == numpy.float32 for p in model.parameters())
    assert model[1].num_batches_tracked.data == 2


# --------------------------------------------------------------------------
# Parity with PyTorch
# --------------------------------------------------------------------------


def assert_close(ours, theirs, rtol):
    """|ours - theirs| <= rtol * max(|theirs|): relative to the array's scale, so values near 0 pass too."""
    ours = to_host(ours).astype(numpy.float64)
    theirs = theirs.detach().numpy().astype(numpy.float64) if hasattr(theirs, "detach") else numpy.asarray(theirs)
    assert ours.shape == theirs.shape
    scale = max(numpy.abs(theirs).max(), 1e-30)
    error = numpy.abs(ours - theirs).max() / scale
    assert error <= rtol, f"relative error {error:.3g} > {rtol}"


def load_both_ways(ours, theirs, torch):
    """Copy torch's weights into ours, check they arrived, then copy ours back into torch."""
    ours.load_state_dict(theirs.state_dict())
    for name, array in ours.state_dict().items():
        numpy.testing.assert_array_equal(to_host(array), theirs.state_dict()[name].numpy())
    for parameter in ours.parameters():        # make ours different, then send it the other way
        set_data(parameter, RNG.uniform(-0.5, 0.5, parameter.shape))
    theirs.load_state_dict({name: torch.from_numpy(to_host(array)) for name, array in ours.state_dict().items()})
    for name, array in theirs.state_dict().items():
        numpy.testing.assert_array_equal(array.numpy(), to_host(ours.state_dict()[name]))


def compare_forward_backward(ours, theirs, x_array, torch, rtol):
    """Run both on x with the same upstream gradient; compare outputs, dL/dx and every parameter gradient."""
    x = nf.Tensor(x_array.copy(), requires_grad=True)
    x_torch = torch.tensor(x_array, requires_grad=True)
    y, y_torch = ours(x), theirs(x_torch)
    assert_close(y, y_torch, rtol)
    upstream = RNG.standard_normal(y.shape).astype(x_array.dtype)
    y.backward(upstream)
    y_torch.backward(torch.from_numpy(upstream))
    assert_close(x.grad, x_torch.grad, rtol)
    torch_parameters = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        assert_close(parameter.grad, torch_parameters[name].grad, rtol)
    ours.zero_grad()
    theirs.zero_grad()


DTYPES = [(numpy.float64, 1e-10), (numpy.float32, 1e-5)]


def make_pair(torch, dtype, ours, theirs):
    ours.to(dtype=dtype)
    theirs.to(torch.float64 if dtype == numpy.float64 else torch.float32)
    load_both_ways(ours, theirs, torch)
    return ours, theirs


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="PyTorch (CPU) is needed for the parity tests: "
                                                "pip install torch==2.13.0")


def batchnorm_has_bias_option(torch) -> bool:
    """Whether this PyTorch's BatchNorm takes ``bias=`` (2.13 does; the 2.11 of some GPU images does not)."""
    return "bias" in inspect.signature(torch.nn.BatchNorm1d.__init__).parameters


def assert_same_repr(ours, theirs, torch):
    """Our repr is PyTorch 2.13's; an older PyTorch prints BatchNorm without its ``bias=...``."""
    expected = repr(theirs)
    received = repr(ours) if batchnorm_has_bias_option(torch) else re.sub(r" bias=(True|False),", "", repr(ours))
    assert received == expected


@pytest.mark.parametrize("dtype, rtol", DTYPES)
@pytest.mark.parametrize("x_shape, bias", [((5, 7), True), ((2, 3, 7), True), ((5, 7), False)])
def test_linear_matches_torch(backend, kernels, torch, dtype, rtol, x_shape, bias):
    ours, theirs = make_pair(torch, dtype, nn.Linear(7, 4, bias=bias), torch.nn.Linear(7, 4, bias=bias))
    compare_forward_backward(ours, theirs, RNG.standard_normal(x_shape).astype(dtype), torch, rtol)


@pytest.mark.parametrize("dtype, rtol", DTYPES)
@pytest.mark.parametrize("in_c, out_c, kernel, stride, padding, dilation, bias, hw", CONV2D_CASES)
def test_conv2d_matches_torch(backend, kernels, torch, dtype, rtol, in_c, out_c, kernel, stride, padding, dilation,
                              bias, hw):
    args = (in_c, out_c, kernel)
    options = {"stride": stride, "padding": padding, "dilation": dilation, "bias": bias}
    ours, theirs = make_pair(torch, dtype, nn.Conv2d(*args, **options), torch.nn.Conv2d(*args, **options))
    assert repr(ours) == repr(theirs)
    compare_forward_backward(ours, theirs, RNG.standard_normal((3, in_c, *hw)).astype(dtype), torch, rtol)


@pytest.mark.parametrize("dtype, rtol", DTYPES)
@pytest.mark.parametrize("in_c, out_c, kernel, stride, padding, output_padding, dilation, bias, hw",
                         CONV_TRANSPOSE2D_CASES)
def test_conv_transpose2d_matches_torch(backend, kernels, torch, dtype, rtol, in_c, out_c, kernel, stride, padding,
                                        output_padding, dilation, bias, hw):
    args = (in_c, out_c, kernel)
    options = {"stride": stride, "padding": padding, "output_padding": output_padding, "dilation": dilation,
               "bias": bias}
    ours, theirs = make_pair(torch, dtype, nn.ConvTranspose2d(*args, **options),
                             torch.nn.ConvTranspose2d(*args, **options))
    assert repr(ours) == repr(theirs)
    compare_forward_backward(ours, theirs, RNG.standard_normal((3, in_c, *hw)).astype(dtype), torch, rtol)


@pytest.mark.parametrize("dtype, rtol", DTYPES)
@pytest.mark.parametrize("name, x_shape, options", [
    ("BatchNorm1d", (6, 3), {}),
    ("BatchNorm1d", (4, 3, 5), {"momentum": 0.3}),
    ("BatchNorm2d", (4, 3, 5, 2), {}),
    ("BatchNorm2d", (3, 3, 2, 4), {"momentum": None}),       # cumulative average
    ("BatchNorm2d", (3, 3, 2, 4), {"affine": False, "eps": 1e-3}),
    ("BatchNorm2d", (3, 3, 2, 4), {"bias": False}),
])
def test_batchnorm_matches_torch(backend, kernels, torch, dtype, rtol, name, x_shape, options):
    if "bias" in options and not batchnorm_has_bias_option(torch):
        pytest.skip(f"PyTorch {torch.__version__}'s BatchNorm has no bias= option (2.13 has): "
                    "pip install torch==2.13.0")
    ours, theirs = make_pair(torch, dtype, getattr(nn, name)(3, **options), getattr(torch.nn, name)(3, **options))
    assert_same_repr(ours, theirs, torch)
    for _ in range(4):                                          # training: batch statistics
        x = (RNG.standard_normal(x_shape) * 3 + 1).astype(dtype)
        compare_forward_backward(ours, theirs, x, torch, rtol)
    for buffer_name in ("running_mean", "running_var"):
        assert_close(getattr(ours, buffer_name), getattr(theirs, buffer_name), rtol)
    assert int(ours.num_batches_tracked.data) == int(theirs.num_batches_tracked) == 4
    ours.eval()
    theirs.eval()
    compare_forward_backward(ours, theirs, RNG.standard_normal(x_shape).astype(dtype), torch, rtol)
    assert int(ours.num_batches_tracked.data) == 4


@pytest.mark.parametrize("dtype, rtol", DTYPES)
@pytest.mark.parametrize("name, args", [
    ("ReLU", ()), ("LeakyReLU", ()), ("LeakyReLU", (0.2,)), ("Sigmoid", ()), ("Tanh", ()),
    ("Flatten", ()), ("Flatten", (0, 2)), ("Unflatten", (1, (3, 4))),
])
def test_parameterless_layers_match_torch(backend, kernels, torch, dtype, rtol, name, args):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    compare_forward_backward(ours, theirs, RNG.standard_normal((2, 12, 2)).astype(dtype) * 3, torch, rtol)


@pytest.mark.parametrize("dtype, rtol", DTYPES)
@pytest.mark.parametrize("scale, x_shape", [(2, (2, 3, 4, 5)), (3, (1, 2, 3, 2)), (2.0, (2, 1, 7, 7))])
def test_upsample_matches_torch(backend, kernels, torch, dtype, rtol, scale, x_shape):
    ours, theirs = nn.Upsample(scale_factor=scale), torch.nn.Upsample(scale_factor=scale, mode="nearest")
    assert repr(ours) == repr(theirs)
    compare_forward_backward(ours, theirs, RNG.standard_normal(x_shape).astype(dtype), torch, rtol)


def dcgan_like(library):
    """A small generator followed by a discriminator, written once for both libraries."""
    layers = library.nn
    return layers.Sequential(
        layers.Unflatten(1, (6, 1, 1)),
        layers.ConvTranspose2d(6, 8, 3, 1, 0, bias=False), layers.BatchNorm2d(8), layers.ReLU(),     # 3x3
        layers.ConvTranspose2d(8, 4, 4, 2, 1, bias=False), layers.BatchNorm2d(4), layers.ReLU(),     # 6x6
        layers.ConvTranspose2d(4, 1, 4, 2, 1), layers.Tanh(),                                        # 12x12
        layers.Conv2d(1, 4, 4, 2, 1), layers.LeakyReLU(0.2),                                         # 6x6
        layers.Conv2d(4, 8, 4, 2, 1, bias=False), layers.BatchNorm2d(8), layers.LeakyReLU(0.2),      # 3x3
        layers.Flatten(), layers.Linear(8 * 3 * 3, 1), layers.Sigmoid(),
    )


@pytest.mark.parametrize("dtype, rtol", DTYPES)
def test_dcgan_like_sequential_matches_torch(backend, kernels, torch, dtype, rtol):
    ours, theirs = make_pair(torch, dtype, nn.init.dcgan_init(dcgan_like(nf)), dcgan_like(torch))
    assert_same_repr(ours, theirs, torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for _ in range(2):
        compare_forward_backward(ours, theirs, RNG.standard_normal((4, 6)).astype(dtype), torch, rtol)
    ours.eval()
    theirs.eval()
    compare_forward_backward(ours, theirs, RNG.standard_normal((4, 6)).astype(dtype), torch, rtol)
    for name, array in ours.state_dict().items():
        assert_close(array, theirs.state_dict()[name], rtol)


# --------------------------------------------------------------------------
# pooling and layer norm (both kernel sets)
# --------------------------------------------------------------------------

# (kernel_size, stride, padding, x_shape): tiling windows, overlapping windows, padding, leftover rows
POOL_CASES = [
    (2, None, 0, (2, 3, 8, 8)),
    (2, None, 0, (1, 2, 7, 9)),           # rows and columns no window covers
    (3, 2, 1, (2, 2, 7, 6)),              # overlapping, padded
    ((2, 3), (1, 2), (1, 0), (1, 3, 6, 7)),
    (3, 1, 0, (1, 1, 5, 5)),
]


def distinct_values(shape, dtype=numpy.float64):
    """Values with no ties (a permutation of a spread-out range): max pooling's gradient is well defined."""
    values = RNG.permutation(numpy.prod(shape)).astype(dtype) / numpy.prod(shape) - 0.5
    return values.reshape(shape)


@pytest.mark.parametrize("layer_name", ["MaxPool2d", "AvgPool2d"])
@pytest.mark.parametrize("kernel, stride, padding, x_shape", POOL_CASES)
def test_pooling_gradcheck(backend, kernels, layer_name, kernel, stride, padding, x_shape):
    layer = getattr(nn, layer_name)(kernel, stride, padding)
    x = nf.Tensor(distinct_values(x_shape), requires_grad=True)
    assert nf.gradcheck(layer, [x])


@pytest.mark.parametrize("dtype, rtol", DTYPES)
@pytest.mark.parametrize("layer_name", ["MaxPool2d", "AvgPool2d"])
@pytest.mark.parametrize("kernel, stride, padding, x_shape", POOL_CASES)
def test_pooling_matches_torch(backend, kernels, torch, dtype, rtol, layer_name, kernel, stride, padding, x_shape):
    ours = getattr(nn, layer_name)(kernel, stride, padding)
    theirs = getattr(torch.nn, layer_name)(kernel, stride, padding)
    compare_forward_backward(ours, theirs, distinct_values(x_shape, dtype), torch, rtol)


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 1)])
def test_max_pooling_gives_a_tie_to_the_first_maximum_as_pytorch_does(backend, kernels, torch, kernel, stride):
    x_array = numpy.ones((1, 2, 6, 6))                     # every window is one big tie
    x_array[0, 1, 2, 3] = 5.0
    compare_forward_backward(nn.MaxPool2d(kernel, stride), torch.nn.MaxPool2d(kernel, stride), x_array, torch, 1e-12)


def test_pooling_arguments_and_errors():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    assert nn.AvgPool2d(3, 1, 1)(random_tensor(2, 3, 5, 5)).shape == (2, 3, 5, 5)
    with pytest.raises(ValueError, match=r"max_pool2d: expected input of shape \(N, C, H, W\), got \(3, 4, 4\)"):
        F.max_pool2d(random_tensor(3, 4, 4), 2)
    with pytest.raises(ValueError, match=r"avg_pool2d: padding \(2, 2\) must be at most half the kernel size"):
        F.avg_pool2d(random_tensor(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(ValueError, match=r"max_pool2d: kernel \(5, 5\) is larger than the padded input 4x4"):
        F.max_pool2d(random_tensor(1, 1, 4, 4), 5)
    with pytest.raises(ValueError, match="MaxPool2d: stride must be >= 1"):
        nn.MaxPool2d(2, stride=0)


@pytest.mark.parametrize("normalized_shape, x_shape, affine", [
    (6, (4, 6), True), ((3, 4), (2, 5, 3, 4), True), (5, (3, 5), False),
])
def test_layer_norm_gradcheck(backend, kernels, normalized_shape, x_shape, affine):
    layer = nn.LayerNorm(normalized_shape, elementwise_affine=affine).double()
    if affine:                                       # away from the initial 1 and 0, so that they matter
        layer.weight.data[...] = nf.Tensor(RNG.standard_normal(layer.weight.shape)).data
        layer.bias.data[...] = nf.Tensor(RNG.standard_normal(layer.bias.shape)).data
    x = nf.Tensor(RNG.standard_normal(x_shape), requires_grad=True)
    inputs = [x] + list(layer.parameters())
    assert nf.gradcheck(lambda x, *params: layer(x), inputs)


@pytest.mark.parametrize("dtype, rtol", DTYPES)
@pytest.mark.parametrize("normalized_shape, x_shape, options", [
    (6, (4, 6), {}), ((3, 4), (2, 5, 3, 4), {"eps": 1e-3}), (5, (3, 5), {"elementwise_affine": False}),
    (5, (3, 5), {"bias": False}),
])
def test_layer_norm_matches_torch(backend, kernels, torch, dtype, rtol, normalized_shape, x_shape, options):
    ours, theirs = make_pair(torch, dtype, nn.LayerNorm(normalized_shape, **options),
                             torch.nn.LayerNorm(normalized_shape, **options))
    for parameter in theirs.parameters():            # away from the initial 1 and 0, so that they matter
        torch.nn.init.normal_(parameter)
    ours.load_state_dict({name: value.detach().numpy() for name, value in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    compare_forward_backward(ours, theirs, RNG.standard_normal(x_shape).astype(dtype), torch, rtol)


def test_layer_norm_errors():
    with pytest.raises(ValueError, match=r"layer_norm: expected input of shape \(\.\.\., 4\) .* got \(2, 5\)"):
        nn.LayerNorm(4)(random_tensor(2, 5))
    with pytest.raises(ValueError, match="LayerNorm: normalized_shape must be a positive int"):
        nn.LayerNorm(0)
