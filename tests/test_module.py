"""Tests of the Module system (nn_from_scratch/nn/module.py).

Registration order and names, buffers, state_dict and its strict errors,
atomic save/load, train/eval, to(dtype), repr, summary, containers, and the
one-line errors each layer raises for a wrongly shaped input.

The tests that hold data take the ``backend`` fixture: NumPy, and CuPy where a
CUDA device exists (``to_host`` brings arrays back for comparisons).
"""

import os

import numpy
import pytest
from conftest import to_host

import nn_from_scratch as nf
from nn_from_scratch import nn
from nn_from_scratch.nn import functional as F


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(numpy.ones(3, dtype=numpy.float32))
        self.net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU())
        self.head = nn.Linear(3, 2, bias=False)
        self.offset = nn.Parameter(numpy.zeros(2, dtype=numpy.float32))
        self.not_a_parameter = nf.Tensor(numpy.ones(2))

    def forward(self, x):
        return self.head(self.net(x) * self.scale) + self.offset


def test_registration_order_and_names():
    block = Block()
    assert [name for name, _ in block.named_parameters()] == [
        "scale", "offset", "net.0.weight", "net.0.bias", "net.1.weight", "net.1.bias", "head.weight"]
    assert [name for name, _ in block.named_buffers()] == [
        "net.1.running_mean", "net.1.running_var", "net.1.num_batches_tracked"]
    assert [name for name, _ in block.named_children()] == ["net", "head"]
    assert [name for name, _ in block.named_modules()] == ["", "net", "net.0", "net.1", "net.2", "head"]
    assert list(block.children()) == [block.net, block.head]
    assert len(list(block.parameters())) == 7 and len(list(block.buffers())) == 3
    assert list(block.state_dict()) == [
        "scale", "offset", "net.0.weight", "net.0.bias", "net.1.weight", "net.1.bias", "net.1.running_mean",
        "net.1.running_var", "net.1.num_batches_tracked", "head.weight"]
    assert isinstance(block.scale, nn.Parameter) and block.scale.requires_grad


def test_state_dict_names_match_torch():
    torch = pytest.importorskip("torch", reason="PyTorch (CPU) is needed to compare names: pip install torch==2.13.0")

    def make(library):
        return library.nn.Sequential(library.nn.Conv2d(1, 2, 3), library.nn.BatchNorm2d(2),
                                     library.nn.Sequential(library.nn.Flatten(), library.nn.Linear(8, 1)))

    assert list(make(nf).state_dict()) == list(make(torch).state_dict())
    assert [n for n, _ in make(nf).named_parameters()] == [n for n, _ in make(torch).named_parameters()]


def test_reassignment_and_deletion():
    layer = nn.Linear(3, 2)
    layer.bias = None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    layer.bias = nn.Parameter(numpy.zeros(2, dtype=numpy.float32))
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    layer.weight = nn.Parameter(numpy.zeros((2, 3), dtype=numpy.float32))  # keeps its place
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    del layer.weight
    assert [name for name, _ in layer.named_parameters()] == ["bias"]


def test_shared_parameter_listed_once_and_module_before_init_fails():
    first = nn.Linear(2, 2)
    model = nn.Sequential(first, nn.ReLU(), first)
    assert len(list(model.parameters())) == 2

    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Broken()


def test_containers(backend):
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3 and model[0] is layers[0] and model[-1] is layers[2] and list(model) == layers
    assert isinstance(model[1:], nn.Sequential) and list(model[1:]) == layers[1:]
    model.append(nn.Sigmoid())
    assert len(model) == 4 and [n for n, _ in model.named_children()] == ["0", "1", "2", "3"]
    with pytest.raises(TypeError, match="argument 1"):
        nn.Sequential(nn.ReLU(), "relu")
    blocks = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
    blocks.append(nn.Linear(2, 1))
    assert len(blocks) == 3 and [n for n, _ in blocks.named_parameters()][-2:] == ["2.weight", "2.bias"]
    x = nf.Tensor(numpy.ones((4, 2), dtype=numpy.float32))
    assert model(x).shape == (4, 1)


