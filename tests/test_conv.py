"""Tests of conv2d and conv_transpose2d (nn_from_scratch/functional/conv.py and its fast twin).

* the loops' backward equals finite differences of the loops' forward;
* both kernel sets (im2col + GEMM, GEMM + col2im) equal the loops, forward and backward;
* finite-difference gradient checks of both Functions (float64);
* the adjoint identity <conv2d(x, w), y> == <x, conv_transpose2d(y, w)>;
* parity with PyTorch for values and gradients (float64 and float32);
* one-line error messages for bad arguments.

The computing tests take the ``backend`` fixture (NumPy, and CuPy where a CUDA
device exists; the loops and PyTorch stay on the CPU as the references) and
the ``kernels`` fixture (textbook and fast).  Tests of the fast kernels'
internals are in test_fast_kernels.py.
"""

import numpy
import pytest
from conftest import to_host

import nn_from_scratch as nf
from nn_from_scratch.functional.conv import (
    Conv2dFunction,
    ConvTranspose2dFunction,
    as_pair,
    col2im,
    conv2d,
    conv2d_backward_loops,
    conv2d_loops,
    conv2d_output_size,
    conv_transpose2d,
    conv_transpose2d_backward_loops,
    conv_transpose2d_loops,
    conv_transpose2d_output_size,
    im2col,
)

# (x_shape, weight_shape (O, C, KH, KW), stride, padding, dilation, with_bias)
CONV_CASES = [
    ((2, 3, 7, 7), (4, 3, 3, 3), 1, 0, 1, True),
    ((2, 3, 8, 6), (4, 3, 3, 3), 1, 1, 1, False),
    ((1, 2, 9, 8), (3, 2, 2, 2), 2, 0, 1, True),
    ((2, 2, 10, 9), (3, 2, 4, 4), 2, 1, 1, True),            # the DCGAN layer, small
    ((2, 1, 7, 11), (2, 1, 1, 1), 1, 0, 1, True),            # 1x1 kernel
    ((1, 3, 11, 9), (2, 3, 5, 5), 3, 2, 1, True),
    ((2, 2, 9, 10), (3, 2, 3, 3), 1, 2, 2, False),           # dilation 2
    ((1, 2, 12, 11), (2, 2, 2, 3), (2, 1), (1, 0), (1, 2), True),
    ((1, 2, 8, 13), (3, 2, 5, 2), (3, 2), (2, 1), 1, True),  # non-square kernel and strides
    ((2, 3, 5, 5), (2, 3, 5, 5), 1, 0, 1, True),             # kernel as large as the input
    ((1, 2, 9, 7), (2, 2, 4, 3), 2, (0, 2), 2, False),
]

# (x_shape, weight_shape (C, O, KH, KW), stride, padding, output_padding, dilation, with_bias)
TRANSPOSE_CASES = [
    ((2, 3, 4, 5), (3, 2, 3, 3), 1, 0, 0, 1, True),
    ((2, 3, 4, 4), (3, 2, 4, 4), 2, 1, 0, 1, True),          # the DCGAN layer, small
    ((1, 2, 3, 5), (2, 3, 3, 3), 2, 1, 1, 1, False),         # output_padding 1
    ((2, 2, 4, 3), (2, 2, 5, 5), 3, 2, 2, 1, True),
    ((1, 2, 5, 4), (2, 3, 2, 3), (2, 3), (0, 1), (1, 2), 1, True),
    ((1, 2, 4, 4), (2, 2, 3, 3), 1, 1, 1, 2, True),          # output_padding >= stride, < dilation
    ((2, 1, 3, 4), (1, 2, 1, 1), 1, 0, 0, 1, True),          # 1x1 kernel
    ((2, 3, 4, 4), (3, 1, 4, 4), 2, 1, 0, 1, True),          # one output channel, as the generator's last layer
    ((1, 2, 4, 3), (2, 2, 3, 2), 2, 2, 1, (2, 1), False),
]


