"""Every op passes nf.gradcheck in float64, on shapes drawn by hypothesis (broadcasting included)."""

import numpy as np
import pytest
from conftest import to_host
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes
from op_cases import BROADCAST, SAME_SHAPE, UNARY, normal, positive

import nn_from_scratch as nf
from nn_from_scratch import functional as F

# The backend fixture only selects the backend: safe to share between generated examples.
SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
SHAPES = array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def make_tensors(case, shapes, seed):
    rng = np.random.default_rng(seed)
    return [nf.Tensor(maker(rng, shape), requires_grad=needs_grad)
            for maker, shape, needs_grad in zip(case.makers, shapes, case.grad_mask())]


@pytest.mark.parametrize("case", UNARY, ids=lambda c: c.name)
@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16))
def test_unary_op_gradcheck(backend, kernels, case, shape, seed):
    inputs = make_tensors(case, [shape], seed)
    assert nf.gradcheck(lambda *xs: case.ours(F, *xs), inputs)


@pytest.mark.parametrize("case", BROADCAST, ids=lambda c: c.name)
@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2**16))
def test_broadcasting_binary_op_gradcheck(backend, kernels, case, shapes, seed):
    inputs = make_tensors(case, shapes.input_shapes, seed)
    assert nf.gradcheck(lambda *xs: case.ours(F, *xs), inputs)


@pytest.mark.parametrize("case", SAME_SHAPE, ids=lambda c: c.name)
@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16))
def test_same_shape_op_gradcheck(backend, kernels, case, shape, seed):
    inputs = make_tensors(case, [shape, shape], seed)
    assert nf.gradcheck(lambda *xs: case.ours(F, *xs), inputs)


@SETTINGS
@given(n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), batch=st.sampled_from(
    [(), (2,), (3, 1)]), broadcast_b=st.booleans(), seed=st.integers(0, 2**16))
def test_matmul_gradcheck(backend, kernels, n, k, m, batch, broadcast_b, seed):
    rng = np.random.default_rng(seed)
    a = nf.Tensor(normal(rng, batch + (n, k)), requires_grad=True)
    b = nf.Tensor(normal(rng, (k, m) if broadcast_b else batch + (k, m)), requires_grad=True)
    assert nf.gradcheck(lambda a, b: a @ b, [a, b])


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((4, 2, 3), (3,))])
def test_matmul_with_a_vector_gradcheck(backend, kernels, shapes, rng):
    a = nf.Tensor(rng.standard_normal(shapes[0]), requires_grad=True)
    b = nf.Tensor(rng.standard_normal(shapes[1]), requires_grad=True)
    assert nf.gradcheck(lambda a, b: a @ b, [a, b])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@SETTINGS
@given(n=st.integers(1, 5), classes=st.integers(2, 6), seed=st.integers(0, 2**16))
def test_cross_entropy_gradcheck(backend, kernels, reduction, n, classes, seed):
    rng = np.random.default_rng(seed)
    logits = nf.Tensor(rng.standard_normal((n, classes)), requires_grad=True)
    target = nf.Tensor(rng.integers(0, classes, n))
    assert nf.gradcheck(lambda x: F.cross_entropy(x, target, reduction=reduction), [logits])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@SETTINGS
