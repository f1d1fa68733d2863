"""Quality benchmark: the library's GANs (plain and class-conditional) and VAE against identical PyTorch twins.

For each seed, the GAN, the class-conditional GAN (``--models cgan``) and
the VAE are built with the library's trainer (:class:`GANTrainer`,
:class:`VAETrainer`: the library's own training step),
and their PyTorch twin is :func:`nn_from_scratch.interop.to_torch` of the very
same models: the same layers and the same weights, with no second model
definition here.  The twin sees the same batches (a :class:`DataLoader` with the same seed, hence the
same index order), draws its generator noise / VAE eps from a NumPy generator
with the same seed (hence the same numbers), and uses the same optimizer
settings (Adam, PyTorch defaults otherwise) for the same number of epochs.

Both are then evaluated with the SAME metric code (:mod:`nn_from_scratch.metrics`,
on host NumPy arrays):

* GAN and VAE samples: FID (with its real-vs-real floor) and Inception Score,
  in the feature space of ONE classifier: by default the evaluation classifier
  shipped with the package for the dataset (``evaluate``'s, trained by this
  library: see nn_from_scratch/models/weights/), or with ``--classifier-epochs N``
  one trained here for N epochs on the same training data (its test accuracy and
  the Inception Score of the real test images are reported next to them);
* ``--models gan-upsample``: the GAN with ``Generator(architecture="upsample")``
  (``train gan --generator upsample``: wider, Upsample + Conv2d), evaluated as the GAN;
* ``--models gan-g2``: the GAN with two generator updates per step (``train gan
  --generator-steps 2``; the second on fresh noise), evaluated as the GAN;
* ``--models gan-upsample-g2``: both, with Adam's learning rate 4e-4 (``train gan
  --generator upsample --generator-steps 2 --lr 4e-4``);
* ``--models gan-upsample-d5-g2``: the same with the 5x5 discriminator
  (``--discriminator-kernel 5``); the upsample kinds are meant for
  ``--device cuda`` and are left out of the default ``--models``;
* ``--models gan-radford``: the architecture of Radford et al.'s MNIST code (their
  ``dcgan_code/mnist/train_cond_dcgan.py``, unconditional here): a 1024-unit Linear
  layer at the start of G and before D's logit, 5x5 kernels in both, one G update per
  step, Adam 2e-4 (``train gan --generator radford --discriminator-kernel 5
  --discriminator-hidden 1024``);
* conditional GAN samples, drawn for the labels 0, 1, ..., 9, 0, 1, ... in
  turn: the same, plus how often the classifier recognises the label asked for;
* VAE: test negative ELBO (nats per image), :func:`metrics.vae_negative_elbo`
  on the library's VAE; the PyTorch twin's trained VAE is converted back for it
  (:func:`nn_from_scratch.interop.from_torch`).

Usage::

    python benchmarks/bench_quality.py --dataset mnist --data-dir ../shared/data/mnist-10k \
        --epochs 20 --seeds 0 1 2 --models gan cgan vae --out benchmarks/results/quality-mnist-10k
    python benchmarks/bench_quality.py ... --check-steps 5     # step-by-step loss agreement only
    python benchmarks/bench_quality.py ... --device cuda        # ours on CuPy, the twin on PyTorch CUDA

Each finished run writes ``<out>/runs/<model>-<library>-seed<k>.json`` at
once (a later invocation with the same --out reuses it), so partial results
survive; the tables are printed (Markdown) from whatever runs exist.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as TF

from nn_from_scratch import backend, interop, metrics, viz
from nn_from_scratch.data import DataLoader, load_dataset
from nn_from_scratch.models import VAE, Classifier
from nn_from_scratch.models.classifier import evaluation_classifier, evaluation_classifier_path
from nn_from_scratch.tensor import Tensor, no_grad
from nn_from_scratch.training.classifier_trainer import ClassifierTrainer, accuracy_and_loss
from nn_from_scratch.training.config import DEFAULTS, TrainConfig
from nn_from_scratch.training.gan_trainer import GAN_BETAS, GANTrainer
from nn_from_scratch.training.generation import condition_labels
from nn_from_scratch.training.vae_trainer import VAETrainer

LIBRARIES = ("ours", "torch")
CLASSIFIER_SHIFT = DEFAULTS["classifier"]["shift_augment"]      # pixels; the trainer's default


# --------------------------------------------------------------------------
# PyTorch twins: nf.interop.to_torch of the library's own models
# --------------------------------------------------------------------------


class TorchGANStep:
    """The step of :class:`GANTrainer`, in PyTorch: D on real and detached fakes, then G (non-saturating).

    Conditional: each fake is drawn with the label of the real image in the same batch position, as in ours.
    With ``generator_steps`` k > 1, k - 1 more G updates on fresh noise, as in ours.
    """

    def __init__(self, trainer: GANTrainer, device: str = "cpu"):
        config = trainer.config
        self.latent_dim = config.latent_dim
        self.generator_steps = config.generator_steps
        self.conditional = config.num_classes > 0
        self.device = device
        self.generator = interop.to_torch(trainer.generator, device)          # same layers, same weights
        self.discriminator = interop.to_torch(trainer.discriminator, device)
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), lr=config.lr, betas=GAN_BETAS)
        self.d_optimizer = torch.optim.Adam(self.discriminator.parameters(), lr=config.lr, betas=GAN_BETAS)
        self.rng = np.random.default_rng([config.seed, 2])           # = GANTrainer's noise generator

    def __call__(self, images, labels) -> dict:
        self.generator.train()
        self.discriminator.train()
        conditions = torch.from_numpy(labels).to(self.device) if self.conditional else None
        real = torch.from_numpy(images).to(self.device)
        noise = torch.from_numpy(self.rng.standard_normal((len(images), self.latent_dim), dtype=np.float32))
        fake = torch.sigmoid(self.generator(noise.to(self.device), conditions))
        real_logits = self.discriminator(real, conditions)
        fake_logits = self.discriminator(fake.detach(), conditions)
        d_loss = (TF.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
                  + TF.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
        self.d_optimizer.zero_grad()
        d_loss.backward()
        self.d_optimizer.step()
        self.discriminator.requires_grad_(False)
        g_losses = []
        for g_step in range(self.generator_steps):
            if g_step > 0:
                noise = torch.from_numpy(self.rng.standard_normal((len(images), self.latent_dim), dtype=np.float32))
                fake = torch.sigmoid(self.generator(noise.to(self.device), conditions))
            logits = self.discriminator(fake, conditions)
            g_loss = TF.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
            self.g_optimizer.zero_grad()
            g_loss.backward()
            self.g_optimizer.step()
            g_losses.append(g_loss.item())
        self.discriminator.requires_grad_(True)
        return {"d_loss": d_loss.item(), "g_loss": sum(g_losses) / len(g_losses)}

    def sample(self, noise: np.ndarray, labels=None) -> np.ndarray:
        self.generator.eval()
        with torch.no_grad():
            conditions = torch.from_numpy(labels).to(self.device) if self.conditional else None
            return torch.sigmoid(self.generator(torch.from_numpy(noise).to(self.device), conditions)).cpu().numpy()


class TorchVAEStep:
    """The step of :class:`VAETrainer`, in PyTorch: -ELBO = BCE summed over pixels + KL, per image."""

    def __init__(self, trainer: VAETrainer, device: str = "cpu"):
        config = trainer.config
        self.latent_dim = config.latent_dim
        self.device = device
        self.vae = interop.to_torch(trainer.vae, device)                      # same layers, same weights
        self.optimizer = torch.optim.Adam(self.vae.parameters(), lr=config.lr)
        self.rng = np.random.default_rng([config.seed, 2])           # = VAETrainer's noise generator

    def __call__(self, images, labels) -> dict:
        x = torch.from_numpy(images).to(self.device)
        eps = torch.from_numpy(self.rng.standard_normal((len(images), self.latent_dim), dtype=np.float32))
        eps = eps.to(self.device)
        logits, mu, logvar = self.vae(x, eps)
        reconstruction = TF.binary_cross_entropy_with_logits(logits, x, reduction="sum") / len(images)
        kl = (0.5 * (torch.exp(logvar) + mu * mu - 1 - logvar)).sum(dim=1).mean()
        loss = reconstruction + kl
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return {"loss": loss.item(), "reconstruction": reconstruction.item(), "kl": kl.item()}

    def as_library_vae(self) -> VAE:
        return interop.from_torch(self.vae)


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------


# What each --models entry trains: the TrainConfig settings that differ from the defaults
# (the DCGAN generator, one G update per step, the model's default learning rate).
RECIPES = {
    "classifier": {"model": "classifier"},
    "gan": {"model": "gan"},
    "cgan": {"model": "gan", "conditional": True},
    "gan-upsample": {"model": "gan", "generator": "upsample"},
    "gan-g2": {"model": "gan", "generator_steps": 2},
    "gan-upsample-g2": {"model": "gan", "generator": "upsample", "generator_steps": 2, "lr": 4e-4},
    "gan-upsample-d5-g2": {"model": "gan", "generator": "upsample", "discriminator_kernel": 5, "generator_steps": 2,
                           "lr": 4e-4},
    "gan-radford": {"model": "gan", "generator": "radford", "discriminator_kernel": 5, "discriminator_hidden": 1024},
    "vae": {"model": "vae"},
}
GENERATIVE_KINDS = tuple(kind for kind in RECIPES if kind != "classifier")
# ~1 s per step on 2 CPU cores: not run by default
GPU_SIZED_KINDS = ("gan-upsample", "gan-upsample-g2", "gan-upsample-d5-g2")
TITLES = {"gan": "GAN", "cgan": "Conditional GAN", "gan-upsample": "GAN (upsample generator)",
          "gan-g2": "GAN (2 generator updates per step)",
          "gan-upsample-g2": "GAN (upsample generator, 2 generator updates per step, lr 4e-4)",
          "gan-upsample-d5-g2": "GAN (upsample generator, 5x5 discriminator, 2 generator updates per step, lr 4e-4)",
          "gan-radford": "GAN (Radford et al.'s MNIST architecture: 1024-unit Linear layers, 5x5 kernels)",
          "vae": "VAE"}


def make_trainer(kind: str, args, seed: int, train_set, test_set, epochs: int):
    config = TrainConfig(**RECIPES[kind], dataset=args.dataset, data_dir=args.data_dir, epochs=epochs, seed=seed,
                         out=str(Path(args.cache_dir) / f"{kind}-seed{seed}"), download=False,
                         backend="cupy" if args.device == "cuda" else "numpy")
    trainer_class = {"gan": GANTrainer, "vae": VAETrainer, "classifier": ClassifierTrainer}[config.model]
    return trainer_class(config, train_set, test_set)


def make_twin(kind: str, trainer, device: str = "cpu"):
    """The PyTorch twin of ``trainer``'s step, on ``device``, starting from the same weights."""
    return TorchVAEStep(trainer, device) if kind == "vae" else TorchGANStep(trainer, device)


