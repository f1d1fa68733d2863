"""Checkpoints move between devices: saved on the GPU, loaded on the CPU, and back.

``Module.save`` writes host (NumPy) copies to an ``.npz`` file and
``Module.load`` / ``load_state_dict`` copy the values into the model's
arrays wherever they live, so a model trained on a GPU is used on a laptop
and the other way round.  Each test runs on a real CUDA device through CuPy
when there is one (skipped here otherwise) and always on the fake GPU of
``tests/fake_cupy.py``, which takes the same CuPy code paths on the CPU.
"""

from __future__ import annotations

import fake_cupy
import numpy as np
import pytest
from conftest import to_host

import nn_from_scratch as nf
from nn_from_scratch import nn
from nn_from_scratch.nn import functional as F


@pytest.fixture(params=["cupy", "fake_cupy"])
def gpu(request):
    """A GPU backend: the real CuPy one, or the fake one (NumPy dressed as CuPy). The backend stays numpy."""
    previous = nf.backend.current()
    if request.param == "cupy":
        reason = nf.backend.cupy_unavailable_reason()
        if reason is not None:
            pytest.skip(f"CuPy backend not tested: {reason}")
        yield "cupy"
    else:
        with fake_cupy.installed():
            yield "fake_cupy"
    nf.backend.use(previous)


def on_gpu(array) -> bool:
    return nf.backend.is_cupy_array(array)


def make_model(seed: int = 0):
    """A small conv net with every kind of state: weights, biases and BatchNorm buffers (one of them int64)."""
    nn.init.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.BatchNorm2d(3), nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1), nn.Flatten(), nn.Linear(2 * 8 * 8, 4),
    )


def train_a_little(model, steps: int = 2):
    """A few Adam steps on fixed data (created on the model's device): changes weights and running stats."""
    device = next(iter(model.parameters())).device
    rng = np.random.default_rng(1)
    x = nf.Tensor(rng.standard_normal((4, 1, 4, 4)).astype(np.float32)).to(device)
    target = nf.Tensor(rng.integers(0, 4, 4)).to(device)
    optimizer = nf.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        F.cross_entropy(model(x), target).backward()
        optimizer.step()
    return x


def host_state(model) -> dict:
    return {name: to_host(array) for name, array in model.state_dict().items()}


def assert_same_state(a: dict, b: dict):
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].dtype == b[name].dtype, name
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_model_saved_on_the_gpu_loads_on_the_cpu(gpu, tmp_path):
    nf.backend.use("cupy")
    trained = make_model()
    x = train_a_little(trained)
    assert all(on_gpu(array) for array in trained.state_dict().values())
    trained.save(tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz", allow_pickle=False) as archive:     # the file holds host arrays
        assert set(archive.files) == set(trained.state_dict())
        assert archive["1.num_batches_tracked"].dtype == np.int64

    nf.backend.use("numpy")
    on_cpu = make_model(seed=1).load(tmp_path / "model.npz")
    assert not any(on_gpu(array) for array in on_cpu.state_dict().values())
    assert_same_state(host_state(on_cpu), host_state(trained))
    trained.eval()
    on_cpu.eval()
    with nf.no_grad():
        expected = to_host(trained(x))
        np.testing.assert_allclose(on_cpu(nf.Tensor(to_host(x))).numpy(), expected, rtol=1e-4, atol=1e-5)


def test_model_saved_on_the_cpu_loads_on_the_gpu(gpu, tmp_path):
    trained = make_model()
    x = train_a_little(trained)
    trained.save(tmp_path / "model.npz")

    nf.backend.use("cupy")
    on_device = make_model(seed=1).load(tmp_path / "model.npz")
    state = on_device.state_dict()
    assert all(on_gpu(array) for array in state.values())
    assert state["1.num_batches_tracked"].dtype == np.int64 and state["0.weight"].dtype == np.float32
    assert_same_state(host_state(on_device), host_state(trained))
    trained.eval()
    on_device.eval()
    with nf.no_grad():
        result = to_host(on_device(x.to("cuda")))
    np.testing.assert_allclose(result, trained(x).numpy(), rtol=1e-4, atol=1e-5)


def test_state_dicts_load_directly_across_devices(gpu):
    cpu_model = make_model()
    train_a_little(cpu_model)
    nf.backend.use("cupy")
    gpu_model = make_model(seed=1)

    gpu_model.load_state_dict(cpu_model.state_dict())          # NumPy values into GPU arrays
    assert all(on_gpu(array) for array in gpu_model.state_dict().values())
    assert_same_state(host_state(gpu_model), host_state(cpu_model))

    train_a_little(gpu_model)
    cpu_model.load_state_dict(gpu_model.state_dict())          # GPU values into NumPy arrays
    assert not any(on_gpu(array) for array in cpu_model.state_dict().values())
    assert_same_state(host_state(cpu_model), host_state(gpu_model))


def test_model_to_cuda_and_back_keeps_parameters_and_the_optimizer(gpu, tmp_path):
    model = make_model()
    optimizer = nf.optim.Adam(model.parameters(), lr=1e-2)
    parameters = list(model.parameters())
    before = host_state(model)

    model.to("cuda")
    assert list(model.parameters()) == parameters                # the same Parameter objects, moved
    assert all(on_gpu(array) for array in model.state_dict().values())
    assert_same_state(host_state(model), before)
    x = nf.Tensor(np.ones((2, 1, 4, 4), dtype=np.float32)).to("cuda")
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()                                             # updates the moved arrays
    assert on_gpu(parameters[0].data) and on_gpu(parameters[0].grad)
    model.save(tmp_path / "model.npz")

    model.to("cpu")
    assert not any(on_gpu(array) for array in model.state_dict().values())
    assert_same_state(host_state(model), host_state(make_model(seed=1).load(tmp_path / "model.npz")))


def test_optimizer_state_saved_on_the_gpu_resumes_on_the_cpu(gpu):
    nf.backend.use("cupy")
    gpu_model = make_model()
    gpu_optimizer = nf.optim.Adam(gpu_model.parameters(), lr=1e-2)
    train_a_little(gpu_model)
    gpu_optimizer.step()                                         # state made on the GPU
    saved = gpu_optimizer.state_dict()
    assert not any(on_gpu(value) for value in saved.values())   # a host snapshot, ready for numpy.savez

    nf.backend.use("numpy")
    cpu_model = make_model(seed=1)
    cpu_model.load_state_dict(gpu_model.state_dict())
    cpu_optimizer = nf.optim.Adam(cpu_model.parameters(), lr=1e-2)
    cpu_optimizer.load_state_dict(saved)
    for key, value in cpu_optimizer.state_dict().items():
        np.testing.assert_array_equal(value, saved[key], err_msg=key)
    moments = [state["exp_avg"] for state in cpu_optimizer.state.values()]
    assert moments and not any(on_gpu(m) for m in moments)


def test_a_cpu_model_runs_while_the_gpu_backend_is_current(gpu):
    """Ops leave their results on the device they computed them on, whatever the current backend is."""
    cpu_model = make_model()
    x = nf.Tensor(np.ones((2, 1, 4, 4), dtype=np.float32))
    nf.backend.use("cupy")                     # new tensors would now go to the GPU...
    y = cpu_model(x * 2.0)                     # ...but the CPU model's graph stays on the CPU
    y.sum().backward()
    assert not on_gpu(y.data) and not on_gpu(cpu_model[0].weight.grad)
    assert not on_gpu(y.detach().data) and not on_gpu((y > 0).data)
    assert nf.Tensor(np.ones(2)).device == "cuda"
