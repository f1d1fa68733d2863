"""Tests of nn_from_scratch.training and the command line, on tiny runs over MNIST-10k.

The runs use a few hundred images of ``../shared/data/mnist-10k`` and one or
two epochs, so each takes a second or two.  Exact resume is checked bit for
bit: every array of the final checkpoint (weights, BatchNorm statistics,
Adam moments, RNG and loader states, per-step losses) must be identical.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nn_from_scratch import cli
from nn_from_scratch.training import (
    CheckpointError,
    TrainConfig,
    TrainingInterrupted,
    load_checkpoint,
    make_trainer,
    save_checkpoint,
)
from nn_from_scratch.training.checkpoint import flatten_state

REPO = Path(__file__).parents[1]
MNIST_10K = REPO.parent / "shared/data/mnist-10k"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.skipif(not MNIST_10K.is_dir(), reason=f"shared data folder {MNIST_10K} is absent")


def tiny_config(model: str, out, epochs: int = 1, **settings) -> TrainConfig:
    settings = {"limit": 128, "batch_size": 32, **settings}
    return TrainConfig(model, data_dir=str(MNIST_10K), epochs=epochs, out=str(out), **settings)


def run_cli(*args, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m nn_from_scratch ARGS`` in a subprocess, from the repository root."""
    return subprocess.run([sys.executable, "-m", "nn_from_scratch", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def final_state(run_dir) -> dict:
    """The flat arrays of a run's checkpoint, without what legitimately differs (folder, wall-clock time)."""
    arrays, _ = flatten_state(load_checkpoint(Path(run_dir) / "checkpoint.npz"))
    records = json.loads(str(arrays.pop("epoch_records")))
    for record in records:
        record.pop("seconds")
    config = json.loads(str(arrays.pop("config")))
    config.pop("out")
    arrays["epoch_records"] = np.asarray(json.dumps(records))
    arrays["config"] = np.asarray(json.dumps(config))
    return arrays


def assert_identical_states(expected_dir, actual_dir) -> None:
    expected, actual = final_state(expected_dir), final_state(actual_dir)
    assert expected.keys() == actual.keys()
    different = [key for key in expected if expected[key].dtype != actual[key].dtype
                 or not np.array_equal(expected[key], actual[key])]
    assert different == [], f"differ after resume: {different}"


def adam_steps(optimizer) -> set:
    """The distinct step counts of an optimizer's parameters ("state.i.step" in its state dict)."""
    return {int(value) for key, value in optimizer.state_dict().items() if key.endswith(".step")}


def is_png(path) -> bool:
    return Path(path).read_bytes()[:8] == PNG_SIGNATURE


# --------------------------------------------------------------------------
# Training runs
# --------------------------------------------------------------------------


def test_vae_training_lowers_the_loss(tmp_path):
    trainer = make_trainer(tiny_config("vae", tmp_path / "vae", epochs=2, limit=256))
    records = trainer.fit()
    assert records[1]["train_loss"] < records[0]["train_loss"]
    assert records[1]["test_loss"] < records[0]["test_loss"]
    assert trainer.history["loss"][-1] < trainer.history["loss"][0] - 50     # ~550 nats at the start
    for name in ("samples_epoch001.png", "samples_epoch002.png", "losses.png"):
        assert is_png(tmp_path / "vae" / name)
    lines = (tmp_path / "vae" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2]


@pytest.fixture(scope="module")
def gan_two_epochs(tmp_path_factory):
    """An uninterrupted 2-epoch conditional GAN run: the reference for the resume tests."""
    out = tmp_path_factory.mktemp("gan") / "reference"
    records = make_trainer(tiny_config("gan", out, epochs=2, conditional=True)).fit()
    return out, records


def test_gan_training_runs(gan_two_epochs):
    out, records = gan_two_epochs
    for record in records:
        assert all(np.isfinite(value) for value in record.values())
        assert 0 < record["train_d_real"] < 1 and 0 < record["train_d_fake"] < 1
    assert is_png(out / "samples_epoch002.png") and is_png(out / "losses.png")
    import matplotlib.image
    assert matplotlib.image.imread(out / "samples_epoch002.png").ndim == 3


def test_resume_at_an_epoch_boundary_is_exact(gan_two_epochs, tmp_path):
    reference, _ = gan_two_epochs
    make_trainer(tiny_config("gan", tmp_path, epochs=1, conditional=True)).fit()
    resumed = make_trainer(tiny_config("gan", tmp_path, epochs=2, conditional=True))
    resumed.resume()
    assert resumed.epoch == 1
    resumed.fit()
    assert_identical_states(reference, tmp_path)


def test_ctrl_c_mid_epoch_saves_the_step_and_resumes_exactly(gan_two_epochs, tmp_path):
    """A real SIGINT after step 6 (2 of epoch 2): checkpoint of that step, then an exact resume."""
    reference, _ = gan_two_epochs
    trainer = make_trainer(tiny_config("gan", tmp_path, epochs=2, conditional=True))
    real_step, steps = trainer.train_step, []

    def step_then_press_ctrl_c(images, labels):
        losses = real_step(images, labels)
        steps.append(1)
        if len(steps) == 6:
            signal.raise_signal(signal.SIGINT)
        return losses

    trainer.train_step = step_then_press_ctrl_c
    with pytest.raises(TrainingInterrupted, match="step 2 of epoch 2"):
        trainer.fit()
    assert len(steps) == 6                                   # it stopped right after the step

    resumed = make_trainer(tiny_config("gan", tmp_path, epochs=2, conditional=True))
    resumed.resume()
    assert (resumed.epoch, resumed.step_in_epoch) == (1, 2)
    resumed.fit()
    assert_identical_states(reference, tmp_path)
    assert len((tmp_path / "metrics.jsonl").read_text().splitlines()) == 2


# --------------------------------------------------------------------------
# Checkpoint files
# --------------------------------------------------------------------------


def test_checkpoint_round_trip(tmp_path):
    state = {"epoch": 3, "lr": 0.5, "name": "gan", "flag": True, "empty": {},
             "models": {"g": {"layer.weight": np.arange(6, dtype=np.float32).reshape(2, 3),
                              "bn.num_batches_tracked": np.asarray(7)}}}
    save_checkpoint(tmp_path / "c.npz", state)
    loaded = load_checkpoint(tmp_path / "c.npz")
    assert loaded["epoch"] == 3 and type(loaded["epoch"]) is int
    assert loaded["lr"] == 0.5 and loaded["name"] == "gan" and loaded["flag"] is True and loaded["empty"] == {}
    weight = loaded["models"]["g"]["layer.weight"]
    assert weight.dtype == np.float32 and np.array_equal(weight, state["models"]["g"]["layer.weight"])
    assert isinstance(loaded["models"]["g"]["bn.num_batches_tracked"], np.ndarray)
    assert [p.name for p in tmp_path.iterdir()] == ["c.npz"]          # no temporary file left behind


def test_checkpoint_refuses_objects(tmp_path):
    with pytest.raises(TypeError, match="without pickle"):
        save_checkpoint(tmp_path / "c.npz", {"values": [1, 2]})


def test_truncated_checkpoint_gives_a_clear_error(tmp_path):
    save_checkpoint(tmp_path / "c.npz", {"weights": np.ones(10000, dtype=np.float32)})
    data = (tmp_path / "c.npz").read_bytes()
    (tmp_path / "c.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_checkpoint(tmp_path / "c.npz")
    (tmp_path / "c.npz").write_bytes(b"not a zip file at all")
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_checkpoint(tmp_path / "c.npz")
    with pytest.raises(CheckpointError, match="no checkpoint"):
        load_checkpoint(tmp_path / "missing.npz")


def test_corrupt_member_is_detected(tmp_path):
    """Flipping bytes inside an array fails zipfile's CRC check instead of loading garbage."""
    save_checkpoint(tmp_path / "c.npz", {"weights": np.zeros(1000, dtype=np.float32)})
    data = bytearray((tmp_path / "c.npz").read_bytes())
    with zipfile.ZipFile(tmp_path / "c.npz") as archive:
        info = archive.getinfo("weights.npy")
    middle = info.header_offset + 30 + len(info.filename) + info.file_size // 2
    data[middle:middle + 4] = b"\xff\xff\xff\xff"
    (tmp_path / "c.npz").write_bytes(bytes(data))
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "c.npz")


def test_checkpoints_are_read_without_pickle(tmp_path):
    """An .npz holding a pickled object array is refused (np.load(..., allow_pickle=False))."""
    np.savez(tmp_path / "evil.npz", payload=np.array([{"a": 1}], dtype=object),
             __format_version__=np.asarray(1), __layout__=np.asarray('{"python_scalars": [], "empty_dicts": []}'))
    with pytest.raises(CheckpointError, match="allow_pickle"):
        load_checkpoint(tmp_path / "evil.npz")


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    """A VAE trained for 1 epoch then resumed to 2, and a conditional GAN, through the command line."""
    root = tmp_path_factory.mktemp("cli")
    common = ["--data-dir", MNIST_10K, "--limit", 128, "--batch-size", 32]
    first = run_cli("train", "vae", *common, "--epochs", 1, "--out", root / "vae")
    resumed = run_cli("train", "vae", *common, "--epochs", 2, "--out", root / "vae", "--resume")
    gan = run_cli("train", "gan", *common, "--epochs", 1, "--conditional", "--latent-dim", 16,
                  "--out", root / "cgan")
    return root, first, resumed, gan


def test_cli_train_and_resume(cli_runs):
    root, first, resumed, gan = cli_runs
    for result in (first, resumed, gan):
        assert result.returncode == 0, result.stderr
    assert "resuming" in resumed.stderr and "epoch 2" in resumed.stdout + resumed.stderr
    assert load_checkpoint(root / "vae" / "checkpoint.npz")["epoch"] == 2
    assert is_png(root / "vae" / "samples_epoch002.png") and is_png(root / "cgan" / "samples_epoch001.png")


def test_cli_sample_interpolate_reconstruct(cli_runs):
    root = cli_runs[0]
    commands = [
        ("sample", root / "cgan", "--label", 3, "--n", 16, "--out", root / "threes.png"),
        ("interpolate", root / "vae", "--rows", 2, "--steps", 5),
        ("reconstruct", root / "vae", "--n", 16),
    ]
    for command in commands:
        result = run_cli(*command)
        assert result.returncode == 0, result.stderr
    for path in (root / "threes.png", root / "vae" / "interpolation.png", root / "vae" / "reconstruction.png"):
        assert is_png(path)


def test_cli_evaluate(cli_runs):
    root = cli_runs[0]
    result = run_cli("evaluate", root / "vae", "--num-test", 128, "--iwae-images", 16, "--iwae-k", 10)
    assert result.returncode == 0, result.stderr
    assert "training one" not in result.stderr                     # the shipped classifier
    vae = json.loads((root / "vae" / "evaluation.json").read_text())
    for name in ("fid", "fid_floor", "inception_score", "negative_elbo", "iwae_nll", "reconstruction_bce"):
        assert np.isfinite(vae[name]), name
    assert vae["classifier"] == "shipped mnist classifier"
    assert "iwae_nll" in result.stdout

    result = run_cli("evaluate", root / "cgan", "--num-test", 128, "--own-classifier")
    assert result.returncode == 0, result.stderr
    assert "training one in" in result.stderr                      # trained once, on the run's data
    gan = json.loads((root / "cgan" / "evaluation.json").read_text())
    assert 0 <= gan["label_accuracy"] <= 1 and gan["fid"] >= 0

    result = run_cli("evaluate", root / "classifier-mnist-limit128", "--num-test", 128)
    assert result.returncode == 0, result.stderr
    assert "test_accuracy" in result.stdout


def test_cli_errors_are_one_line_messages(cli_runs, capsys):
    root = cli_runs[0]
    cases = [
        (["train", "vae", "--out", str(root / "vae"), "--data-dir", str(MNIST_10K)], "already holds a run"),
        (["train", "vae", "--out", str(root / "nothing"), "--resume"], "nothing to resume"),
        (["train", "vae", "--out", str(root / "vae"), "--resume", "--latent-dim", "5"], "cannot resume"),
        (["train", "gan", "--out", str(root / "vae"), "--resume"], "holds a vae run"),
        (["reconstruct", str(root / "cgan")], "needs a vae run"),
        (["sample", str(root / "vae"), "--label", "3"], "unconditional"),
        (["sample", str(root / "empty")], "does not exist: train a model there first"),
    ]
    for argv, message in cases:
        assert cli.main(argv) == 1, argv
        assert message in capsys.readouterr().err, argv


@pytest.mark.parametrize("command", ["", "train", "sample", "interpolate", "reconstruct", "evaluate"])
def test_cli_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"] if command else ["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "usage: python -m nn_from_scratch" in text and len(text) > 300


def test_cli_ctrl_c_exits_130_with_a_checkpoint(tmp_path):
    """SIGINT to a real training process: exit code 130, a loadable checkpoint, a resume hint."""
    out = tmp_path / "run"
    process = subprocess.Popen(
        [sys.executable, "-m", "nn_from_scratch", "train", "vae", "--data-dir", str(MNIST_10K), "--limit", "64",
         "--batch-size", "16", "--epochs", "1000", "--out", str(out)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out / "samples_epoch001.png").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "resume with: python -m nn_from_scratch train vae" in stderr
    assert load_checkpoint(out / "checkpoint.npz")["epoch"] >= 1


def test_cli_no_fallback_from_an_explicit_data_dir(tmp_path):
    """An explicit --data-dir is the only folder searched, so an empty one means "no MNIST here": an error."""
    empty = tmp_path / "no-mnist-here"
    empty.mkdir()
    result = run_cli("train", "gan", "--dataset", "mnist", "--data-dir", empty, "--no-download", "--limit", 64,
                     "--batch-size", 32, "--epochs", 1, "--latent-dim", 8, "--out", tmp_path / "run")
    assert result.returncode == 1
    assert "MNIST training files" in result.stderr and "note: MNIST is not on this machine" not in result.stderr
    assert not (tmp_path / "run").exists()


def test_classifier_shift_augmentation_resumes_exactly(tmp_path):
    """The shifts come from the trainer's seeded generator, saved in the checkpoint."""
    make_trainer(tiny_config("classifier", tmp_path / "reference", epochs=2)).fit()
    make_trainer(tiny_config("classifier", tmp_path / "resumed", epochs=1)).fit()
    resumed = make_trainer(tiny_config("classifier", tmp_path / "resumed", epochs=2))
    resumed.resume()
    resumed.fit()
    assert_identical_states(tmp_path / "reference", tmp_path / "resumed")
    assert resumed.config.shift_augment == 2                       # the classifier's default


def test_shift_augment_is_for_the_classifier_only(tmp_path):
    with pytest.raises(ValueError, match="applies to the classifier only"):
        TrainConfig("gan", shift_augment=2)
    with pytest.raises(ValueError, match="between 0 and 13 pixels"):
        TrainConfig("classifier", shift_augment=-1)
    assert TrainConfig("vae").shift_augment == 0


def test_upsample_generator_trains_resumes_and_samples(tmp_path):
    """``train gan --generator upsample``: recorded in the checkpoint, kept on --resume, used by sample."""
    out = tmp_path / "gan-up"
    common = ["--data-dir", MNIST_10K, "--limit", 32, "--batch-size", 32, "--out", out]
    assert run_cli("train", "gan", "--generator", "upsample", "--epochs", 1, *common, timeout=300).returncode == 0
    state = load_checkpoint(out / "checkpoint.npz")
    assert TrainConfig.from_json(state["config"]).generator == "upsample"
    assert state["models"]["generator"]["project.0.weight"].shape == (256 * 7 * 7, 100)
    result = run_cli("train", "gan", "--generator", "dcgan", "--epochs", 2, "--resume", *common)
    assert result.returncode != 0 and "--generator 'upsample' (asked 'dcgan')" in result.stderr
    assert run_cli("sample", out, "--n", 4, "--out", tmp_path / "s.png").returncode == 0
    assert is_png(tmp_path / "s.png")


def test_generator_steps_update_g_k_times_per_batch_and_resume_exactly(tmp_path):
    """``generator_steps=3``: three G updates (each on fresh noise) per D update, kept bit for bit by --resume."""
    reference = make_trainer(tiny_config("gan", tmp_path / "reference", epochs=2, generator_steps=3))
    reference.fit()
    steps_per_epoch = 128 // 32
    assert adam_steps(reference.optimizers["generator"]) == {3 * 2 * steps_per_epoch}
    assert adam_steps(reference.optimizers["discriminator"]) == {2 * steps_per_epoch}
    make_trainer(tiny_config("gan", tmp_path / "resumed", epochs=1, generator_steps=3)).fit()
    resumed = make_trainer(tiny_config("gan", tmp_path / "resumed", epochs=2, generator_steps=3))
    resumed.resume()
    resumed.fit()
    assert_identical_states(tmp_path / "reference", tmp_path / "resumed")


def test_generator_steps_differ_from_one_step(tmp_path):
    """The extra updates change the generator (they are not a no-op), from the same seed and data."""
    one = make_trainer(tiny_config("gan", tmp_path / "one", limit=64, generator_steps=1))
    two = make_trainer(tiny_config("gan", tmp_path / "two", limit=64, generator_steps=2))
    one.fit()
    two.fit()
    weight = "project.0.weight"
    assert not np.array_equal(one.generator.state_dict()[weight], two.generator.state_dict()[weight])


def test_cli_generator_steps_recorded_and_kept_on_resume(tmp_path):
    out = tmp_path / "gan-g2"
    common = ["--data-dir", MNIST_10K, "--limit", 32, "--batch-size", 32, "--out", out]
    assert run_cli("train", "gan", "--generator-steps", 2, "--epochs", 1, *common).returncode == 0
    assert TrainConfig.from_json(load_checkpoint(out / "checkpoint.npz")["config"]).generator_steps == 2
    result = run_cli("train", "gan", "--generator-steps", 1, "--epochs", 2, "--resume", *common)
    assert result.returncode != 0 and "--generator-steps 2 (asked 1)" in result.stderr
    result = run_cli("train", "gan", "--generator-steps", 0, *common)
    assert result.returncode == 2 and "expected a positive integer, got 0" in result.stderr


def test_cli_discriminator_kernel_recorded_kept_on_resume_and_used_by_sample(tmp_path):
    out = tmp_path / "gan-d5"
    common = ["--data-dir", MNIST_10K, "--limit", 32, "--batch-size", 32, "--out", out]
    assert run_cli("train", "gan", "--discriminator-kernel", 5, "--epochs", 1, *common).returncode == 0
    state = load_checkpoint(out / "checkpoint.npz")
    assert TrainConfig.from_json(state["config"]).discriminator_kernel == 5
    assert state["models"]["discriminator"]["features.0.weight"].shape == (64, 1, 5, 5)
    result = run_cli("train", "gan", "--discriminator-kernel", 4, "--epochs", 2, "--resume", *common)
    assert result.returncode != 0 and "--discriminator-kernel 5 (asked 4)" in result.stderr
    assert run_cli("train", "gan", "--epochs", 2, "--resume", *common).returncode == 0     # kept when not given
    assert run_cli("sample", out, "--n", 4, "--out", tmp_path / "s.png").returncode == 0    # D rebuilt 5x5 to load
    result = run_cli("train", "gan", "--discriminator-kernel", 3, *common)
    assert result.returncode == 2 and "invalid choice: 3 (choose from 4, 5)" in result.stderr


def test_cli_radford_architecture_recorded_kept_on_resume_and_used_by_sample(tmp_path):
    """--generator radford --discriminator-hidden 1024: both in the checkpoint, kept on resume, rebuilt by sample."""
    out = tmp_path / "gan-radford"
    common = ["--data-dir", MNIST_10K, "--limit", 32, "--batch-size", 32, "--out", out]
    assert run_cli("train", "gan", "--generator", "radford", "--discriminator-hidden", 1024, "--epochs", 1,
                   *common).returncode == 0
    state = load_checkpoint(out / "checkpoint.npz")
    config = TrainConfig.from_json(state["config"])
    assert (config.generator, config.discriminator_hidden) == ("radford", 1024)
    assert state["models"]["generator"]["project.0.weight"].shape == (1024, 100)
    assert state["models"]["discriminator"]["hidden.0.weight"].shape == (1024, 128 * 7 * 7)
    result = run_cli("train", "gan", "--discriminator-hidden", 0, "--epochs", 2, "--resume", *common)
    assert result.returncode != 0 and "--discriminator-hidden 1024 (asked 0)" in result.stderr
    assert run_cli("sample", out, "--n", 4, "--out", tmp_path / "s.png").returncode == 0


@pytest.mark.parametrize("name, flag, gan_value, bad_value, bad_message, default", [
    ("generator", "--generator", "upsample", "unet", "unknown --generator 'unet'", "dcgan"),
    ("generator_steps", "--generator-steps", 2, 0, "--generator-steps must be an integer >= 1, got 0", 1),
    ("discriminator_kernel", "--discriminator-kernel", 5, 3, "--discriminator-kernel must be one of 4, 5, got 3", 4),
    ("discriminator_hidden", "--discriminator-hidden", 1024, -1,
     r"--discriminator-hidden must be an integer >= 0 \(0: no hidden layer\), got -1", 0),
])
def test_gan_options_are_checked_and_old_checkpoints_get_the_default(name, flag, gan_value, bad_value, bad_message,
                                                                      default):
    with pytest.raises(ValueError, match=f"{flag} applies to the gan only"):
        TrainConfig("vae", **{name: gan_value})
    with pytest.raises(ValueError, match=bad_message):
        TrainConfig("gan", **{name: bad_value})
    assert getattr(TrainConfig("gan"), name) == default
    old = json.loads(TrainConfig("gan").to_json())
    del old[name]                                       # a checkpoint written before the option existed
    assert getattr(TrainConfig.from_json(json.dumps(old)), name) == default