def test_load_state_dict_strict_errors_name_every_problem(backend):
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    before = model.state_dict()
    state = model.state_dict()
    del state["0.bias"]
    state["0.weight"] = numpy.zeros((3, 2))
    state["2.weight"] = numpy.zeros(2)
    state["1.weight"] = numpy.full(2, 5.0)
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert "\n" not in message
    assert "missing keys ['0.bias']" in message
    assert "unexpected keys ['2.weight']" in message
    assert "0.weight: expected (2, 3), got (3, 2)" in message
    for name, array in model.state_dict().items():          # nothing was copied
        numpy.testing.assert_array_equal(to_host(array), to_host(before[name]))
    state["0.weight"] = numpy.full((2, 3), 7.0)
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert missing == ["0.bias"] and unexpected == ["2.weight"]
    assert numpy.all(to_host(model[0].weight) == 7) and model[0].weight.dtype == numpy.float32
    assert numpy.all(to_host(model[1].weight) == 5)


def test_state_dict_is_a_snapshot_and_load_accepts_lists(backend):
    layer = nn.Linear(2, 2)
    state = layer.state_dict()
    layer.weight.data[...] = 0
    assert not numpy.all(to_host(state["weight"]) == 0)
    layer.load_state_dict({"weight": [[1, 2], [3, 4]], "bias": [5, 6]})
    assert layer.weight.data.tolist() == [[1, 2], [3, 4]]


def test_save_load_round_trip(backend, tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    model(nf.Tensor(numpy.random.default_rng(0).standard_normal((2, 1, 4, 4)).astype(numpy.float32)))
    path = tmp_path / "model.npz"
    model.save(path)
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]              # no temporary file left
    with numpy.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(model.state_dict())
    other = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    assert other.load(path) is other
    for name, array in model.state_dict().items():
        numpy.testing.assert_array_equal(to_host(other.state_dict()[name]), to_host(array))
        assert other.state_dict()[name].dtype == array.dtype
    assert int(other[1].num_batches_tracked.data) == 1
    with pytest.raises(RuntimeError, match="unexpected keys"):
        nn.Sequential(nn.Conv2d(1, 2, 3)).load(path)


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    nn.Linear(2, 2).save(path)
    original = path.read_bytes()

    def failing_savez(file, **arrays):
        file.write(b"half an archive")
        raise OSError("disk full")

    monkeypatch.setattr(numpy, "savez", failing_savez)
    with pytest.raises(OSError, match="disk full"):
        nn.Linear(2, 2).save(path)
    assert path.read_bytes() == original
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]


def test_save_under_a_file_names_the_file_in_the_way(tmp_path):
    (tmp_path / "runs").write_text("not a folder")
    with pytest.raises(NotADirectoryError) as caught:
        nn.Linear(2, 2).save(tmp_path / "runs" / "gan" / "model.npz")
    assert str(caught.value) == (f"[Errno 20] {tmp_path / 'runs'} is a file, not a folder: "
                                 f"'{tmp_path / 'runs' / 'gan' / 'model.npz'}'")
    assert (tmp_path / "runs").read_text() == "not a folder"


def test_train_eval_propagate():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5), nn.BatchNorm1d(2)))
    assert all(module.training for module in model.modules())
    assert model.eval() is model
    assert not any(module.training for module in model.modules())
    model.train()
    assert all(module.training for module in model.modules())
    model[1].eval()
    assert model.training and model[0].training and not model[1][0].training and not model[1][1].training


def test_to_dtype_in_place_and_zero_grad(backend):
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    parameters = list(model.parameters())
    assert model.double() is model
    assert list(model.parameters()) == parameters                 # same objects, new data
    assert all(p.dtype == numpy.float64 for p in model.parameters())
    assert model[1].running_var.dtype == numpy.float64
    assert model[1].num_batches_tracked.dtype == numpy.int64      # integers keep their dtype
    x = nf.Tensor(numpy.ones((4, 2)))
    model(x).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.to(numpy.float32)
    assert all(p.dtype == numpy.float32 and p.grad.dtype == numpy.float32 for p in model.parameters())
    device = nf.backend.default_device()                          # "cpu", or "cuda" on the CuPy backend
    model.to(device, dtype="float64")
    assert all(p.dtype == numpy.float64 and p.device == device for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.float()
    assert model(nf.Tensor(numpy.ones((4, 2), dtype=numpy.float32))).dtype == numpy.float32


def test_repr_tree():
    model = nn.Sequential(nn.Linear(4, 3), nn.Sequential(nn.BatchNorm1d(3), nn.LeakyReLU(0.2)), nn.Dropout(0.5))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)\n"
        "    (1): LeakyReLU(negative_slope=0.2)\n"
        "  )\n"
        "  (2): Dropout(p=0.5)\n"
        ")"
    )
    assert repr(nn.Unflatten(1, (2, 3))) == "Unflatten(dim=1, unflattened_size=(2, 3))"


