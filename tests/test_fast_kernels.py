"""The fast kernels (nn_from_scratch/fast/): each twin computes what its textbook original computes.

* every twin in ``fast.TWINS`` is what the op builds while the fast set is on,
  and the textbook original while the textbook set is on;
* each twin's forward and backward equal the textbook's (to rounding) on
  random inputs, in float64 and float32;
* the internals of the fast convolution (channels-last im2col, col2im of a
  product by kernel position and by stride phase, one-channel copies), the
  BLAS channel sums, the outer product, the memory-order reshape.
The gradient checks and PyTorch parity of every op run over both kernel sets
in their own test files (the ``kernels`` fixture).
"""

import numpy as np
import pytest
from conftest import to_host

import nn_from_scratch as nf
from nn_from_scratch import fast, nn, optim
from nn_from_scratch import functional as F
from nn_from_scratch.fast import conv as fast_conv
from nn_from_scratch.fast.arithmetic import matrix_product
from nn_from_scratch.fast.channel_sums import channel_sums, column_sums
from nn_from_scratch.functional import conv as textbook_conv

# One call per Function twin, on float64 inputs; each takes the tensors it needs.
RNG = np.random.default_rng(0)
IMAGE = RNG.standard_normal((3, 4, 8, 8))
FUNCTION_CALLS = {
    "ReLUFunction": (lambda x: F.relu(x), [IMAGE]),
    "LeakyReLUFunction": (lambda x: F.leaky_relu(x, 0.2), [IMAGE]),
    "SigmoidFunction": (lambda x: F.sigmoid(x * 10), [IMAGE]),
    "SoftplusFunction": (lambda x: F.softplus(x * 10), [IMAGE]),
    "BinaryCrossEntropyWithLogitsFunction": (
        lambda x, t: F.binary_cross_entropy_with_logits(x * 10, t, reduction="none"),
        [IMAGE, RNG.uniform(0, 1, IMAGE.shape)]),
    "MatMulFunction": (lambda a, b: a @ b, [RNG.standard_normal((6, 1)), RNG.standard_normal((1, 5))]),
    "ReshapeFunction": (lambda x: F.reshape(x.transpose((0, 2, 3, 1)), (3, -1)), [IMAGE]),
    "Conv2dFunction": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
                       [IMAGE, RNG.standard_normal((5, 4, 4, 4)), RNG.standard_normal(5)]),
    "ConvTranspose2dFunction": (lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1),
                                [IMAGE, RNG.standard_normal((4, 2, 4, 4)), RNG.standard_normal(2)]),
    "BatchNormFunction": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                          [IMAGE, RNG.standard_normal(4), RNG.standard_normal(4)]),
    "MaxPool2dFunction": (lambda x: F.max_pool2d(x, 2), [IMAGE]),
    "AvgPool2dFunction": (lambda x: F.avg_pool2d(x, 2), [IMAGE]),
}
FUNCTION_TWINS = {textbook: twin for textbook, twin in fast.TWINS.items() if isinstance(textbook, type)}


def test_every_function_twin_is_exercised_here():
    assert sorted(textbook.__name__ for textbook in FUNCTION_TWINS) == sorted(FUNCTION_CALLS)


def run(call, arrays, dtype):
    """Forward and backward of ``call`` on copies of ``arrays``: (output's creator, output, gradients)."""
    tensors = [nf.Tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    y = call(*tensors)
    creator = y.creator
    upstream = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    y.backward(nf.Tensor(upstream))
    return creator, to_host(y), [to_host(t.grad) for t in tensors]


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-5)])
@pytest.mark.parametrize("textbook", list(FUNCTION_TWINS), ids=lambda cls: cls.__name__)
def test_the_twin_runs_in_the_fast_set_and_computes_what_the_textbook_computes(backend, textbook, dtype, rtol):
    call, arrays = FUNCTION_CALLS[textbook.__name__]
    with nf.kernels.using("textbook"):
        creator, expected_y, expected_grads = run(call, arrays, dtype)
    assert type(creator) is textbook
    with nf.kernels.using("fast"):
        creator, y, grads = run(call, arrays, dtype)
    assert type(creator) is FUNCTION_TWINS[textbook]
    for actual, expected in zip([y] + grads, [expected_y] + expected_grads):
        assert actual.dtype == dtype
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * np.abs(expected).max())


@pytest.mark.parametrize("name, options", [("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
                                           ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
                                           ("Adam", {"lr": 0.01, "weight_decay": 0.01}),
                                           ("AdamW", {"lr": 0.01}),
                                           ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True})])
