"""One classifier training step: softmax cross-entropy on the digit labels."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import optim
from ..data.augment import random_shift
from ..models import Classifier
from ..tensor import Tensor, no_grad
from .config import NUM_CLASSES
from .trainer import Trainer


def accuracy_and_loss(classifier, images: np.ndarray, labels: np.ndarray, batch_size: int = 500) -> dict:
    """Test accuracy (fraction correct) and mean cross-entropy of ``classifier`` on ``images``."""
    correct, total_loss = 0, 0.0
    with no_grad():
        for start in range(0, len(images), batch_size):
            logits = classifier(Tensor(images[start:start + batch_size]))
            batch_labels = labels[start:start + batch_size]
            total_loss += F.cross_entropy(logits, Tensor(batch_labels), reduction="sum").item()
            correct += int((logits.numpy().argmax(axis=1) == batch_labels).sum())
    return {"test_accuracy": correct / len(images), "test_loss": total_loss / len(images)}


class ClassifierTrainer(Trainer):
    """Trains a :class:`Classifier` with Adam(lr) on cross-entropy.

    Each batch is augmented first: every image moved by a random shift of up
    to ``config.shift_augment`` pixels (drawn from the trainer's seeded
    generator, saved in checkpoints, so resuming stays exact).

    Recorded per step: loss and accuracy on the batch.  After each epoch:
    test_accuracy and test_loss on up to 2000 test images.  The "sample"
    grid shows test images with the test accuracy as title.
    """

    loss_names = ("loss", "accuracy")

    @staticmethod
    def build_models(config) -> dict:
        return {"classifier": Classifier(NUM_CLASSES)}

    def build_optimizers(self) -> dict:
        return {"classifier": optim.Adam(self.classifier.parameters(), lr=self.config.lr)}

    @property
    def classifier(self) -> Classifier:
        return self.models["classifier"]

    def train_step(self, images, labels) -> dict:
        images = random_shift(images, self.config.shift_augment, self.rng)
        logits = self.classifier(Tensor(images))
        loss = F.cross_entropy(logits, Tensor(labels))
        self.optimizers["classifier"].zero_grad()
        loss.backward()
        self.optimizers["classifier"].step()
        accuracy = float((logits.numpy().argmax(axis=1) == labels).mean())
        return {"loss": loss.item(), "accuracy": accuracy}

    def evaluate(self) -> dict:
        images, labels = self.test_images(limit=2000)
        return accuracy_and_loss(self.classifier, images, labels)

    def sample_grid(self) -> tuple:
        images, _ = self.test_images(limit=64)
        accuracy = self.epoch_records[-1]["test_accuracy"] if self.epoch_records else None
        title = "test images" if accuracy is None else f"test images (test accuracy {accuracy:.1%})"
        return images, 8, title
