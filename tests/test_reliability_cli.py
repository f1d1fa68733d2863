"""Reliability of the command line: every bad input is one line naming the option, path or value and the fix,
with exit code 2 for a bad option and 1 for any other error, and no traceback unless --debug (issue 20,
classes 1 and 3 "on the command line", and the full disk of class 4).

Most cases call ``cli.main`` in this process (fast); a few run ``python -m nn_from_scratch`` for real, to
prove that no traceback escapes the real entry point.  The data are tiny random IDX files
(``tiny_mnist_dir`` in conftest.py), so every test runs everywhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nn_from_scratch import cli
from nn_from_scratch.training import load_checkpoint, save_checkpoint

REPO = Path(__file__).parents[1]
TINY = ["--limit", "64", "--batch-size", "32", "--epochs", "1"]


def run_main(argv, capsys) -> tuple:
    """(exit code, stderr) of ``cli.main(argv)``; argparse's exit counts as a return."""
    try:
        code = cli.main([str(word) for word in argv])
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().err


def assert_one_line_error(err: str, *parts: str) -> str:
    """The last line of stderr is the error; nothing before it looks like a traceback."""
    assert "Traceback" not in err, err
    line = err.strip().splitlines()[-1]
    for part in parts:
        assert part in line, (part, err)
    return line


def run_process(*args, env=None, timeout=120, **kwargs) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "nn_from_scratch", *map(str, args)], cwd=REPO, env=environment,
                          capture_output=True, text=True, timeout=timeout, **kwargs)


@pytest.fixture(scope="module")
def runs(tiny_mnist_dir, tmp_path_factory):
    """A trained tiny GAN and VAE run (one epoch of 64 images each)."""
    root = tmp_path_factory.mktemp("runs")
    for model in ("gan", "vae"):
        code = cli.main(["train", model, "--data-dir", str(tiny_mnist_dir), *TINY, "--latent-dim", "8",
                         "--out", str(root / model)])
        assert code == 0
    return root


def copy_run(runs, model, destination) -> Path:
    """A copy of a trained run's checkpoint in a new folder, to corrupt."""
    destination.mkdir()
    (destination / "checkpoint.npz").write_bytes((runs / model / "checkpoint.npz").read_bytes())
    return destination


def edit_checkpoint(path, change) -> None:
    state = load_checkpoint(path)
    change(state)
    save_checkpoint(path, state)


# --------------------------------------------------------------------------
# Options that cannot work: refused when parsed (exit 2, the option named)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("argv, message", [
    (["train", "gan", "--lr", "nan"], "argument --lr: expected a finite number > 0 (e.g. 2e-4), got nan"),
    (["train", "gan", "--lr", "inf"], "argument --lr: expected a finite number > 0 (e.g. 2e-4), got inf"),
    (["train", "vae", "--lr=-1e-3"], "argument --lr: expected a finite number > 0"),
    (["train", "vae", "--lr", "0"], "argument --lr: expected a finite number > 0"),
    (["train", "vae", "--lr", "fast"], "argument --lr: expected a number > 0 (e.g. 2e-4), got 'fast'"),
    (["train", "gan", "--seed", "-1"], "argument --seed: expected an integer >= 0, got -1"),
    (["sample", "RUN", "--seed", "-1"], "argument --seed: expected an integer >= 0, got -1"),
    (["interpolate", "RUN", "--seed", "-5"], "argument --seed: expected an integer >= 0, got -5"),
    (["evaluate", "RUN", "--seed", "-1"], "argument --seed: expected an integer >= 0, got -1"),
    (["train", "gan", "--seed", "1.5"], "argument --seed: expected an integer >= 0, got '1.5'"),
    (["train", "gan", "--epochs", "0"], "argument --epochs: expected a positive integer, got 0"),
    (["train", "gan", "--batch-size", "-3"], "argument --batch-size: expected a positive integer, got -3"),
    (["train", "gan", "--batch-size", "many"], "argument --batch-size: expected a positive integer, got 'many'"),
    (["train", "gan", "--limit", "0"], "argument --limit: expected a positive integer, got 0"),
    (["train", "gan", "--latent-dim", "0"], "argument --latent-dim: expected a positive integer, got 0"),
    (["train", "gan", "--discriminator-hidden", "-1"], "argument --discriminator-hidden: expected an integer >= 0"),
    (["train", "classifier", "--shift-augment", "-2"], "argument --shift-augment: expected an integer >= 0"),
    (["evaluate", "RUN", "--num-test", "0"], "argument --num-test: expected a positive integer, got 0"),
    (["sample", "RUN", "--n", "0"], "argument --n: expected a positive integer, got 0"),
    (["train", "gan", "--backend", "tpu"], "argument --backend: invalid choice: 'tpu'"),
])
def test_options_that_cannot_work_are_refused_when_parsed(argv, message, capsys):
    code, err = run_main(argv, capsys)
    assert code == 2
    assert_one_line_error(err, message)


