"""channel_sums and column_sums: the per-channel sums of BatchNorm and of bias gradients, as a matrix-vector product."""

import numpy as np
import pytest
from conftest import to_host

import nn_from_scratch as nf
from nn_from_scratch.channel_sums import channel_sums, column_sums


def channels_last(array):
    """The same (N, C, H, W) values, stored channels-last (as the convolutions return them)."""
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
    """The product adds in blocks: its float32 error is no larger than NumPy's own sum's (measured ~3x smaller)."""
    rng = np.random.default_rng(1)
    x = channels_last(rng.standard_normal((64, 64, 14, 14)).astype(np.float32) + 3.0)
    exact = x.astype(np.float64).sum(axis=(0, 2, 3))
    ours = channel_sums(x)
    assert ours.dtype == np.float32
    assert np.abs(ours - exact).max() <= np.abs(x.sum(axis=(0, 2, 3)) - exact).max()
