"""examples/ddp_gan.py: the library's DCGAN trained by 2 CPU processes with PyTorch DDP (gloo, localhost).

The run uses a synthetic MNIST-layout folder the test writes (tests/synthetic_digits.py).  Checked:

* the script exits 0 and says that both processes hold identical weights; its check does find
  a tensor that differs (a separate 2-process run in which one process changes a bias);
* its first step's discriminator loss, the mean over the global batch of 32 images (16 per
  process), equals the loss of the library's own single-process step, ``GANTrainer.train_step``,
  on the same 32 images with the same seed (weights, noise): BatchNorm uses the statistics of the
  global batch on both sides (see the script's docstring);
* the generator and discriminator it saves load into the library's models and sample.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from synthetic_digits import write_mnist_folder

from nn_from_scratch.data import load_dataset
from nn_from_scratch.models import Discriminator, Generator
from nn_from_scratch.training import GANTrainer, TrainConfig

torch = pytest.importorskip("torch", reason="the DDP example needs PyTorch (pip install torch==2.13.0)")
if not (torch.distributed.is_available() and torch.distributed.is_gloo_available()):
    pytest.skip("this PyTorch build has no torch.distributed with gloo", allow_module_level=True)

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "examples" / "ddp_gan.py"
GLOBAL_BATCH = 32
STEPS = 3


def torchrun(*arguments, timeout: float = 300) -> subprocess.CompletedProcess:
    """``torchrun --standalone --nproc_per_node=2 ARGUMENTS`` on the CPU, with this checkout importable."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                           *map(str, arguments)], cwd=REPO, env=environment, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def ddp_run(tmp_path_factory):
    """(folder of the data, the step records, the --out folder, the completed process, seconds) of one run."""
    folder = tmp_path_factory.mktemp("ddp")
    data_dir = write_mnist_folder(folder / "data", train_count=256, test_count=64)
    started = time.perf_counter()
    run = torchrun(SCRIPT, "--steps", STEPS, "--batch-size", GLOBAL_BATCH, "--data-dir", data_dir, "--no-download",
                   "--log-file", folder / "steps.jsonl", "--out", folder / "out", "--print-every", 1)
    seconds = time.perf_counter() - started
    assert run.returncode == 0, f"ddp_gan.py failed:\n{run.stdout}\n{run.stderr}"
    records = [json.loads(line) for line in (folder / "steps.jsonl").read_text().splitlines()]
    return data_dir, records, folder / "out", run, seconds


def test_two_processes_train_and_agree(ddp_run):
    _, records, _, run, seconds = ddp_run
    print(f"2-process DDP run of {STEPS} steps: {seconds:.1f} s")
    assert "2 processes (gloo, CPUs), global batch 32 (16 per process)" in run.stdout
    assert "ranks agree: the 24 parameters and buffers are identical on all 2 processes" in run.stdout
    assert [record["step"] for record in records] == [1, 2, 3]
    for record in records:
        first, second = record["indices"]
        assert len(first) == len(second) == GLOBAL_BATCH // 2
        assert not set(first) & set(second), "DistributedSampler gave both processes the same image"
        assert np.isfinite(record["d_loss"]) and np.isfinite(record["g_loss"])


def test_first_step_loss_equals_the_single_process_step(ddp_run, tmp_path):
    data_dir, records, _, _, _ = ddp_run
    train_set = load_dataset("mnist", str(data_dir), train=True, download=False)
    config = TrainConfig("gan", data_dir=str(data_dir), batch_size=GLOBAL_BATCH, seed=0, out=str(tmp_path / "ref"),
                         download=False)
    trainer = GANTrainer(config, train_set, train_set)
    indices = np.concatenate(records[0]["indices"])            # process 0's images, then process 1's
    images = train_set.images[indices][:, None].astype(np.float32) / np.float32(255)
    trainer.set_training_mode(True)
    single = trainer.train_step(images, train_set.labels[indices].astype(np.int64))
    d_difference = abs(single["d_loss"] - records[0]["d_loss"])
    g_difference = abs(single["g_loss"] - records[0]["g_loss"])
    print(f"first step: d_loss DDP {records[0]['d_loss']:.7f}, library {single['d_loss']:.7f} (|diff| "
          f"{d_difference:.1e}); g_loss DDP {records[0]['g_loss']:.7f}, library {single['g_loss']:.7f} "
          f"(|diff| {g_difference:.1e})")
    # d_loss comes before any update: the same function of the same numbers, up to float32 rounding.
    assert d_difference < 1e-5
    # g_loss goes through D after one Adam update in each library; Adam's first step is about lr * sign(gradient),
    # so a gradient entry near 0 that rounds to the other sign moves its weight by 2 lr (see test_bench_quality.py).
    assert g_difference < 1e-3 * abs(single["g_loss"])


def test_saved_models_load_into_the_library(ddp_run):
    _, _, out, _, _ = ddp_run
    generator = Generator(100).load(out / "generator.npz")
    discriminator = Discriminator().load(out / "discriminator.npz")
    assert int(generator.project[1].num_batches_tracked.data) == STEPS
    assert int(discriminator.features[3].num_batches_tracked.data) == 3 * STEPS     # real, fake, then G's step
    assert (out / "samples.png").read_bytes()[:4] == b"\x89PNG"


def test_the_agreement_check_finds_a_differing_tensor(tmp_path):
    script = tmp_path / "perturbed.py"
    script.write_text(f"""
import sys
import torch
import torch.distributed as dist
sys.path.insert(0, {str(SCRIPT.parent)!r})
import ddp_gan

dist.init_process_group("gloo")
layer = torch.nn.Linear(2, 2)
with torch.no_grad():
    layer.weight.fill_(1.0)
    layer.bias.fill_(float(dist.get_rank()))          # differs on process 1
print(f"process {{dist.get_rank()}}: {{ddp_gan.identical_on_every_process({{'layer': layer}})}}")
dist.destroy_process_group()
""")
    run = torchrun(script)
    assert run.returncode == 0, run.stderr
    assert "process 0: []" in run.stdout and "process 1: ['layer.bias']" in run.stdout
