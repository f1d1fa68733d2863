"""Task 4.1: VAE.encode, q(z|x) as (mu, logvar): features of the convolutional encoder [+ one-hot label], one
linear layer to 2L numbers, the first L the mean, the last L the log-variance."""

import numpy as np
import pytest

from coursework.public.A4.models import as_tensor, conv_vae
from nn_from_scratch.coursework.testing import expect_close, expect_shape, load_known_values

pytestmark = pytest.mark.task_4_1

KNOWN = load_known_values(__file__, "4_1_encode")


@pytest.mark.parametrize("classes", [0, 10])
def test_known_values(classes):
    """(mu, logvar) of four MNIST digits under fixed weights; conditional (10 classes) and not."""
    labels = KNOWN["labels"].astype(np.int64) if classes else None
    result = conv_vae(classes).encode(as_tensor(KNOWN["images"]), labels)
    assert isinstance(result, tuple) and len(result) == 2, f"VAE.encode must return (mu, logvar), got {result!r}"
    mu, logvar = result
    expect_close(mu, KNOWN[f"mu_{classes}"], f"VAE.encode, {classes} classes: mu", rtol=1e-9)
    expect_close(logvar, KNOWN[f"logvar_{classes}"], f"VAE.encode, {classes} classes: logvar", rtol=1e-9)


def test_the_label_changes_the_code():
    """A conditional encoder reads the label: the same image with two labels gets two codes."""
    vae = conv_vae(10)
    images = as_tensor(np.repeat(KNOWN["images"][:1], 2, axis=0))
    mu, _ = vae.encode(images, np.array([2, 7]))
    assert not np.allclose(mu.data[0], mu.data[1]), "the label made no difference to mu: join it to the features"


def test_the_gradient_reaches_the_encoder():
    """mu and logvar are Tensors of the graph: a loss on them gives every encoder weight a gradient."""
    vae = conv_vae(10)
    mu, logvar = vae.encode(as_tensor(KNOWN["images"]), KNOWN["labels"].astype(np.int64))
    expect_shape(mu, (4, 3), "mu")
    (mu.sum() + (logvar * logvar).sum()).backward()
    missing = [name for name, p in vae.named_parameters() if name.startswith(("encoder", "to_gaussian"))
               and p.grad is None]
    assert not missing, f"no gradient reached {missing}: compute mu and logvar with the model's layers"


def test_labels_are_checked():
    with pytest.raises(ValueError, match="num_classes"):
        conv_vae(10).encode(as_tensor(KNOWN["images"]))
