"""The command line: ``python -m nn_from_scratch COMMAND ...``.

Commands::

    train {gan,vae,classifier}   train a model; writes a run folder (--out) with sample grids,
                                 losses.png, metrics.jsonl and checkpoint.npz; --resume continues it
    sample RUN_DIR               a grid of new images from a trained GAN or VAE
    interpolate RUN_DIR          rows of images along latent paths between random codes
    reconstruct RUN_DIR          VAE: test images next to their reconstructions
    evaluate RUN_DIR             FID (with its real-vs-real floor), Inception Score; for a VAE
                                 also -ELBO and the importance-weighted NLL; saves evaluation.json
    export RUN_DIR               the run's models for PyTorch: a state dict (FILE.pt) and the
                                 module file that builds and loads them without this library (FILE.py)
    coursework ACTION            assignments: list, release, check, grade, prove (coursework/README.md)

Exit codes: 0 done, 1 error (a one-line message, no traceback: add --debug, or set
NN_FROM_SCRATCH_DEBUG=1, to see it), 2 bad arguments, 130 interrupted by Ctrl-C and
143 by SIGTERM (after saving a checkpoint).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import math
import os
import shlex
import sys
from pathlib import Path

import numpy as np

from . import backend, interop, viz
from .coursework.command import add_coursework_command, command_coursework
from .data import DATASET_NAMES, FALLBACKS, DatasetNotFoundError
from .models.gan import DISCRIMINATOR_KERNEL_SIZES, GENERATOR_ARCHITECTURES
from .training import (
    CHECKPOINT_NAME,
    MODEL_KINDS,
    CheckpointError,
    GracefulInterrupt,
    RunFolderLock,
    SettingError,
    TrainConfig,
    TrainingDiverged,
    TrainingInterrupted,
    load_models,
    load_test_images,
    make_trainer,
    read_run,
)
from .training.evaluation import EVALUATION_NAME, evaluate_run
from .training.generation import (
    condition_labels,
    generative_model,
    interpolation_images,
    reconstruction_images,
    sample_images,
)
from .training.interrupt import SigtermLikeCtrlC
from .training.run import checkpoint_file

EXIT_INTERRUPTED = 130   # the shell's code for "ended by SIGINT" (128 + 2); SIGTERM gives 128 + 15
EXIT_USAGE = 2
DEBUG_VARIABLE = "NN_FROM_SCRATCH_DEBUG"

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
checkpoint.npz in the run folder.  Ctrl-C (or SIGTERM) finishes the current step,
saves a checkpoint and exits with code 130 (143); --resume then continues exactly
where the run stopped: the weights and losses are bit for bit those of an
uninterrupted run with the same seed.  With --resume, settings come from the
checkpoint; only --epochs, --data-dir, --backend and --lr may change.

Non-finite losses or weights stop the run at that step; its checkpoint stays the
last good one, and the message gives the command that resumes with a lower --lr.
While a run writes its folder, a second run into it is refused.

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


EXPORT_EPILOG = """\
example:
  python -m nn_from_scratch export runs/gan --format torch --out gan.pt
  python -c "import gan, torch; models = gan.load(); print(models['generator'].sample(torch.randn(4, 100)).shape)"

The modules are nn_from_scratch's own, converted layer by layer (nn_from_scratch.interop.to_torch);
see docs/outgrowing.md.
"""


# --------------------------------------------------------------------------
# Argument parsing
# --------------------------------------------------------------------------


def integer_at_least(text: str, minimum: int, expected: str) -> int:
    """``text`` as an int >= ``minimum``, or argparse's usage error "expected <expected>, got <text>"."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text}")
    return value


def positive_int(text: str) -> int:
    return integer_at_least(text, 1, "a positive integer")


def non_negative_int(text: str) -> int:
    return integer_at_least(text, 0, "an integer >= 0")


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0 (e.g. 2e-4), got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0 (e.g. 2e-4), got {text}")
    return value