def random_arrays(x_shape, weight_shape, bias_size, with_bias, dtype=numpy.float64, seed=0):
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    weight = rng.standard_normal(weight_shape).astype(dtype)
    bias = rng.standard_normal(bias_size).astype(dtype) if with_bias else None
    return x, weight, bias


def on_backend(array):
    """``array`` on the current backend (a CuPy array when the backend is "cupy")."""
    return nf.Tensor(array).data


def assert_close(actual, expected, rel):
    """max |actual - expected| <= rel * max |expected| (a relative error that ignores near-zero entries)."""
    actual, expected = to_host(actual), to_host(expected)
    assert actual.shape == expected.shape
    scale = max(float(numpy.abs(expected).max()), 1e-300)
    error = float(numpy.abs(actual - expected).max()) / scale
    assert error <= rel, f"relative error {error:.3g} > {rel:.3g}"


# --------------------------------------------------------------------------
# sizes and arguments
# --------------------------------------------------------------------------


def test_output_sizes_follow_pytorch_formulas():
    assert conv2d_output_size(28, 28, 4, 2, 1) == (14, 14)
    assert conv2d_output_size(14, 14, 4, 2, 1) == (7, 7)
    assert conv2d_output_size(7, 10, (3, 5), (1, 2), (1, 0), (2, 1)) == (5, 3)
    assert conv_transpose2d_output_size(7, 7, 4, 2, 1) == (14, 14)
    assert conv_transpose2d_output_size(14, 14, 4, 2, 1) == (28, 28)
    assert conv_transpose2d_output_size(3, 5, 3, 2, 1, 1) == (6, 10)
    assert conv_transpose2d_output_size(4, 4, (3, 2), (1, 2), 0, (0, 1), (2, 1)) == (8, 9)


def test_as_pair_accepts_int_or_pair():
    assert as_pair(3) == (3, 3)
    assert as_pair((1, 2)) == (1, 2)
    assert as_pair(numpy.int64(2)) == (2, 2)
    with pytest.raises(ValueError, match="stride must be an int or a pair of ints"):
        as_pair((1, 2, 3), "stride", 1)
    with pytest.raises(ValueError, match="stride must be >= 1"):
        as_pair(0, "stride", 1)
    for bad in (True, (True, 1), 1.5, None, (1.0, 2)):
        with pytest.raises(ValueError, match="stride must be an int or a pair of ints"):
            as_pair(bad, "stride", 1)


# --------------------------------------------------------------------------
# the loops: backward by loops == finite differences of forward by loops
# --------------------------------------------------------------------------


def numerical_gradients(function, arrays, upstream, eps=1e-6):
    """Central differences of sum(upstream * function(*arrays)) with respect to each array (float64, CPU)."""
    grads = []
    for array in arrays:
        grad = numpy.zeros_like(array)
        for index in numpy.ndindex(array.shape):
            original = array[index]
            array[index] = original + eps
            plus = numpy.sum(upstream * function(*arrays))
            array[index] = original - eps
            minus = numpy.sum(upstream * function(*arrays))
            array[index] = original
            grad[index] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation, with_bias",
                         [CONV_CASES[i] for i in (0, 3, 6, 7)])
def test_conv2d_backward_loops_are_the_derivative_of_the_loops(x_shape, w_shape, stride, padding, dilation,
                                                               with_bias):
    x, weight, bias = random_arrays(x_shape, w_shape, w_shape[0], True)
    y = conv2d_loops(x, weight, bias, stride, padding, dilation)
    upstream = numpy.random.default_rng(9).standard_normal(y.shape)
    expected = numerical_gradients(lambda x, w, b: conv2d_loops(x, w, b, stride, padding, dilation),
                                   [x, weight, bias], upstream)
    for actual, reference in zip(conv2d_backward_loops(upstream, x, weight, stride, padding, dilation), expected):
        assert_close(actual, reference, 1e-7)


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, output_padding, dilation, with_bias",
                         [TRANSPOSE_CASES[i] for i in (0, 2, 4, 5)])
