"""The settings of a training run, saved in every checkpoint as JSON."""

from __future__ import annotations

import dataclasses
import json
import math

from ..models.gan import DISCRIMINATOR_KERNEL_SIZES, GENERATOR_ARCHITECTURES

MODEL_KINDS = ("gan", "vae", "classifier")
NUM_CLASSES = 10            # mnist, fashion-mnist and digits all have ten classes

# Per-model defaults for the settings left as None.  GAN: the DCGAN paper's
# Adam(2e-4, betas=(0.5, 0.999)) and batch 64; VAE and classifier: Adam(1e-3).
# The classifier trains on randomly shifted images (up to 2 pixels, see
# data.augment.random_shift); the generative models see the images as they are.
# The GAN's epochs are left open (None) until the training set is known: see
# TrainConfig.resolve_epochs.
DEFAULTS = {
    "gan": {"epochs": None, "batch_size": 64, "lr": 2e-4, "latent_dim": 100, "shift_augment": 0},
    "vae": {"epochs": 10, "batch_size": 128, "lr": 1e-3, "latent_dim": 20, "shift_augment": 0},
    "classifier": {"epochs": 3, "batch_size": 128, "lr": 1e-3, "latent_dim": 0, "shift_augment": 2},
}

# The GAN's default length: DEFAULT_GAN_EPOCHS epochs, or on a large training set the fewest
# epochs that make at least DEFAULT_GAN_STEPS steps (10 epochs of MNIST-10k's 8,000 images at
# batch 64): `train gan` then takes minutes on MNIST's 60,000 images too (2 epochs).
DEFAULT_GAN_EPOCHS = 10
DEFAULT_GAN_STEPS = 1250

# Settings that may differ between a run and its --resume: the rest must match.
# A lower --lr is how a run that diverged (non-finite losses) goes on from its last good checkpoint.
RESUMABLE_CHANGES = ("epochs", "data_dir", "backend", "out", "download", "lr")


class SettingError(ValueError):
    """A setting (a command-line option) whose value cannot work; the message names the option."""

# Settings that only the GAN reads: any other model must leave them at their defaults.
GAN_ONLY_SETTINGS = ("generator", "generator_steps", "discriminator_kernel", "discriminator_hidden")


