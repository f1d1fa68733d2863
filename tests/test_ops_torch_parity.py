"""Forward values and gradients match PyTorch (CPU, float64, same inputs) to 1e-10 relative."""

import numpy as np
import pytest
from conftest import to_host
from op_cases import BROADCAST, SAME_SHAPE, UNARY

import nn_from_scratch as nf
from nn_from_scratch import functional as F

torch = pytest.importorskip("torch", reason="PyTorch is not installed: pip install torch==2.13.0")

RTOL, ATOL = 1e-10, 1e-12


def compare(case, arrays, backend_name):
    mask = case.grad_mask()
    torch_mask = case.torch_grad_mask()
    ours = [nf.Tensor(a, requires_grad=m) for a, m in zip(arrays, mask)]
    theirs = [torch.tensor(a, requires_grad=m) for a, m in zip(arrays, torch_mask)]
    out_ours = case.ours(F, *ours)
    out_theirs = case.theirs(torch, *theirs)
    np.testing.assert_allclose(to_host(out_ours), out_theirs.detach().numpy(), rtol=RTOL, atol=ATOL,
                               err_msg=f"{case.name}: forward")
    upstream = np.random.default_rng(1).standard_normal(out_theirs.shape)
    out_ours.backward(nf.Tensor(upstream))
    out_theirs.backward(torch.tensor(upstream))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if torch_mask[i]:
            np.testing.assert_allclose(to_host(a.grad), b.grad.numpy(), rtol=RTOL, atol=ATOL,
                                       err_msg=f"{case.name}: gradient of input {i}")


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("case", UNARY, ids=lambda c: c.name)
def test_unary_ops_match_torch(backend, kernels, case, shape):
    rng = np.random.default_rng(0)
    compare(case, [maker(rng, shape) for maker in case.makers], backend)


@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 5)), ((), (2, 3))])
@pytest.mark.parametrize("case", BROADCAST, ids=lambda c: c.name)
def test_broadcasting_ops_match_torch(backend, kernels, case, shapes):
    rng = np.random.default_rng(0)
    compare(case, [maker(rng, s) for maker, s in zip(case.makers, shapes)], backend)


@pytest.mark.parametrize("shape", [(4,), (3, 5), (2, 3, 4)])
@pytest.mark.parametrize("case", SAME_SHAPE, ids=lambda c: c.name)
def test_two_input_ops_match_torch(backend, kernels, case, shape):
    rng = np.random.default_rng(0)
    compare(case, [maker(rng, shape) for maker in case.makers], backend)


@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)),
                                    ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
                                    ((5, 1), (1, 3)), ((3, 4), (4, 1)), ((2, 3, 1), (1, 4))])   # outer products
def test_matmul_matches_torch(backend, kernels, shapes):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    oa, ob = nf.Tensor(a, requires_grad=True), nf.Tensor(b, requires_grad=True)
    out_t, out_o = ta @ tb, oa @ ob
    np.testing.assert_allclose(to_host(out_o), out_t.detach().numpy(), rtol=RTOL)
    upstream = rng.standard_normal(out_t.shape)
    out_t.backward(torch.tensor(upstream))
    out_o.backward(nf.Tensor(upstream))
    np.testing.assert_allclose(to_host(oa.grad), ta.grad.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(to_host(ob.grad), tb.grad.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_torch(backend, kernels, reduction):
    rng = np.random.default_rng(0)
    logits, target = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    tl = torch.tensor(logits, requires_grad=True)
    ol = nf.Tensor(logits, requires_grad=True)
    out_t = torch.nn.functional.cross_entropy(tl, torch.tensor(target), reduction=reduction)
    out_o = F.cross_entropy(ol, nf.Tensor(target), reduction=reduction)
    np.testing.assert_allclose(to_host(out_o), out_t.detach().numpy(), rtol=RTOL)
    out_t.sum().backward()
    out_o.sum().backward()
    np.testing.assert_allclose(to_host(ol.grad), tl.grad.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gaussian_kl_matches_the_closed_form_in_torch(backend, kernels, reduction):
    rng = np.random.default_rng(0)
    mu, logvar = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    tm, tv = torch.tensor(mu, requires_grad=True), torch.tensor(logvar, requires_grad=True)
    om, ov = nf.Tensor(mu, requires_grad=True), nf.Tensor(logvar, requires_grad=True)
    per_sample = torch.distributions.kl_divergence(
        torch.distributions.Normal(tm, torch.exp(tv / 2)), torch.distributions.Normal(0.0, 1.0)).sum(-1)
    out_t = {"mean": per_sample.mean(), "sum": per_sample.sum(), "none": per_sample}[reduction]
    out_o = F.gaussian_kl(om, ov, reduction=reduction)
    np.testing.assert_allclose(to_host(out_o), out_t.detach().numpy(), rtol=RTOL)
    out_t.sum().backward()
    out_o.sum().backward()
    np.testing.assert_allclose(to_host(om.grad), tm.grad.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(to_host(ov.grad), tv.grad.numpy(), rtol=RTOL, atol=ATOL)


def test_float32_forward_matches_torch_closely():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 5)).astype(np.float32)
    for ours, theirs in [(F.sigmoid, torch.sigmoid), (F.tanh, torch.tanh),
                         (lambda t: F.log_softmax(t, -1), lambda t: torch.log_softmax(t, -1)),
                         (F.softplus, torch.nn.functional.softplus)]:
        np.testing.assert_allclose(ours(nf.Tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_prod_gradient_with_zeros_matches_torch(backend, kernels, axis):
    """The product of the others, not y / x: finite where an element (or two) is 0."""
    array = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.5, -2.0, 4.0]])
    ours = nf.Tensor(array, requires_grad=True)
    theirs = torch.tensor(array, requires_grad=True)
    (F.prod(ours) if axis is None else F.prod(ours, axis=axis)).sum().backward()
    (theirs.prod() if axis is None else theirs.prod(dim=axis)).sum().backward()
    np.testing.assert_allclose(to_host(ours.grad), theirs.grad.numpy(), rtol=RTOL, atol=ATOL)
