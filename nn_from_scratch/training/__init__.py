"""Training loops for the GAN, the VAE and the classifier, with exact checkpoint/resume.

    from nn_from_scratch.training import TrainConfig, make_trainer

    config = TrainConfig("vae", data_dir="../shared/data/mnist-10k", epochs=2, out="runs/vae")
    trainer = make_trainer(config)
    trainer.fit()                 # writes samples_epoch*.png, losses.png, metrics.jsonl, checkpoint.npz

Files, by concept:

    config.py              TrainConfig: the settings of a run (saved as JSON in the checkpoint)
    trainer.py             Trainer: the epoch loop, run outputs, state_dict / resume
    gan_trainer.py         GANTrainer: the D step and the non-saturating G step
    vae_trainer.py         VAETrainer: the -ELBO step
    classifier_trainer.py  ClassifierTrainer: the cross-entropy step
    checkpoint.py          one .npz file per training state, without pickle, written atomically
    interrupt.py           Ctrl-C and SIGTERM: finish the step, save, stop
    divergence.py          non-finite losses or weights stop the run before anything wrong is saved
    lock.py                one run at a time in a run folder
    run.py                 data loading and trainers from a config; re-opening a run folder
"""

from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .classifier_trainer import ClassifierTrainer
from .config import DEFAULTS, MODEL_KINDS, SettingError, TrainConfig
from .divergence import TrainingDiverged
from .gan_trainer import GANTrainer
from .interrupt import GracefulInterrupt, TrainingInterrupted
from .lock import RunFolderBusy, RunFolderLock
from .run import load_data, load_models, load_test_images, make_trainer, read_config, read_run, run_is_complete
from .trainer import CHECKPOINT_NAME, Trainer
from .vae_trainer import VAETrainer

__all__ = [
    "CHECKPOINT_NAME",
    "DEFAULTS",
    "MODEL_KINDS",
    "CheckpointError",
    "ClassifierTrainer",
    "GANTrainer",
    "GracefulInterrupt",
    "RunFolderBusy",
    "RunFolderLock",
    "SettingError",
    "TrainConfig",
    "Trainer",
    "TrainingDiverged",
    "TrainingInterrupted",
    "VAETrainer",
    "load_checkpoint",
    "load_data",
    "load_models",
    "load_test_images",
    "make_trainer",
    "read_config",
    "read_run",
    "run_is_complete",
    "save_checkpoint",
]