def test_conv_transpose2d_backward_loops_are_the_derivative_of_the_loops(x_shape, w_shape, stride, padding,
                                                                         output_padding, dilation, with_bias):
    x, weight, bias = random_arrays(x_shape, w_shape, w_shape[1], True)
    y = conv_transpose2d_loops(x, weight, bias, stride, padding, output_padding, dilation)
    upstream = numpy.random.default_rng(9).standard_normal(y.shape)
    expected = numerical_gradients(
        lambda x, w, b: conv_transpose2d_loops(x, w, b, stride, padding, output_padding, dilation),
        [x, weight, bias], upstream)
    actual = conv_transpose2d_backward_loops(upstream, x, weight, stride, padding, dilation)
    for mine, reference in zip(actual, expected):
        assert_close(mine, reference, 1e-7)


# --------------------------------------------------------------------------
# both kernel sets == the loops, forward and backward
# --------------------------------------------------------------------------


def forward_and_backward(op, arrays, upstream):
    """op(*tensors), then backward with ``upstream``: (y, grad of each array) as host arrays."""
    tensors = [nf.Tensor(a, requires_grad=True) for a in arrays]
    y = op(*tensors)
    y.backward(nf.Tensor(upstream))
    return [to_host(y)] + [to_host(t.grad) for t in tensors]


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation, with_bias", CONV_CASES)
def test_conv2d_matches_the_loops(backend, kernels, x_shape, w_shape, stride, padding, dilation, with_bias):
    x, weight, bias = random_arrays(x_shape, w_shape, w_shape[0], with_bias)
    expected_y = conv2d_loops(x, weight, bias, stride, padding, dilation)
    assert expected_y.shape[2:] == conv2d_output_size(x_shape[2], x_shape[3], w_shape[2:], stride, padding, dilation)
    upstream = numpy.random.default_rng(8).standard_normal(expected_y.shape)
    grad_x, grad_w, grad_b = conv2d_backward_loops(upstream, x, weight, stride, padding, dilation)
    arrays = [x, weight] + ([bias] if with_bias else [])
    results = forward_and_backward(lambda *t: conv2d(*t[:2], t[2] if with_bias else None, stride, padding, dilation),
                                   arrays, upstream)
    for actual, expected in zip(results, [expected_y, grad_x, grad_w, grad_b]):
        assert actual.shape == expected.shape
        assert_close(actual, expected, 1e-12)


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, output_padding, dilation, with_bias",
                         TRANSPOSE_CASES)
def test_conv_transpose2d_matches_the_loops(backend, kernels, x_shape, w_shape, stride, padding, output_padding,
                                            dilation, with_bias):
    x, weight, bias = random_arrays(x_shape, w_shape, w_shape[1], with_bias)
    expected_y = conv_transpose2d_loops(x, weight, bias, stride, padding, output_padding, dilation)
    assert expected_y.shape[2:] == conv_transpose2d_output_size(x_shape[2], x_shape[3], w_shape[2:], stride,
                                                                padding, output_padding, dilation)
    upstream = numpy.random.default_rng(8).standard_normal(expected_y.shape)
    grad_x, grad_w, grad_b = conv_transpose2d_backward_loops(upstream, x, weight, stride, padding, dilation)
    arrays = [x, weight] + ([bias] if with_bias else [])
    results = forward_and_backward(
        lambda *t: conv_transpose2d(*t[:2], t[2] if with_bias else None, stride, padding, output_padding, dilation),
        arrays, upstream)
    for actual, expected in zip(results, [expected_y, grad_x, grad_w, grad_b]):
        assert actual.shape == expected.shape
        assert_close(actual, expected, 1e-12)


