"""Task 3.8: class_coverage, a mode-collapse check: the class fractions of the classifier's verdicts, exp(entropy),
the classes drawn less than half as often as an even spread."""

import numpy as np
import pytest

from coursework.public.A3.shortcuts import own_code_only
from nn_from_scratch.coursework.testing import expect_close, load_known_values
from nn_from_scratch.data import load_dataset
from nn_from_scratch.metrics import class_coverage, classifier_outputs
from nn_from_scratch.models.classifier import evaluation_classifier

pytestmark = pytest.mark.task_3_8

KNOWN = load_known_values(__file__, "3_8_class_coverage")
CASES = sorted({key.split("_")[0] for key in KNOWN})


def coverage(probs):
    with own_code_only("class_coverage", [class_coverage]):
        result = class_coverage(probs)
    if not isinstance(result, dict) or set(result) != {"class_fractions", "effective_classes", "missing_classes"}:
        raise AssertionError(f"class_coverage: expected a dict with class_fractions, effective_classes and "
                             f"missing_classes, got {result!r}")
    if type(result["effective_classes"]) is not float:
        raise AssertionError(f"class_coverage: effective_classes must be a Python float, got "
                             f"{type(result['effective_classes']).__name__}")
    missing = result["missing_classes"]
    if not isinstance(missing, list) or not all(type(c) is int for c in missing) or missing != sorted(missing):
        raise AssertionError(f"class_coverage: missing_classes must be a sorted list of Python ints, got {missing!r}")
    return result


@pytest.mark.parametrize("case", CASES)
def test_known_values(case):
    """Confident and unsure images, a skewed spread with missing classes, ties (the first class wins), one image."""
    result = coverage(KNOWN[f"{case}_probs"])
    expect_close(result["class_fractions"], KNOWN[f"{case}_fractions"], f"class_coverage ({case}): class_fractions")
    expect_close(result["effective_classes"], KNOWN[f"{case}_effective"], f"class_coverage ({case}): effective_classes")
    expected_missing = [int(c) for c in np.flatnonzero(KNOWN[f"{case}_missing"])]
    assert result["missing_classes"] == expected_missing, \
        f"class_coverage ({case}): missing_classes expected {expected_missing}, got {result['missing_classes']}"


def test_even_and_collapsed_spreads():
    """One-hot verdicts spread evenly over 10 classes: 10 effective classes; all in class 3: 1, nine missing."""
    even = coverage(np.eye(10)[np.arange(50) % 10])
    expect_close(even["effective_classes"], 10.0, "class_coverage of an even spread: effective_classes")
    assert even["missing_classes"] == []
    collapsed = coverage(np.eye(10)[np.full(40, 3)])
    expect_close(collapsed["effective_classes"], 1.0, "class_coverage of one class: effective_classes")
    assert collapsed["missing_classes"] == [0, 1, 2, 4, 5, 6, 7, 8, 9], collapsed["missing_classes"]


def test_with_the_evaluation_classifier():
    """The shipped classifier's verdicts on 300 real test digits cover all 10 classes (more than 9 effective);
    300 copies of one digit are 1 class."""
    images = load_dataset("mnist-10k", train=False).as_float()[:300]
    classifier = evaluation_classifier("mnist")
    _, probs = classifier_outputs(classifier, images)
    real = coverage(probs)
    assert real["effective_classes"] > 9 and real["missing_classes"] == [], real
    _, probs = classifier_outputs(classifier, np.repeat(images[:1], 300, axis=0))
    expect_close(coverage(probs)["effective_classes"], 1.0, "class_coverage of 300 copies of one digit")