def train(step, loader: DataLoader, epochs: int, label: str, set_mode=None, on_epoch=None) -> dict:
    """Run ``epochs`` epochs of ``step(images, labels)``; return per-epoch mean losses and seconds.

    ``on_epoch(epoch, record)``, if given, is called after each epoch (1-based) with the record so far.
    """
    record = {"epoch_seconds": [], "epoch_losses": []}
    for epoch in range(epochs):
        started = time.perf_counter()
        sums = {}
        for images, labels in loader:
            if set_mode is not None:
                set_mode(True)
            for name, value in step(images, labels).items():
                sums[name] = sums.get(name, 0.0) + value
        seconds = time.perf_counter() - started
        means = {name: value / len(loader) for name, value in sums.items()}
        record["epoch_seconds"].append(round(seconds, 2))
        record["epoch_losses"].append(means)
        print(f"  {label} epoch {epoch + 1}/{epochs}: {seconds:.1f} s, "
              + ", ".join(f"{k} {v:.4f}" for k, v in means.items()), flush=True)
        if on_epoch is not None:
            on_epoch(epoch + 1, record)
    return record


def test_arrays(test_set) -> tuple:
    images = test_set.images[:, None, :, :].astype(np.float32) / np.float32(255)
    return images, test_set.labels.astype(np.int64)