@given(n=st.integers(1, 4), latent=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_gaussian_kl_gradcheck(backend, kernels, reduction, n, latent, seed):
    rng = np.random.default_rng(seed)
    mu = nf.Tensor(rng.standard_normal((n, latent)), requires_grad=True)
    logvar = nf.Tensor(rng.standard_normal((n, latent)), requires_grad=True)
    assert nf.gradcheck(lambda m, v: F.gaussian_kl(m, v, reduction=reduction), [mu, logvar])


def test_bce_target_gradients_gradcheck(backend, kernels, rng):
    p = nf.Tensor(positive(rng, (3, 2)) / 2.5, requires_grad=True)
    t = nf.Tensor(rng.uniform(0, 1, (3, 2)), requires_grad=True)
    assert nf.gradcheck(F.binary_cross_entropy, [p, t])
    assert nf.gradcheck(F.binary_cross_entropy_with_logits, [nf.Tensor(rng.standard_normal((3, 2)),
                                                                       requires_grad=True), t])


def test_linear_gradcheck(backend, kernels, rng):
    x = nf.Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w = nf.Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = nf.Tensor(rng.standard_normal(2), requires_grad=True)
    assert nf.gradcheck(F.linear, [x, w, b])


def test_getitem_with_boolean_mask_and_tuple_index(backend, kernels, rng):
    x = nf.Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    mask = rng.standard_normal((3, 4)) > 0
    assert nf.gradcheck(lambda x: x[mask], [x])
    assert nf.gradcheck(lambda x: x[1:, np.array([0, 2, 2])], [x])


def test_cast_and_swapaxes_gradcheck(backend, kernels, rng):
    x = nf.Tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    assert nf.gradcheck(lambda x: F.swapaxes(x, 0, 2), [x])
    assert nf.gradcheck(lambda x: F.permute(x, (1, 2, 0)) * 2, [x])


class TestLossStability:
    def test_bce_with_logits_is_finite_at_extreme_logits(self, backend, kernels):
        logits = nf.Tensor(np.array([1e4, -1e4, 1e4, -1e4], dtype=np.float32), requires_grad=True)
        target = nf.Tensor(np.array([1.0, 0.0, 0.0, 1.0], dtype=np.float32))
        loss = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
        np.testing.assert_allclose(loss.numpy(), [0.0, 0.0, 1e4, 1e4])
        loss.sum().backward()
        assert np.all(np.isfinite(to_host(logits.grad)))
        np.testing.assert_allclose(to_host(logits.grad), [0.0, 0.0, 1.0, -1.0])

    def test_bce_on_probabilities_clamps_log_at_minus_100(self, backend, kernels):
        p = nf.Tensor(np.array([0.0, 1.0]), requires_grad=True)
        loss = F.binary_cross_entropy(p, nf.Tensor(np.array([1.0, 0.0])), reduction="none")
        np.testing.assert_allclose(loss.numpy(), [100.0, 100.0])
        loss.sum().backward()
        assert np.all(np.isfinite(to_host(p.grad)))

    def test_sigmoid_and_softplus_do_not_overflow(self, backend, kernels):
        x = nf.Tensor(np.array([-1e4, 1e4], dtype=np.float32))
        np.testing.assert_allclose(F.sigmoid(x).numpy(), [0.0, 1.0])
        np.testing.assert_allclose(F.softplus(x).numpy(), [0.0, 1e4])
        np.testing.assert_allclose(F.log_softmax(nf.Tensor([[1e4, 0.0]])).numpy(), [[0.0, -1e4]])

    def test_relu_and_sigmoid_keep_their_values_at_infinities_and_nan(self, backend, kernels):
        """The fast forms (maximum of two arrays, the numerator picked by arithmetic) change no value."""
        x = np.array([-np.inf, -1e4, -20.0, -0.0, 0.0, 1e-30, 20.0, 1e4, np.inf, np.nan], dtype=np.float32)
        relu = F.relu(nf.Tensor(x)).numpy()
        np.testing.assert_array_equal(relu, np.maximum(x, 0))
        e = np.exp(-np.abs(x))
        np.testing.assert_array_equal(F.sigmoid(nf.Tensor(x)).numpy(), np.where(x >= 0, 1, e) / (1 + e))
        assert relu[0] == 0.0 and np.isnan(relu[-1])

    def test_float32_stays_float32_through_every_loss(self, backend, kernels):
        x = nf.Tensor(np.zeros((2, 3), dtype=np.float32))
        t = nf.Tensor(np.full((2, 3), 0.5, dtype=np.float32))
        for loss in (F.binary_cross_entropy_with_logits(x, t), F.mse_loss(x, t),
                     F.binary_cross_entropy(F.sigmoid(x), t), F.gaussian_kl(x, t),
                     F.cross_entropy(x, nf.Tensor(np.array([0, 2])))):
            assert loss.dtype == np.float32


def test_reduction_errors_name_the_loss():
    x = nf.Tensor(np.zeros(3))
    with pytest.raises(ValueError, match="mse_loss: reduction must be one of"):
        F.mse_loss(x, x, reduction="avg")
    expected = r"binary_cross_entropy_with_logits: expected target of the input's shape \(3,\)"
    with pytest.raises(ValueError, match=expected):
        F.binary_cross_entropy_with_logits(x, nf.Tensor(np.zeros(4)))
    with pytest.raises(TypeError, match="integer class indices"):
        F.cross_entropy(nf.Tensor(np.zeros((2, 3))), nf.Tensor(np.zeros(2)))
