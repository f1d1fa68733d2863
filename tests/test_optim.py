"""Tests of the optimizers (nn_from_scratch/optim/).

* 20 steps on the same parameters and gradients as torch.optim, with a
  learning-rate change half way, agree to 1e-10 (float64) and 1e-5 (float32);
* state_dict -> .npz -> load_state_dict resumes bitwise exactly;
* float32 stays float32, updates happen in place, zero_grad, groups, errors.

The tests that compute take the ``backend`` fixture: NumPy, and CuPy where a
CUDA device exists (torch.optim stays on the CPU; ``to_host`` brings results back).
"""

import numpy
import pytest
from conftest import to_host

import nn_from_scratch as nf
from nn_from_scratch import nn, optim
from nn_from_scratch.backend import to_device

SHAPES = [(3, 4), (5,), (2, 1, 3)]

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": (0.5, 0.999), "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.3}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
]
IDS = [f"{name}-{options}" for name, options in CONFIGS]


def make_parameters(dtype, seed=0):
    rng = numpy.random.default_rng(seed)
    return [nn.Parameter(rng.standard_normal(shape).astype(dtype)) for shape in SHAPES]


def on_backend(array):
    """``array`` on the current backend (where the parameters are)."""
    return nf.Tensor(array).data


def gradients(step, dtype):
    """The gradients of step ``step``: the same for every run (host arrays)."""
    rng = numpy.random.default_rng(1000 + step)
    return [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]


def run_steps(opt, params, steps, dtype):
    for step in steps:
        if step == 10:
            opt.lr = opt.lr * 0.5                     # lr change between steps
        for param, grad in zip(params, gradients(step, dtype)):
            param.grad = on_backend(grad)
        opt.step()


@pytest.mark.parametrize("dtype, rtol", [(numpy.float64, 1e-10), (numpy.float32, 1e-5)])
@pytest.mark.parametrize("name, options", CONFIGS, ids=IDS)
def test_optimizer_matches_torch(backend, kernels, name, options, dtype, rtol):
    torch = pytest.importorskip("torch", reason="PyTorch (CPU) is needed for the parity tests: "
                                                "pip install torch==2.13.0")
    params = make_parameters(dtype)
    torch_params = [torch.tensor(to_host(p).copy(), requires_grad=True) for p in params]
    opt = getattr(optim, name)(params, **options)
    torch_opt = getattr(torch.optim, name)(torch_params, **options)
    for step in range(20):
        if step == 10:
            opt.lr = opt.lr * 0.5
            torch_opt.param_groups[0]["lr"] *= 0.5
        for param, torch_param, grad in zip(params, torch_params, gradients(step, dtype)):
            param.grad = on_backend(grad)
            torch_param.grad = torch.from_numpy(grad.copy())
        opt.step()
        torch_opt.step()
        for param, torch_param in zip(params, torch_params):
            expected = torch_param.detach().numpy()
            assert param.dtype == dtype
            error = numpy.abs(to_host(param) - expected).max() / numpy.abs(expected).max()
            assert error <= rtol, f"step {step}: relative error {error:.3g}"
    assert opt.param_groups[0]["lr"] == torch_opt.param_groups[0]["lr"]


@pytest.mark.parametrize("name, options", CONFIGS, ids=IDS)
def test_state_dict_resumes_exactly(backend, kernels, name, options, tmp_path):
    dtype = numpy.float32
    params = make_parameters(dtype)
    opt = getattr(optim, name)(params, **options)
    run_steps(opt, params, range(20), dtype)                       # the uninterrupted run

    resumed_params = make_parameters(dtype)
    first = getattr(optim, name)(resumed_params, **options)
    run_steps(first, resumed_params, range(12), dtype)
    numpy.savez(tmp_path / "opt.npz", **first.state_dict())
    saved_params = [p.data.copy() for p in resumed_params]

    resumed_params = [nn.Parameter(array) for array in saved_params]   # a fresh process, so to speak
    second = getattr(optim, name)(resumed_params, **options)
    with numpy.load(tmp_path / "opt.npz", allow_pickle=False) as archive:
        second.load_state_dict({key: archive[key] for key in archive.files})
    assert second.lr == first.lr
    run_steps(second, resumed_params, range(12, 20), dtype)
    for param, resumed in zip(params, resumed_params):
        numpy.testing.assert_array_equal(to_host(param), to_host(resumed))      # bitwise
    for state in second.state.values():
        for value in state.values():
            assert isinstance(value, int) or value.dtype == dtype


