"""Reliability under interruptions and faults, with real ``python -m nn_from_scratch train`` processes:
Ctrl-C, SIGTERM, a double Ctrl-C, kill -9, two runs into one folder, non-finite training, an interrupted
evaluation classifier (issue 20, classes 1, 3 "interruptions" and 4).

Every scenario ends with the command the program printed, and its result must be bit for bit the
result of an uninterrupted run (weights, optimizer moments, RNG and loader states, per-step losses,
metrics).  Runs are tiny (random 28x28 images, a few steps per epoch) to keep each under seconds.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from test_train_cli import assert_identical_states

from nn_from_scratch import cli
from nn_from_scratch.training import load_checkpoint

REPO = Path(__file__).parents[1]


def train_args(data_dir, out, epochs=3, model="gan", batch=32) -> list:
    return ["train", model, "--data-dir", str(data_dir), "--limit", "256", "--batch-size", str(batch),
            "--latent-dim", "8", "--epochs", str(epochs), "--out", str(out)]


def environment() -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def start(args) -> subprocess.Popen:
    """The command as a process; unbuffered, so that its lines (stdout's epoch lines too) arrive as printed."""
    return subprocess.Popen([sys.executable, "-m", "nn_from_scratch", *map(str, args)], cwd=REPO,
                            env={**environment(), "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def run(args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nn_from_scratch", *map(str, args)], cwd=REPO,
                          env=environment(), capture_output=True, text=True, timeout=timeout)


def wait_for_line(process, text: str, timeout: float = 120, stream: str = "stderr") -> list:
    """Read the process's ``stream`` until a line containing ``text``; return the lines read.

    The tests signal a process when it prints a given line, not after a delay: a delay that is
    mid-run on one machine is after the end on a faster one.
    """
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = getattr(process, stream).readline()
        if not line:
            break
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"no line with {text!r} in {lines}")


def finish(process, timeout: float = 120) -> tuple:
    stdout, stderr = process.communicate(timeout=timeout)
    return process.returncode, stderr


def run_printed_command(stderr: str, prefix: str) -> subprocess.CompletedProcess:
    """Run the command the program printed after ``prefix`` (as a user would paste it)."""
    line = next(line for line in stderr.splitlines() if prefix in line)
    words = shlex.split(line.split(prefix, 1)[1])
    assert words[:3] == ["python", "-m", "nn_from_scratch"], words
    return run(words[3:])


@pytest.fixture(scope="module")
def reference(tiny_mnist_dir, tmp_path_factory):
    """Uninterrupted 3-epoch runs (8 steps per epoch): what every interrupted run must end up equal to."""
    root = tmp_path_factory.mktemp("reference")
    for model in ("gan", "vae"):
        result = run(train_args(tiny_mnist_dir, root / model, model=model))
        assert result.returncode == 0, result.stderr
    return root


@pytest.mark.parametrize("model, signal_number, exit_code, when", [
    ("gan", signal.SIGINT, 130, ("stderr", "steps per epoch")),   # in the first steps, before any checkpoint
    ("gan", signal.SIGTERM, 143, ("stdout", "epoch 1:")),          # later: in epoch 2, after a checkpoint
    ("vae", signal.SIGTERM, 143, ("stderr", "steps per epoch")),
    ("vae", signal.SIGINT, 130, ("stdout", "epoch 1:")),
])
def test_a_signal_mid_run_saves_and_the_printed_resume_is_bit_identical(reference, tiny_mnist_dir, tmp_path,
                                                                       model, signal_number, exit_code, when):
    out = tmp_path / "run"
    process = start(train_args(tiny_mnist_dir, out, model=model))
    stream, line = when
    wait_for_line(process, line, stream=stream)
    process.send_signal(signal_number)
    code, stderr = finish(process)
    assert code == exit_code, stderr
    name = "Ctrl-C" if signal_number == signal.SIGINT else "SIGTERM"
    assert f"{name}: stopping after the current step and saving a checkpoint" in stderr
    assert f"training interrupted ({name}) after" in stderr and "Traceback" not in stderr
    saved = load_checkpoint(out / "checkpoint.npz")
    assert (saved["epoch"], saved["step_in_epoch"]) != (3, 0)
    resumed = run_printed_command(stderr, "resume with: ")
    assert resumed.returncode == 0, resumed.stderr
    assert_identical_states(reference / model, out)
    assert [json.loads(line)["epoch"] for line in (out / "metrics.jsonl").read_text().splitlines()] == [1, 2, 3]


def test_double_ctrl_c_before_the_first_checkpoint_says_nothing_was_saved(reference, tiny_mnist_dir, tmp_path):
    """It used to print a --resume command that then failed with 'nothing to resume'."""
    out = tmp_path / "run"
    process = start(train_args(tiny_mnist_dir, out, batch=256, epochs=3) + ["--limit", "256"])
    wait_for_line(process, "steps per epoch")
    process.send_signal(signal.SIGINT)
    wait_for_line(process, "press Ctrl-C again to abort without saving")
    process.send_signal(signal.SIGINT)
    code, stderr = finish(process)
    assert code == 130, stderr
    assert "aborted; nothing was saved (no checkpoint yet); start again with: python -m nn_from_scratch train gan" \
        in stderr
    assert "--resume" not in stderr and "Traceback" not in stderr
    assert not (out / "checkpoint.npz").exists()
    again = run_printed_command(stderr, "start again with: ")
    assert again.returncode == 0, again.stderr