def test_summary(backend, capsys):
    model = nn.Sequential(nn.Conv2d(1, 4, 4, 2, 1, bias=False), nn.BatchNorm2d(4), nn.LeakyReLU(0.2),
                          nn.Flatten(), nn.Linear(4 * 14 * 14, 1))
    table = model.summary((2, 1, 28, 28))
    assert capsys.readouterr().out.strip() == table.strip()
    lines = table.splitlines()
    assert any("0 (Conv2d)" in line and "(2, 4, 14, 14)" in line and line.endswith(" 64") for line in lines)
    assert any("1 (BatchNorm2d)" in line and line.endswith(" 8") for line in lines)
    assert any("3 (Flatten)" in line and "(2, 784)" in line for line in lines)
    assert any("4 (Linear)" in line and "(2, 1)" in line and line.endswith(" 785") for line in lines)
    assert "Total parameters: 857" in table
    assert model.training and int(model[1].num_batches_tracked.data) == 0     # mode and statistics untouched
    assert numpy.all(to_host(model[1].running_mean) == 0)


def one_line_error(layer, shape, *fragments):
    with pytest.raises(ValueError) as error:
        layer(nf.Tensor(numpy.zeros(shape, dtype=numpy.float32)))
    message = str(error.value)
    assert "\n" not in message
    assert f"got {shape}" in message
    for fragment in fragments:
        assert fragment in message, message


def test_wrong_input_shape_errors():
    one_line_error(nn.Linear(784, 10), (64, 1, 28, 28),
                   "Linear(in_features=784, out_features=10): expected input (..., 784)", "nn.Flatten()")
    one_line_error(nn.Linear(5, 10), (64, 4), "expected input (..., 5)")
    one_line_error(nn.Conv2d(1, 64, 4, 2, 1), (64, 3, 28, 28),
                   "Conv2d(1, 64, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1)): expected input of shape "
                   "(N, C, H, W) with C=1", "got (64, 3, 28, 28)")
    one_line_error(nn.Conv2d(1, 64, 4), (1, 28, 28), "with C=1", "batch axis")
    one_line_error(nn.Conv2d(1, 2, 5, dilation=2), (1, 1, 8, 9),
                   "kernel of extent 9x9 (size 5x5, dilation (2, 2)) is larger than the padded input 8x9")
    one_line_error(nn.ConvTranspose2d(100, 64, 4), (8, 64, 1, 1),
                   "ConvTranspose2d(100, 64, kernel_size=(4, 4), stride=(1, 1)): expected input of shape "
                   "(N, C, H, W) with C=100")
    one_line_error(nn.ConvTranspose2d(2, 2, 1, padding=1), (1, 2, 1, 1), "output size (-1, -1) is too small")
    one_line_error(nn.BatchNorm1d(8), (4, 3), "BatchNorm1d(8,", "expected input (N, 8) or (N, 8, L)")
    one_line_error(nn.BatchNorm2d(8), (4, 8, 3), "BatchNorm2d(8,", "expected input (N, 8, H, W)")
    one_line_error(nn.BatchNorm1d(3), (1, 3), "more than 1 value per channel")
    one_line_error(nn.Flatten(2), (4, 3), "Flatten(start_dim=2, end_dim=-1)")
    one_line_error(nn.Unflatten(1, (4, 4)), (2, 15), "Unflatten(dim=1, unflattened_size=(4, 4)): "
                   "expected input with size 16 at dim 1")
    one_line_error(nn.Upsample(scale_factor=2), (4, 3), "Upsample(scale_factor=2.0, mode='nearest'): "
                   "expected input of shape (N, C, H, W), got (4, 3)")
    with pytest.raises(ValueError, match="only mode='nearest'"):
        nn.Upsample(scale_factor=2, mode="bilinear")
    with pytest.raises(ValueError, match="scale_factor must be a positive integer, got 1.5"):
        nn.Upsample(scale_factor=1.5)
    with pytest.raises(ValueError, match="output_padding"):
        nn.ConvTranspose2d(2, 2, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv2d(1, 2, 0)


def test_functional_namespace():
    for name in ("add", "matmul", "linear", "relu", "leaky_relu", "sigmoid", "binary_cross_entropy", "conv2d",
                 "conv_transpose2d", "batch_norm", "dropout", "BatchNormFunction", "Conv2dFunction"):
        assert callable(getattr(F, name)), name
    x = nf.Tensor(numpy.ones((2, 3)))
    assert F.dropout(x, 0.5, training=False) is x
