"""The quality benchmark (benchmarks/bench_quality.py) on a tiny MNIST-layout folder.

The folder holds the first 192 training and 200 test images of
``../shared/data/mnist-10k``, written with ``data.write_idx``.  The tests check
that the PyTorch twins follow our trainers step for step (the same losses from
the same weights, batches and noise) for the GAN, the conditional GAN, the GAN
with the upsample generator and the VAE, and that a one-epoch benchmark writes its records, grids and tables.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from nn_from_scratch import data
from nn_from_scratch.data import DataLoader, load_dataset
from nn_from_scratch.tensor import Tensor, no_grad

pytest.importorskip("torch", reason="the quality benchmark compares with PyTorch (pip install torch==2.13.0)")

REPO = Path(__file__).parents[1]
MNIST_10K = REPO.parent / "shared/data/mnist-10k"
pytestmark = pytest.mark.skipif(not MNIST_10K.is_dir(), reason=f"shared data folder {MNIST_10K} is absent")


@pytest.fixture(scope="module")
def bench():
    """benchmarks/bench_quality.py, imported from its path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_quality", REPO / "benchmarks" / "bench_quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tiny_mnist(tmp_path_factory):
    """An MNIST-layout folder with 192 training and 200 test images."""
    folder = tmp_path_factory.mktemp("tiny-mnist")
    for files, count, train in ((data.TRAIN_FILES, 192, True), (data.TEST_FILES, 200, False)):
        subset = load_dataset("mnist", str(MNIST_10K), train=train, download=False, progress=False)
        data.write_idx(folder / files[0], subset.images[:count])
        data.write_idx(folder / files[1], subset.labels[:count].astype(np.uint8))
    return folder


def trainer_args(folder, tmp_path) -> SimpleNamespace:
    """What ``bench_quality.make_trainer`` reads of the parsed command line."""
    return SimpleNamespace(dataset="mnist", data_dir=str(folder), cache_dir=str(tmp_path), device="cpu")


def steps_compared(trainer, twin, train_set, kind: str, rel: float) -> int:
    """One epoch of ours and the twin side by side, their losses equal to ``rel`` at every step; returns the steps."""
    loader = DataLoader(train_set, batch_size=trainer.config.batch_size, shuffle=True, drop_last=True, seed=[0, 1])
    for images, labels in loader:
        trainer.set_training_mode(True)
        ours, theirs = trainer.train_step(images, labels), twin(images, labels)
        for name, value in theirs.items():
            assert ours[name] == pytest.approx(value, rel=rel, abs=1e-5), (kind, name)
    return len(loader)


@pytest.mark.parametrize("kind", ["gan", "cgan", "gan-upsample", "gan-g2", "gan-upsample-g2", "gan-upsample-d5-g2",
                                  "gan-radford", "vae"])
def test_twin_follows_our_trainer_step_for_step(bench, tiny_mnist, tmp_path, kind):
    args = trainer_args(tiny_mnist, tmp_path)
    train_set = load_dataset("mnist", str(tiny_mnist), train=True, download=False, progress=False)
    test_set = load_dataset("mnist", str(tiny_mnist), train=False, download=False, progress=False)
    trainer = bench.make_trainer(kind, args, 0, train_set, test_set, 1)
    assert trainer.config.conditional == (kind == "cgan")
    if kind != "vae":
        architecture = {"gan-radford": "radford"}.get(kind, "upsample" if kind.startswith("gan-upsample") else "dcgan")
        assert trainer.generator.architecture == architecture
        assert trainer.config.generator_steps == (2 if kind.endswith("g2") else 1)
        assert trainer.config.lr == (4e-4 if kind.endswith("-g2") and kind != "gan-g2" else 2e-4)
        assert trainer.discriminator.kernel_size == (5 if "-d5" in kind or kind == "gan-radford" else 4)
        assert trainer.discriminator.hidden_units == (1024 if kind == "gan-radford" else 0)
    twin = bench.make_twin(kind, trainer)
    # float32 rounding differences grow with the step size: Adam's first steps are about lr * sign(gradient),
    # so a gradient entry near 0 that rounds to the other sign moves its weight by 2 lr.  At lr 4e-4 with the
    # upsample generator the losses drift apart by up to ~1.2e-3 over 3 steps (measured; 6.6e-5 in step 1);
    # a twin that skipped the second G update differs by 0.26 at step 1 and 1.1 at step 3.  gan-radford's
    # 6.4-million-weight Linear layers drift as fast at lr 2e-4: 8e-8 at step 1, 4.9e-4 at step 3 (measured).
    # The DCGAN kinds already part at step 1 (1.3e-4 for gan, 2.5e-4 for gan-g2; up to 3e-4 by step 3,
    # measured): since BatchNorm's mean and variance are summed by BLAS (nn_from_scratch/channel_sums.py,
    # 2-3x more accurate than before, and rounded differently from PyTorch), D's first Adam update sends
    # 3 of its 160k weights the other way (by 2 lr = 4e-4), and G's loss of the same step moves by 3e-4.
    rel = {"gan-upsample-g2": 5e-3, "gan-upsample-d5-g2": 5e-3, "gan-radford": 5e-3,
           "gan": 1e-3, "gan-g2": 1e-3}.get(kind, 1e-4)
    steps_compared(trainer, twin, train_set, kind, rel)