def test_state_dict_contents_and_errors(backend):
    params = make_parameters(numpy.float32)
    opt = optim.Adam(params, lr=0.01, betas=(0.5, 0.999))
    run_steps(opt, params, range(3), numpy.float32)
    state = opt.state_dict()
    assert state["param_groups.0.lr"] == 0.01
    assert state["param_groups.0.betas"].tolist() == [0.5, 0.999]
    assert state["state.1.step"] == 3 and state["state.1.exp_avg"].shape == (5,)
    assert all(isinstance(value, numpy.ndarray) for value in state.values())
    state["state.1.exp_avg"][...] = 123.0                              # a snapshot, not the live state
    assert not numpy.any(to_host(opt.state[id(params[1])]["exp_avg"]) == 123.0)
    bad = dict(state, **{"state.0.exp_avg": numpy.zeros(2), "state.9.step": numpy.asarray(1), "foo": 1})
    with pytest.raises(ValueError) as error:
        opt.load_state_dict(bad)
    message = str(error.value)
    assert "'state.0.exp_avg': expected shape (3, 4), got (2,)" in message
    assert "'state.9.step': there are only 3 parameters" in message and "'foo'" in message
    assert opt.state[id(params[0])]["exp_avg"].shape == (3, 4)          # unchanged
    opt.load_state_dict(state)
    assert isinstance(opt.param_groups[0]["betas"], tuple) and isinstance(opt.lr, float)
    on_device = {key: to_device(value, params[0].device) for key, value in state.items()}   # CuPy arrays on GPU
    opt.load_state_dict(on_device)
    numpy.testing.assert_array_equal(to_host(opt.state[id(params[1])]["exp_avg"]), state["state.1.exp_avg"])


def test_updates_in_place_and_float32_stays_float32(backend, kernels):
    params = make_parameters(numpy.float32)
    arrays = [p.data for p in params]
    for name, options in CONFIGS:
        opt = getattr(optim, name)(params, **options)
        run_steps(opt, params, range(2), numpy.float32)
        assert all(p.data is array and p.dtype == numpy.float32 for p, array in zip(params, arrays))
        assert all(value.dtype == numpy.float32 for state in opt.state.values() for value in state.values()
                   if not isinstance(value, int))


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "SGD"])
def test_a_transposed_gradient_gives_the_same_update(backend, kernels, name):
    """A Linear weight's gradient arrives as a transposed (column-major) view; the update must not care."""
    rng = numpy.random.default_rng(3)
    start, grads = rng.standard_normal((4, 6)), [rng.standard_normal((6, 4)) for _ in range(3)]
    results = []
    for transposed in (False, True):
        param = nn.Parameter(start.copy())
        opt = getattr(optim, name)([param], lr=0.01)
        for grad in grads:
            param.grad = on_backend(grad).T if transposed else on_backend(numpy.ascontiguousarray(grad.T))
            opt.step()
        results.append(to_host(param.data))
    assert results[0].flags.c_contiguous and results[1].flags.c_contiguous
    numpy.testing.assert_array_equal(results[0], results[1])


def test_zero_grad_groups_and_lr_property(backend):
    first, second = make_parameters(numpy.float64)[:2]
    opt = optim.SGD([{"params": [first]}, {"params": [second], "lr": 0.5}], lr=0.1)
    assert opt.lr == 0.1 and opt.param_groups[1]["lr"] == 0.5
    first.grad, second.grad = on_backend(numpy.ones(first.shape)), None
    before_second = to_host(second).copy()
    before_first = to_host(first).copy()
    opt.step()                                                          # a parameter without grad is skipped
    numpy.testing.assert_array_equal(to_host(second), before_second)
    numpy.testing.assert_allclose(to_host(first), before_first - 0.1)
    opt.zero_grad()
    assert first.grad is None and second.grad is None
    opt.lr = 0.01
    assert [group["lr"] for group in opt.param_groups] == [0.01, 0.01]


def test_constructor_errors():
    params = make_parameters(numpy.float32)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD(params, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam(params, betas=(1.0, 0.999))
    with pytest.raises(TypeError, match="requires grad"):
        optim.SGD([nf.Tensor(numpy.ones(2))], lr=0.1)


def test_training_a_small_model_reduces_the_loss(backend, kernels):
    nn.init.manual_seed(0)
    rng = numpy.random.default_rng(0)
    x_host = rng.standard_normal((64, 3)).astype(numpy.float32)
    x = nf.Tensor(x_host)
    y = nf.Tensor((x_host @ numpy.array([[1.0], [-2.0], [0.5]], dtype=numpy.float32)) + 0.3)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(100):
        opt.zero_grad()
        loss = nf.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.02 * losses[0]