@pytest.mark.parametrize("x_shape, kernel, stride, padding, dilation", [
    ((2, 3, 7, 6), (3, 3), (1, 1), (1, 1), (1, 1)),
    ((1, 2, 9, 8), (4, 2), (2, 3), (1, 2), (1, 2)),
])
def test_col2im_is_the_adjoint_of_im2col(backend, x_shape, kernel, stride, padding, dilation):
    rng = numpy.random.default_rng(1)
    x = on_backend(rng.standard_normal(x_shape))
    cols = im2col(x, kernel, stride, padding, dilation)
    n, c = x_shape[:2]
    oh, ow = conv2d_output_size(x_shape[2], x_shape[3], kernel, stride, padding, dilation)
    assert cols.shape == (n * oh * ow, c * kernel[0] * kernel[1])
    c_random = on_backend(rng.standard_normal(cols.shape))
    left = float((cols * c_random).sum())
    right = float((x * col2im(c_random, x_shape, kernel, stride, padding, dilation)).sum())
    assert abs(left - right) <= 1e-12 * abs(left)


def test_im2col_rows_are_the_windows():
    """Row (n, i, j) of im2col is the window under output pixel (i, j), entries in (c, kh, kw) order."""
    x = numpy.arange(2 * 2 * 4 * 5, dtype=numpy.float64).reshape(2, 2, 4, 5)
    cols = im2col(x, (2, 3), (2, 1), (0, 0), (1, 1))
    oh, ow = conv2d_output_size(4, 5, (2, 3), (2, 1))
    n, i, j = 1, 1, 2
    numpy.testing.assert_array_equal(cols[(n * oh + i) * ow + j], x[n, :, 2 * i:2 * i + 2, j:j + 3].ravel())


# --------------------------------------------------------------------------
# gradients: finite differences and the adjoint identity
# --------------------------------------------------------------------------


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation, with_bias", CONV_CASES)
def test_conv2d_gradcheck(backend, kernels, x_shape, w_shape, stride, padding, dilation, with_bias):
    x, weight, bias = random_arrays(x_shape, w_shape, w_shape[0], with_bias)
    inputs = [nf.Tensor(x, requires_grad=True), nf.Tensor(weight, requires_grad=True)]
    if with_bias:
        inputs.append(nf.Tensor(bias, requires_grad=True))
    assert nf.gradcheck(lambda *args: conv2d(*args, stride=stride, padding=padding, dilation=dilation),
                        inputs)


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, output_padding, dilation, with_bias",
                         TRANSPOSE_CASES)
def test_conv_transpose2d_gradcheck(backend, kernels, x_shape, w_shape, stride, padding, output_padding, dilation,
                                    with_bias):
    x, weight, bias = random_arrays(x_shape, w_shape, w_shape[1], with_bias)
    inputs = [nf.Tensor(x, requires_grad=True), nf.Tensor(weight, requires_grad=True)]
    if with_bias:
        inputs.append(nf.Tensor(bias, requires_grad=True))
    assert nf.gradcheck(lambda *args: conv_transpose2d(*args, stride=stride, padding=padding,
                                                       output_padding=output_padding, dilation=dilation),
                        inputs)


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation", [
    ((2, 3, 7, 7), (4, 3, 3, 3), 1, 1, 1),
    ((2, 2, 9, 8), (3, 2, 4, 4), 2, 1, 1),       # 9 + 2 - 4 = 7 is odd: output_padding (1, 0)
    ((1, 3, 12, 10), (2, 3, 3, 2), 3, (2, 0), 1),
    ((2, 2, 11, 9), (3, 2, 3, 3), 2, 1, 2),
    ((1, 2, 10, 11), (2, 2, 5, 3), (3, 2), (1, 2), (1, 2)),
])
def test_adjoint_identity(backend, kernels, x_shape, w_shape, stride, padding, dilation):
    """<conv2d(x, w), y> == <x, conv_transpose2d(y, w)>: the transposed convolution is the adjoint."""
    rng = numpy.random.default_rng(2)
    x, weight = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    conv_x = to_host(conv2d(nf.Tensor(x), nf.Tensor(weight), None, stride, padding, dilation))
    y = rng.standard_normal(conv_x.shape)
    # output_padding: the rows and columns of x that no kernel window reached
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride), as_pair(padding), as_pair(dilation)
    output_padding = ((x_shape[2] + 2 * ph - dh * (w_shape[2] - 1) - 1) % sh,
                      (x_shape[3] + 2 * pw - dw * (w_shape[3] - 1) - 1) % sw)
    transposed_y = to_host(conv_transpose2d(nf.Tensor(y), nf.Tensor(weight), None, stride, padding,
                                            output_padding, dilation))
    assert transposed_y.shape == x_shape
    left, right = numpy.sum(conv_x * y), numpy.sum(x * transposed_y)
    assert abs(left - right) <= 1e-10 * abs(left)


