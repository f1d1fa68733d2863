"""Evaluating a trained run: FID and Inception Score of its samples, and the VAE's likelihood bounds.

FID and IS look at images through a trained :class:`~nn_from_scratch.models.Classifier`.
Which one:

* by default, the evaluation classifier shipped with the package for the
  run's dataset (:func:`~nn_from_scratch.models.classifier.evaluation_classifier`:
  MNIST and MNIST-10k share one, Fashion-MNIST has its own), so that FID and
  IS are the same numbers for every user and every run;
* ``classifier_dir``: the classifier run in that folder;
* ``own_classifier``, or a dataset without a shipped classifier (``digits``):
  ``<parent of the run>/classifier-<dataset>`` (with ``-limit<N>`` appended
  when the run used ``--limit N``), trained there on first use (3 epochs on
  the run's training images, seed 0) and reused afterwards, so that the runs
  of one parent folder are scored alike.
  If the training of that classifier was interrupted, it is finished first;
  an unfinished classifier is never used.

The results are printed by the command line and saved as
``<run>/evaluation.json``; ``classifier`` in it says which classifier scored.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from .. import metrics
from ..atomic_file import write_text_atomically
from ..models.classifier import EVALUATION_CLASSIFIER_OF, evaluation_classifier
from .checkpoint import CheckpointError
from .classifier_trainer import accuracy_and_loss
from .config import NUM_CLASSES, SettingError, TrainConfig
from .generation import condition_labels, generative_model, sample_images
from .run import checkpoint_file, load_models, load_test_images, make_trainer, read_run, run_is_complete

EVALUATION_NAME = "evaluation.json"
CLASSIFIER_EPOCHS = 3
MIN_TEST_IMAGES = 4         # FID compares two halves of the test images, each of at least 2


def default_classifier_dir(run_dir, config: TrainConfig) -> Path:
    """``<parent of run_dir>/classifier-<dataset>[-limit<N>]``: shared by the runs of one folder."""
    suffix = f"-limit{config.limit}" if config.limit is not None else ""
    return Path(run_dir).resolve().parent / f"classifier-{config.dataset}{suffix}"


def feature_classifier(run_dir, config: TrainConfig, classifier_dir=None, backend_name=None,
                       own_classifier: bool = False) -> tuple:
    """(classifier, what it is) for FID and IS: the shipped one, a given run, or one trained on the run's data.

    A classifier whose training did not finish (Ctrl-C, a killed process) is
    never used: the default one finishes its training first (resuming exactly
    where it stopped), an explicit ``classifier_dir`` is refused.
    """
    if classifier_dir is None and not own_classifier and config.dataset in EVALUATION_CLASSIFIER_OF:
        return evaluation_classifier(config.dataset), f"shipped {EVALUATION_CLASSIFIER_OF[config.dataset]} classifier"
    if classifier_dir is None:
        classifier_dir = default_classifier_dir(run_dir, config)
        if not checkpoint_file(classifier_dir).is_file():
            reason = ("as asked" if own_classifier
                      else f"no evaluation classifier is shipped for {config.dataset}")
            print(f"Scoring with a classifier trained on the run's own training images ({reason}): training one "
                  f"in {classifier_dir} ({CLASSIFIER_EPOCHS} epochs on the {config.dataset} training images); "
                  "later evaluations of runs in the same folder reuse it.", file=sys.stderr)
            limit = config.limit
            classifier_config = TrainConfig(
                "classifier", dataset=config.dataset, data_dir=config.data_dir, epochs=CLASSIFIER_EPOCHS,
                batch_size=min(128, limit) if limit else None, seed=0,
                backend=backend_name or config.backend, out=str(classifier_dir), limit=limit,
                download=config.download)
            make_trainer(classifier_config, fallback=False).fit()
        else:
            finish_classifier_training(classifier_dir, backend_name)
    else:
        saved_config, state = read_run(classifier_dir)
        if saved_config.model == "classifier" and not run_is_complete(saved_config, state):
            raise CheckpointError(
                f"--classifier {classifier_dir}: its training stopped at epoch {state['epoch']} (step "
                f"{state['step_in_epoch']}) of {saved_config.epochs}, so its features are not those of a trained "
                f"classifier; finish it with `python -m nn_from_scratch train classifier --out {classifier_dir} "
                "--resume`, or pass another --classifier")
    classifier_config, models = load_models(classifier_dir, backend_name)
    if classifier_config.model != "classifier":
        raise CheckpointError(f"--classifier {classifier_dir} holds a {classifier_config.model} run, not a classifier")
    if classifier_config.dataset != config.dataset:
        print(f"warning: the classifier was trained on {classifier_config.dataset}, the run on {config.dataset}",
              file=sys.stderr)
    return models["classifier"], f"classifier run {classifier_dir}"


def finish_classifier_training(classifier_dir, backend_name=None) -> None:
    """Resume the default classifier's training if it was cut short, so that it is never used unfinished."""
    saved_config, state = read_run(classifier_dir)
    if saved_config.model != "classifier" or run_is_complete(saved_config, state):
        return
    print(f"The classifier for FID/IS in {classifier_dir} stopped at epoch {state['epoch']} (step "
          f"{state['step_in_epoch']}) of {saved_config.epochs}: finishing its training first.", file=sys.stderr)
    saved_config.out = str(classifier_dir)
    if backend_name is not None:
        saved_config.backend = backend_name
    trainer = make_trainer(saved_config, fallback=False)
    trainer.resume()
    trainer.fit()


