"""Starting, resuming and re-opening training runs: data, trainer and backend from a config."""

from __future__ import annotations

from pathlib import Path

from .. import backend
from ..data import find_or_fallback, load_dataset, pixels_to_float
from .checkpoint import CheckpointError, load_checkpoint
from .classifier_trainer import ClassifierTrainer
from .config import TrainConfig
from .gan_trainer import GANTrainer
from .trainer import CHECKPOINT_NAME, Trainer
from .vae_trainer import VAETrainer

TRAINERS = {"gan": GANTrainer, "vae": VAETrainer, "classifier": ClassifierTrainer}


def keep_first(dataset, limit: int | None):
    """Keep only the first ``limit`` images of ``dataset`` (in place; None keeps all); returns it."""
    if limit is not None:
        dataset.images = dataset.images[:limit]
        dataset.labels = dataset.labels[:limit]
    return dataset


def load_data(config: TrainConfig, fallback: bool = True) -> tuple:
    """(training set, test set) for ``config``, each cut to ``config.limit`` images.

    With ``fallback``, MNIST that is neither on disk nor downloadable is
    replaced, with a note on stderr, by the bundled MNIST-10k (see
    :func:`nn_from_scratch.data.find_or_fallback`), and ``config.dataset``
    is changed to "mnist-10k" so that a resumed run and ``evaluate`` use it too.
    """
    if fallback:
        train_set = find_or_fallback(config.dataset, config.data_dir, train=True, download=config.download)
        config.dataset = train_set.name
    else:
        train_set = load_dataset(config.dataset, config.data_dir, train=True, download=config.download)
    test_set = load_dataset(config.dataset, config.data_dir, train=False, download=config.download)
    return keep_first(train_set, config.limit), keep_first(test_set, config.limit)


def make_trainer(config: TrainConfig, fallback: bool = True) -> Trainer:
    """Select the backend, load the data and build the trainer for ``config`` (fresh weights)."""
    backend.use(config.backend)
    train_set, test_set = load_data(config, fallback=fallback)
    return TRAINERS[config.model](config, train_set, test_set)


def read_config(run_dir) -> TrainConfig:
    """The config saved in ``run_dir``'s checkpoint."""
    return read_run(run_dir)[0]


def checkpoint_file(run_dir) -> Path:
    """``run_dir/checkpoint.npz``; a CheckpointError if something other than a file is there."""
    path = Path(run_dir) / CHECKPOINT_NAME
    if path.exists() and not path.is_file():
        raise CheckpointError(f"{path} is a folder, not a checkpoint file; move it away, or choose another run "
                              "folder")
    return path


def read_run(run_dir) -> tuple:
    """(config, state) of the run saved in ``run_dir``: a CheckpointError naming the file for anything wrong."""
    path = checkpoint_file(run_dir)
    if Path(run_dir).exists() and not Path(run_dir).is_dir():
        raise CheckpointError(f"{run_dir} is a file, not a run folder: give the folder that holds {CHECKPOINT_NAME}")
    if not path.is_file():
        where = "does not exist" if not Path(run_dir).exists() else f"holds no {CHECKPOINT_NAME}"
        raise CheckpointError(f"{run_dir} {where}: train a model there first with "
                              f"`python -m nn_from_scratch train {{gan,vae,classifier}} --out {run_dir}`")
    state = load_checkpoint(path)
    missing = [key for key in ("config", "epoch", "step_in_epoch", "models") if key not in state]
    if missing:
        raise CheckpointError(f"{path} is not a training run's checkpoint: it has no {', '.join(missing)}")
    try:
        config = TrainConfig.from_json(state["config"])
    except ValueError as error:
        raise CheckpointError(f"{path}: {error}; it is corrupt or from another program") from None
    return config, state


def run_is_complete(config: TrainConfig, state: dict) -> bool:
    """True when the checkpoint ``state`` holds every epoch of its config (its training was not cut short)."""
    return int(state["epoch"]) >= config.epochs and int(state["step_in_epoch"]) == 0


def load_models(run_dir, backend_name: str | None = None) -> tuple:
    """(config, models by name) of a trained run, in evaluation mode; no data is loaded.

    ``backend_name`` ("numpy" or "cupy") overrides the backend the run was trained with.
    """
    config, state = read_run(run_dir)
    path = Path(run_dir) / CHECKPOINT_NAME
    config.out = str(run_dir)
    if backend_name is not None:
        config.backend = backend_name
    backend.use(config.backend)
    models = TRAINERS[config.model].build_models(config)
    for name, model in models.items():
        weights = state["models"].get(name) if isinstance(state["models"], dict) else None
        if weights is None:
            raise CheckpointError(f"{path} has no weights for the {name} of its {config.model} run: it is "
                                  "corrupt or was edited")
        try:
            model.load_state_dict(weights)
        except (RuntimeError, ValueError, TypeError) as error:
            raise CheckpointError(f"{path}: the saved {name} does not fit the {config.model} its config describes "
                                  f"({error})") from None
        model.eval()
    return config, models


def load_test_images(config: TrainConfig, limit: int | None = None) -> tuple:
    """The run's test images, float32 (N, 1, 28, 28) in [0, 1], and labels (N,); at most ``limit``."""
    test_set = load_dataset(config.dataset, config.data_dir, train=False, download=config.download)
    images = pixels_to_float(test_set.images[:limit])
    return images, test_set.labels[:limit]