def test_double_ctrl_c_after_a_checkpoint_resumes_from_it(reference, tiny_mnist_dir, tmp_path):
    out = tmp_path / "run"
    process = start(train_args(tiny_mnist_dir, out))
    deadline = time.monotonic() + 120
    while not (out / "checkpoint.npz").exists() and time.monotonic() < deadline:   # epoch 1 is saved
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    wait_for_line(process, "press Ctrl-C again")
    process.send_signal(signal.SIGINT)
    code, stderr = finish(process)
    assert code == 130 and "Traceback" not in stderr, stderr
    if "aborted;" in stderr:
        assert "checkpoint.npz holds the run at" in stderr
    resumed = run_printed_command(stderr, "resume with: ")
    assert resumed.returncode == 0, resumed.stderr
    assert_identical_states(reference / "gan", out)


def test_kill_9_leaves_temporary_files_that_the_next_start_removes(reference, tiny_mnist_dir, tmp_path):
    out = tmp_path / "run"
    process = start(train_args(tiny_mnist_dir, out))
    deadline, caught = time.monotonic() + 120, []
    while time.monotonic() < deadline and process.poll() is None:       # kill -9 while a file is being written
        caught = list(out.glob(".tmp-*")) if out.is_dir() else []
        if caught and (out / "checkpoint.npz").exists():
            process.kill()
            break
        time.sleep(0.0005)
    process.communicate(timeout=60)
    for index in range(3):                                      # and some from earlier killed writes
        (out / f".tmp-killed{index}.npz").write_bytes(b"PK\x03\x04 half an archive")
    stale = list(out.glob(".tmp-*"))
    assert len(stale) >= 3
    resumed = run(train_args(tiny_mnist_dir, out) + ["--resume"])
    assert resumed.returncode == 0, resumed.stderr
    assert f"note: removed {len(stale)} temporary file(s) that a killed save left" in resumed.stderr
    assert not list(out.glob(".tmp-*"))
    assert_identical_states(reference / "gan", out)


def test_two_runs_into_one_folder_the_second_is_refused(reference, tiny_mnist_dir, tmp_path):
    """Both used to exit 0, and metrics.jsonl had the epochs [1, 1, 2, 2, 3, 3]."""
    out = tmp_path / "run"
    first = start(train_args(tiny_mnist_dir, out))
    wait_for_line(first, "steps per epoch")
    for args in (train_args(tiny_mnist_dir, out), train_args(tiny_mnist_dir, out) + ["--resume"]):
        second = run(args)
        assert second.returncode == 1
        assert second.stderr.strip() == (f"error: {out} is being written by another run (process {first.pid}); "
                                         f"wait for it to end or stop it (kill {first.pid}), or choose another --out")
    code, stderr = finish(first)
    assert code == 0, stderr
    assert [json.loads(line)["epoch"] for line in (out / "metrics.jsonl").read_text().splitlines()] == [1, 2, 3]
    assert_identical_states(reference / "gan", out)