def add_debug_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true",
                        help=f"on an error, show the Python traceback (also: {DEBUG_VARIABLE}=1)")


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
    train.add_argument("--lr", type=positive_float, default=None,
                       help="Adam's learning rate (with --resume: continue with another one, e.g. after a "
                            "diverged run)")
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
    train.add_argument("--discriminator-hidden", type=non_negative_int, default=None, metavar="UNITS",
                       help="gan: a Linear + BatchNorm1d + LeakyReLU layer of UNITS units before the "
                            "discriminator's logit (default 0: none; Radford et al.'s MNIST code: 1024)")
    train.add_argument("--seed", type=non_negative_int, default=None,
                       help="seed of weights, data order and noise (default 0)")
    train.add_argument("--shift-augment", type=non_negative_int, default=None, metavar="PIXELS",
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
    sample.add_argument("--seed", type=non_negative_int, default=0, help="seed of the noise (default 0)")
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
    interpolate.add_argument("--seed", type=non_negative_int, default=0, help="seed of the end points (default 0)")
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
    evaluate.add_argument("--seed", type=non_negative_int, default=0, help="seed of the samples (default 0)")
    add_backend_option(evaluate)

    export = commands.add_parser(
        "export", help="the run's models for PyTorch: a state dict and the module that loads it",
        description="Write the run's models as one PyTorch state dict (FILE.pt, keys '<model>.<parameter>', "
                    "read by torch.load(FILE, weights_only=True)) and FILE.py, which defines the PyTorch modules "
                    "and load() without needing nn_from_scratch.  Needs PyTorch.",
        epilog=EXPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("run_dir", metavar="RUN_DIR", help="folder of a gan, vae or classifier run")
    export.add_argument("--format", choices=("torch",), default="torch", help="only torch for now (the default)")
    export.add_argument("--out", default=None, metavar="FILE.pt",
                        help="the state dict to write; FILE.py is written beside it (default: RUN_DIR/MODEL.pt)")
    for command in (train, sample, interpolate, reconstruct, evaluate, export):
        add_debug_option(command)
    add_coursework_command(commands)
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
    out = run_folder(args)
    checkpoint = checkpoint_file(out)
    if not args.resume:
        if checkpoint.is_file():
            raise CheckpointError(f"{out} already holds a run ({CHECKPOINT_NAME}): add --resume to continue it, "
                                  "or choose another --out")
        return TrainConfig(args.model, out=out, **given), None

    if not checkpoint.is_file():
        raise CheckpointError(f"nothing to resume: {checkpoint} does not exist (drop --resume to start a new run)")
    saved, state = read_run(out)
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
    if requested.lr != saved.lr:
        print(f"note: the run goes on with --lr {requested.lr:g} (it trained with {saved.lr:g} so far)",
              file=sys.stderr)
    return requested, state


def run_folder(args) -> str:
    """The --out of ``train``, or its default runs/MODEL-DATASET."""
    if args.out is not None and not args.out.strip():
        raise SettingError("--out is empty: give the run folder's path (or leave --out out for "
                           f"runs/{args.model}-{args.dataset or 'mnist'})")
    return args.out or f"runs/{args.model}-{args.dataset or 'mnist'}"


def command_line(argv: list, resume: bool, **options) -> str:
    """The shell command ``python -m nn_from_scratch ARGV`` with --resume added or removed, and ``options`` set."""
    words, skip = [], False
    for word in argv:
        name = word.split("=")[0]
        if skip:
            skip = False
            continue
        if name in ("--resume", "--debug"):
            continue
        if name in ("--" + option.replace("_", "-") for option in options):
            skip = "=" not in word
            continue
        words.append(word)
    for option, value in options.items():
        words += ["--" + option.replace("_", "-"), str(value)]
    if resume:
        words.append("--resume")
    return shlex.join(["python", "-m", "nn_from_scratch", *words])


def command_train(args) -> int:
    out = run_folder(args)
    with contextlib.ExitStack() as stack:
        try:
            lock = stack.enter_context(RunFolderLock(out))       # held until the command ends
        except OSError as error:
            raise OSError(f"--out {out}: cannot write the run folder there ({error.strerror or error}); choose "
                          "another --out") from None
        if lock.removed_temporary_files:
            print(f"note: removed {len(lock.removed_temporary_files)} temporary file(s) that a killed save left in "
                  f"{out}", file=sys.stderr)
        return train_in_locked_folder(args, out)


def train_in_locked_folder(args, out: str) -> int:
    """``train``, once the run folder is ours: start or resume, fit, and report how it ended."""
    had_checkpoint = Path(out, CHECKPOINT_NAME).is_file()
    start_again = command_line(args.argv, resume=False)
    trainer = None
    try:
        config, state = train_config(args)
        trainer = make_trainer(config, fallback=state is None)
        if state is not None:
            trainer.resume()
            if trainer.epoch >= config.epochs:
                print(f"{config.out} has already trained {trainer.epoch} epochs; pass a larger --epochs to continue")
                return 0
            print(f"resuming {config.out} at epoch {trainer.epoch + 1}, step {trainer.step_in_epoch}",
                  file=sys.stderr)
        with GracefulInterrupt() as interrupt:          # before the announcement: a Ctrl-C after it stops cleanly
            print(f"training {config.model} on {config.dataset} ({len(trainer.train_set)} images, "
                  f"{len(trainer.loader)} steps per epoch) -> {config.out}", file=sys.stderr)
            trainer.fit(interrupt=interrupt)
    except TrainingInterrupted as interruption:
        advice = "nothing is left to resume" if interruption.complete else f"resume with: {resume_command(args)}"
        print(f"\n{interruption}\n{advice}", file=sys.stderr)
        return 128 + int(interruption.signal_number)
    except KeyboardInterrupt:
        print(f"\naborted; {saved_state(trainer, out, had_checkpoint, start_again, args)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except TrainingDiverged as divergence:
        lower = f"{trainer.config.lr / 10:g}"
        print(f"error: {divergence} (the learning rate {trainer.config.lr:g} is probably too large); "
              f"{saved_state(trainer, out, had_checkpoint, command_line(args.argv, False, lr=lower), args, lr=lower)}",
              file=sys.stderr)
        return 1
    except OSError as error:
        if trainer is None or getattr(error, "filename", None) is None:
            raise
        print(f"error: {describe(error)}; {saved_state(trainer, out, had_checkpoint, start_again, args)}",
              file=sys.stderr)
        return 1
    print(f"done: {config.out} ({trainer.epoch} epochs)")
    return 0


def resume_command(args, **options) -> str:
    return command_line(args.argv, resume=True, **options)


def saved_state(trainer, out: str, had_checkpoint: bool, start_again: str, args, **options) -> str:
    """What the run folder holds after a run stopped early, and the command that goes on from there."""
    checkpoint = Path(out, CHECKPOINT_NAME)
    position = trainer.saved_position if trainer is not None else None
    if position is None and not had_checkpoint:
        return f"nothing was saved (no checkpoint yet); start again with: {start_again}"
    if position is None:
        return f"{checkpoint} is as it was before this command; resume with: {resume_command(args, **options)}"
    epoch, step = position
    where = f"epoch {epoch + 1}, step {step}" if step else f"the end of epoch {epoch}"
    return f"{checkpoint} holds the run at {where}; resume with: {resume_command(args, **options)}"


def output_file(path: str) -> str:
    """An output picture's path (its folder is created when it is written); a clear error for a folder."""
    if Path(path).is_dir():
        raise SettingError(f"--out {path} is a folder; give a file name, such as {Path(path) / 'picture.png'}")
    return path


def command_sample(args) -> int:
    config, models = load_models(args.run_dir, args.backend)
    model = generative_model(config, models)
    labels = condition_labels(model.num_classes, args.n, args.label)
    images = sample_images(model, args.n, np.random.default_rng(args.seed), labels)
    per_row = 10 if labels is not None and args.label is None else 8
    out = output_file(args.out or str(Path(args.run_dir) / "sample.png"))
    title = f"{config.model} samples" + (f", label {args.label}" if args.label is not None else "")
    viz.image_grid(images, nrow=per_row, path=out, title=title)
    print(out)
    return 0


def command_interpolate(args) -> int:
    config, models = load_models(args.run_dir, args.backend)
    model = generative_model(config, models)
    images = interpolation_images(model, args.rows, args.steps, np.random.default_rng(args.seed), args.label)
    out = output_file(args.out or str(Path(args.run_dir) / "interpolation.png"))
    viz.image_grid(images, nrow=args.steps, path=out, title=f"{config.model}: latent interpolations (slerp)")
    print(out)
    return 0


def command_reconstruct(args) -> int:
    config, models = load_models(args.run_dir, args.backend)
    if config.model != "vae":
        raise ValueError(f"reconstruct needs a vae run; {args.run_dir} holds a {config.model}")
    if args.n % 8:
        raise SettingError(f"--n must be a multiple of 8 (one row), got {args.n}")
    images, labels = load_test_images(config, args.n)
    conditions = labels if config.conditional else None
    grid = reconstruction_images(models["vae"], images, conditions, per_row=8)
    out = output_file(args.out or str(Path(args.run_dir) / "reconstruction.png"))
    viz.image_grid(grid, nrow=8, path=out, title="rows: test images, then their reconstructions")
    print(out)
    return 0


def command_evaluate(args) -> int:
    try:
        results = evaluate_run(args.run_dir, classifier_dir=args.classifier, num_test=args.num_test,
                               iwae_k=args.iwae_k, iwae_images=args.iwae_images, seed=args.seed,
                               backend_name=args.backend, own_classifier=args.own_classifier)
    except TrainingInterrupted as interruption:
        then = ("it is complete: the next evaluate uses it" if interruption.complete
                else "the next evaluate finishes its training first")
        print(f"\ninterrupted while training the classifier for FID/IS ({interruption}); {then}", file=sys.stderr)
        return 128 + int(interruption.signal_number)
    for name, value in results.items():
        print(f"{name:28s} {value:.4f}" if isinstance(value, float) else f"{name:28s} {value}")
    print(f"saved to {Path(args.run_dir) / EVALUATION_NAME}")
    return 0


def command_export(args) -> int:
    try:
        interop.import_torch()
    except ImportError as error:
        raise ValueError(f"export --format torch: {error}") from None
    config, models = load_models(args.run_dir, "numpy")
    out = Path(output_file(args.out if args.out is not None else str(Path(args.run_dir) / f"{config.model}.pt")))
    command = shlex.join(["python", "-m", "nn_from_scratch", "export", args.run_dir, "--format", "torch",
                          "--out", str(out)])
    state_dict_path, module_path = interop.export(models, out, command=command)
    keys = ", ".join(f"'{name}.*'" for name in models)
    print(f"wrote {state_dict_path}: the state dict ({keys}); torch.load(path, weights_only=True) reads it")
    print(f"wrote {module_path}: the PyTorch modules, needing only torch; models = load() builds them and loads "
          f"the weights (import it from {module_path.parent})")
    return 0


COMMANDS = {
    "train": command_train,
    "sample": command_sample,
    "interpolate": command_interpolate,
    "reconstruct": command_reconstruct,
    "evaluate": command_evaluate,
    "export": command_export,
    "coursework": command_coursework,
}

# The library's own errors, whose messages name the culprit and the fix: printed as they are.
EXPECTED_ERRORS = (CheckpointError, DatasetNotFoundError, SettingError, OSError, ValueError, TypeError,
                   backend.BackendError, RuntimeError, IndexError, MemoryError)

OS_ERROR_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space",
    errno.EDQUOT: "the disk quota is used up: free some space",
    errno.EFBIG: "the file is larger than allowed here (ulimit -f)",
    errno.EACCES: "no permission: check the permissions, or choose another path",
    errno.EPERM: "no permission: check the permissions, or choose another path",
    errno.EROFS: "the file system is read-only: choose another path",
    errno.ENOTDIR: "a part of the path is a file, not a folder: choose another path",
    errno.EISDIR: "it is a folder, not a file: choose another path",
    errno.ENOENT: "no such file or folder: check the path",
}


def describe(error: BaseException) -> str:
    """One line for an error that reaches the command line: what failed, on which path or value, what to do."""
    if isinstance(error, DatasetNotFoundError):
        return str(error)                    # several lines on purpose: where it looked, how to get the files
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename is not None else ""
        advice = OS_ERROR_ADVICE.get(error.errno)
        return f"{where}{error.strerror}" + (f" ({advice})" if advice else "")
    text = " ".join((str(error) or type(error).__name__).split())
    if isinstance(error, MemoryError):
        return f"not enough memory ({text}); ask for fewer images (--n, --num-test) or a smaller --batch-size"
    return text if isinstance(error, EXPECTED_ERRORS) else f"{type(error).__name__}: {text}"


def main(argv=None) -> int:
    """Parse ``argv`` (default: sys.argv[1:]), run the command, return its exit code.

    Every error ends the command with one line on stderr (exit code 1, 2 for a
    bad option); ``--debug`` or NN_FROM_SCRATCH_DEBUG=1 shows the traceback instead.
    """
    argv = sys.argv[1:] if argv is None else [str(word) for word in argv]
    debug = "--debug" in argv or os.environ.get(DEBUG_VARIABLE, "").strip() not in ("", "0")
    problem = backend.environment_problem()
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = argv
    try:
        with SigtermLikeCtrlC():
            return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("\ninterrupted (files are written whole or not at all: none is left half-written)", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        if debug:
            raise
        message = describe(error)
        if isinstance(error, SettingError):
            print(f"{parser.prog} {args.command}: error: {message}", file=sys.stderr)
            return EXIT_USAGE
        hint = "" if isinstance(error, EXPECTED_ERRORS) else " (unexpected: add --debug to see where, and report it)"
        print(f"error: {message}{hint}", file=sys.stderr)
        return 1
