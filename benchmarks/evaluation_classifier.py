"""Train a shipped evaluation classifier and write its weights and record into the package.

FID and Inception Score look at images through a classifier; the package ships one per
dataset (``nn_from_scratch/models/weights/classifier-<dataset>.npz``) so that every user gets
the same numbers.  This script makes them, with the library's own command line:

1. ``python -m nn_from_scratch train classifier ...`` with the recipe below (seed 0), into
   ``--work`` (resumed if a run is already there);
2. the trained weights rounded to float16 (under 1 MB) are written to the package, and the
   rounded classifier is tested on the dataset's test images;
3. ``classifier-<dataset>.json`` beside the weights records the command, seed, data, test
   accuracy (of the shipped float16 weights and, for reference, of the float32 ones) and the
   file's SHA-256, which goes into ``EVALUATION_CLASSIFIER_SHA256`` in
   ``nn_from_scratch/models/classifier.py`` (printed at the end).

Usage::

    python benchmarks/evaluation_classifier.py --dataset mnist
    python benchmarks/evaluation_classifier.py --dataset fashion-mnist   # apt-get install dataset-fashion-mnist
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from nn_from_scratch import metrics
from nn_from_scratch.atomic_file import save_npz_atomically
from nn_from_scratch.data import load_dataset
from nn_from_scratch.models import Classifier
from nn_from_scratch.models.classifier import WEIGHTS_DIR
from nn_from_scratch.training import load_models
from nn_from_scratch.training.classifier_trainer import accuracy_and_loss
from nn_from_scratch.training.trainer import CHECKPOINT_NAME

# The training command of each shipped classifier (the run folder is added as --out).
RECIPES = {
    "mnist": {
        "train_dataset": "mnist-10k",
        "trained_on": "MNIST-10k's training split: the first 8,000 of the 10,000 official MNIST test "
                      "images, shipped with the package",
        "tested_on": "MNIST-10k's test split: the last 2,000 official MNIST test images",
        "arguments": ["train", "classifier", "--dataset", "mnist-10k", "--epochs", "60", "--seed", "0"],
    },
    "fashion-mnist": {
        "train_dataset": "fashion-mnist",
        "trained_on": "Fashion-MNIST's 60,000 training images (Debian's dataset-fashion-mnist, "
                      "/usr/share/datasets/fashion-mnist)",
        "tested_on": "Fashion-MNIST's 10,000 test images",
        "arguments": ["train", "classifier", "--dataset", "fashion-mnist", "--no-download", "--epochs", "15",
                      "--seed", "0"],
    },
}


def test_images(dataset: str) -> tuple:
    test_set = load_dataset(dataset, train=False, download=False)
    return test_set.as_float(), test_set.labels


def measure(classifier, images, labels) -> dict:
    """Test accuracy and loss, and the Inception Score of the real test images (10 splits)."""
    result = accuracy_and_loss(classifier, images, labels)
    _, probs = metrics.classifier_outputs(classifier, images)
    result["inception_score_real"], result["inception_score_real_std"] = metrics.inception_score(probs)
    return result


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent)
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=tuple(RECIPES), required=True)
    parser.add_argument("--work", default=None,
                        help="run folder of the training (default /tmp/nn_from_scratch_evaluation_classifier/DATASET)")
    args = parser.parse_args(argv)
    recipe = RECIPES[args.dataset]
    work = Path(args.work or f"/tmp/nn_from_scratch_evaluation_classifier/{args.dataset}")

    command = [sys.executable, "-m", "nn_from_scratch", *recipe["arguments"], "--out", str(work)]
    if (work / CHECKPOINT_NAME).is_file():
        command.append("--resume")
    print(" ".join(command), flush=True)
    subprocess.run(command, check=True)

    config, models = load_models(work, "numpy")
    trained = models["classifier"]
    images, labels = test_images(recipe["train_dataset"])
    float32_result = measure(trained, images, labels)

    path = WEIGHTS_DIR / f"classifier-{args.dataset}.npz"
    shipped_state = {name: np.asarray(value, dtype=np.float16) for name, value in trained.state_dict().items()}
    save_npz_atomically(path, shipped_state)
    shipped = Classifier(10)
    with np.load(path, allow_pickle=False) as archive:
        shipped.load_state_dict({name: archive[name] for name in archive.files})
    shipped.eval()
    result = measure(shipped, images, labels)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()

    record = {
        "dataset": args.dataset,
        "command": "python -m nn_from_scratch " + " ".join(recipe["arguments"]) + " --out RUN_DIR",
        "then": f"python benchmarks/evaluation_classifier.py --dataset {args.dataset} (float16 weights, this record)",
        "seed": config.seed,
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "lr": config.lr,
        "shift_augment": config.shift_augment,
        "trained_on": recipe["trained_on"],
        "tested_on": recipe["tested_on"],
        "num_test_images": int(len(images)),
        "test_accuracy": result["test_accuracy"],
        "test_loss": result["test_loss"],
        "inception_score_real": result["inception_score_real"],
        "inception_score_real_std": result["inception_score_real_std"],
        "test_accuracy_float32": float32_result["test_accuracy"],
        "inception_score_real_float32": float32_result["inception_score_real"],
        "stored_as": "float16, loaded into float32",
        "library_commit": git_commit(),
        "weights_file": path.name,
        "sha256": sha256,
    }
    record_path = path.with_suffix(".json")
    record_path.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record, indent=1))
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) and {record_path}")
    print(f'EVALUATION_CLASSIFIER_SHA256["{args.dataset}"] = "{sha256}"')


if __name__ == "__main__":
    main()