def shipped_classifier(args, test_set) -> tuple:
    """The dataset's shipped evaluation classifier, and its record: its training, and what it scores here."""
    classifier = evaluation_classifier(args.dataset)
    weights = evaluation_classifier_path(args.dataset)
    shipped = json.loads(weights.with_suffix(".json").read_text())
    record = {"shipped": f"nn_from_scratch/models/weights/{weights.name}", "sha256": shipped["sha256"],
              "command": shipped["command"], "epochs": shipped["epochs"], "seed": shipped["seed"]}
    images, labels = test_arrays(test_set)
    record.update(accuracy_and_loss(classifier, images, labels))
    _, probs = metrics.classifier_outputs(classifier, images)
    record["real_inception_score"] = metrics.inception_score(probs)
    record["num_test_images"] = len(images)
    write_json(Path(args.out) / "runs" / "classifier.json", record)
    return classifier, record


def get_classifier(args, train_set, test_set) -> tuple:
    """The feature network: the shipped one, or with --classifier-epochs one trained (seed 0), cached in --cache-dir."""
    if args.classifier_epochs is None:
        return shipped_classifier(args, test_set)
    path = Path(args.cache_dir) / (f"classifier-{args.dataset}-{len(train_set)}-e{args.classifier_epochs}"
                                    f"-shift{CLASSIFIER_SHIFT}.npz")
    record_path = Path(args.out) / "runs" / "classifier.json"
    classifier = Classifier(10)
    if path.exists() and record_path.exists():
        classifier.load(path)
        classifier.eval()
        return classifier, json.loads(record_path.read_text())
    missing = " and ".join(str(file) for file in (path, record_path) if not file.exists())
    print(f"classifier: {args.classifier_epochs} epochs (not cached: no {missing}; the weights and their "
          f"record are reused only together, so that every run of one --out uses one feature network)", flush=True)
    trainer = make_trainer("classifier", args, 0, train_set, test_set, args.classifier_epochs)
    record = train(trainer.train_step, trainer.loader, args.classifier_epochs, "classifier",
                   trainer.set_training_mode)
    classifier = trainer.classifier
    classifier.eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    classifier.save(path)
    images, labels = test_arrays(test_set)
    record.update(accuracy_and_loss(classifier, images, labels))
    _, probs = metrics.classifier_outputs(classifier, images)
    record["real_inception_score"] = metrics.inception_score(probs)
    record["num_test_images"] = len(images)
    write_json(record_path, record)
    return classifier, record


