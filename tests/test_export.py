"""``python -m nn_from_scratch export RUN_DIR --format torch --out FILE.pt``.

Runs of a conditional GAN, a VAE and a classifier are trained for two steps on a synthetic
MNIST-layout folder (tests/synthetic_digits.py), then exported.  Checked: ``torch.load(FILE.pt,
weights_only=True)`` reads the state dict and it holds the run's weights; FILE.py, imported in a
process where nn_from_scratch cannot be imported, builds the models, loads the weights and computes
what the library computes; the errors are one line each.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from synthetic_digits import write_mnist_folder

from nn_from_scratch import cli
from nn_from_scratch.tensor import Tensor, no_grad
from nn_from_scratch.training import TrainConfig, load_models, make_trainer

torch = pytest.importorskip("torch", reason="export --format torch needs PyTorch (pip install torch==2.13.0)")

REPO = Path(__file__).resolve().parents[1]
RUNS = {"gan": {"conditional": True}, "vae": {}, "classifier": {}}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """{model kind: run folder} of three two-step runs."""
    folder = tmp_path_factory.mktemp("export")
    data_dir = write_mnist_folder(folder / "data", train_count=64, test_count=32)
    run_dirs = {}
    for model, settings in RUNS.items():
        config = TrainConfig(model, data_dir=str(data_dir), download=False, epochs=1, batch_size=32, limit=64,
                             out=str(folder / model), **settings)
        make_trainer(config, fallback=False).fit()
        run_dirs[model] = folder / model
    return run_dirs


# What each model computes, on inputs saved to a file: {name: (model name, method, argument names)}.
COMPUTATIONS = {
    "gan": {"samples": ("generator", "sample", ["noise", "labels"]),
            "logits": ("discriminator", "forward", ["images", "labels"])},
    "vae": {"reconstructions": ("vae", "reconstruct", ["images"]), "samples": ("vae", "sample", ["codes"]),
            "logits": ("vae", "decode", ["codes"]), "mu": ("vae", "encode", ["images"])},
    "classifier": {"logits": ("classifier", "forward", ["images"]), "features": ("classifier", "features", ["images"])},
}

# Run with: the inputs file, then per model its module file, its outputs file and repr(COMPUTATIONS[model]).
OUTSIDE_THE_LIBRARY = """
import sys
sys.modules["nn_from_scratch"] = None            # as if nn_from_scratch were not installed
try:
    import nn_from_scratch
except ImportError:
    print("nn_from_scratch is not importable")
import importlib.util
import numpy as np
import torch

inputs = {name: torch.from_numpy(array) for name, array in np.load(sys.argv[1]).items()}
for module_path, outputs_path, computations in zip(sys.argv[2::3], sys.argv[3::3], map(eval, sys.argv[4::3])):
    spec = importlib.util.spec_from_file_location("exported", module_path)
    exported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported)
    models = exported.load()
    outputs = {}
    with torch.no_grad():
        for name, (model, method, arguments) in computations.items():
            result = getattr(models[model], method)(*[inputs[argument] for argument in arguments])
            outputs[name] = (result[0] if isinstance(result, tuple) else result).numpy()
    np.savez(outputs_path, **outputs)
    print(type(models).__name__, sorted(models.keys()), "training:", any(m.training for m in models.modules()))