def test_settings_that_cannot_work_with_the_data_are_usage_errors(tiny_mnist_dir, tmp_path, capsys):
    """--batch-size 9000 on 256 images used to train 0 steps per epoch and save NaN losses."""
    out = tmp_path / "run"
    code, err = run_main(["train", "gan", "--data-dir", tiny_mnist_dir, "--batch-size", 9000, "--out", out], capsys)
    assert code == 2
    assert_one_line_error(err, "train: error: --batch-size 9000 is larger than the training set (256 mnist "
                               "images)", "choose a --batch-size of at most 256")
    assert not out.exists()                                  # nothing written, not even the folder
    code, err = run_main(["train", "vae", "--data-dir", tiny_mnist_dir, "--limit", 16, "--batch-size", 32,
                          "--out", out], capsys)
    assert code == 2
    assert_one_line_error(err, "--limit 16 is smaller than one batch (--batch-size 32)")
    code, err = run_main(["train", "classifier", "--data-dir", tiny_mnist_dir, "--conditional", "--out", out],
                         capsys)
    assert code == 2
    assert_one_line_error(err, "--conditional applies to the gan and the vae only")


def test_evaluate_with_too_few_test_images(runs, capsys):
    """evaluate --num-test 1 used to crash with NumPy's 'need at least one array to concatenate'."""
    for count in (1, 3):
        code, err = run_main(["evaluate", runs / "gan", "--num-test", count], capsys)
        assert code == 2
        assert_one_line_error(err, f"--num-test {count}: FID needs at least 4 test images")


def test_reconstruct_and_label_values(runs, capsys):
    code, err = run_main(["reconstruct", runs / "vae", "--n", 12], capsys)
    assert code == 2
    assert_one_line_error(err, "--n must be a multiple of 8 (one row), got 12")
    code, err = run_main(["sample", runs / "gan", "--label", 3], capsys)
    assert code == 1
    assert_one_line_error(err, "this model is unconditional (trained without --conditional): it takes no --label")
    code, err = run_main(["reconstruct", runs / "gan"], capsys)
    assert code == 1
    assert_one_line_error(err, "reconstruct needs a vae run")


# --------------------------------------------------------------------------
# Paths: --out, output pictures, data files
# --------------------------------------------------------------------------


def test_out_that_is_an_existing_file(tiny_mnist_dir, tmp_path, capsys):
    out = tmp_path / "a-file"
    out.write_text("keep me")
    code, err = run_main(["train", "gan", "--data-dir", tiny_mnist_dir, *TINY, "--out", out], capsys)
    assert code == 1
    assert_one_line_error(err, f"--out {out}: cannot write the run folder there", "choose another --out")
    assert out.read_text() == "keep me"


def test_out_under_a_file(tiny_mnist_dir, tmp_path, capsys):
    (tmp_path / "a-file").write_text("")
    out = tmp_path / "a-file" / "run"
    code, err = run_main(["train", "gan", "--data-dir", tiny_mnist_dir, *TINY, "--out", out], capsys)
    assert code == 1
    assert_one_line_error(err, f"--out {out}: cannot write the run folder there (Not a directory)")