@pytest.mark.parametrize("use_transposed", [False, True])
def test_graphs_alive_at_once_keep_their_own_saved_arrays(backend, kernels, use_transposed):
    """Graphs that overlap in time keep their own saved arrays (nothing is shared or reused between them)."""
    rng = numpy.random.default_rng(6)
    op = conv_transpose2d if use_transposed else conv2d
    weight = rng.standard_normal((3, 4, 4, 4))
    inputs = [rng.standard_normal((2, 3 if use_transposed else 4, 6, 6)) for _ in range(4)]
    upstream = [rng.standard_normal(op(nf.Tensor(inputs[0]), nf.Tensor(weight), None, 2, 1).shape) for _ in range(4)]

    def weight_gradient_alone(i):
        w = nf.Tensor(weight, requires_grad=True)
        op(nf.Tensor(inputs[i]), w, None, 2, 1).backward(upstream[i])
        return to_host(w.grad)

    expected = [weight_gradient_alone(i) for i in range(4)]
    weights = [nf.Tensor(weight, requires_grad=True) for _ in range(4)]
    y0 = op(nf.Tensor(inputs[0]), weights[0], None, 2, 1)
    y1 = op(nf.Tensor(inputs[1]), weights[1], None, 2, 1)
    with nf.no_grad():
        op(nf.Tensor(inputs[2]), weights[2], None, 2, 1)
    y0.backward(upstream[0])
    y3 = op(nf.Tensor(inputs[3]), weights[3], None, 2, 1)
    y1.backward(upstream[1])
    y3.backward(upstream[3])
    for i in (0, 1, 3):
        assert_close(weights[i].grad, expected[i], 1e-12)


def test_first_layer_needs_no_input_gradient_and_bias_is_optional(backend, kernels):
    x, weight, _ = random_arrays((2, 1, 8, 8), (3, 1, 4, 4), 3, False)
    x_tensor, w_tensor = nf.Tensor(x), nf.Tensor(weight, requires_grad=True)
    function = nf.kernels.choose(Conv2dFunction)((2, 2), (1, 1), (1, 1))
    y = function(x_tensor, w_tensor)
    assert function.needs_input_grad == (False, True)
    y.sum().backward()
    assert x_tensor.grad is None
    assert w_tensor.grad.shape == weight.shape
    x_tensor = nf.Tensor(x, requires_grad=True)
    function = nf.kernels.choose(ConvTranspose2dFunction)((2, 2), (1, 1), (0, 0), (1, 1))
    y = function(x_tensor, nf.Tensor(weight.transpose(1, 0, 2, 3).copy()))
    assert y.shape == (2, 3, 16, 16) and function.needs_input_grad == (True, False)
    y.sum().backward()
    assert x_tensor.grad.shape == x.shape


def test_float32_stays_float32(backend):
    x, weight, bias = random_arrays((2, 3, 8, 8), (4, 3, 4, 4), 4, True, dtype=numpy.float32)
    tensors = [nf.Tensor(a, requires_grad=True) for a in (x, weight, bias)]
    y = conv2d(*tensors, stride=2, padding=1)
    z = conv_transpose2d(y, nf.Tensor(weight, requires_grad=True), tensors[2][:3], stride=2, padding=1)
    assert y.dtype == numpy.float32 and z.dtype == numpy.float32
    z.sum().backward()
    assert all(t.grad.dtype == numpy.float32 for t in tensors)


