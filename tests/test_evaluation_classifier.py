"""The evaluation classifiers shipped with the package: checksums, records, accuracy, and their use by metrics.

Fashion-MNIST's checks need Debian's ``dataset-fashion-mnist`` (installed by
``.ci/run``) and skip, saying so, without it.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from nn_from_scratch import metrics
from nn_from_scratch.data import load_dataset
from nn_from_scratch.data.locations import SYSTEM_DATA_DIRS
from nn_from_scratch.models import classifier as classifier_module
from nn_from_scratch.models.classifier import (
    EVALUATION_CLASSIFIER_SHA256,
    WEIGHTS_DIR,
    evaluation_classifier,
)
from nn_from_scratch.training.classifier_trainer import accuracy_and_loss

FASHION_MNIST_DIR = SYSTEM_DATA_DIRS[0] / "fashion-mnist"
SHIPPED = {"mnist": "mnist-10k", "fashion-mnist": "fashion-mnist"}    # classifier -> dataset it is tested on


def record(name: str) -> dict:
    return json.loads((WEIGHTS_DIR / f"classifier-{name}.json").read_text())


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_weights_have_the_recorded_checksum_and_size(name):
    path = WEIGHTS_DIR / f"classifier-{name}.npz"
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    assert sha256 == EVALUATION_CLASSIFIER_SHA256[name] == record(name)["sha256"]
    assert path.stat().st_size < 1_000_000
    with np.load(path, allow_pickle=False) as archive:
        assert {archive[key].dtype for key in archive.files} == {np.dtype(np.float16)}
    assert record(name)["seed"] == 0
    assert record(name)["command"].startswith("python -m nn_from_scratch train classifier")


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_classifier_reaches_its_recorded_test_accuracy(name):
    dataset = SHIPPED[name]
    if dataset == "fashion-mnist" and not FASHION_MNIST_DIR.is_dir():
        pytest.skip(f"Fashion-MNIST is not installed in {FASHION_MNIST_DIR} (apt-get install dataset-fashion-mnist)")
    test_set = load_dataset(dataset, train=False, download=False)
    classifier = evaluation_classifier(dataset)
    images = test_set.as_float()
    result = accuracy_and_loss(classifier, images, test_set.labels)
    assert len(images) == record(name)["num_test_images"]
    assert result["test_accuracy"] == pytest.approx(record(name)["test_accuracy"], abs=1e-3)
    _, probs = metrics.classifier_outputs(classifier, images)
    assert metrics.inception_score(probs)[0] == pytest.approx(record(name)["inception_score_real"], rel=1e-4)


def test_mnist_10k_shares_the_mnist_classifier():
    a, b = evaluation_classifier("mnist"), evaluation_classifier("mnist-10k")
    for key, value in a.state_dict().items():
        np.testing.assert_array_equal(value, b.state_dict()[key])
    assert not a.training


def test_no_shipped_classifier_for_digits_says_what_to_do():
    with pytest.raises(ValueError, match="no evaluation classifier is shipped for the 'digits' dataset.*"
                                         "train classifier --dataset digits"):
        evaluation_classifier("digits")


def test_damaged_weights_are_refused(tmp_path, monkeypatch):
    path = tmp_path / "classifier-mnist.npz"
    path.write_bytes((WEIGHTS_DIR / "classifier-mnist.npz").read_bytes()[:-10])
    monkeypatch.setattr(classifier_module, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(OSError, match="is damaged.*reinstall"):
        evaluation_classifier("mnist")
    path.unlink()
    with pytest.raises(OSError, match="is missing"):
        evaluation_classifier("mnist")


def test_sample_quality_uses_the_shipped_classifier_by_default():
    test_set = load_dataset("mnist-10k", train=False)
    real = test_set.as_float()[:400]
    noise = np.random.default_rng(0).uniform(0, 1, (200, 1, 28, 28)).astype(np.float32)
    default = metrics.sample_quality(noise, real)
    explicit = metrics.sample_quality(noise, real, evaluation_classifier("mnist"))
    assert default == explicit
    assert default["num_images"] == 200 and default["fid"] > 10 * default["fid_floor"]
    assert default["inception_score_real"] > 8 > default["inception_score"]
    real_again = metrics.sample_quality(real[200:], real)              # real images score the floor
    assert real_again["fid"] == pytest.approx(real_again["fid_floor"])