@pytest.fixture
def read_only_dir(tmp_path):
    """A folder nobody may write into: chmod for a normal user, a read-only tmpfs for root (who ignores chmod)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"root cannot mount a read-only tmpfs here: {mounted.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_out_in_an_unwritable_folder(tiny_mnist_dir, read_only_dir, capsys):
    for out in (read_only_dir / "run", read_only_dir / "deeper" / "run"):
        code, err = run_main(["train", "vae", "--data-dir", tiny_mnist_dir, *TINY, "--out", out], capsys)
        assert code == 1
        assert_one_line_error(err, f"--out {out}: cannot write the run folder there", "choose another --out")


def test_out_that_is_an_unwritable_folder(tiny_mnist_dir, read_only_dir, capsys):
    code, err = run_main(["train", "vae", "--data-dir", tiny_mnist_dir, *TINY, "--out", read_only_dir], capsys)
    assert code == 1
    assert_one_line_error(err, f"--out {read_only_dir}: cannot write the run folder there")


def test_sample_out_into_a_missing_folder_creates_it_and_a_folder_is_refused(runs, tmp_path, capsys):
    out = tmp_path / "new" / "folder" / "s.png"
    code, _ = run_main(["sample", runs / "gan", "--n", 4, "--out", out], capsys)
    assert code == 0 and out.read_bytes()[:4] == b"\x89PNG"
    code, err = run_main(["sample", runs / "gan", "--out", tmp_path], capsys)
    assert code == 2
    assert_one_line_error(err, f"--out {tmp_path} is a folder; give a file name")
    code, err = run_main(["interpolate", runs / "gan", "--out", tmp_path], capsys)
    assert code == 2


def test_sample_out_unwritable(runs, read_only_dir, capsys):
    out = read_only_dir / "s.png"
    code, err = run_main(["sample", runs / "gan", "--n", 4, "--out", out], capsys)
    assert code == 1
    line = assert_one_line_error(err, str(out))
    assert "Read-only file system" in line or "Permission denied" in line


def test_unreadable_data_file_names_it(tiny_mnist_dir, tmp_path, monkeypatch, capsys):
    """Root reads any file, so the refusal is injected where the file is opened; the real chmod case too
    when the tests do not run as root."""
    data = tmp_path / "data"
    data.mkdir()
    for file in tiny_mnist_dir.iterdir():
        (data / file.name).write_bytes(file.read_bytes())
    images = data / "train-images-idx3-ubyte.gz"
    if os.geteuid() == 0:
        from nn_from_scratch.data import idx

        def refuse(path, *args, **kwargs):
            if Path(path) == images:
                raise PermissionError(13, "Permission denied", str(path))
            return open(path, *args, **kwargs)

        monkeypatch.setattr(idx, "open", refuse, raising=False)
    else:
        images.chmod(0)
    code, err = run_main(["train", "gan", "--data-dir", data, *TINY, "--out", tmp_path / "run"], capsys)
    assert code == 1
    assert_one_line_error(err, f"{images}: cannot read it (Permission denied); check its permissions")


def test_a_corrupt_data_file_names_it(tiny_mnist_dir, tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    for file in tiny_mnist_dir.iterdir():
        (data / file.name).write_bytes(file.read_bytes())
    (data / "t10k-labels-idx1-ubyte.gz").write_bytes(b"<html>not found</html>")
    code, err = run_main(["train", "gan", "--data-dir", data, *TINY, "--out", tmp_path / "run"], capsys)
    assert code == 1
    assert_one_line_error(err, "t10k-labels-idx1-ubyte.gz: wrong magic number")


# --------------------------------------------------------------------------
# Checkpoints that are corrupt, mismatched or not files: through sample, --resume and evaluate
# --------------------------------------------------------------------------


def with_config(change):
    def edit(state):
        config = json.loads(state["config"])
        change(config)
        state["config"] = json.dumps(config)
    return edit


CORRUPTIONS = {
    "unknown config field": (with_config(lambda c: c.update(colour="blue")),
                             "its config has unknown settings ['colour']"),
    "config of another model kind": (with_config(lambda c: c.update(model="vae")),
                                     "has no weights for the vae of its vae run"),
    "config not JSON": (lambda s: s.update(config="{not json"), "its config is not JSON"),
    "config without a model": (with_config(lambda c: c.pop("model")), "its config does not say which model"),
    "invalid setting in the config": (with_config(lambda c: c.update(lr=-1)), "--lr must be a finite number > 0"),
    "missing weights": (lambda s: s["models"]["generator"].pop(next(iter(s["models"]["generator"]))),
                        "the saved generator does not fit the gan its config describes (error loading state_dict "
                        "into Generator: missing keys"),
    "mis-shaped weights": (lambda s: s["models"]["generator"].update(
        {key: np.zeros(3, np.float32) for key in list(s["models"]["generator"])[:1]}), "mis-shaped keys"),
    "NaN weights": (lambda s: s["models"]["generator"].update(
        {key: np.full_like(value, np.nan) for key, value in list(s["models"]["generator"].items())[:1]}),
        "non-finite value(s)"),
    "no models": (lambda s: s.pop("models"), "is not a training run's checkpoint: it has no models"),
}


RESUME_MESSAGES = {      # --resume checks the run's kind first, and loads the whole training state
    "config of another model kind": "holds a vae run, not a gan one",
    "missing weights": "does not hold a gan run like this one: error loading state_dict into Generator: missing keys",
    "mis-shaped weights": "does not hold a gan run like this one: error loading state_dict into Generator: "
                          "mis-shaped keys",
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_corrupt_or_mismatched_checkpoints_are_one_line_errors(corruption, runs, tiny_mnist_dir, tmp_path,
                                                               capsys):
    change, message = CORRUPTIONS[corruption]
    run = copy_run(runs, "gan", tmp_path / "run")
    edit_checkpoint(run / "checkpoint.npz", change)
    for argv in (["sample", run, "--n", 4], ["interpolate", run], ["evaluate", run, "--num-test", 8],
                 ["train", "gan", "--data-dir", tiny_mnist_dir, "--out", run, "--resume", "--epochs", 2]):
        code, err = run_main(argv, capsys)
        assert code == 1, (argv, err)
        expected = RESUME_MESSAGES.get(corruption, message) if argv[0] == "train" else message
        line = assert_one_line_error(err, expected)
        assert str(run) in line, line


def test_truncated_checkpoint_and_a_checkpoint_that_is_a_folder(runs, tiny_mnist_dir, tmp_path, capsys):
    run = copy_run(runs, "vae", tmp_path / "run")
    data = (run / "checkpoint.npz").read_bytes()
    (run / "checkpoint.npz").write_bytes(data[: len(data) // 3])
    for argv in (["sample", run], ["evaluate", run],
                 ["train", "vae", "--data-dir", tiny_mnist_dir, "--out", run, "--resume", "--epochs", 2]):
        code, err = run_main(argv, capsys)
        assert code == 1
        assert_one_line_error(err, "is not a readable checkpoint: it is truncated or corrupt")
    (run / "checkpoint.npz").unlink()
    (run / "checkpoint.npz").mkdir()
    for argv in (["sample", run], ["evaluate", run], ["train", "vae", "--data-dir", tiny_mnist_dir, *TINY,
                                                       "--out", run],
                 ["train", "vae", "--data-dir", tiny_mnist_dir, "--out", run, "--resume"]):
        code, err = run_main(argv, capsys)
        assert code == 1
        assert_one_line_error(err, f"{run / 'checkpoint.npz'} is a folder, not a checkpoint file")


def test_resume_into_a_run_of_another_model(runs, tiny_mnist_dir, tmp_path, capsys):
    run = copy_run(runs, "vae", tmp_path / "run")
    code, err = run_main(["train", "gan", "--data-dir", tiny_mnist_dir, "--out", run, "--resume"], capsys)
    assert code == 1
    assert_one_line_error(err, f"{run} holds a vae run, not a gan one")


# --------------------------------------------------------------------------
# Environment, tracebacks, unexpected errors
# --------------------------------------------------------------------------


def test_bad_backend_variable_is_one_line_from_the_real_entry_point(runs):
    for value in ("bogus", "cupy" if not _cupy_usable() else "tpu"):
        result = run_process("sample", runs / "gan", "--n", 4, env={"NN_FROM_SCRATCH_BACKEND": value})
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith(f"error: NN_FROM_SCRATCH_BACKEND={value!r}: ")
        assert "unset it or set it to numpy or cupy" in result.stderr


def _cupy_usable() -> bool:
    import nn_from_scratch as nf
    return nf.backend.cupy_is_available()


def test_the_traceback_only_with_debug(runs, tmp_path, capsys):
    missing = tmp_path / "nothing-here"
    result = run_process("sample", missing)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"{missing} does not exist: train a model there first" in result.stderr
    for extra, env in ((["--debug"], {}), ([], {"NN_FROM_SCRATCH_DEBUG": "1"})):
        result = run_process("sample", missing, *extra, env=env)
        assert result.returncode == 1 and "Traceback" in result.stderr and "CheckpointError" in result.stderr


def test_run_folders_that_are_files_empty_or_missing(runs, tmp_path, tiny_mnist_dir, capsys):
    (tmp_path / "a-file").write_text("")
    (tmp_path / "empty").mkdir()
    for argv, message in ((["sample", tmp_path / "a-file"], "a-file is a file, not a run folder"),
                          (["evaluate", tmp_path / "empty"], "empty holds no checkpoint.npz"),
                          (["interpolate", tmp_path / "missing"], "missing does not exist"),
                          (["evaluate", runs / "gan", "--classifier", tmp_path / "empty"], "holds no checkpoint"),
                          (["evaluate", runs / "gan", "--classifier", runs / "vae"],
                           "--classifier " + str(runs / "vae") + " holds a vae run, not a classifier")):
        code, err = run_main(argv, capsys)
        assert code == 1
        assert_one_line_error(err, message)
    code, err = run_main(["train", "gan", "--data-dir", tiny_mnist_dir, "--out", ""], capsys)
    assert code == 2
    assert_one_line_error(err, "--out is empty: give the run folder's path")


def test_too_many_images_for_the_memory_is_one_line(runs, capsys):
    code, err = run_main(["sample", runs / "gan", "--n", 10 ** 15], capsys)   # beyond any address space
    assert code == 1
    assert_one_line_error(err, "error: not enough memory (", "ask for fewer images (--n, --num-test)")


def test_an_unexpected_error_is_one_line_too(runs, monkeypatch, capsys):
    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(cli.COMMANDS, "sample", broken)
    code, err = run_main(["sample", runs / "gan"], capsys)
    assert code == 1
    assert_one_line_error(err, "error: ZeroDivisionError: division by zero (unexpected: add --debug")


# --------------------------------------------------------------------------
# A full disk: the message names the file, the previous checkpoint stays whole
# --------------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(folder: Path, size: str):
    """A tmpfs of ``size`` mounted at ``folder`` (root only; skipped where mounting is not allowed)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def fill(folder: Path, leave_bytes: int) -> None:
    """Fill the file system of ``folder`` up to ``leave_bytes`` free bytes."""
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with open(folder / "filler", "wb") as file:
        with contextlib.suppress(OSError):
            file.write(b"\0" * max(0, free - leave_bytes))


