"""A new user's first commands, as real processes in an empty folder with a fresh home and no MNIST.

Downloading is switched off (``--no-download``) to stand for a machine without
internet access, so ``train`` falls back to the MNIST-10k shipped with the
package; ``evaluate`` scores with the shipped classifier and trains nothing.
No ``../shared`` folder is used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nn_from_scratch.data import MNIST10k
from nn_from_scratch.training import TrainConfig, load_checkpoint
from nn_from_scratch.training.gan_trainer import GANTrainer

REPO = Path(__file__).resolve().parents[1]
BANNER = "note: MNIST is not on this machine"


def run_cli(folder: Path, *args, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m nn_from_scratch ARGS`` from ``folder``, with a fresh home and cache, no data variable."""
    env = {**os.environ, "HOME": str(folder / "home"), "XDG_CACHE_HOME": str(folder / "home" / ".cache"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    env.pop("NN_FROM_SCRATCH_DATA", None)
    return subprocess.run([sys.executable, "-m", "nn_from_scratch", *map(str, args)], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """``train gan`` with MNIST nowhere and no downloads: a small run on the shipped MNIST-10k."""
    folder = tmp_path_factory.mktemp("user")
    result = run_cli(folder, "train", "gan", "--no-download", "--limit", 256, "--batch-size", 64, "--epochs", 1,
                     "--out", "runs/gan")
    return folder, result


def test_train_falls_back_to_the_shipped_mnist_10k_with_one_note(first_run):
    folder, result = first_run
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(BANNER) == 1
    assert "Warning" not in result.stderr and "root=" not in result.stderr and "data_dir" not in result.stderr
    assert "training gan on mnist-10k (256 images" in result.stderr
    config = TrainConfig.from_json(load_checkpoint(folder / "runs" / "gan" / "checkpoint.npz")["config"])
    assert config.dataset == "mnist-10k" and config.data_dir is None


def test_evaluate_twice_gives_the_same_figures_and_trains_nothing(first_run):
    folder, _ = first_run
    results = []
    for _ in range(2):
        result = run_cli(folder, "evaluate", "runs/gan", "--num-test", 200)
        assert result.returncode == 0, result.stderr
        assert "training" not in result.stderr.lower()
        results.append(json.loads((folder / "runs" / "gan" / "evaluation.json").read_text()))
    assert results[0] == results[1]
    assert results[0]["classifier"] == "shipped mnist classifier"
    assert results[0]["num_images"] == 100 and results[0]["fid"] > results[0]["fid_floor"] > 0
    assert sorted(path.name for path in (folder / "runs").iterdir()) == ["gan"]     # no classifier run made


def test_evaluate_can_still_train_its_own_classifier(first_run):
    folder, _ = first_run
    result = run_cli(folder, "evaluate", "runs/gan", "--num-test", 200, "--own-classifier")
    assert result.returncode == 0, result.stderr
    assert "Scoring with a classifier trained on the run's own training images (as asked)" in result.stderr
    evaluation = json.loads((folder / "runs" / "gan" / "evaluation.json").read_text())
    assert evaluation["classifier"] == f"classifier run {folder / 'runs' / 'classifier-mnist-10k-limit256'}"


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_bad_data_dir_is_a_one_line_error_and_nothing_is_created(tmp_path, kind):
    target = tmp_path / ("no-such-folder" if kind == "missing" else "a-file")
    if kind == "file":
        target.write_text("not a folder")
    result = run_cli(tmp_path, "train", "vae", "--data-dir", target, "--epochs", 1, "--out", "runs/vae")
    assert result.returncode == 1
    expected = ("does not exist: check the path (nothing was created or downloaded)" if kind == "missing"
                else "is a file, not a folder")
    assert result.stderr.startswith(f"error: data folder {target} {expected}")
    assert len(result.stderr.strip().splitlines()) == 1 and BANNER not in result.stderr
    assert (kind == "file") == target.exists()
    assert not (tmp_path / "runs").exists()


def test_ci_runs_the_readmes_test_command():
    readme = (REPO / "README.md").read_text()
    start = readme.split("## Start", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = start.strip().splitlines()
    assert len(commands) == 4 and commands[0].startswith("git clone") and "venv" in commands[1]
    assert commands[2].startswith("python3 -m pip install . && python3 -m nn_from_scratch train gan")
    assert "pytest" in commands[3]
    assert commands[3] in (REPO / ".ci" / "run").read_text().splitlines()


@pytest.mark.parametrize("num_images, epochs", [(8000, 10), (60000, 2), (20000, 5), (80064, 1), (256, 10)])
def test_the_gan_default_length_is_at_least_1250_steps(tmp_path, num_images, epochs):
    """10 epochs of MNIST-10k (1,250 steps at batch 64); of a larger set the fewest epochs that make 1,250 steps."""
    dataset = MNIST10k(train=False)
    dataset.images = np.zeros((num_images, 28, 28), np.uint8)
    dataset.labels = np.zeros(num_images, np.int64)
    config = TrainConfig("gan", out=str(tmp_path / "run"))
    assert config.epochs is None
    assert GANTrainer(config, dataset, dataset).config.epochs == epochs
    assert TrainConfig("gan", epochs=3).epochs == 3