"""


@pytest.fixture(scope="module")
def exported(runs, tmp_path_factory) -> tuple:
    """(folder, the export command's output per model, the output of the process without nn_from_scratch)."""
    folder = tmp_path_factory.mktemp("exported")
    rng = np.random.default_rng(0)
    inputs = {"images": rng.random((5, 1, 28, 28), dtype=np.float32),
              "noise": rng.standard_normal((5, 100), dtype=np.float32),
              "codes": rng.standard_normal((5, 20), dtype=np.float32),
              "labels": np.array([0, 3, 9, 3, 1])}
    np.savez(folder / "inputs.npz", **inputs)
    printed, arguments = {}, [folder / "inputs.npz"]
    for model in RUNS:
        out = folder / f"{model}_export.pt"
        with contextlib.redirect_stdout(io.StringIO()) as stdout:
            assert cli.main(["export", str(runs[model]), "--format", "torch", "--out", str(out)]) == 0
        printed[model] = stdout.getvalue()
        arguments += [out.with_suffix(".py"), folder / f"{model}_outputs.npz", repr(COMPUTATIONS[model])]
    outside = subprocess.run([sys.executable, "-c", OUTSIDE_THE_LIBRARY, *map(str, arguments)], cwd=folder,
                             capture_output=True, text=True, timeout=300,
                             env={"PATH": "/usr/bin:/bin", "HOME": str(folder)})
    assert outside.returncode == 0, outside.stderr
    return folder, inputs, printed, outside.stdout.splitlines()


@pytest.mark.parametrize("model", list(RUNS))
def test_export_writes_a_state_dict_and_a_module_that_needs_only_torch(runs, exported, model):
    folder, inputs, printed, outside_lines = exported
    out = folder / f"{model}_export.pt"
    assert f"wrote {out}: the state dict" in printed[model] and f"wrote {out.with_suffix('.py')}:" in printed[model]

    state = torch.load(out, weights_only=True)
    _, models = load_models(runs[model], "numpy")
    expected = {f"{name}.{key}": value for name, library_model in models.items()
                for key, value in library_model.state_dict().items()}
    assert list(state) == list(expected)
    for key, value in expected.items():
        np.testing.assert_array_equal(state[key].numpy(), value, err_msg=key)

    assert outside_lines[0] == "nn_from_scratch is not importable"
    assert outside_lines[1 + list(RUNS).index(model)] == f"ModuleDict {sorted(models)} training: False"
    theirs = np.load(folder / f"{model}_outputs.npz")
    ours = library_outputs(runs[model], inputs, COMPUTATIONS[model])
    for name in COMPUTATIONS[model]:
        np.testing.assert_allclose(theirs[name], ours[name], atol=1e-5, rtol=0, err_msg=name)


def library_outputs(run_dir, inputs: dict, computations: dict) -> dict:
    _, models = load_models(run_dir, "numpy")
    outputs = {}
    with no_grad():
        for name, (model, method, arguments) in computations.items():
            values = [inputs[a] if a == "labels" else Tensor(inputs[a]) for a in arguments]
            result = getattr(models[model], method)(*values)
            outputs[name] = (result[0] if isinstance(result, tuple) else result).numpy()
    return outputs


def test_the_command_line_exports_to_the_run_folder_by_default(runs):
    """A real ``python -m nn_from_scratch export`` process, without --out."""
    run = subprocess.run([sys.executable, "-m", "nn_from_scratch", "export", str(runs["vae"])], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert (runs["vae"] / "vae.pt").is_file() and (runs["vae"] / "vae.py").is_file()
    source = (runs["vae"] / "vae.py").read_text()
    assert "def build_models() -> nn.ModuleDict:" in source and "nn.ConvTranspose2d(in_channels=64," in source


def test_export_errors_are_one_line(runs, tmp_path, capsys, monkeypatch):
    def error_of(*arguments, code: int = 1) -> str:
        assert cli.main(["export", *map(str, arguments)]) == code
        message = capsys.readouterr().err
        assert message.count("\n") == 1, message
        return message

    assert "missing does not exist: train a model there first" in error_of(tmp_path / "missing", "--out", "x.pt")
    assert "holds no checkpoint.npz" in error_of(tmp_path)
    assert f"error: --out {tmp_path} is a folder; give a file name" in error_of(runs["gan"], "--out", tmp_path,
                                                                               code=2)
    assert "would be overwritten by the module file" in error_of(runs["gan"], "--out", tmp_path / "gan.py")
    if Path("/sys").is_dir():                                  # sysfs refuses new files, even to root
        assert "/sys/gan.py: Permission denied (no permission" in error_of(runs["gan"], "--out", "/sys/gan.pt")
    monkeypatch.setitem(sys.modules, "torch", None)              # as if PyTorch were not installed
    assert "export --format torch: PyTorch is not installed" in error_of(runs["gan"], "--out", tmp_path / "g.pt")


def test_export_creates_the_folder_of_out(runs, tmp_path, capsys):
    out = tmp_path / "new" / "folder" / "model.pt"
    assert cli.main(["export", str(runs["classifier"]), "--out", str(out)]) == 0
    assert sorted(path.name for path in out.parent.iterdir()) == ["model.pt", "model.py"]