def evaluate_run(run_dir, classifier_dir=None, num_test: int | None = None, iwae_k: int = 100,
                 iwae_images: int = 500, seed: int = 0, backend_name: str | None = None,
                 own_classifier: bool = False) -> dict:
    """All metrics of the run in ``run_dir``, saved to ``run_dir/evaluation.json`` and returned.

    * classifier run: test accuracy and loss, Inception Score of the real test images;
    * GAN and VAE: FID of samples with its real-vs-real floor, Inception Score
      of samples and of real test images; for a conditional model also the
      ``label_accuracy``, the fraction of samples the classifier assigns to
      the label they were drawn with;
    * VAE also: -ELBO on the test images, the importance-weighted NLL with
      ``iwae_k`` samples on the first ``iwae_images`` of them, and the
      reconstruction error (all in nats per image, except ``mse`` per pixel).

    ``num_test`` caps the number of test images; ``seed`` fixes the noise
    and the shuffling of the real images into two halves.  ``classifier_dir``
    and ``own_classifier`` choose the feature network (see the module's
    docstring); nothing is trained with the default, the shipped classifier.
    """
    config, models = load_models(run_dir, backend_name)
    images, labels = load_test_images(config, num_test)
    if config.model != "classifier" and len(images) < MIN_TEST_IMAGES:
        raise SettingError(f"--num-test {num_test}: FID needs at least {MIN_TEST_IMAGES} test images (two halves "
                           f"of 2), got {len(images)}; use --num-test {MIN_TEST_IMAGES} or more")
    rng = np.random.default_rng(seed)
    results = {"run": str(run_dir), "model": config.model, "dataset": config.dataset,
               "num_test_images": int(len(images))}

    if config.model == "classifier":
        results.update(accuracy_and_loss(models["classifier"], images, labels))
        _, probs = metrics.classifier_outputs(models["classifier"], images)
        results["inception_score_real"] = metrics.inception_score(probs, splits=min(10, len(images)))[0]
        return _save(run_dir, results)

    classifier, results["classifier"] = feature_classifier(run_dir, config, classifier_dir, backend_name,
                                                           own_classifier)
    order = rng.permutation(len(images))
    model = generative_model(config, models)
    count = len(images) // 2
    sample_labels = condition_labels(model.num_classes, count, None)
    samples = sample_images(model, count, rng, sample_labels)
    results.update(metrics.sample_quality(samples, images[order], classifier, labels=sample_labels))

    if config.model == "vae":
        vae = models["vae"]
        conditions = labels if vae.num_classes == NUM_CLASSES else None
        subset = slice(0, iwae_images)
        results["negative_elbo"] = metrics.vae_negative_elbo(vae, images, conditions, rng=rng)
        results["iwae_images"] = int(len(images[subset]))
        results["iwae_k"] = int(iwae_k)
        results["negative_elbo_iwae_images"] = metrics.vae_negative_elbo(
            vae, images[subset], None if conditions is None else conditions[subset], rng=rng)
        results["iwae_nll"] = metrics.importance_weighted_nll(
            vae, images[subset], k=iwae_k, labels=None if conditions is None else conditions[subset], rng=rng)
        reconstruction = metrics.reconstruction_error(vae, images, conditions)
        results["reconstruction_bce"] = reconstruction["bce"]
        results["reconstruction_mse"] = reconstruction["mse"]
    return _save(run_dir, results)


def _save(run_dir, results: dict) -> dict:
    write_text_atomically(Path(run_dir) / EVALUATION_NAME, json.dumps(results, indent=2))
    return results