def test_full_disk_on_a_fresh_run_and_on_a_later_epoch(tiny_mnist_dir, tmp_path):
    common = ["--data-dir", tiny_mnist_dir, "--limit", 64, "--batch-size", 32, "--latent-dim", 8]
    with small_disk(tmp_path / "disk", "16m") as disk:
        fill(disk, 200_000)
        out = disk / "fresh"
        result = run_process("train", "gan", *common, "--epochs", 1, "--out", out)
        assert result.returncode == 1
        line = assert_one_line_error(result.stderr, "No space left on device (the disk is full: free some space)",
                                     "nothing was saved (no checkpoint yet); start again with:")
        assert str(out) in line.split(":")[1] or str(out) in line
        assert not (out / "checkpoint.npz").exists()
        assert not [p for p in out.glob(".tmp-*")] if out.exists() else True
        (disk / "filler").unlink()

        out = disk / "later"
        assert run_process("train", "gan", *common, "--epochs", 1, "--out", out).returncode == 0
        before = (out / "checkpoint.npz").read_bytes()
        fill(disk, 20_000)
        result = run_process("train", "gan", *common, "--epochs", 2, "--out", out, "--resume")
        assert result.returncode == 1
        assert_one_line_error(result.stderr, "No space left on device",
                              f"{out / 'checkpoint.npz'} holds the run at the end of epoch 1; resume with:")
        assert (out / "checkpoint.npz").read_bytes() == before
        assert load_checkpoint(out / "checkpoint.npz")["epoch"] == 1
        assert not list(out.glob(".tmp-*"))

        result = run_process("sample", out, "--out", out / "s.png")
        assert result.returncode == 1
        assert_one_line_error(result.stderr, f"{out / 's.png'}: No space left on device")
        assert not (out / "s.png").exists()
        (disk / "filler").unlink()
        result = run_process("train", "gan", *common, "--epochs", 2, "--out", out, "--resume")
        assert result.returncode == 0, result.stderr


