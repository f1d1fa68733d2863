"""Task 4.5: VAE.decode, p(x|z) as pixel logits: the decoder reads [z, one-hot label] in the conditional VAE."""

import numpy as np
import pytest

from coursework.public.A4.models import as_tensor, conv_vae
from nn_from_scratch.coursework.testing import expect_close, load_known_values

pytestmark = pytest.mark.task_4_5

KNOWN = load_known_values(__file__, "4_5_decode")


@pytest.mark.parametrize("classes", [0, 10])
def test_known_values(classes):
    labels = KNOWN["labels"].astype(np.int64) if classes else None
    logits = conv_vae(classes).decode(as_tensor(KNOWN["z"]), labels)
    expect_close(logits, KNOWN[f"logits_{classes}"], f"VAE.decode, {classes} classes: logits", rtol=1e-9)


def test_the_label_changes_the_image():
    z = as_tensor(np.repeat(KNOWN["z"][:1], 2, axis=0))
    logits = conv_vae(10).decode(z, np.array([0, 9]))
    assert not np.allclose(logits.data[0], logits.data[1]), "the label made no difference: join it to z"


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        conv_vae(0).decode(as_tensor(np.zeros((2, 4))))
    with pytest.raises(ValueError, match="num_classes"):
        conv_vae(10).decode(as_tensor(KNOWN["z"]))