def test_fast_optimizer_updates_equal_the_textbook_formulas(backend, name, options):
    def train(kernel_set):
        param = nn.Parameter(np.random.default_rng(2).standard_normal((4, 3)))
        optimizer = getattr(optim, name)([param], **options)
        with nf.kernels.using(kernel_set):
            for step in range(5):
                param.grad = nf.Tensor(np.random.default_rng(step).standard_normal((4, 3))).data
                optimizer.step()
        return to_host(param)

    np.testing.assert_allclose(train("fast"), train("textbook"), rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------
# the fast convolution's internals
# --------------------------------------------------------------------------


def on_backend(array):
    return nf.Tensor(array).data


def as_textbook_columns(w_mat, kernel, channels):
    """A fast weight matrix (A, KH*KW*C), columns (kh, kw, c), with the textbook's column order (c, kh, kw)."""
    a = w_mat.shape[0]
    return w_mat.reshape(a, kernel[0], kernel[1], channels).transpose(0, 3, 1, 2).reshape(a, -1)


@pytest.mark.parametrize("x_shape, kernel, stride, padding, dilation, output_size", [
    ((2, 3, 7, 6), (3, 3), (1, 1), (1, 1), (1, 1), None),
    ((1, 2, 9, 8), (4, 2), (2, 3), (1, 2), (1, 2), None),
    ((3, 1, 28, 28), (4, 4), (2, 2), (1, 1), (1, 1), None),          # one channel: its own copy
    ((1, 1, 9, 8), (3, 3), (1, 1), (0, 0), (2, 2), (4, 3)),
])
def test_channels_last_im2col_has_the_textbook_windows(backend, x_shape, kernel, stride, padding, dilation,
                                                       output_size):
    x = on_backend(np.random.default_rng(2).standard_normal(x_shape))
    fast_cols = fast_conv.im2col(x, kernel, stride, padding, dilation, output_size)
    textbook_cols = textbook_conv.im2col(x, kernel, stride, padding, dilation, output_size)
    c = x_shape[1]
    reordered = to_host(fast_cols).reshape(-1, kernel[0], kernel[1], c).transpose(0, 3, 1, 2).reshape(
        fast_cols.shape[0], -1)
    np.testing.assert_array_equal(reordered, to_host(textbook_cols))


@pytest.mark.parametrize("x_shape, kernel, stride, padding, dilation, output_size", [
    ((2, 3, 7, 6), (3, 3), (1, 1), (1, 1), (1, 1), None),
    ((2, 4, 14, 14), (4, 4), (2, 2), (1, 1), (1, 1), None),
    ((1, 2, 9, 8), (4, 2), (2, 3), (1, 2), (1, 2), None),
    ((1, 2, 9, 8), (3, 3), (1, 1), (0, 0), (2, 2), (4, 3)),  # fewer windows than fit, as conv_transpose2d uses
    ((2, 1, 14, 14), (4, 4), (2, 2), (1, 1), (1, 1), None),  # one channel: one transposed GEMM
    ((1, 1, 9, 8), (3, 2), (2, 1), (1, 0), (1, 2), (4, 3)),
    # kernel a multiple of the stride, no dilation: col2im_of_product_by_phase
    ((2, 3, 7, 9), (4, 3), (2, 1), (1, 2), (1, 1), None),     # two phases down, one across
    ((1, 2, 11, 10), (3, 6), (3, 2), (0, 1), (1, 1), None),   # rows the windows never reach get 0
    ((2, 3, 15, 13), (4, 4), (2, 2), (1, 1), (1, 1), (7, 6)),  # fewer windows, as with output_padding
])
def test_col2im_of_product_equals_textbook_col2im_of_the_product(backend, x_shape, kernel, stride, padding,
                                                                 dilation, output_size):
    rng = np.random.default_rng(5)
    n, c = x_shape[:2]
    oh, ow = output_size or textbook_conv.conv2d_output_size(x_shape[2], x_shape[3], kernel, stride, padding,
                                                             dilation)
    rows = on_backend(rng.standard_normal((n * oh * ow, 5)))
    w_mat = on_backend(rng.standard_normal((5, kernel[0] * kernel[1] * c)))
    expected = textbook_conv.col2im(rows @ as_textbook_columns(w_mat, kernel, c), x_shape, kernel, stride, padding,
                                    dilation, output_size)
    actual = fast_conv.col2im_of_product(rows, w_mat, x_shape, kernel, stride, padding, dilation, output_size)
    assert actual.shape == x_shape
    np.testing.assert_allclose(to_host(actual), to_host(expected), rtol=1e-13, atol=1e-13)
    bias = on_backend(rng.standard_normal(c))
    with_bias = fast_conv.col2im_of_product(rows, w_mat, x_shape, kernel, stride, padding, dilation, output_size,
                                            bias=bias)
    np.testing.assert_allclose(to_host(with_bias), to_host(expected + bias.reshape(1, c, 1, 1)), rtol=1e-13,
                               atol=1e-13)


def test_col2im_by_phase_gives_the_sums_of_the_general_loop_in_float32():
    """The phase form regroups the GEMMs; in float32 it stays within rounding of a float64 reference."""
    rng = np.random.default_rng(6)
    x_shape, kernel, stride, padding = (8, 16, 14, 14), (4, 4), (2, 2), (1, 1)
    rows = rng.standard_normal((8 * 7 * 7, 32)).astype(np.float32)
    w_mat = rng.standard_normal((32, 16 * 16)).astype(np.float32)
    bias = rng.standard_normal(16).astype(np.float32)
    by_phase = fast_conv.col2im_of_product_by_phase(rows, w_mat, x_shape, kernel, stride, padding, (7, 7), bias)
    product = rows.astype(np.float64) @ as_textbook_columns(w_mat, kernel, 16)
    expected = textbook_conv.col2im(product, x_shape, kernel, stride, padding, (1, 1)) + bias.reshape(1, 16, 1, 1)
    assert by_phase.dtype == np.float32 and by_phase.shape == x_shape
    np.testing.assert_allclose(by_phase, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())


def test_col2im_by_phase_with_stride_one_is_the_general_loop():
    """col2im_of_product sends stride 1 to its general loop; the phase form (one phase) gives the same sums."""
    rng = np.random.default_rng(7)
    x_shape, kernel = (2, 3, 6, 5), (2, 2)
    rows = rng.standard_normal((2 * 5 * 4, 4))
    w_mat = rng.standard_normal((4, 4 * 3))
    bias = rng.standard_normal(3)
    by_phase = fast_conv.col2im_of_product_by_phase(rows, w_mat, x_shape, kernel, (1, 1), (0, 0), (5, 4), bias)
    general = fast_conv.col2im_of_product(rows, w_mat, x_shape, kernel, (1, 1), (0, 0), (1, 1), bias=bias)
    np.testing.assert_allclose(by_phase, general, rtol=1e-13, atol=1e-13)


def test_a_convolution_returns_a_channels_last_view_and_flatten_keeps_the_layout_for_its_gradient(backend):
    """The fast conv's output is channels-last in memory; the fast Reshape hands the gradient back in that layout."""
    with nf.kernels.using("fast"):
        conv = nn.Conv2d(2, 3, 3, padding=1).double()
        x = nf.Tensor(np.random.default_rng(3).standard_normal((2, 2, 4, 5)), requires_grad=True)
        image = conv(x).retain_grad()
        assert not image.data.flags.c_contiguous and image.data.transpose(0, 2, 3, 1).flags.c_contiguous
        flat = nn.Flatten()(image)
        flat.backward(nf.Tensor(np.arange(flat.size, dtype=np.float64).reshape(flat.shape)))
        grad = to_host(image.grad)
        np.testing.assert_array_equal(grad.reshape(-1), np.arange(flat.size))     # values in (C, H, W) order
        assert grad.transpose(0, 2, 3, 1).flags.c_contiguous                      # memory channels-last


# --------------------------------------------------------------------------
# channel sums and the outer product
# --------------------------------------------------------------------------


def channels_last(array):
    """The same (N, C, H, W) values, stored channels-last (as the fast convolutions return them)."""
    return np.ascontiguousarray(array.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


@pytest.mark.parametrize("layout", ["2-d", "3-d", "nchw", "channels-last", "padded view", "transposed 2-d"])
def test_channel_sums_equal_numpys_sums_in_every_layout(backend, layout):
    rng = np.random.default_rng(0)
    x = {
        "2-d": rng.standard_normal((37, 5)),
        "3-d": rng.standard_normal((4, 5, 9)),
        "nchw": rng.standard_normal((3, 5, 6, 7)),
        "channels-last": channels_last(rng.standard_normal((3, 5, 6, 7))),
        "padded view": channels_last(rng.standard_normal((3, 5, 8, 9)))[:, :, 1:7, 1:8],   # like col2im's result
        "transposed 2-d": rng.standard_normal((5, 37)).T,
    }[layout]
    expected = x.sum(axis=(0,) + tuple(range(2, x.ndim)))
    actual = to_host(channel_sums(nf.Tensor(x).data))
    assert actual.shape == (x.shape[1],) and actual.dtype == np.float64
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def test_column_sums_is_the_sum_of_the_rows(backend):
    matrix = np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(to_host(column_sums(nf.Tensor(matrix).data)), [18.0, 22.0, 26.0])


def test_float32_channel_sums_stay_float32_and_are_as_accurate_as_numpys():
    """The product adds in blocks: its float32 error is no larger than NumPy's own sum's."""
    rng = np.random.default_rng(1)
    x = channels_last(rng.standard_normal((64, 64, 14, 14)).astype(np.float32) + 3.0)
    exact = x.astype(np.float64).sum(axis=(0, 2, 3))
    ours = channel_sums(x)
    assert ours.dtype == np.float32
    assert np.abs(ours - exact).max() <= np.abs(x.sum(axis=(0, 2, 3)) - exact).max()


@pytest.mark.parametrize("shapes", [((64, 1), (1, 50)), ((3, 4, 1), (3, 1, 5)), ((2, 1, 4, 1), (3, 1, 6))])
def test_an_outer_product_is_a_multiply_with_the_same_bits(backend, shapes):
    """matrix_product computes a summed axis of length 1 as a broadcast multiply: exactly what matmul gives."""
    rng = np.random.default_rng(4)
    for dtype in (np.float32, np.float64):
        a, b = (nf.Tensor(rng.standard_normal(shape).astype(dtype)).data for shape in shapes)
        product = matrix_product(a, b)
        assert product.dtype == dtype
        np.testing.assert_array_equal(to_host(product), to_host(a @ b))
