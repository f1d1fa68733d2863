"""nn_from_scratch.interop: to_torch and from_torch for every layer, container and model.

For each case, in float32 and float64, in train and eval mode, with the library's fast and
textbook kernels (nn_from_scratch/kernels.py; the models with the textbook ones in float64 only):

* ``to_torch(m)`` computes the same outputs as ``m`` (to 1e-5 in float32, 1e-10 in float64), the
  same gradients of a weighted sum of them (to 1e-4 and 1e-10 of the largest gradient entry) and,
  after a train-mode forward, the same BatchNorm running statistics (to 1e-5 and 1e-10);
* ``from_torch(to_torch(m))`` has the same state dict as ``m``: keys in order, dtypes and values,
  bit for bit, and the same modes.

Dropout in train mode draws its mask from each library's own generator, so there its outputs are
checked for the form x * keep / (1 - p) instead.  Errors name the module and its dotted path.
"""

from __future__ import annotations

import collections
import subprocess
import sys

import numpy as np
import pytest

import nn_from_scratch as nf
from nn_from_scratch import interop, models, nn
from nn_from_scratch.interop import ConversionError

torch = pytest.importorskip("torch", reason="interop converts to PyTorch (pip install torch==2.13.0)")

TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}
# Gradients, relative to their largest entry: in float32 the radford generator's BatchNorm1d(6272) over 3 values
# differs by up to 7.5e-6 (measured), so 1e-4 leaves room for other BLAS builds.
GRADIENT_TOLERANCE = {np.float32: 1e-4, np.float64: 1e-10}


def randomise_batch_norm_state(module, rng) -> None:
    """Non-trivial BatchNorm weights and running statistics, so that eval mode checks something."""
    for layer in module.modules():
        if isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
            for tensor in (layer.weight, layer.bias):
                if tensor is not None:
                    tensor.data[...] = rng.normal(1.0 if tensor is layer.weight else 0.0, 0.3, tensor.shape)
            if layer.track_running_stats:
                layer.running_mean.data[...] = rng.normal(0.0, 0.5, layer.num_features)
                layer.running_var.data[...] = rng.uniform(0.5, 2.0, layer.num_features)
                layer.num_batches_tracked.data[...] = 7


# Each case: (id, build the library module, input shapes); its inputs are N(0, 1).
LAYER_CASES = [
    ("linear", lambda: nn.Linear(5, 3), [(4, 5)]),
    ("linear-3d-nobias", lambda: nn.Linear(5, 3, bias=False), [(2, 3, 5)]),
    ("conv2d", lambda: nn.Conv2d(3, 4, 3, stride=2, padding=1), [(2, 3, 9, 8)]),
    ("conv2d-rect-dilated-nobias", lambda: nn.Conv2d(2, 3, (3, 2), stride=(1, 2), padding=(2, 0), dilation=2,
                                                      bias=False), [(2, 2, 9, 8)]),
    ("conv-transpose2d", lambda: nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1), [(2, 3, 5, 4)]),
    ("conv-transpose2d-output-padding", lambda: nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1,
                                                                   bias=False), [(2, 2, 4, 5)]),
    ("conv-transpose2d-dilated", lambda: nn.ConvTranspose2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0),
                                                            output_padding=(1, 0), dilation=(2, 1)), [(2, 2, 4, 5)]),
    ("batchnorm1d", lambda: nn.BatchNorm1d(3), [(6, 3)]),
    ("batchnorm1d-3d-cumulative", lambda: nn.BatchNorm1d(3, momentum=None), [(4, 3, 5)]),
    ("batchnorm1d-no-affine", lambda: nn.BatchNorm1d(3, affine=False), [(6, 3)]),
    ("batchnorm1d-no-bias", lambda: nn.BatchNorm1d(3, bias=False), [(6, 3)]),
    ("batchnorm2d", lambda: nn.BatchNorm2d(3, eps=1e-3, momentum=0.3), [(4, 3, 5, 5)]),
    ("batchnorm2d-no-running-stats", lambda: nn.BatchNorm2d(3, track_running_stats=False), [(4, 3, 5, 5)]),
    ("layernorm", lambda: nn.LayerNorm(6), [(4, 6)]),
    ("layernorm-2d-no-bias", lambda: nn.LayerNorm((3, 4), eps=1e-3, bias=False), [(2, 5, 3, 4)]),
    ("layernorm-no-affine", lambda: nn.LayerNorm((2, 3), elementwise_affine=False), [(4, 2, 3)]),
    ("maxpool2d", lambda: nn.MaxPool2d(2), [(2, 3, 6, 7)]),
    ("maxpool2d-strided-padded", lambda: nn.MaxPool2d((3, 2), stride=(2, 1), padding=1), [(2, 3, 6, 7)]),
    ("avgpool2d", lambda: nn.AvgPool2d(2), [(2, 3, 6, 7)]),
    ("avgpool2d-strided-padded", lambda: nn.AvgPool2d(3, stride=2, padding=1), [(2, 3, 6, 7)]),
    ("relu", lambda: nn.ReLU(), [(4, 6)]),
    ("leaky-relu", lambda: nn.LeakyReLU(0.2), [(4, 6)]),
    ("sigmoid", lambda: nn.Sigmoid(), [(4, 6)]),
    ("tanh", lambda: nn.Tanh(), [(4, 6)]),
    ("dropout-0", lambda: nn.Dropout(0.0), [(4, 6)]),
    ("flatten", lambda: nn.Flatten(), [(2, 3, 4, 5)]),
    ("flatten-1-2", lambda: nn.Flatten(1, 2), [(2, 3, 4, 5)]),
    ("unflatten", lambda: nn.Unflatten(1, (2, 3)), [(4, 6)]),
    ("unflatten-inferred", lambda: nn.Unflatten(-1, (2, -1)), [(4, 6)]),
    ("upsample-2", lambda: nn.Upsample(scale_factor=2), [(2, 3, 4, 5)]),
    ("upsample-3", lambda: nn.Upsample(scale_factor=3), [(2, 3, 4, 5)]),
    ("sequential", lambda: nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4),
                                         nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(4 * 5 * 5, 3), nn.Tanh()),
     [(4, 2, 5, 5)]),
    ("nested-sequential", lambda: nn.Sequential(nn.Sequential(nn.Linear(4, 6), nn.ReLU()), nn.Dropout(0.0),
                                                nn.Sequential(nn.Linear(6, 2), nn.Sigmoid())), [(3, 4)]),
]

