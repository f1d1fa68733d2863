"""The Tensor class and the backward engine.

Tests that compute take the ``backend`` fixture: NumPy, and CuPy where a CUDA
device exists (``to_host`` brings results back for comparisons).
"""

import numpy as np
import pytest
from conftest import to_host

import nn_from_scratch as nf
from nn_from_scratch import functional as F


class Square(nf.Function):
    """y = x ** 2;  dy/dx = 2 x."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, grad_output):
        return 2 * self.x * grad_output


def test_custom_function_forward_and_backward(backend):
    x = nf.Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    y = Square()(x)
    assert isinstance(y.creator, Square)
    y.sum().backward()
    np.testing.assert_allclose(to_host(x.grad), [2.0, -4.0, 6.0])


def test_reused_node_gets_summed_gradient(backend):
    a = nf.Tensor(np.array(3.0), requires_grad=True)
    b = a + a
    c = b + b
    c.backward()
    assert to_host(a.grad) == 4.0


def test_diamond_graph(backend):
    x = nf.Tensor(np.array([2.0]), requires_grad=True)
    y = x * x           # 4
    z = y * x + y       # x^3 + x^2
    z.sum().backward()
    np.testing.assert_allclose(to_host(x.grad), [3 * 4 + 2 * 2])


def test_chain_of_10000_ops_needs_no_recursion():
    x = nf.Tensor(np.array([1.0]), requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0001 ** 10_000], rtol=1e-10)


def test_broadcast_gradients_are_summed_back_to_input_shape(backend):
    a = nf.Tensor(np.ones((2, 3, 4)), requires_grad=True)
    b = nf.Tensor(np.ones((3, 1)), requires_grad=True)
    c = nf.Tensor(np.array(2.0), requires_grad=True)
    (a * b * c).sum().backward()
    assert b.grad.shape == (3, 1)
    np.testing.assert_allclose(to_host(b.grad), np.full((3, 1), 2 * 4 * 2.0))
    assert c.grad.shape == ()
    assert to_host(c.grad) == 24.0


def test_backward_on_a_leaf(backend):
    x = nf.Tensor(np.array(5.0), requires_grad=True)
    x.backward()
    assert to_host(x.grad) == 1.0


def test_gradients_accumulate_until_zeroed(backend):
    x = nf.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(to_host(x.grad), [6.0, 6.0])
    x.zero_grad()
    assert x.grad is None


def test_graph_is_freed_after_backward_unless_retained():
    x = nf.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()                       # allowed: the first call kept the graph
    np.testing.assert_allclose(x.grad, [4.0, 8.0])
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_saved_arrays_are_released():
    x = nf.Tensor(np.ones(3), requires_grad=True)
    y = x * x
    function = y.creator
    y.sum().backward()
    assert function.released and not hasattr(function, "a")


def test_no_grad_records_nothing():
    x = nf.Tensor(np.ones(3), requires_grad=True)
    with nf.no_grad():
        y = x * 2
    assert not y.requires_grad and y.creator is None
    assert nf.is_grad_enabled()

    @nf.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad


def test_requires_grad_propagates_only_from_inputs_that_need_it():
    a = nf.Tensor(np.ones(2))
    b = nf.Tensor(np.ones(2), requires_grad=True)
    assert not (a * a).requires_grad
    assert (a * b).requires_grad
    c = a * b
    c.sum().backward()
    assert a.grad is None


def test_only_inputs_needing_grad_are_differentiated():
    a = nf.Tensor(np.ones(2))
    b = nf.Tensor(np.ones(2), requires_grad=True)
    y = a * b
    assert y.creator.needs_input_grad == (False, True)


def test_retain_grad_keeps_an_intermediate_gradient(backend):
    x = nf.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = (x * 3).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(to_host(h.grad), 2 * np.array([3.0, 6.0]))


def test_detach_cuts_the_graph(backend):
    x = nf.Tensor(np.ones(2), requires_grad=True)
    d = (x * 2).detach()
    assert d.is_leaf and not d.requires_grad and d.device == x.device


def test_python_floats_become_float32_and_arrays_keep_their_dtype(backend):
    assert nf.Tensor([1.0, 2.0]).dtype == np.float32
    assert nf.Tensor(np.zeros(2)).dtype == np.float64
    assert nf.Tensor([1, 2]).dtype.kind == "i"
    x = nf.Tensor(np.ones(2, dtype=np.float32))
    assert (x * 2.5).dtype == np.float32       # no float64 promotion from Python scalars
    assert (2.5 - x).dtype == np.float32


def test_numpy_array_on_the_left_uses_tensor_operators(backend):
    x = nf.Tensor(np.ones(2), requires_grad=True)
    y = np.array([2.0, 3.0]) * x
    assert isinstance(y, nf.Tensor)
    y.sum().backward()
    np.testing.assert_allclose(to_host(x.grad), [2.0, 3.0])


def test_item_numpy_and_repr(backend):
    x = nf.Tensor([[1.0, 2.0]], requires_grad=True)
    y = x * 2
    assert (y.sum()).item() == 6.0
    assert isinstance(y.numpy(), np.ndarray)
    text = repr(y)
    device = "cuda" if backend == "cupy" else "cpu"
    assert "shape=(1, 2)" in text and "float32" in text and device in text and "grad_fn=Mul" in text
    assert "requires_grad=True" in repr(x)


def test_backward_errors_are_clear():
    x = nf.Tensor(np.ones((2, 2)), requires_grad=True)
    with pytest.raises(RuntimeError, match="one-element tensor"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        nf.Tensor(np.ones(1)).backward()
    with pytest.raises(ValueError, match=r"expected a gradient of shape \(2, 2\)"):
        (x * 2).backward(np.ones(3))
    with pytest.raises(TypeError, match="only floating-point tensors"):
        nf.Tensor([1, 2], requires_grad=True)


def test_backward_with_explicit_gradient(backend):
    x = nf.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x * 3
    y.backward(nf.Tensor(np.array([1.0, 10.0])))
    np.testing.assert_allclose(to_host(x.grad), [3.0, 30.0])


def test_tensor_methods_mirror_functional_ops(backend):
    x = nf.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    np.testing.assert_allclose(x.reshape(3, 2).numpy(), np.arange(6.0).reshape(3, 2))
    np.testing.assert_allclose(x.T.numpy(), np.arange(6.0).reshape(2, 3).T)
    np.testing.assert_allclose(x.permute(1, 0).numpy(), np.arange(6.0).reshape(2, 3).T)
    assert x.flatten().shape == (6,)
    assert x.sum(axis=1).shape == (2,)
    assert x.mean(axis=0, keepdims=True).shape == (1, 3)
    assert x.max().item() == 5.0 and x.min().item() == 0.0
    assert x[1, ::2].shape == (2,)
    np.testing.assert_allclose((x > 2).numpy(), np.arange(6).reshape(2, 3) > 2)
    assert F.relu(x - 2).min().item() == 0.0


def test_cast_is_differentiable(backend):
    x = nf.Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64
    (y * 2).sum().backward()
    assert x.grad.dtype == np.float32


def test_comparisons_are_element_wise_and_tensors_stay_hashable_by_identity(backend):
    a = nf.Tensor(np.array([1.0, 2.0, 3.0]))
    b = nf.Tensor(np.array([1.0, 5.0, 3.0]))
    assert to_host(a == b).tolist() == [True, False, True]
    assert to_host(a != b).tolist() == [False, True, False]
    assert to_host(a == 2.0).tolist() == [False, True, False]
    assert to_host(a < b).tolist() == [False, True, False] and (a == b).dtype == np.bool_
    same_values = nf.Tensor(np.array([1.0, 2.0, 3.0]))
    assert (a == same_values).all() and not (a == b).all() and (a != b).any()
    seen = {a: "a", b: "b"}                                  # dict keys and set members by identity
    assert seen[a] == "a" and same_values not in seen and len({a, b, same_values}) == 3
    assert same_values not in {a, b}
    with pytest.raises(RuntimeError, match="ambiguous"):      # as in PyTorch: `in` on a list compares with ==
        _ = a in [b, a]


def test_the_truth_of_a_tensor_is_that_of_its_one_element():
    assert nf.Tensor(np.array([2.0])) and not nf.Tensor(np.array(0.0))
    with pytest.raises(RuntimeError, match=r"truth value of a tensor of shape \(3,\) is ambiguous"):
        bool(nf.Tensor(np.zeros(3)))
