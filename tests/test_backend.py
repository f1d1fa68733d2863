"""The NumPy/CuPy switch and its error messages."""

import subprocess
import sys
import types

import numpy as np
import pytest

import nn_from_scratch as nf
from nn_from_scratch import backend


@pytest.fixture
def fresh_cupy_check(monkeypatch):
    """Forget what was found about CuPy, so that a faked module is looked at again."""
    monkeypatch.setattr(backend, "_cupy_module", None)
    yield monkeypatch


def test_numpy_backend_is_the_default():
    assert backend.current() == "numpy"
    assert nf.Tensor([1.0]).device == "cpu"


def test_unknown_backend_is_refused():
    with pytest.raises(backend.BackendError, match="unknown backend 'jax'"):
        backend.use("jax")


def test_cupy_not_installed_gives_a_one_line_error_saying_what_to_do(fresh_cupy_check):
    fresh_cupy_check.setitem(sys.modules, "cupy", None)        # makes `import cupy` raise ImportError
    with pytest.raises(backend.BackendError) as caught:
        backend.use("cupy")
    message = str(caught.value)
    assert "CuPy is not installed" in message and "pip install" in message and "'numpy' backend" in message
    assert "\n" not in message
    assert backend.current() == "numpy"


def test_cupy_without_a_cuda_device_gives_a_one_line_error(fresh_cupy_check):
    no_device = types.SimpleNamespace(is_available=lambda: False)
    fresh_cupy_check.setitem(sys.modules, "cupy", types.SimpleNamespace(cuda=no_device))
    with pytest.raises(backend.BackendError, match=r"no CUDA device is available .*is_available\(\) is False"):
        backend.use("cupy")
    with pytest.raises(backend.BackendError, match="no CUDA device"):
        nf.Tensor([1.0]).to("cuda")
    assert not backend.cupy_is_available()


def test_environment_variable_selects_the_backend_and_reports_failures():
    code = "import nn_from_scratch as nf; print(nf.backend.current())"
    ok = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                        env={"NN_FROM_SCRATCH_BACKEND": "numpy", "PATH": ""})
    assert ok.stdout.strip() == "numpy"
    bad = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"NN_FROM_SCRATCH_BACKEND": "tpu", "PATH": ""})
    assert bad.returncode != 0
    assert "NN_FROM_SCRATCH_BACKEND='tpu': unknown backend" in bad.stderr


class FakeGpuArray:
    """Looks like a CuPy array to the device check (its class lives in a 'cupy' module)."""

    __module__ = "cupy._core.core"

    def __init__(self, shape):
        self.shape = shape
        self.dtype = np.dtype(np.float32)


def test_tensors_on_different_devices_in_one_op_give_a_clear_error():
    if backend.cupy_is_available():
        gpu = nf.Tensor(np.ones(3, dtype=np.float32)).to("cuda")
    else:
        gpu = nf.Tensor.__new__(nf.Tensor)
        gpu.data, gpu.requires_grad, gpu.creator = FakeGpuArray((3,)), False, None
    cpu = nf.Tensor(np.ones(3, dtype=np.float32))
    with pytest.raises(backend.DeviceMismatchError) as caught:
        cpu + gpu
    message = str(caught.value)
    assert message.startswith("AddFunction: expected all inputs on one device")
    assert "input 0: cpu" in message and "input 1: cuda" in message and ".to('cuda')" in message


def test_array_module_and_devices():
    assert backend.array_module(np.ones(2), None, 3.0) is np
    assert backend.normalize_device("cuda:0") == "cuda"
    assert backend.normalize_device("numpy") == "cpu"
    with pytest.raises(backend.BackendError, match="unknown device 'tpu'"):
        backend.normalize_device("tpu")
    x = nf.Tensor([1.0, 2.0], requires_grad=True)
    assert x.to("cpu") is x
    np.testing.assert_array_equal(backend.to_numpy(x.data), [1.0, 2.0])


@pytest.mark.skipif(not backend.cupy_is_available(), reason="needs CuPy and a CUDA device")
def test_to_cuda_and_back_carries_gradients():
    x = nf.Tensor(np.arange(3.0), requires_grad=True)
    y = (x.to("cuda") * 2).to("cpu").sum()
    y.backward()
    assert x.grad.__class__ is np.ndarray
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