# Each case: (id, build the model, the method to call, its arguments: shapes of N(0, 1) inputs, or label arrays).
# Three images each: the models are large, and BatchNorm1d over 2 values is degenerate (x_hat = +-1, gradient 0).
LABELS = np.array([3, 7, 0])
MODEL_CASES = [
    ("generator-dcgan", lambda: models.Generator(8), "forward", [(3, 8)]),
    ("generator-conditional", lambda: models.Generator(8, num_classes=10), "forward", [(3, 8), LABELS]),
    ("generator-radford", lambda: models.Generator(8, architecture="radford"), "forward", [(3, 8)]),
    ("generator-upsample-conditional", lambda: models.Generator(8, 10, "upsample"), "sample", [(3, 8), LABELS]),
    ("discriminator", lambda: models.Discriminator(), "forward", [(3, 1, 28, 28)]),
    ("discriminator-conditional", lambda: models.Discriminator(10), "forward", [(3, 1, 28, 28), LABELS]),
    ("discriminator-conditional-5x5-hidden", lambda: models.Discriminator(10, 5, 16), "forward",
     [(3, 1, 28, 28), LABELS]),
    ("vae-forward", lambda: models.VAE(4), "forward", [(3, 1, 28, 28), (3, 4)]),
    ("vae-encode", lambda: models.VAE(4), "encode", [(3, 1, 28, 28)]),
    ("vae-decode", lambda: models.VAE(4), "decode", [(3, 4)]),
    ("vae-sample", lambda: models.VAE(4), "sample", [(3, 4)]),
    ("vae-reconstruct", lambda: models.VAE(4), "reconstruct", [(3, 1, 28, 28)]),
    ("vae-conditional-forward", lambda: models.VAE(4, num_classes=10), "forward", [(3, 1, 28, 28), (3, 4), LABELS]),
    ("vae-conditional-sample", lambda: models.VAE(4, num_classes=10), "sample", [(3, 4), LABELS]),
    ("classifier", lambda: models.Classifier(), "forward", [(3, 1, 28, 28)]),
    ("classifier-features", lambda: models.Classifier(), "features", [(3, 1, 28, 28)]),
]


def build(factory, dtype, training: bool):
    nn.init.manual_seed(0)
    module = factory().to(dtype=dtype)
    randomise_batch_norm_state(module, np.random.default_rng(1))
    return module.train(training)


