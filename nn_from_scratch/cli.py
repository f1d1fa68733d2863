"""The command line: ``python -m nn_from_scratch COMMAND ...``.

Commands::

    train {gan,vae,classifier}   train a model; writes a run folder (--out) with sample grids,
                                 losses.png, metrics.jsonl and checkpoint.npz; --resume continues it
    sample RUN_DIR               a grid of new images from a trained GAN or VAE
    interpolate RUN_DIR          rows of images along latent paths between random codes
    reconstruct RUN_DIR          VAE: test images next to their reconstructions
    evaluate RUN_DIR             FID (with its real-vs-real floor), Inception Score; for a VAE
                                 also -ELBO and the importance-weighted NLL; saves evaluation.json

Exit codes: 0 done, 1 error (a one-line message, no traceback), 2 bad
arguments, 130 interrupted by Ctrl-C (after saving a checkpoint).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

from . import viz
from .backend import BackendError
from .data import DATASET_NAMES, FALLBACKS, DatasetNotFoundError
from .models.gan import DISCRIMINATOR_KERNEL_SIZES, GENERATOR_ARCHITECTURES
from .training import (
    CHECKPOINT_NAME,
    MODEL_KINDS,
    CheckpointError,
    TrainConfig,
    TrainingInterrupted,
    load_checkpoint,
    load_models,
    load_test_images,
    make_trainer,
)
from .training.evaluation import EVALUATION_NAME, evaluate_run
from .training.generation import (
    condition_labels,
    generative_model,
    interpolation_images,
    reconstruction_images,
    sample_images,
)

EXIT_INTERRUPTED = 130   # the shell's code for "ended by SIGINT"

TRAIN_EPILOG = """\
defaults per model (used for options left out):
  gan:        --epochs 10 --batch-size 64  --lr 2e-4 --latent-dim 100  (Adam betas 0.5, 0.999);
              on a large dataset the fewest epochs that make 1,250 steps (2 epochs of MNIST's 60,000 images)
  vae:        --epochs 10 --batch-size 128 --lr 1e-3 --latent-dim 20
  classifier: --epochs 3  --batch-size 128 --lr 1e-3

examples:
  python -m nn_from_scratch train vae --dataset mnist-10k --epochs 2
  python -m nn_from_scratch train gan --conditional --out runs/cgan --epochs 5
  # Radford et al.'s MNIST architecture: the best unconditional samples (see BENCHMARKS.md)
  python -m nn_from_scratch train gan --generator radford --discriminator-kernel 5 --discriminator-hidden 1024 \
      --epochs 20
  python -m nn_from_scratch train gan --out runs/cgan --resume --epochs 8   # continue to epoch 8

Each epoch writes samples_epochNNN.png, losses.png, a line of metrics.jsonl and
checkpoint.npz in the run folder.  Ctrl-C finishes the current step, saves a
checkpoint and exits with code 130; --resume then continues exactly where the
run stopped: the weights and losses are bit for bit those of an uninterrupted
run with the same seed.  With --resume, settings come from the checkpoint; only
--epochs, --data-dir and --backend may change.

Datasets: mnist (60,000 training images, downloaded once into ~/.cache/nn_from_scratch),
mnist-10k (the 10,000 official MNIST test images shipped with the package: 8,000 to train,
2,000 to test), fashion-mnist (downloaded, or from Debian's dataset-fashion-mnist) and
digits (scikit-learn's 8x8 digits, enlarged; needs scikit-learn).  If MNIST is neither on
disk nor downloadable, training says so in a short note and uses mnist-10k.  An explicit
--data-dir must exist; it is the only folder searched, and there is no fallback from it.
"""

EVALUATE_EPILOG = """\
FID and Inception Score use a trained classifier as feature network.  By default it
is the evaluation classifier shipped with the package for the run's dataset (one for
mnist and mnist-10k, one for fashion-mnist), so the figures are the same for every
user and nothing is trained.  For digits, which has none, or with --own-classifier,
it is the classifier run <parent of RUN_DIR>/classifier-<dataset> (with -limit<N>
when the run used --limit N), trained there on first use (3 epochs on the run's
training images) and reused afterwards, so that runs in the same folder are scored
alike.  FID is reported with its floor: the FID between two halves of the real test
images, the best a generator can score with as many images.
"""


# --------------------------------------------------------------------------
# Argument parsing
# --------------------------------------------------------------------------


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def add_backend_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("numpy", "cupy"), default=None,
                        help="array backend: numpy (CPU) or cupy (NVIDIA GPU); default: the run's own "
                             "(for train: numpy)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m nn_from_scratch",
        description="Train and inspect the GAN, the VAE and the classifier of nn_from_scratch on "
                    "MNIST-like digits.",
        epilog="Run `python -m nn_from_scratch COMMAND --help` for the options of a command.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    train = commands.add_parser(
        "train", help="train a gan, vae or classifier", description="Train a model and save a run folder.",
        epilog=TRAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    train.add_argument("model", choices=MODEL_KINDS, help="what to train")
    train.add_argument("--dataset", choices=DATASET_NAMES, default=None,
                       help="training data (default: mnist; mnist-10k is shipped with the package)")
    train.add_argument("--data-dir", default=None,
                       help="an existing folder with the dataset's IDX files, the only one searched (default: "
                            "search the usual places, then download)")
    train.add_argument("--no-download", dest="download", action="store_false", default=None,
                       help="never download; use the shipped mnist-10k if MNIST is not on disk")
    train.add_argument("--epochs", type=positive_int, default=None, help="total number of epochs")
    train.add_argument("--batch-size", type=positive_int, default=None, help="images per step")
    train.add_argument("--lr", type=float, default=None, help="Adam's learning rate")
    train.add_argument("--latent-dim", type=positive_int, default=None, help="size of the noise / latent code")
    train.add_argument("--conditional", action="store_true", default=None,
                       help="condition the gan/vae on the digit label (one-hot)")
    train.add_argument("--generator", choices=GENERATOR_ARCHITECTURES, default=None,
                       help="gan: 'dcgan' (ConvTranspose2d, the default), 'upsample' (wider, Upsample + Conv2d: "
                            "better samples, about 27x the generator's arithmetic: meant for a GPU) or 'radford' "
                            "(a 1024-unit Linear layer first, 5x5 ConvTranspose2d: Radford et al.'s MNIST generator)")
    train.add_argument("--generator-steps", type=positive_int, default=None, metavar="K",
                       help="gan: generator updates per discriminator update (default 1)")
    train.add_argument("--discriminator-kernel", type=int, choices=DISCRIMINATOR_KERNEL_SIZES, default=None,
                       metavar="{4,5}", help="gan: kernel size of the discriminator's two convolutions "
                                              "(default 4, the DCGAN one; 5: padding 2, same shapes)")
    train.add_argument("--discriminator-hidden", type=int, default=None, metavar="UNITS",
                       help="gan: a Linear + BatchNorm1d + LeakyReLU layer of UNITS units before the "
                            "discriminator's logit (default 0: none; Radford et al.'s MNIST code: 1024)")
    train.add_argument("--seed", type=int, default=None, help="seed of weights, data order and noise (default 0)")
    train.add_argument("--shift-augment", type=int, default=None, metavar="PIXELS",
                       help="classifier: shift each training image randomly by up to PIXELS (default 2; 0: off)")
    add_backend_option(train)
    train.add_argument("--out", default=None, help="run folder (default: runs/MODEL-DATASET)")
    train.add_argument("--resume", action="store_true",
                       help="continue the run saved in --out up to --epochs epochs")
    train.add_argument("--limit", type=positive_int, default=None,
                       help="use only the first N training images (and at most N test images), for quick runs")

    sample = commands.add_parser("sample", help="draw a grid of new images from a gan or vae run",
                                 description="Draw new images from a trained GAN or VAE.")
    sample.add_argument("run_dir", metavar="RUN_DIR", help="folder of a gan or vae run")
    sample.add_argument("--n", type=positive_int, default=64, help="number of images (default 64)")
    sample.add_argument("--label", type=int, default=None,
                        help="conditional models: draw only this digit (default: 0..9 in turn)")
    sample.add_argument("--seed", type=int, default=0, help="seed of the noise (default 0)")
    sample.add_argument("--out", default=None, help="PNG file to write (default: RUN_DIR/sample.png)")
    add_backend_option(sample)

    interpolate = commands.add_parser(
        "interpolate", help="images along latent paths between random codes",
        description="Decode points along spherical interpolations between random pairs of latent codes; "
                    "one row per pair.")
    interpolate.add_argument("run_dir", metavar="RUN_DIR", help="folder of a gan or vae run")
    interpolate.add_argument("--rows", type=positive_int, default=8, help="number of paths (default 8)")
    interpolate.add_argument("--steps", type=positive_int, default=10, help="images per path (default 10)")
    interpolate.add_argument("--label", type=int, default=None,
                             help="conditional models: the digit of every row (default: the row number)")
    interpolate.add_argument("--seed", type=int, default=0, help="seed of the end points (default 0)")
    interpolate.add_argument("--out", default=None, help="PNG file (default: RUN_DIR/interpolation.png)")
    add_backend_option(interpolate)

    reconstruct = commands.add_parser(
        "reconstruct", help="vae: test images beside their reconstructions",
        description="Rows of test images, each followed by the VAE's reconstructions decode(mu(x)).")
    reconstruct.add_argument("run_dir", metavar="RUN_DIR", help="folder of a vae run")
    reconstruct.add_argument("--n", type=positive_int, default=32,
                             help="number of test images, a multiple of 8 (default 32)")
    reconstruct.add_argument("--out", default=None, help="PNG file (default: RUN_DIR/reconstruction.png)")
    add_backend_option(reconstruct)

    evaluate = commands.add_parser(
        "evaluate", help="FID, Inception Score, ELBO and IWAE NLL of a run",
        description="Evaluate a run on the test images and save RUN_DIR/evaluation.json.",
        epilog=EVALUATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    evaluate.add_argument("run_dir", metavar="RUN_DIR", help="folder of a gan, vae or classifier run")
    evaluate.add_argument("--classifier", default=None, metavar="CLASSIFIER_RUN_DIR",
                          help="classifier run used as feature network (default: the shipped one, see below)")
    evaluate.add_argument("--own-classifier", action="store_true",
                          help="score with a classifier trained on the run's own training images instead of "
                               "the shipped one (trained on first use, see below)")
    evaluate.add_argument("--num-test", type=positive_int, default=None,
                          help="use at most this many test images (default: all)")
    evaluate.add_argument("--iwae-k", type=positive_int, default=100,
                          help="vae: importance samples per image of the IWAE bound (default 100)")
    evaluate.add_argument("--iwae-images", type=positive_int, default=500,
                          help="vae: test images for the IWAE bound (default 500; it costs k decodes each)")
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the samples (default 0)")
    add_backend_option(evaluate)
    return parser


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------

TRAIN_SETTINGS = ("dataset", "data_dir", "download", "epochs", "batch_size", "lr", "latent_dim", "conditional",
                  "generator", "generator_steps",
                  "discriminator_kernel", "discriminator_hidden", "seed", "backend", "limit", "shift_augment")


def train_config(args) -> tuple:
    """(config, checkpoint state or None) for ``train``: a new config, or the saved one with allowed changes."""
    given = {name: getattr(args, name) for name in TRAIN_SETTINGS if getattr(args, name) is not None}
    out = args.out or f"runs/{args.model}-{given.get('dataset', 'mnist')}"
    checkpoint = Path(out) / CHECKPOINT_NAME
    if not args.resume:
        if checkpoint.is_file():
            raise CheckpointError(f"{out} already holds a run ({CHECKPOINT_NAME}): add --resume to continue it, "
                                  "or choose another --out")
        return TrainConfig(args.model, out=out, **given), None

    if not checkpoint.is_file():
        raise CheckpointError(f"nothing to resume: {checkpoint} does not exist (drop --resume to start a new run)")
    state = load_checkpoint(checkpoint)
    saved = TrainConfig.from_json(state["config"])
    if saved.model != args.model:
        raise CheckpointError(f"{out} holds a {saved.model} run, not a {args.model} one")
    asked = given.get("dataset", saved.dataset)
    if asked != saved.dataset and saved.dataset in (FALLBACKS.get(asked), "digits"):
        print(f"note: this run used {saved.dataset} (no {asked} files then); it continues on {saved.dataset}",
              file=sys.stderr)
        given.pop("dataset")
    requested = dataclasses.replace(saved, out=out, **given)
    changed = saved.differences(requested)
    if changed:
        details = ", ".join(f"--{name.replace('_', '-')} {getattr(saved, name)!r} (asked {getattr(requested, name)!r})"
                            for name in changed)
        raise CheckpointError(f"cannot resume with other settings: the run was trained with {details}; drop those "
                              "options, or start a new run with another --out")
    return requested, state


def command_train(args) -> int:
    config, state = train_config(args)
    trainer = make_trainer(config, fallback=state is None)
    if state is not None:
        trainer.resume()
        if trainer.epoch >= config.epochs:
            print(f"{config.out} has already trained {trainer.epoch} epochs; pass a larger --epochs to continue")
            return 0
        print(f"resuming {config.out} at epoch {trainer.epoch + 1}, step {trainer.step_in_epoch}", file=sys.stderr)
    print(f"training {config.model} on {config.dataset} ({len(trainer.train_set)} images, "
          f"{len(trainer.loader)} steps per epoch) -> {config.out}", file=sys.stderr)
    resume_hint = (f"python -m nn_from_scratch train {config.model} --out {config.out} --resume "
                   f"--epochs {config.epochs}")
    try:
        trainer.fit()
    except TrainingInterrupted as interruption:
        print(f"\n{interruption}\nresume with: {resume_hint}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print(f"\naborted; {config.out}/{CHECKPOINT_NAME} holds the last completed epoch "
              f"({trainer.epoch}).\nresume with: {resume_hint}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"done: {config.out} ({trainer.epoch} epochs)")
    return 0


def command_sample(args) -> int:
    config, models = load_models(args.run_dir, args.backend)
    model = generative_model(config, models)
    labels = condition_labels(model.num_classes, args.n, args.label)
    images = sample_images(model, args.n, np.random.default_rng(args.seed), labels)
    per_row = 10 if labels is not None and args.label is None else 8
    out = args.out or str(Path(args.run_dir) / "sample.png")
    title = f"{config.model} samples" + (f", label {args.label}" if args.label is not None else "")
    viz.image_grid(images, nrow=per_row, path=out, title=title)
    print(out)
    return 0


def command_interpolate(args) -> int:
    config, models = load_models(args.run_dir, args.backend)
    model = generative_model(config, models)
    images = interpolation_images(model, args.rows, args.steps, np.random.default_rng(args.seed), args.label)
    out = args.out or str(Path(args.run_dir) / "interpolation.png")
    viz.image_grid(images, nrow=args.steps, path=out, title=f"{config.model}: latent interpolations (slerp)")
    print(out)
    return 0


def command_reconstruct(args) -> int:
    config, models = load_models(args.run_dir, args.backend)
    if config.model != "vae":
        raise ValueError(f"reconstruct needs a vae run; {args.run_dir} holds a {config.model}")
    if args.n % 8:
        raise ValueError(f"--n must be a multiple of 8 (one row), got {args.n}")
    images, labels = load_test_images(config, args.n)
    conditions = labels if config.conditional else None
    grid = reconstruction_images(models["vae"], images, conditions, per_row=8)
    out = args.out or str(Path(args.run_dir) / "reconstruction.png")
    viz.image_grid(grid, nrow=8, path=out, title="rows: test images, then their reconstructions")
    print(out)
    return 0


def command_evaluate(args) -> int:
    results = evaluate_run(args.run_dir, classifier_dir=args.classifier, num_test=args.num_test,
                           iwae_k=args.iwae_k, iwae_images=args.iwae_images, seed=args.seed,
                           backend_name=args.backend, own_classifier=args.own_classifier)
    for name, value in results.items():
        print(f"{name:28s} {value:.4f}" if isinstance(value, float) else f"{name:28s} {value}")
    print(f"saved to {Path(args.run_dir) / EVALUATION_NAME}")
    return 0


COMMANDS = {
    "train": command_train,
    "sample": command_sample,
    "interpolate": command_interpolate,
    "reconstruct": command_reconstruct,
    "evaluate": command_evaluate,
}


def main(argv=None) -> int:
    """Parse ``argv`` (default: sys.argv[1:]), run the command, return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (CheckpointError, DatasetNotFoundError, BackendError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED

