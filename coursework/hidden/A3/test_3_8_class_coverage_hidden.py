"""Hidden tests of task 3.8 (class_coverage): the definition on many random cases (2 to 100 classes, 1 to 500
images, float32 and float64, sharp and unsure verdicts), ties, the missing-class threshold exactly, a collapsed
generator's samples scored by the evaluation classifier."""

import math

import numpy as np
import pytest

from coursework.public.A3.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_close
from nn_from_scratch.metrics import class_coverage

pytestmark = pytest.mark.task_3_8


def reference(probs):
    probs = np.asarray(probs, dtype=np.float64)
    classes = probs.shape[1]
    counts = np.zeros(classes)
    for row in probs:
        counts[int(np.argmax(row))] += 1
    fractions = counts / len(probs)
    entropy = -sum(f * math.log(f) for f in fractions if f > 0)
    missing = [c for c in range(classes) if fractions[c] < 1 / (2 * classes)]
    return fractions, math.exp(entropy), missing


def coverage(probs):
    with own_code_only("class_coverage", [class_coverage]):
        return class_coverage(probs)


@pytest.mark.parametrize("seed", range(12))
def test_random_cases(seed):
    rng = np.random.default_rng(3800 + seed)
    classes = int(rng.choice([2, 3, 7, 10, 100]))
    images = int(rng.choice([1, 5, 64, 500]))
    sharpness = float(rng.choice([0.05, 1.0, 50.0]))
    weights = rng.dirichlet(np.ones(classes) * 0.5)
    centres = rng.choice(classes, images, p=weights)
    probs = rng.dirichlet(np.full(classes, sharpness), images)
    probs[np.arange(images), centres] += 0.5
    probs /= probs.sum(axis=1, keepdims=True)
    probs = probs.astype(rng.choice([np.float32, np.float64]))
    result = coverage(probs)
    fractions, effective, missing = reference(probs)
    where = f"class_coverage of {images} images, {classes} classes"
    expect_close(result["class_fractions"], fractions, f"{where}: class_fractions")
    expect_close(result["effective_classes"], effective, f"{where}: effective_classes")
    assert result["missing_classes"] == missing, f"{where}: missing_classes {result['missing_classes']}, expected " \
        f"{missing}"


def test_the_threshold_is_half_a_fair_share():
    """4 classes, 40 images: 5 images (1/8 = 1/(2C)) is not missing, 4 images is."""
    verdicts = [0] * 5 + [1] * 4 + [2] * 15 + [3] * 16
    result = coverage(np.eye(4)[verdicts])
    assert result["missing_classes"] == [1], result["missing_classes"]


def test_ties_go_to_the_first_class():
    result = coverage(np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]))
    expect_close(result["class_fractions"], [2 / 3, 1 / 3, 0.0], "class_coverage with ties: class_fractions")


def test_unsure_verdicts_are_counted_by_their_top_class():
    """Every image nearly uniform but leaning to class 0: one class, not ten (the mean probabilities would say ten)."""
    probs = np.full((30, 10), 0.099)
    probs[:, 0] = 0.109
    result = coverage(probs)
    expect_close(result["effective_classes"], 1.0, "class_coverage of unsure images all leaning to class 0")
    assert result["missing_classes"] == list(range(1, 10))