def make_inputs(shapes, dtype, rng) -> list:
    """(library arguments, torch arguments): Tensors requiring grad for shapes, the same label arrays for labels."""
    ours, theirs = [], []
    for shape in shapes:
        if isinstance(shape, np.ndarray):
            ours.append(shape)
            theirs.append(torch.from_numpy(shape))
            continue
        array = rng.standard_normal(shape).astype(dtype)
        ours.append(nf.Tensor(array.copy(), requires_grad=True))
        theirs.append(torch.from_numpy(array.copy()).requires_grad_(True))
    return ours, theirs


def outputs_as_list(outputs) -> list:
    return list(outputs) if isinstance(outputs, tuple) else [outputs]


def assert_close(ours, theirs, dtype, what: str, scale: float = 1.0) -> None:
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, (what, ours.shape, theirs.shape)
    difference = float(np.max(np.abs(ours - theirs))) if ours.size else 0.0
    tolerance = (GRADIENT_TOLERANCE if what == "gradients" else TOLERANCE)[dtype]
    assert difference <= tolerance * scale, f"{what}: largest difference {difference:.3g}"


def check_parity(module, method: str, shapes, dtype) -> None:
    """Outputs, gradients and (train mode) running statistics of ``module`` and of ``to_torch(module)``."""
    twin = interop.to_torch(module)
    assert all(a.training == b.training for a, b in zip(module.modules(), twin.modules()))
    rng = np.random.default_rng(2)
    ours_inputs, torch_inputs = make_inputs(shapes, dtype, rng)
    ours = outputs_as_list(getattr(module, method)(*ours_inputs))
    theirs = outputs_as_list(getattr(twin, method)(*torch_inputs))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.dtype == np.dtype(dtype) and b.dtype == getattr(torch, np.dtype(dtype).name)
        assert_close(a.numpy(), b.detach().numpy(), dtype, "outputs")
    # Gradients of sum_k sum(weights_k * output_k); scaled by their size (sums of many products).
    weights = [rng.standard_normal(a.shape).astype(dtype) for a in ours]
    sum(((a * nf.Tensor(w)).sum() for a, w in zip(ours, weights)), nf.Tensor(np.zeros((), dtype))).backward()
    sum((b * torch.from_numpy(w)).sum() for b, w in zip(theirs, weights)).backward()
    twin_parameters = dict(twin.named_parameters())
    for name, parameter in module.named_parameters():
        ours_grad, theirs_grad = parameter.grad, twin_parameters[name].grad
        if ours_grad is None or theirs_grad is None:              # not used by this method (decode: no encoder)
            assert ours_grad is None and theirs_grad is None, name
            continue
        scale = max(1.0, float(np.max(np.abs(ours_grad))))
        assert_close(ours_grad, theirs_grad.numpy(), dtype, "gradients", scale)
    for a, b in zip(ours_inputs, torch_inputs):
        if isinstance(a, nf.Tensor):
            assert_close(a.grad, b.grad.numpy(), dtype, "gradients", max(1.0, float(np.max(np.abs(a.grad)))))
    ours_state, torch_state = module.state_dict(), twin.state_dict()
    assert list(ours_state) == list(torch_state)
    for name, array in ours_state.items():
        assert_close(array, torch_state[name].numpy(), dtype, "state after forward")


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("case_id, factory, shapes", LAYER_CASES, ids=[case[0] for case in LAYER_CASES])
def test_layer_outputs_gradients_and_statistics_match(case_id, factory, shapes, training, dtype, kernels):
    check_parity(build(factory, dtype, training), "forward", shapes, dtype)


# The models in both kernel sets; with the textbook kernels in float64 only (the layers above cover float32).
MODEL_SETTINGS = [("fast", np.float32), ("fast", np.float64), ("textbook", np.float64)]
MODEL_SETTING_IDS = [f"{kernel_set}-{np.dtype(dtype).name}" for kernel_set, dtype in MODEL_SETTINGS]


@pytest.mark.parametrize("kernel_set, dtype", MODEL_SETTINGS, ids=MODEL_SETTING_IDS)
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("case_id, factory, method, shapes", MODEL_CASES, ids=[case[0] for case in MODEL_CASES])
def test_model_outputs_gradients_and_statistics_match(case_id, factory, method, shapes, training, kernel_set, dtype):
    with nf.kernels.using(kernel_set):
        check_parity(build(factory, dtype, training), method, shapes, dtype)