def test_a_stale_lock_of_a_dead_process_is_taken_over(reference, tiny_mnist_dir, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (out / ".lock").write_text(dead.stdout)
    result = run(train_args(tiny_mnist_dir, out))
    assert result.returncode == 0, result.stderr
    assert not (out / ".lock").exists()
    assert_identical_states(reference / "gan", out)


def test_non_finite_training_stops_keeps_the_last_good_checkpoint_and_resumes(reference, tiny_mnist_dir,
                                                                              tmp_path):
    """--lr nan used to print nan losses, say done and save NaN weights; now the lr is refused when parsed,
    and a run whose losses overflow stops at that step, names the loss, and resumes with a lower --lr."""
    out = tmp_path / "run"
    args = train_args(tiny_mnist_dir, out, model="vae")
    assert run(args[:-4] + ["--epochs", "1", "--out", str(out)]).returncode == 0
    good = (out / "checkpoint.npz").read_bytes()
    diverged = run(args + ["--resume", "--lr", "1000"])
    assert diverged.returncode == 1
    line = diverged.stderr.strip().splitlines()[-1]
    assert line.startswith("error: training diverged at step ") and "of epoch 2: loss is nan" in line
    assert f"{out / 'checkpoint.npz'} holds the run at the end of epoch 1; resume with:" in line
    assert "--lr 100 --resume" in line
    assert (out / "checkpoint.npz").read_bytes() == good
    assert [json.loads(text)["epoch"] for text in (out / "metrics.jsonl").read_text().splitlines()] == [1]
    resumed = run(args + ["--resume", "--lr", "1e-3"])      # the run's own lr: the reference's result
    assert resumed.returncode == 0, resumed.stderr
    assert_identical_states(reference / "vae", out)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")     # the overflow it provokes on purpose
def test_divergence_in_the_first_epoch_saves_nothing(tiny_mnist_dir, tmp_path, capsys):
    out = tmp_path / "run"
    code = cli.main(train_args(tiny_mnist_dir, out, model="vae") + ["--lr", "1e4"])
    err = capsys.readouterr().err
    assert code == 1
    line = err.strip().splitlines()[-1]
    assert "training diverged at step" in line and "of epoch 1: loss is" in line
    assert "nothing was saved (no checkpoint yet); start again with:" in line and "--lr 1000" in line
    assert not out.exists()


def test_weights_that_become_non_finite_are_never_saved(tiny_mnist_dir, tmp_path):
    from nn_from_scratch.training import TrainConfig, TrainingDiverged, make_trainer
    config = TrainConfig("classifier", data_dir=str(tiny_mnist_dir), epochs=2, batch_size=64, limit=128,
                         out=str(tmp_path / "run"))
    trainer = make_trainer(config)
    trainer.fit(1)
    good = (tmp_path / "run" / "checkpoint.npz").read_bytes()
    real_step, steps = trainer.train_step, []

    def step_that_breaks_a_weight(images, labels):        # on the epoch's last step: its loss is still finite
        losses = real_step(images, labels)
        steps.append(1)
        if len(steps) == 2:
            trainer.classifier.body[0].weight.data[0, 0, 0, 0] = np.inf
        return losses

    trainer.train_step = step_that_breaks_a_weight
    with pytest.raises(TrainingDiverged, match=r"at step 2 of epoch 2: classifier weight 'body.0.weight' "
                                               r"has 1 non-finite values"):
        trainer.fit(2)
    assert (tmp_path / "run" / "checkpoint.npz").read_bytes() == good


def test_a_signal_while_the_last_epoch_is_saved_stops_the_program_with_the_run_complete(tiny_mnist_dir, tmp_path):
    """It used to be swallowed: the run ended normally and evaluate went on computing FID after Ctrl-C."""
    from nn_from_scratch.training import TrainConfig, TrainingInterrupted, make_trainer
    config = TrainConfig("classifier", data_dir=str(tiny_mnist_dir), epochs=2, batch_size=64, limit=128,
                         out=str(tmp_path / "run"))
    trainer = make_trainer(config)
    real_finish = trainer.finish_epoch

    def finish_and_receive_ctrl_c(seconds):
        real_finish(seconds)
        if trainer.epoch == 2:
            os.kill(os.getpid(), signal.SIGINT)

    trainer.finish_epoch = finish_and_receive_ctrl_c
    with pytest.raises(TrainingInterrupted, match=r"after epoch 2, the last one \(the run is complete\)") as caught:
        trainer.fit()
    assert caught.value.complete and load_checkpoint(trainer.checkpoint_path)["epoch"] == 2
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_during_evaluates_classifier_training_never_leaves_it_unfinished(tiny_mnist_dir, tmp_path):
    """An interrupted classifier used to be used as it was (stopped after a few steps) by the next evaluate."""
    root = tmp_path / "runs"
    assert run(train_args(tiny_mnist_dir, root / "gan", epochs=1)).returncode == 0
    process = start(["evaluate", root / "gan", "--num-test", 16, "--own-classifier"])
    wait_for_line(process, "training one")
    wait_for_line(process, "epoch 1:", stream="stdout")      # the classifier's first epoch of 3
    process.send_signal(signal.SIGINT)
    code, stderr = finish(process)
    assert code == 130, stderr
    assert "interrupted while training the classifier for FID/IS" in stderr and "Traceback" not in stderr
    classifier = root / "classifier-mnist-limit256"
    state = load_checkpoint(classifier / "checkpoint.npz")
    assert (state["epoch"], state["step_in_epoch"]) < (3, 0)
    assert not (root / "gan" / "evaluation.json").exists()

    again = run(["evaluate", root / "gan", "--num-test", 16, "--own-classifier"])
    assert again.returncode == 0, again.stderr
    assert "finishing its training first" in again.stderr
    assert load_checkpoint(classifier / "checkpoint.npz")["epoch"] == 3
    reference = run(["train", "classifier", "--data-dir", tiny_mnist_dir, "--limit", 256, "--batch-size", 128,
                     "--epochs", 3, "--out", tmp_path / "classifier-reference"])
    assert reference.returncode == 0, reference.stderr
    assert_identical_states(tmp_path / "classifier-reference", classifier)

    # An explicit --classifier that did not finish is refused, not used.
    edited = tmp_path / "unfinished"
    edited.mkdir()
    state["epoch"], state["step_in_epoch"] = 1, 1
    from nn_from_scratch.training import save_checkpoint
    save_checkpoint(edited / "checkpoint.npz", state)
    refused = run(["evaluate", root / "gan", "--num-test", 16, "--classifier", edited])
    assert refused.returncode == 1
    assert "its training stopped at epoch 1 (step 1) of 3" in refused.stderr
    assert refused.stderr.count("\n") == 1