# --------------------------------------------------------------------------
# parity with PyTorch
# --------------------------------------------------------------------------


def torch_and_ours(dtype, x, weight, bias, our_op, torch_op):
    """Run both libraries' forward and backward (with the same upstream gradient); return (ours, theirs)."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: no parity check")
    arrays = [a for a in (x, weight, bias) if a is not None]
    ours = [nf.Tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    y_ours = our_op(*ours) if bias is not None else our_op(*ours, None)
    y_theirs = torch_op(*theirs) if bias is not None else torch_op(*theirs, None)
    upstream = numpy.random.default_rng(3).standard_normal(y_ours.shape).astype(dtype)
    y_ours.backward(upstream)
    y_theirs.backward(torch.from_numpy(upstream))
    ours_results = [y_ours.data] + [t.grad for t in ours]
    theirs_results = [y_theirs.detach().numpy()] + [t.grad.numpy() for t in theirs]
    return ours_results, theirs_results


@pytest.mark.parametrize("dtype, rel", [(numpy.float64, 1e-10), (numpy.float32, 1e-5)])
@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation, with_bias",
                         [CONV_CASES[i] for i in (1, 3, 6, 7, 8)])
def test_conv2d_matches_pytorch(backend, kernels, dtype, rel, x_shape, w_shape, stride, padding, dilation, with_bias):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: no parity check")
    x, weight, bias = random_arrays(x_shape, w_shape, w_shape[0], with_bias)
    ours, theirs = torch_and_ours(
        dtype, x, weight, bias,
        lambda x, w, b: conv2d(x, w, b, stride, padding, dilation),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, stride, padding, dilation),
    )
    for mine, reference in zip(ours, theirs):
        assert mine.dtype == dtype
        assert_close(mine, reference, rel)


@pytest.mark.parametrize("dtype, rel", [(numpy.float64, 1e-10), (numpy.float32, 1e-5)])
@pytest.mark.parametrize("x_shape, w_shape, stride, padding, output_padding, dilation, with_bias",
                         [TRANSPOSE_CASES[i] for i in (1, 2, 4, 5, 7)])
def test_conv_transpose2d_matches_pytorch(backend, kernels, dtype, rel, x_shape, w_shape, stride, padding,
                                          output_padding, dilation, with_bias):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: no parity check")
    x, weight, bias = random_arrays(x_shape, w_shape, w_shape[1], with_bias)
    ours, theirs = torch_and_ours(
        dtype, x, weight, bias,
        lambda x, w, b: conv_transpose2d(x, w, b, stride, padding, output_padding, dilation),
        lambda x, w, b: torch.nn.functional.conv_transpose2d(x, w, b, stride, padding, output_padding,
                                                             1, dilation),
    )
    for mine, reference in zip(ours, theirs):
        assert mine.dtype == dtype
        assert_close(mine, reference, rel)


@pytest.mark.parametrize("dtype, rel", [(numpy.float64, 1e-10), (numpy.float32, 1e-5)])
def test_small_dcgan_chain_matches_pytorch(backend, kernels, dtype, rel):
    """conv -> leaky_relu -> conv -> transposed conv -> transposed conv: channels-last views flow through."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: no parity check")
    rng = numpy.random.default_rng(4)
    shapes = [(2, 1, 12, 12), (4, 1, 4, 4), (4,), (6, 4, 4, 4), (6,), (6, 4, 4, 4), (4,), (4, 1, 4, 4), (1,)]
    arrays = [rng.standard_normal(shape).astype(dtype) for shape in shapes]

    def network(functional, x, w1, b1, w2, b2, w3, b3, w4, b4):
        h = functional.leaky_relu(functional.conv2d(x, w1, b1, 2, 1), 0.2)
        h = functional.leaky_relu(functional.conv2d(h, w2, b2, 2, 1), 0.2)
        h = functional.leaky_relu(functional.conv_transpose2d(h, w3, b3, 2, 1), 0.2)
        return functional.conv_transpose2d(h, w4, b4, 2, 1)

    class OurFunctional:
        conv2d, conv_transpose2d = staticmethod(conv2d), staticmethod(conv_transpose2d)
        leaky_relu = staticmethod(nf.functional.leaky_relu)

    ours = [nf.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y_ours, y_theirs = network(OurFunctional, *ours), network(torch.nn.functional, *theirs)
    upstream = rng.standard_normal(y_ours.shape).astype(dtype)
    y_ours.backward(upstream)
    y_theirs.backward(torch.from_numpy(upstream))
    assert_close(y_ours.data, y_theirs.detach().numpy(), rel)
    for mine, reference in zip(ours, theirs):
        assert mine.grad.dtype == dtype
        assert_close(mine.grad, reference.grad.numpy(), rel)


# --------------------------------------------------------------------------
# error messages
# --------------------------------------------------------------------------


def zeros(*shape):
    return nf.Tensor(numpy.zeros(shape, dtype=numpy.float32))


def test_conv2d_wrong_input_channels_message():
    message = (r"conv2d: expected input of shape \(N, C, H, W\) with C=3 \(weight has in_channels=3\), "
               r"got \(8, 1, 28, 28\)")
    with pytest.raises(ValueError, match=message):
        conv2d(zeros(8, 1, 28, 28), zeros(16, 3, 3, 3))


@pytest.mark.parametrize("call, message", [
    (lambda: conv2d(zeros(1, 28, 28), zeros(4, 1, 3, 3)), r"expected input of shape \(N, C, H, W\) with C=1"),
    (lambda: conv2d(zeros(1, 1, 8, 8), zeros(4, 3, 3)), r"expected weight of shape \(out_channels, in_channels"),
    (lambda: conv2d(zeros(1, 1, 8, 8), zeros(4, 1, 3, 3), zeros(3)), r"expected bias of shape \(4,\)"),
    (lambda: conv2d(zeros(1, 1, 4, 4), zeros(4, 1, 5, 5)), r"kernel of extent 5x5 .* larger than the padded input 4x4"),
    (lambda: conv2d(zeros(1, 1, 4, 4), zeros(4, 1, 3, 3), dilation=2), r"kernel of extent 5x5"),
    (lambda: conv2d(zeros(1, 1, 4, 4), zeros(4, 1, 3, 3), stride=0), r"conv2d: stride must be >= 1"),
    (lambda: conv2d(zeros(1, 1, 4, 4), zeros(4, 1, 3, 3), padding=-1), r"conv2d: padding must be >= 0"),
    (lambda: conv_transpose2d(zeros(2, 3, 4, 4), zeros(4, 2, 3, 3)),
     r"conv_transpose2d: expected input of shape \(N, C, H, W\) with C=4 \(weight has in_channels=4\), "
     r"got \(2, 3, 4, 4\)"),
    (lambda: conv_transpose2d(zeros(2, 4, 4, 4), zeros(4, 2, 3)),
     r"expected weight of shape \(in_channels, out_channels"),
    (lambda: conv_transpose2d(zeros(2, 4, 4, 4), zeros(4, 2, 3, 3), zeros(4)), r"expected bias of shape \(2,\)"),
    (lambda: conv_transpose2d(zeros(1, 4, 4, 4), zeros(4, 2, 3, 3), stride=2, output_padding=2),
     r"output_padding \(2, 2\) must be smaller than either stride \(2, 2\) or dilation \(1, 1\)"),
    (lambda: conv_transpose2d(zeros(1, 4, 1, 1), zeros(4, 2, 3, 3), padding=2), r"output size .* too small"),
])
def test_error_messages(call, message):
    with pytest.raises(ValueError, match=message):
        call()