def test_dropout_in_train_mode_keeps_or_scales_each_value():
    """Each library draws its own mask; both give x * keep / (1 - p), and the same x in eval mode."""
    layer = nn.Dropout(0.25)
    twin = interop.to_torch(layer)
    assert twin.p == 0.25 and twin.training
    x = np.random.default_rng(0).uniform(1.0, 2.0, (1000,)).astype(np.float32)
    for output in (layer(nf.Tensor(x)).numpy(), twin(torch.from_numpy(x)).numpy()):
        kept = output != 0
        np.testing.assert_allclose(output[kept], x[kept] / 0.75, rtol=1e-6)
        assert 0.65 < kept.mean() < 0.85
    layer.eval()
    np.testing.assert_array_equal(interop.to_torch(layer)(torch.from_numpy(x)).numpy(), x)


ROUND_TRIP_CASES = [(case[0], case[1]) for case in LAYER_CASES + MODEL_CASES] + [
    ("module-list", lambda: nn.ModuleList([nn.Linear(2, 3), nn.BatchNorm1d(3)])),
    ("dropout", lambda: nn.Dropout(0.3)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case_id, factory", ROUND_TRIP_CASES, ids=[case[0] for case in ROUND_TRIP_CASES])
def test_from_torch_of_to_torch_gives_back_the_same_state_dict(case_id, factory, dtype):
    module = build(factory, dtype, training=True)
    back = interop.from_torch(interop.to_torch(module))
    assert type(back) is type(module)
    assert interop.architecture(back) == interop.architecture(module)
    expected, got = module.state_dict(), back.state_dict()
    assert list(got) == list(expected)
    for name in expected:
        assert got[name].dtype == expected[name].dtype and got[name].shape == expected[name].shape, name
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
    assert [m.training for m in back.modules()] == [m.training for m in module.modules()]


def test_modes_and_frozen_parameters_are_copied_per_module():
    generator = models.Generator(8)
    generator.eval()
    generator.upsample.train()
    generator.project[0].weight.requires_grad = False
    twin = interop.to_torch(generator)
    assert not twin.training and not twin.project.training and twin.upsample.training and twin.upsample[1].training
    assert not twin.project[0].weight.requires_grad and twin.project[1].weight.requires_grad
    twin.upsample.eval()
    twin.project[1].weight.requires_grad_(False)
    back = interop.from_torch(twin)
    assert not back.upsample.training and not back.project[1].weight.requires_grad


def test_a_model_keeps_its_attributes_and_prints_like_pytorch():
    twin = interop.to_torch(models.Discriminator(10, kernel_size=5, hidden=16))
    assert (twin.num_classes, twin.kernel_size, twin.hidden_units) == (10, 5, 16)
    assert "Discriminator(\n  num_classes=10, kernel_size=5, hidden_units=16" in repr(twin)
    assert isinstance(twin.features[0], torch.nn.Conv2d) and twin.features[0].kernel_size == (5, 5)
    vae = interop.to_torch(models.VAE(6, 10))
    assert (vae.latent_dim, vae.num_classes) == (6, 10)
    with pytest.raises(ValueError, match="VAE was built with num_classes=10: pass the labels"):
        vae.sample(torch.zeros(2, 6))


def test_to_torch_can_place_the_module_on_a_device():
    twin = interop.to_torch(nn.Linear(2, 3), device="cpu")
    assert twin.weight.device.type == "cpu"


def test_torch_layers_convert_to_the_library():
    """A network written in PyTorch, with PyTorch's initialisation, computes the same in the library."""
    torch.manual_seed(0)
    network = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, stride=2, padding=1), torch.nn.BatchNorm2d(4),
                                  torch.nn.LeakyReLU(0.1), torch.nn.Upsample(scale_factor=2.0),
                                  torch.nn.Flatten(), torch.nn.Linear(4 * 8 * 8, 5), torch.nn.Sigmoid()).eval()
    library = interop.from_torch(network)
    assert isinstance(library[1], nn.BatchNorm2d) and not library.training
    x = np.random.default_rng(0).standard_normal((3, 1, 8, 8)).astype(np.float32)
    with torch.no_grad():
        expected = network(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(library(nf.Tensor(x)).numpy(), expected, atol=1e-6)


def test_converting_leaves_the_seed_of_initial_weights_alone():
    twins = [interop.to_torch(models.Generator(8)), interop.to_torch(nn.Linear(3, 3))]
    nn.init.manual_seed(0)
    expected = nn.Linear(3, 3).weight.numpy()
    nn.init.manual_seed(0)
    for twin in twins:
        interop.from_torch(twin)                              # builds the library's Generator, Linear inside
    np.testing.assert_array_equal(nn.Linear(3, 3).weight.numpy(), expected)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(2, 2)

    def forward(self, x):
        return self.inner(x)


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU(), Block())),
     r"^to_torch: cannot convert Block at '1\.1': PyTorch has no such layer here \(convertible: Linear, .*"),
    (lambda: Block(), r"^to_torch: cannot convert Block at the top of the tree"),
    (lambda: nn.Sequential(*[nn.ReLU()] * 2), r"^to_torch: the module at '1' is also at '0'"),
])
def test_to_torch_names_what_it_cannot_convert(make, message):
    with pytest.raises(ConversionError, match=message) as error:
        interop.to_torch(make())
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("make, message", [
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.GELU()),
     r"^from_torch: cannot convert GELU at '1': nn_from_scratch has no such layer here"),
    (lambda: torch.nn.Sequential(torch.nn.Sequential(torch.nn.Conv2d(4, 4, 3, groups=2))),
     r"^from_torch: cannot convert Conv2d at '0\.0': groups=2: nn_from_scratch has only groups=1"),
    (lambda: torch.nn.Conv2d(1, 1, 3, padding="same"), r"cannot convert Conv2d at the top of the tree: padding='same'"),
    (lambda: torch.nn.Conv2d(1, 1, 3, padding_mode="reflect"), r"padding_mode='reflect'"),
    (lambda: torch.nn.Upsample(scale_factor=2, mode="bilinear"), r"Upsample .*mode='bilinear'"),
    (lambda: torch.nn.MaxPool2d(2, ceil_mode=True), r"MaxPool2d at the top of the tree: ceil_mode=True: "
                                                    r"nn_from_scratch's pooling has only ceil_mode=False"),
    (lambda: torch.nn.AvgPool2d(3, padding=1, count_include_pad=False), r"count_include_pad=False"),
    (lambda: torch.nn.Upsample(scale_factor=1.5), r"scale_factor=1.5: nn_from_scratch's Upsample takes one integer"),
    (lambda: torch.nn.Sequential(collections.OrderedDict(conv=torch.nn.Conv2d(1, 1, 3))),
     r"cannot convert Sequential at the top of the tree: its layers are named \['conv'\]"),
    (lambda: torch.nn.ModuleDict({"a": torch.nn.ReLU()}), r"cannot convert ModuleDict at the top of the tree"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 2).double()), r"mixes the dtypes"),
])
def test_from_torch_names_what_it_cannot_convert(make, message):
    with pytest.raises(ConversionError, match=message) as error:
        interop.from_torch(make())
    assert "\n" not in str(error.value)