@pytest.mark.parametrize("kind", ["gan", "cgan"])
def test_twin_follows_extra_generator_steps(bench, tiny_mnist, tmp_path, kind):
    """With generator_steps = 3 the twin draws the same fresh noise and makes the same two extra G updates."""
    args = trainer_args(tiny_mnist, tmp_path)
    train_set = load_dataset("mnist", str(tiny_mnist), train=True, download=False, progress=False)
    trainer = bench.make_trainer(kind, args, 0, train_set, train_set, 1)
    trainer.config.generator_steps = 3
    twin = bench.make_twin(kind, trainer)
    loader_length = steps_compared(trainer, twin, train_set, kind, 1e-3 if kind == "gan" else 1e-4)   # see above
    ours_steps = {int(v) for k, v in trainer.optimizers["generator"].state_dict().items() if k.endswith(".step")}
    assert ours_steps == {int(entry["step"]) for entry in twin.g_optimizer.state.values()} == {3 * loader_length}


def test_conditional_twin_uses_the_labels(bench, tiny_mnist, tmp_path):
    """The conditional twin's samples change with the label, and follow ours for the same label."""
    args = trainer_args(tiny_mnist, tmp_path)
    train_set = load_dataset("mnist", str(tiny_mnist), train=True, download=False, progress=False)
    trainer = bench.make_trainer("cgan", args, 0, train_set, train_set, 1)
    twin = bench.make_twin("cgan", trainer)
    noise = np.random.default_rng(0).standard_normal((4, trainer.config.latent_dim), dtype=np.float32)
    threes, sevens = np.full(4, 3), np.full(4, 7)
    assert not np.allclose(twin.sample(noise, threes), twin.sample(noise, sevens))
    trainer.set_training_mode(False)
    with no_grad():
        ours = trainer.generator.sample(Tensor(noise), sevens).numpy()
    np.testing.assert_allclose(twin.sample(noise, sevens), ours, rtol=1e-4, atol=1e-6)


def test_one_epoch_benchmark_writes_records_grids_and_tables(bench, tiny_mnist, tmp_path):
    markdown = tmp_path / "BENCHMARKS.md"
    markdown.write_text("# Benchmarks\n\nkept text\n")
    bench.main(["--dataset", "mnist", "--data-dir", str(tiny_mnist), "--seeds", "0", "--epochs", "1",
                "--classifier-epochs", "1", "--models", "classifier", "gan", "cgan", "--markdown", str(markdown),
                "--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path / "out")])
    runs = tmp_path / "out" / "runs"
    for kind in ("gan", "cgan"):
        for library in ("ours", "torch"):
            record = json.loads((runs / f"{kind}-{library}-seed0-e001.json").read_text())
            assert record["model"] == kind and record["library"] == library
            assert np.isfinite(record["fid"]) and record["fid_floor"] >= 0
            assert 1.0 <= record["inception_score"][0] <= 10.0
            assert ("label_accuracy" in record) == (kind == "cgan")
            assert (tmp_path / "out" / f"mnist-{kind}-{library}-seed0.png").read_bytes()[:4] == b"\x89PNG"
    cgan = json.loads((runs / "cgan-ours-seed0-e001.json").read_text())
    assert 0.0 <= cgan["label_accuracy"] <= 1.0 and cgan["classifier"] == "own"
    text = markdown.read_text()
    assert "kept text" in text and "<!-- quality:mnist:start -->" in text
    assert "**GAN**" in text and "**Conditional GAN**" in text and "label recognised ours" in text
    assert "Conditional GAN Inception Score of our samples >= 8" in text


def test_the_shipped_classifier_scores_by_default_and_older_tables_are_marked(bench, tiny_mnist, tmp_path, capsys):
    """Without --classifier-epochs the shipped classifier is recorded; tables of runs scored before it get a †."""
    out = tmp_path / "out"
    test_set = load_dataset("mnist", str(tiny_mnist), train=False, download=False, progress=False)
    _, record = bench.shipped_classifier(SimpleNamespace(dataset="mnist", out=str(out)), test_set)
    assert record["shipped"] == "nn_from_scratch/models/weights/classifier-mnist.npz"
    assert record["num_test_images"] == 200 and 0.9 < record["test_accuracy"] <= 1
    committed = REPO / "benchmarks" / "results" / "quality-mnist-10k" / "runs"
    for name in ("classifier-own.json", "gan-radford-ours-seed0-e020.json", "gan-radford-torch-seed0-e020.json"):
        (out / "runs" / name).write_text((committed / name).read_text())
    bench.report(SimpleNamespace(out=str(out), dataset="mnist", epochs=20, markdown=None, json=False))
    text = capsys.readouterr().out
    assert "**Feature classifier**: the evaluation classifier shipped with the package" in text
    assert "Tables marked † were not regenerated with it" in text and "98.90%" in text
    assert "**GAN (Radford et al.'s MNIST architecture: 1024-unit Linear layers, 5x5 kernels)** †" in text


@pytest.mark.parametrize("argv", [
    ["--dataset", "mnist", "--data-dir", "../shared/data/mnist-10k", "--epochs", "20",
     "--out", "benchmarks/results/quality-mnist-10k"],
    ["--dataset", "fashion-mnist", "--data-dir", "/usr/share/datasets/fashion-mnist", "--epochs", "10",
     "--out", "benchmarks/results/quality-fashion-mnist"],
])
def test_benchmarks_md_quality_tables_match_the_committed_runs(bench, tmp_path, monkeypatch, argv):
    """BENCHMARKS.md's quality tables are exactly what --report-only makes of benchmarks/results/*/runs/*.json."""
    monkeypatch.chdir(REPO)
    copy = tmp_path / "BENCHMARKS.md"
    copy.write_text((REPO / "BENCHMARKS.md").read_text())
    bench.main([*argv, "--seeds", "0", "1", "2", "--cache-dir", str(tmp_path / "cache"), "--report-only",
                "--markdown", str(copy)])
    assert copy.read_text() == (REPO / "BENCHMARKS.md").read_text(), (
        "BENCHMARKS.md and the per-run records disagree: rerun the benchmark's --report-only --markdown command")