def test_file_size_limit_gives_a_one_line_error_and_keeps_the_checkpoint(tiny_mnist_dir, tmp_path):
    """Without root: RLIMIT_FSIZE makes every large write fail (EFBIG), like a full disk does."""
    import resource
    import signal as signals
    common = ["--data-dir", tiny_mnist_dir, "--limit", 64, "--batch-size", 32, "--latent-dim", 8, "--out",
              tmp_path / "run"]
    assert run_process("train", "gan", *common, "--epochs", 1).returncode == 0
    before = (tmp_path / "run" / "checkpoint.npz").read_bytes()

    def limit_file_size():
        signals.signal(signals.SIGXFSZ, signals.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    result = run_process("train", "gan", *common, "--epochs", 2, "--resume", preexec_fn=limit_file_size)
    assert result.returncode == 1
    assert_one_line_error(result.stderr, "File too large", "holds the run at the end of epoch 1; resume with:")
    assert (tmp_path / "run" / "checkpoint.npz").read_bytes() == before
    assert not list((tmp_path / "run").glob(".tmp-*"))


def test_a_failed_save_in_process_keeps_the_previous_checkpoint(tiny_mnist_dir, tmp_path, monkeypatch, capsys):
    """The same guarantee by fault injection, for machines where neither tmpfs nor rlimits are available."""
    out = tmp_path / "run"
    common = ["train", "vae", "--data-dir", tiny_mnist_dir, "--limit", 64, "--batch-size", 32, "--latent-dim", 4,
              "--out", out]
    assert run_main([*common, "--epochs", 1], capsys)[0] == 0
    before = (out / "checkpoint.npz").read_bytes()
    real_savez = np.savez

    def savez_on_a_full_disk(file, **arrays):
        real_savez(file, **{name: arrays[name] for name in list(arrays)[:2]})
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", savez_on_a_full_disk)
    code, err = run_main([*common, "--epochs", 2, "--resume"], capsys)
    assert code == 1
    assert_one_line_error(err, f"{out / 'checkpoint.npz'}: No space left on device (the disk is full",
                          "holds the run at the end of epoch 1; resume with: python -m nn_from_scratch train vae")
    assert (out / "checkpoint.npz").read_bytes() == before and not list(out.glob(".tmp-*"))