def test_from_torch_refuses_a_model_whose_layers_were_changed():
    twin = interop.to_torch(models.Generator(8))
    twin.upsample[2] = torch.nn.LeakyReLU(0.3)
    with pytest.raises(ConversionError, match=r"^from_torch: cannot convert Generator at the top of the tree: "
                                              r"at 'upsample\.2' nn_from_scratch's Generator\(.*\) has ReLU, "
                                              r"the torch module has LeakyReLU$"):
        interop.from_torch(twin)


def test_wrong_types_are_refused():
    with pytest.raises(TypeError, match="to_torch: expected an nn_from_scratch Module, got Linear"):
        interop.to_torch(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match="from_torch: expected a torch.nn.Module, got Linear"):
        interop.from_torch(nn.Linear(2, 2))


def test_without_torch_the_library_imports_and_interop_says_how_to_install_it():
    """In a process where torch cannot be imported: ``import nn_from_scratch`` works, to_torch explains."""
    code = """
import sys
sys.modules["torch"] = None                     # makes `import torch` fail, as if it were not installed
import nn_from_scratch as nf
from nn_from_scratch import nn
try:
    nf.interop.to_torch(nn.Linear(2, 2))
except ImportError as error:
    print(type(error).__name__, error)
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("TorchUnavailableError PyTorch is not installed, and nn_from_scratch.interop needs "
                                 "it: pip install \"torch==2.13.0\"")


def test_importing_the_library_does_not_import_torch():
    code = "import sys, nn_from_scratch; print('torch' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "False", run.stderr
