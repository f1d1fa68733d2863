"""The training loop shared by the GAN, the VAE and the classifier.

A :class:`Trainer` owns everything a run needs: the models, their
optimizers, the data loader and a NumPy random generator for the noise.
Subclasses (:mod:`.gan_trainer`, :mod:`.vae_trainer`,
:mod:`.classifier_trainer`) say what one step does; this class runs the
epochs and writes, after each epoch, into the run folder ``config.out``:

    samples_epoch001.png   a grid of samples (reconstructions, test images...)
    losses.png             the per-step training losses so far
    metrics.jsonl          one JSON line per epoch: mean training losses, test metrics, seconds
    checkpoint.npz         the complete training state (see below)

**Exact resume.**  The checkpoint holds the weights, the optimizer states
(Adam's moments and step count), the noise generator's state, the data
loader's position (its shuffling generator, as of the start of the current
epoch), the step within the epoch, the loss history and the config.
Training from it repeats exactly the computations an uninterrupted run
would have done: ``--epochs 2`` gives the same weights, bit for bit, as
``--epochs 1`` followed by ``--resume --epochs 2``.

Three seeds are derived from ``config.seed``: the initial weights
(``nn.init.manual_seed(seed)``), the data order (``[seed, 1]``) and the
training noise (``[seed, 2]``).  Sample grids and test metrics use their own
fixed generators, so they never disturb the training noise.

**Ctrl-C.**  The first Ctrl-C (or SIGTERM) lets the current step finish, then saves a
checkpoint *of that step* (mid-epoch: the loader is rewound to the start of
the epoch and the finished batches are skipped on resume) and raises
:class:`TrainingInterrupted`; the command line exits with code 130.

**Safety.**  While it trains, a run holds its folder's lock (see :mod:`.lock`):
a second run into the same folder stops at once.  Every step's losses and,
before each save, every weight must be finite, or :class:`TrainingDiverged`
stops the run and the checkpoint stays the last good one.  Every file is
written atomically (see :mod:`nn_from_scratch.atomic_file`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .. import kernels, nn, viz
from ..atomic_file import write_text_atomically
from ..data import DataLoader, pixels_to_float
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .config import SettingError, TrainConfig
from .divergence import TrainingDiverged, first_non_finite_loss, first_non_finite_tensor
from .interrupt import GracefulInterrupt, TrainingInterrupted
from .lock import RunFolderLock

CHECKPOINT_NAME = "checkpoint.npz"
METRICS_NAME = "metrics.jsonl"
LOSSES_NAME = "losses.png"


class Trainer:
    """Base class: runs epochs of ``train_step`` and saves the run's outputs and checkpoints.

    Subclasses set ``loss_names`` (the values ``train_step`` returns) and implement

    * ``build_models(config) -> dict`` (a staticmethod): the models by name,
      freshly initialised (also used to re-open a run without its data);
    * ``build_optimizers(self) -> dict``: an optimizer per model, by the same names;
    * ``train_step(self, images, labels) -> dict``: one update on a batch
      (images float32 (B, 1, 28, 28) in [0, 1], labels int64 (B,)), returning
      the losses as Python floats;
    * ``evaluate(self) -> dict``: metrics on the test images (floats);
    * ``sample_grid(self) -> (images (N, 1, 28, 28) in [0, 1], images per row, title)``.
    """

    loss_names: tuple = ()

    def __init__(self, config: TrainConfig, train_set, test_set):
        self.config = config
        self.train_set = train_set
        self.test_set = test_set
        self.run_dir = Path(config.out)
        if len(train_set) < config.batch_size:
            limited = f", cut by --limit {config.limit}" if config.limit is not None else ""
            raise SettingError(f"--batch-size {config.batch_size} is larger than the training set ({len(train_set)} "
                               f"{config.dataset} images{limited}): no full batch to train on; choose a "
                               f"--batch-size of at most {len(train_set)}")
        if kernels.current() == "fast":
            from ..fast import keep_freed_memory
            keep_freed_memory()             # no page faults for each step's arrays (glibc; see fast/host_memory.py)
        nn.init.manual_seed(config.seed)
        self.models = self.build_models(config)
        self.optimizers = self.build_optimizers()
        self.loader = DataLoader(train_set, batch_size=config.batch_size, shuffle=True, drop_last=True,
                                 seed=[config.seed, 1])
        config.resolve_epochs(len(self.loader))
        self.rng = np.random.default_rng([config.seed, 2])
        self.epoch = 0                      # completed epochs
        self.step_in_epoch = 0              # completed steps of the current epoch
        self.epoch_start_loader_state = self.loader.state_dict()
        self.history = {name: [] for name in self.loss_names}
        self.epoch_records = []
        self.saved_position = None          # (epoch, step_in_epoch) of the checkpoint on disk, once known

    # ---- to be written by subclasses -------------------------------------------
    @staticmethod
    def build_models(config: TrainConfig) -> dict:
        raise NotImplementedError

    def build_optimizers(self) -> dict:
        raise NotImplementedError

    def train_step(self, images: np.ndarray, labels: np.ndarray) -> dict:
        raise NotImplementedError

    def evaluate(self) -> dict:
        return {}

    def sample_grid(self) -> tuple:
        raise NotImplementedError

    # ---- helpers for subclasses ---------------------------------------------------
    def test_images(self, limit: int = 2000) -> tuple:
        """At most ``limit`` test images as float32 (N, 1, 28, 28) in [0, 1], and their labels."""
        images = pixels_to_float(self.test_set.images[:limit])
        return images, self.test_set.labels[:limit]

    def set_training_mode(self, mode: bool) -> None:
        for model in self.models.values():
            model.train(mode)

    # ---- the loop ----------------------------------------------------------------------
    @property
    def checkpoint_path(self) -> Path:
        return self.run_dir / CHECKPOINT_NAME

    def fit(self, epochs: int | None = None, interrupt: GracefulInterrupt | None = None) -> list:
        """Train until ``epochs`` epochs are complete (default ``config.epochs``); return the epoch records.

        ``interrupt``: a :class:`GracefulInterrupt` the caller has already entered (so that a
        Ctrl-C right after it announced the run is already a request to stop); by default fit
        enters its own.
        """
        epochs = self.config.epochs if epochs is None else epochs
        interrupt_context = GracefulInterrupt() if interrupt is None else contextlib.nullcontext(interrupt)
        with RunFolderLock(self.run_dir), interrupt_context as interrupt:
            while self.epoch < epochs:
                started = time.perf_counter()
                self.train_one_epoch(epochs, interrupt)
                self.finish_epoch(seconds=time.perf_counter() - started)
                if interrupt.requested:     # Ctrl-C during the end-of-epoch work, saved with its epoch
                    raise TrainingInterrupted(self.checkpoint_path, self.epoch, self.step_in_epoch,
                                              interrupt.signal_number, complete=self.epoch >= epochs)
        return self.epoch_records

    def train_one_epoch(self, epochs: int, interrupt: GracefulInterrupt) -> None:
        """The remaining steps of the current epoch, with a progress bar showing the running mean losses."""
        if self.step_in_epoch == 0:
            self.epoch_start_loader_state = self.loader.state_dict()
        batches = itertools.islice(iter(self.loader), self.step_in_epoch, None)   # skip steps already done
        progress = tqdm(batches, total=len(self.loader), initial=self.step_in_epoch,
                        desc=f"{self.config.model} epoch {self.epoch + 1}/{epochs}", leave=False,
                        dynamic_ncols=True, disable=None)
        for images, labels in progress:
            self.set_training_mode(True)
            losses = self.train_step(images, labels)
            problem = first_non_finite_loss(losses)
            if problem is not None:
                progress.close()
                raise TrainingDiverged(problem, self.epoch + 1, self.step_in_epoch + 1)
            for name in self.loss_names:
                self.history[name].append(losses[name])
            self.step_in_epoch += 1
            progress.set_postfix({name: f"{value:.4g}" for name, value in self.epoch_means().items()},
                                 refresh=False)
            if interrupt.requested:
                progress.close()
                self.save()
                raise TrainingInterrupted(self.checkpoint_path, self.epoch, self.step_in_epoch,
                                          interrupt.signal_number)
        progress.close()

    def epoch_means(self) -> dict:
        """Mean of each loss over the steps of the current epoch done so far."""
        steps = self.step_in_epoch
        return {name: float(np.mean(values[-steps:])) if steps else float("nan")
                for name, values in self.history.items()}

    def finish_epoch(self, seconds: float) -> None:
        """Close the epoch: test metrics, record, sample grid, loss plot, metrics line, checkpoint."""
        self.check_weights()
        record = {"epoch": self.epoch + 1}
        record.update({f"train_{name}": value for name, value in self.epoch_means().items()})
        self.set_training_mode(False)
        record.update(self.evaluate())
        record["seconds"] = round(seconds, 3)
        self.epoch_records.append(record)
        images, images_per_row, title = self.sample_grid()
        self.set_training_mode(True)
        self.epoch += 1
        self.step_in_epoch = 0

        viz.image_grid(images, nrow=images_per_row, path=self.run_dir / f"samples_epoch{self.epoch:03d}.png",
                       title=f"epoch {self.epoch}: {title}")
        viz.plot_losses(self.history, path=self.run_dir / LOSSES_NAME)
        self.write_metrics()
        self.save()
        summary = ", ".join(f"{name} {value:.4g}" for name, value in record.items() if name != "epoch")
        tqdm.write(f"epoch {self.epoch}: {summary}")
        sys.stdout.flush()                      # show the line now, also when stdout is a file or a pipe

    # ---- checkpoints -------------------------------------------------------------------
    def state_dict(self) -> dict:
        """The whole training state, as a nested dict of arrays, numbers and strings."""
        at_epoch_start = self.step_in_epoch == 0
        return {
            "config": self.config.to_json(),
            "epoch": self.epoch,
            "step_in_epoch": self.step_in_epoch,
            "models": {name: model.state_dict() for name, model in self.models.items()},
            "optimizers": {name: optimizer.state_dict() for name, optimizer in self.optimizers.items()},
            "noise_rng": json.dumps(self.rng.bit_generator.state),
            "loader": self.loader.state_dict() if at_epoch_start else self.epoch_start_loader_state,
            "history": {name: np.asarray(values, dtype=np.float64) for name, values in self.history.items()},
            "epoch_records": json.dumps(self.epoch_records),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore a state from :meth:`state_dict` (as read back from a checkpoint)."""
        for name, model in self.models.items():
            model.load_state_dict(state["models"][name])
        for name, optimizer in self.optimizers.items():
            optimizer.load_state_dict(state["optimizers"][name])
        self.rng.bit_generator.state = json.loads(state["noise_rng"])
        self.loader.load_state_dict(state["loader"])
        self.epoch_start_loader_state = self.loader.state_dict()
        self.epoch = int(state["epoch"])
        self.step_in_epoch = int(state["step_in_epoch"])
        self.history = {name: [float(v) for v in state["history"][name]] for name in self.loss_names}
        self.epoch_records = json.loads(state["epoch_records"])

    def check_weights(self) -> None:
        """Raise :class:`TrainingDiverged` if a weight (or buffer) of a model is not finite."""
        problem = first_non_finite_tensor(self.models)
        if problem is not None:
            epoch, step = (self.epoch + 1, self.step_in_epoch) if self.step_in_epoch else (self.epoch, len(self.loader))
            raise TrainingDiverged(problem, epoch, step)

    def save(self) -> Path:
        """Write the checkpoint (atomically) to ``run_dir/checkpoint.npz``, if every weight is finite."""
        self.check_weights()
        with RunFolderLock(self.run_dir):
            save_checkpoint(self.checkpoint_path, self.state_dict())
        self.saved_position = (self.epoch, self.step_in_epoch)
        return self.checkpoint_path

    def write_metrics(self) -> None:
        """Write metrics.jsonl: one line per completed epoch (written whole, atomically)."""
        write_text_atomically(self.run_dir / METRICS_NAME,
                              "".join(json.dumps(record) + "\n" for record in self.epoch_records))

    def resume(self, path=None) -> None:
        """Load ``path`` (default: this run's checkpoint) and rewrite metrics.jsonl to match it.

        Lines for epochs the checkpoint does not contain (from a run killed
        after writing them) are dropped, so the file never repeats an epoch.
        The optimizers take ``config.lr`` (the same as the checkpoint's, unless
        the run goes on with another learning rate).
        """
        path = path or self.checkpoint_path
        with RunFolderLock(self.run_dir):
            state = load_checkpoint(path)
            try:
                self.load_state_dict(state)
            except (KeyError, ValueError, TypeError, RuntimeError) as error:
                detail = f"missing entry {error}" if isinstance(error, KeyError) else str(error)
                raise CheckpointError(f"{path} does not hold a {self.config.model} run like this one: {detail}; "
                                      "start a new run with another --out") from None
            for optimizer in self.optimizers.values():
                optimizer.lr = self.config.lr
            self.saved_position = (self.epoch, self.step_in_epoch)
            self.write_metrics()