def write_json(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, indent=1))
    temporary.replace(path)


def sample_quality(images: np.ndarray, classifier, real_features: np.ndarray, labels=None) -> dict:
    """FID (with its floor) and Inception Score of ``images``; with the ``labels`` they were drawn
    for (conditional models), also ``label_accuracy``: the fraction the classifier puts in that class."""
    features, probs = metrics.classifier_outputs(classifier, images)
    result = metrics.fid_with_floor(features, real_features)
    result["inception_score"] = metrics.inception_score(probs)
    if labels is not None:
        result["label_accuracy"] = float(np.mean(probs.argmax(axis=1) == labels))
    return result


def save_grid(images: np.ndarray, path: Path, title: str, per_row: int = 8) -> None:
    """A grid of the first per_row**2 images (per_row per row), as a small 8-bit greyscale PNG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    viz.image_grid(images[:per_row * per_row], nrow=per_row, path=path, title=title)
    shrink_png(path)


def shrink_png(path: Path) -> None:
    """Rewrite a (greyscale-looking) RGBA PNG as 8-bit greyscale: about 3x smaller."""
    from PIL import Image

    with Image.open(path) as image:
        grey = image.convert("L")
    grey.save(path, optimize=True)


def run_path(out, kind: str, library: str, seed: int, epoch: int) -> Path:
    return Path(out) / "runs" / f"{kind}-{library}-seed{seed}-e{epoch:03d}.json"


def sample_in_chunks(model, noise: np.ndarray, labels=None, chunk: int = 250) -> np.ndarray:
    """``model.sample`` of every noise row, ``chunk`` rows at a time, as one host array.

    One call on all 2,000 rows would hold im2col matrices of several GB (10 GB for the
    upsample generator's 5x5 convolution over 256 channels).
    """
    parts = []
    with no_grad():
        for start in range(0, len(noise), chunk):
            rows = slice(start, start + chunk)
            parts.append(model.sample(Tensor(noise[rows]), None if labels is None else labels[rows]).numpy())
    return np.concatenate(parts)


def run_pair(kind: str, seed: int, args, train_set, test_set, classifier, real_features) -> None:
    """Train ours and the torch twin for one seed (each skipped if its final JSON exists).

    At each of --eval-epochs (and the last epoch) the model is evaluated and
    ``<out>/runs/<kind>-<library>-seed<k>-e<epoch>.json`` written.
    """
    libraries = [library for library in args.libraries
                 if not run_path(args.out, kind, library, seed, args.epochs).exists()]
    if not libraries:
        return
    trainer = make_trainer(kind, args, seed, train_set, test_set, args.epochs)
    twin = make_twin(kind, trainer, args.device)                              # same initial weights
    test_images, _ = test_arrays(test_set)
    eval_noise = np.random.default_rng([seed, 5]).standard_normal((len(test_images), trainer.config.latent_dim),
                                                                   dtype=np.float32)
    num_classes = trainer.config.num_classes
    eval_labels = condition_labels(num_classes, len(test_images), None)      # 0, 1, ..., 9, 0, ... or None
    eval_epochs = {e for e in args.eval_epochs if e <= args.epochs} | {args.epochs}

    for library in libraries:
        def evaluate(epoch, record, library=library):
            if epoch not in eval_epochs:
                return
            if library == "ours":
                trainer.set_training_mode(False)
                model = trainer.vae if kind == "vae" else trainer.generator
                samples = sample_in_chunks(model, eval_noise, eval_labels)
                vae = trainer.vae if kind == "vae" else None
            elif kind != "vae":
                samples, vae = twin.sample(eval_noise, eval_labels), None
            else:
                vae = twin.as_library_vae()
                vae.eval()
                samples = sample_in_chunks(vae, eval_noise)
            result = dict(record)
            result.update(sample_quality(samples, classifier, real_features, eval_labels))
            if vae is not None:
                result["test_negative_elbo"] = metrics.vae_negative_elbo(
                    vae, test_images, rng=np.random.default_rng([seed, 4]))
            result.update({"model": kind, "library": library, "seed": seed, "epochs": epoch,
                           "dataset": args.dataset, "num_train_images": len(train_set),
                           "classifier": "shipped" if args.classifier_epochs is None else "own"})
            if seed == args.seeds[0]:                    # overwritten at each evaluated epoch
                name = f"{args.dataset}-{kind}-{library}-seed{seed}.png"
                title = (f"{TITLES[kind]} ({'nn_from_scratch' if library == 'ours' else 'PyTorch twin'}), "
                         f"{epoch} epochs" + (" (column = label)" if num_classes else ""))
                save_grid(samples, Path(args.out) / name, title, per_row=num_classes or 8)
            write_json(run_path(args.out, kind, library, seed, epoch), result)
            print(f"  -> {json.dumps({k: v for k, v in result.items() if not k.startswith('epoch_')})}",
                  flush=True)

        print(f"{kind} {library} seed {seed}: {args.epochs} epochs", flush=True)
        loader = DataLoader(train_set, batch_size=trainer.config.batch_size, shuffle=True, drop_last=True,
                            seed=[seed, 1])                                   # = the trainer's data order
        if library == "ours":
            train(trainer.train_step, loader, args.epochs, f"{kind} ours", trainer.set_training_mode, evaluate)
        else:
            train(twin, loader, args.epochs, f"{kind} torch", on_epoch=evaluate)


# --------------------------------------------------------------------------
# Step-by-step agreement
# --------------------------------------------------------------------------


def check_steps(args, train_set, test_set) -> None:
    """Print the losses of the first --check-steps steps of ours and of the twin, on the same batches."""
    for kind in [k for k in args.models if k in GENERATIVE_KINDS]:
        seed = args.seeds[0]
        trainer = make_trainer(kind, args, seed, train_set, test_set, 1)
        twin = make_twin(kind, trainer, args.device)
        loader = iter(DataLoader(train_set, batch_size=trainer.config.batch_size, shuffle=True, drop_last=True,
                                 seed=[seed, 1]))
        print(f"\n{kind}, seed {seed}: losses of the first {args.check_steps} steps, same batch and noise\n")
        print("| step | loss | ours | PyTorch | abs diff |")
        print("|---:|---|---:|---:|---:|")
        for step in range(1, args.check_steps + 1):
            images, labels = next(loader)
            trainer.set_training_mode(True)
            ours, theirs = trainer.train_step(images, labels), twin(images, labels)
            for name in theirs:
                print(f"| {step} | {name} | {ours[name]:.7f} | {theirs[name]:.7f} | "
                      f"{abs(ours[name] - theirs[name]):.2e} |")


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def load_every_run(out: Path) -> dict:
    """{(model, library, seed, epoch): record} of every evaluation written so far."""
    every = {}
    for path in sorted((out / "runs").glob("*-seed*-e*.json")):
        record = json.loads(path.read_text())
        every[(record["model"], record["library"], record["seed"], record["epochs"])] = record
    return every


def by_epoch_table(every: dict, kind: str) -> list:
    """Markdown lines: ours vs. PyTorch at every evaluated epoch that both reached, per seed."""
    keys = sorted((s, e) for (k, lib, s, e) in every if k == kind and lib == "ours" and (k, "torch", s, e) in every)
    if not keys:
        return []
    header = "| seed | epoch | FID ours | FID PyTorch | IS ours | IS PyTorch |"
    rule = "|---:|---:|---:|---:|---:|---:|"
    if kind == "vae":
        header += " test -ELBO ours | test -ELBO PyTorch | difference |"
        rule += "---:|---:|---:|"
    lines = [f"{TITLES[kind]} at each evaluated epoch (same seed, same metrics):", "", header, rule]
    for seed, epoch in keys:
        a, b = every[(kind, "ours", seed, epoch)], every[(kind, "torch", seed, epoch)]
        row = (f"| {seed} | {epoch} | {a['fid']:.2f} | {b['fid']:.2f} | {a['inception_score'][0]:.2f} | "
               f"{b['inception_score'][0]:.2f} |")
        if kind == "vae":
            x, y = a["test_negative_elbo"], b["test_negative_elbo"]
            row += f" {x:.3f} | {y:.3f} | {(x - y) / y:+.3%} |"
        lines.append(row)
    return lines + [""]


def load_runs(out: Path) -> dict:
    """{(model, library, seed): record} at, per model, the latest epoch that both libraries reached for a seed."""
    every = load_every_run(out)
    runs = {}
    for kind in GENERATIVE_KINDS:
        paired = [e for (k, lib, s, e) in every if k == kind and lib == "ours" and (k, "torch", s, e) in every]
        latest = max(paired) if paired else max([e for (k, *_, e) in every if k == kind], default=None)
        runs.update({(k, lib, s): r for (k, lib, s, e), r in every.items() if k == kind and e == latest})
    return runs


def classifier_line(record: dict) -> str:
    """The sentence that says which feature classifier scored the tables, and how well it does."""
    if "shipped" in record:
        what = (f"the evaluation classifier shipped with the package (`{record['shipped']}`, "
                f"SHA-256 {record['sha256'][:12]}…; trained by `{record['command']}`, float16 weights)")
    else:
        what = (f"a classifier trained by the benchmark itself (this library, {len(record['epoch_seconds'])} epochs, "
                f"training images shifted at random by up to {CLASSIFIER_SHIFT} pixels, seed 0)")
    return (f"{what}: test accuracy {record['test_accuracy']:.2%} on {record['num_test_images']} test images; "
            f"Inception Score of the real test images {record['real_inception_score'][0]:.2f} "
            f"± {record['real_inception_score'][1]:.2f}.")


def _median(values):
    return statistics.median(values) if values else float("nan")


def report(args) -> dict:
    out = Path(args.out)
    runs = load_runs(out)
    classifier_path = out / "runs" / "classifier.json"
    classifier = json.loads(classifier_path.read_text()) if classifier_path.exists() else None
    # Runs scored before the package shipped its classifiers have no "classifier" entry: they were scored
    # by a classifier the benchmark trained itself, recorded in classifier-own.json.
    own_path = out / "runs" / "classifier-own.json"
    own_classifier = json.loads(own_path.read_text()) if own_path.exists() else None
    lines, verdicts = [], {}
    if classifier:
        lines += ["**Feature classifier**: " + classifier_line(classifier), ""]
        target = 0.975 if args.dataset == "mnist" else 0.90
        verdicts[f"classifier test accuracy >= {target:.1%}"] = classifier["test_accuracy"] >= target
    if own_classifier and classifier and "shipped" in classifier:
        lines += ["Tables marked † were not regenerated with it (see the notes below): they were scored by "
                  + classifier_line(own_classifier), ""]
    for kind in GENERATIVE_KINDS:
        seeds = sorted({seed for (k, _, seed) in runs if k == kind})
        pairs = [seed for seed in seeds if (kind, "ours", seed) in runs and (kind, "torch", seed) in runs]
        if not seeds:
            continue
        first = next(record for (k, _, _), record in runs.items() if k == kind)
        dagger = " †" if own_classifier and any("classifier" not in record for (k, _, _), record in runs.items()
                                                if k == kind) else ""
        lines += [f"**{TITLES[kind]}**{dagger}, {first['epochs']} epochs (FID on {first['num_images']} generated vs. "
                  f"{first['num_images']} held-out real images; the floor is real vs. real with as many images):", ""]
        if first["epochs"] < args.epochs:
            lines += [f"*Stopped early: {first['epochs']} of the {args.epochs} epochs asked for "
                      f"(out of time); the verdicts below are at {first['epochs']} epochs.*", ""]
        header = "| seed | FID ours | FID PyTorch | FID floor | IS ours | IS PyTorch |"
        rule = "|---:|---:|---:|---:|---:|---:|"
        if kind == "vae":
            header += " test -ELBO ours (nats) | test -ELBO PyTorch (nats) | difference |"
            rule += "---:|---:|---:|"
        if kind == "cgan":
            header += " label recognised ours | label recognised PyTorch |"
            rule += "---:|---:|"
        header += " s/epoch ours | s/epoch PyTorch |"
        rule += "---:|---:|"
        lines += [header, rule]

        def cell(seed, library, key, fmt="{:.2f}", kind=kind):
            record = runs.get((kind, library, seed))
            if record is None or key not in record:
                return "—"
            value = record[key]
            return fmt.format(value[0] if isinstance(value, list) and key != "epoch_seconds" else value)

        def seconds(seed, library, kind=kind):
            record = runs.get((kind, library, seed))
            return "—" if record is None else f"{statistics.median(record['epoch_seconds']):.1f}"

        for seed in seeds:
            row = (f"| {seed} | {cell(seed, 'ours', 'fid')} | {cell(seed, 'torch', 'fid')} | "
                   f"{cell(seed, 'ours', 'fid_floor')} | {cell(seed, 'ours', 'inception_score')} | "
                   f"{cell(seed, 'torch', 'inception_score')} |")
            if kind == "vae":
                difference = "—"
                if seed in pairs:
                    a = runs[(kind, "ours", seed)]["test_negative_elbo"]
                    b = runs[(kind, "torch", seed)]["test_negative_elbo"]
                    difference = f"{(a - b) / b:+.2%}"
                row += (f" {cell(seed, 'ours', 'test_negative_elbo')} | {cell(seed, 'torch', 'test_negative_elbo')} | "
                        f"{difference} |")
            if kind == "cgan":
                row += (f" {cell(seed, 'ours', 'label_accuracy', '{:.1%}')} |"
                        f" {cell(seed, 'torch', 'label_accuracy', '{:.1%}')} |")
            row += f" {seconds(seed, 'ours')} | {seconds(seed, 'torch')} |"
            lines.append(row)
        if pairs:
            med = {lib: {key: _median([runs[(kind, lib, s)][key][0] if key == "inception_score"
                                       else runs[(kind, lib, s)][key] for s in pairs])
                         for key in ("fid", "fid_floor", "inception_score")
                         + (("test_negative_elbo",) if kind == "vae" else ())
                         + (("label_accuracy",) if kind == "cgan" else ())}
                   for lib in LIBRARIES}
            row = (f"| median of {len(pairs)} | {med['ours']['fid']:.2f} | {med['torch']['fid']:.2f} | "
                   f"{med['ours']['fid_floor']:.2f} | {med['ours']['inception_score']:.2f} | "
                   f"{med['torch']['inception_score']:.2f} |")
            if kind == "vae":
                a, b = med["ours"]["test_negative_elbo"], med["torch"]["test_negative_elbo"]
                row += f" {a:.2f} | {b:.2f} | {(a - b) / b:+.2%} |"
                verdicts[f"VAE test -ELBO within 2% of the PyTorch twin (median of {len(pairs)} seed(s), "
                         f"{first['epochs']} epochs)"] = abs(a - b) / b <= 0.02
            else:
                a, b = med["ours"]["fid"], med["torch"]["fid"]
                at = f"median of {len(pairs)} seed(s), {first['epochs']} epochs"
                verdicts[f"{TITLES[kind]} FID within 20% of the PyTorch twin ({at})"] = abs(a - b) / b <= 0.20
                if args.dataset == "mnist":        # the IS bar is for MNIST (real Fashion-MNIST scores ~8)
                    verdicts[f"{TITLES[kind]} Inception Score of our samples >= 8 ({at})"] = (
                        med["ours"]["inception_score"] >= 8)
            if kind == "cgan":
                row += f" {med['ours']['label_accuracy']:.1%} | {med['torch']['label_accuracy']:.1%} |"
            row += " | |"
            lines.append(row)
        lines.append("")
        lines += by_epoch_table(load_every_run(out), kind)
    if runs:
        lines += ["s/epoch is the median wall-clock time of an epoch while the runs shared the machine with "
                  "other jobs: not a speed measurement (see the Speed section).", ""]
    if verdicts:
        lines += ["Bar:", ""] + [f"- {name}: **{'pass' if ok else 'FAIL'}**" for name, ok in verdicts.items()]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        write_markdown_section(Path(args.markdown), text, args)
    if args.json:
        print(json.dumps({"classifier": classifier, "verdicts": verdicts,
                          "runs": [r for r in runs.values()]}, indent=1))
    return verdicts


def markers(dataset: str) -> tuple:
    """The comments around one dataset's generated tables in BENCHMARKS.md."""
    return f"<!-- quality:{dataset}:start -->", f"<!-- quality:{dataset}:end -->"


def write_markdown_section(path: Path, tables: str, args) -> None:
    """Put ``tables`` between the dataset's quality markers in ``path`` (re-read now: others edit the rest).

    Without those markers yet, the section goes at the end of the file.
    """
    start, end = markers(args.dataset)
    command = (f"python benchmarks/bench_quality.py --dataset {args.dataset}"
               + (f" --data-dir {args.data_dir}" if args.data_dir else "")
               + f" --epochs {args.epochs} --seeds {' '.join(map(str, args.seeds))}"
               + (f" --classifier-epochs {args.classifier_epochs}" if args.classifier_epochs is not None else "")
               + f" --out {args.out}")
    section = "\n".join([start, f"### {args.dataset} ({args.out})", "", f"`{command}`", "", tables, end])
    text = path.read_text() if path.exists() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    path.write_text(text)


def use_gpu() -> None:
    """Every library array on the GPU (CuPy) from here on; PyTorch in plain float32 (no TF32), like ours."""
    backend.use("cupy")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=("mnist", "fashion-mnist"), default="mnist")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--classifier-epochs", type=int, default=None,
                        help="train the feature classifier here for this many epochs (60: about 3 min on "
                             "MNIST-10k) instead of using the one shipped with the package (the default)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--libraries", nargs="+", choices=LIBRARIES, default=list(LIBRARIES),
                        help="train only these (e.g. one per process, to run them side by side)")
    parser.add_argument("--eval-epochs", type=int, nargs="*", default=[],
                        help="also evaluate (and write a JSON) after these epochs")
    parser.add_argument("--models", nargs="+", choices=tuple(RECIPES),
                        default=[kind for kind in RECIPES if kind not in GPU_SIZED_KINDS],
                        help="what to train: classifier (the feature network), gan, cgan (the GAN conditioned "
                             "on the label), gan-g2 (the GAN with --generator-steps 2), gan-upsample (the GAN "
                             "with --generator upsample), gan-upsample-g2 (--generator upsample "
                             "--generator-steps 2 --lr 4e-4), gan-upsample-d5-g2 (the same with "
                             "--discriminator-kernel 5), gan-radford (--generator radford "
                             "--discriminator-kernel 5 --discriminator-hidden 1024: Radford et al.'s MNIST "
                             "architecture), vae (default: all but the upsample ones, "
                             "which are meant for --device cuda)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="cuda: train ours with the CuPy backend and the twin with PyTorch CUDA (TF32 off); "
                             "the metrics are computed the same way (default cpu)")
    parser.add_argument("--out", default=None, help="results folder (default benchmarks/results/quality-<dataset>)")
    parser.add_argument("--cache-dir", default="/tmp/nn_from_scratch_quality",
                        help="classifier weights and scratch files (not results)")
    parser.add_argument("--check-steps", type=int, default=0,
                        help="only compare the losses of the first N steps of ours and the twins")
    parser.add_argument("--report-only", action="store_true", help="print the tables of the runs already in --out")
    parser.add_argument("--markdown", default=None,
                        help="also write the tables into this file, between the quality:DATASET:start/end markers")
    parser.add_argument("--json", action="store_true", help="also print every run's record as JSON")
    args = parser.parse_args(argv)
    args.out = args.out or f"benchmarks/results/quality-{args.dataset}"
    args.cache_dir = str(Path(args.cache_dir) / Path(args.out).name)
    if args.device == "cuda":
        use_gpu()

    if not args.report_only:
        train_set = load_dataset(args.dataset, args.data_dir, train=True, download=False, progress=False)
        test_set = load_dataset(args.dataset, args.data_dir, train=False, download=False, progress=False)
        if args.check_steps:
            check_steps(args, train_set, test_set)
            return
        classifier, _ = get_classifier(args, train_set, test_set)
        test_images, _ = test_arrays(test_set)
        real_features, _ = metrics.classifier_outputs(classifier, test_images)
        for seed in args.seeds:
            for kind in GENERATIVE_KINDS:
                if kind in args.models:
                    run_pair(kind, seed, args, train_set, test_set, classifier, real_features)
    report(args)


if __name__ == "__main__":
    main()