@dataclasses.dataclass
class TrainConfig:
    """What to train and how.  ``None`` means "the default for this model" (see ``DEFAULTS``).

    model: "gan", "vae" or "classifier".
    dataset: "mnist", "fashion-mnist" or "digits"; data_dir: where its files are (None: search).
    epochs: total number of epochs of the run (a resumed run continues up to it); the GAN's
        default is set by ``resolve_epochs`` once the training set is known.
    batch_size, lr: mini-batch size and Adam's learning rate.
    latent_dim: size of the noise / latent code (GAN and VAE).
    conditional: GAN/VAE conditioned on the class label (one-hot).
    generator: GAN only: "dcgan" (the default), "upsample", the wider resize-convolution
        generator, or "radford", the generator of Radford et al.'s MNIST code (see ``models.gan``).
    generator_steps: GAN only: generator updates per discriminator update (default 1; each
        extra one draws fresh noise, see ``GANTrainer``).
    discriminator_kernel: GAN only: the discriminator's kernel size, 4 (the DCGAN one, the
        default) or 5 (see ``models.gan``).
    discriminator_hidden: GAN only: width of a hidden Linear layer between the discriminator's
        features and its logit (0, the default: none; 1024 in Radford et al.'s MNIST code).
    seed: seeds the initial weights, the data order and the noise.
    backend: "numpy" or "cupy".  out: the run folder.
    limit: use only the first ``limit`` training images (and at most as many test images).
    download: allow downloading a missing dataset.
    shift_augment: classifier only: shift each training image by up to this many pixels
        (random, per image and step); 0 turns augmentation off.
    """

    model: str
    dataset: str = "mnist"
    data_dir: str | None = None
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    latent_dim: int | None = None
    conditional: bool = False
    seed: int = 0
    backend: str = "numpy"
    out: str | None = None
    limit: int | None = None
    download: bool = True
    shift_augment: int | None = None
    generator: str = "dcgan"
    generator_steps: int = 1
    discriminator_kernel: int = 4
    discriminator_hidden: int = 0

    def __post_init__(self):
        if self.model not in MODEL_KINDS:
            raise SettingError(f"unknown model {self.model!r}: choose one of {', '.join(MODEL_KINDS)}")
        for name, value in DEFAULTS[self.model].items():
            if getattr(self, name) is None:
                setattr(self, name, value)
        self._check_values()
        self._check_combinations()

    def _check_values(self) -> None:
        """Each setting on its own: the right type, a value that can work."""
        minimums = {"epochs": 1, "batch_size": 1, "limit": 1, "latent_dim": 0 if self.model == "classifier" else 1,
                    "seed": 0, "shift_augment": None}          # shift_augment's range is checked below
        for name, minimum in minimums.items():
            value = getattr(self, name)
            if value is None and name in ("limit", "epochs"):     # epochs: the GAN's, resolved later
                continue
            if isinstance(value, bool) or not isinstance(value, int) or (minimum is not None and value < minimum):
                lowest = "" if minimum is None else f" >= {minimum}"
                raise SettingError(f"--{name.replace('_', '-')} must be an integer{lowest}, got {value!r}")
        lr = self.lr
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
            raise SettingError(f"--lr must be a finite number > 0, got {lr!r}")
        self.lr = float(lr)
        for name in ("conditional", "download"):
            if not isinstance(getattr(self, name), bool):
                raise SettingError(f"{name} must be True or False, got {getattr(self, name)!r}")
        for name in ("dataset", "backend"):
            if not isinstance(getattr(self, name), str):
                raise SettingError(f"--{name} must be a name, got {getattr(self, name)!r}")
        for name in ("data_dir", "out"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                raise SettingError(f"--{name.replace('_', '-')} must be a path, got {getattr(self, name)!r}")

    def _check_combinations(self) -> None:
        if self.out is None:
            self.out = f"runs/{self.model}-{self.dataset}"
        if self.model == "classifier" and self.conditional:
            raise SettingError("--conditional applies to the gan and the vae only")
        if self.generator not in GENERATOR_ARCHITECTURES:
            raise SettingError(f"unknown --generator {self.generator!r}: choose one of "
                             f"{', '.join(GENERATOR_ARCHITECTURES)}")
        if type(self.generator_steps) is not int or self.generator_steps < 1:
            raise SettingError(f"--generator-steps must be an integer >= 1, got {self.generator_steps!r}")
        if type(self.discriminator_kernel) is not int or self.discriminator_kernel not in DISCRIMINATOR_KERNEL_SIZES:
            raise SettingError(f"--discriminator-kernel must be one of "
                             f"{', '.join(map(str, DISCRIMINATOR_KERNEL_SIZES))}, got {self.discriminator_kernel!r}")
        if type(self.discriminator_hidden) is not int or self.discriminator_hidden < 0:
            raise SettingError(f"--discriminator-hidden must be an integer >= 0 (0: no hidden layer), "
                             f"got {self.discriminator_hidden!r}")
        if self.model != "gan":
            for field in dataclasses.fields(self):
                if field.name in GAN_ONLY_SETTINGS and getattr(self, field.name) != field.default:
                    raise SettingError(f"--{field.name.replace('_', '-')} applies to the gan only")
        if self.model != "classifier" and self.shift_augment:
            raise SettingError("--shift-augment applies to the classifier only")
        if not 0 <= self.shift_augment <= 13:
            raise SettingError(f"--shift-augment must be between 0 and 13 pixels, got {self.shift_augment}")
        if self.limit is not None and self.limit < self.batch_size:
            raise SettingError(f"--limit {self.limit} is smaller than one batch (--batch-size {self.batch_size}); "
                             "lower --batch-size or raise --limit")

    def resolve_epochs(self, steps_per_epoch: int) -> None:
        """Fill in the GAN's default number of epochs, if it was left open, from its steps per epoch.

        The fewest epochs that make at least DEFAULT_GAN_STEPS steps, and at most
        DEFAULT_GAN_EPOCHS: ceil(DEFAULT_GAN_STEPS / steps_per_epoch), capped.
        """
        if self.epochs is None:
            self.epochs = min(DEFAULT_GAN_EPOCHS, math.ceil(DEFAULT_GAN_STEPS / steps_per_epoch))

    @property
    def num_classes(self) -> int:
        """Classes the generative model is conditioned on: 10 if conditional, else 0."""
        return NUM_CLASSES if self.conditional else 0

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        """The config saved by :meth:`to_json`; a ValueError naming the problem for anything else."""
        try:
            values = json.loads(text)
        except (TypeError, ValueError) as error:
            raise ValueError(f"its config is not JSON ({error})") from None
        if not isinstance(values, dict):
            raise ValueError(f"its config is not a JSON object of settings, got {type(values).__name__}")
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"its config has unknown settings {unknown} (written by another version of "
                             "nn_from_scratch?)")
        if "model" not in values:
            raise ValueError("its config does not say which model it trains")
        try:
            return cls(**values)
        except SettingError as error:
            raise ValueError(f"its config holds an invalid setting: {error}") from None

    def differences(self, other: TrainConfig) -> list:
        """Names of the settings, other than ``RESUMABLE_CHANGES``, whose values differ."""
        mine, theirs = dataclasses.asdict(self), dataclasses.asdict(other)
        return [name for name in mine if name not in RESUMABLE_CHANGES and mine[name] != theirs[name]]
