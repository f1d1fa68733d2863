"""Stopping a run whose losses or weights stop being finite, before it saves anything wrong.

A learning rate far too large makes the losses overflow to inf or NaN within a
few steps; after that every weight becomes NaN and the run would go on, save
NaN checkpoints and draw blank samples.  So the trainer checks every step's
losses, and every weight before each save; the first non-finite value raises
:class:`TrainingDiverged`, which names it and the step, and the run's
checkpoint stays the last good one.
"""

from __future__ import annotations

import math

from ..backend import array_module


class TrainingDiverged(RuntimeError):
    """Raised when a loss or a weight is no longer finite; nothing has been saved after that step.

    ``what``: e.g. "d_loss is nan" or "generator weight 'project.0.weight' has 12 non-finite values";
    ``epoch``: the epoch (1-based) and ``step``: the step of it at which it was found.
    """

    def __init__(self, what: str, epoch: int, step: int):
        self.what, self.epoch, self.step = what, epoch, step
        super().__init__(f"training diverged at step {step} of epoch {epoch}: {what}")


def first_non_finite_loss(losses: dict) -> str | None:
    """"name is nan" for the first loss that is not a finite number, else None."""
    for name, value in losses.items():
        if not math.isfinite(value):
            return f"{name} is {value}"
    return None


def first_non_finite_tensor(models: dict) -> str | None:
    """"<model> weight '<name>' has N non-finite values" for the first such parameter or buffer, else None."""
    for model_name, model in models.items():
        for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
            array = tensor.data
            if array.dtype.kind != "f":
                continue
            xp = array_module(array)
            total = array.sum()               # one pass; NaN or inf in the sum means look closer
            if bool(xp.isfinite(total)):
                continue
            bad = int(array.size - xp.isfinite(array).sum())
            if bad:
                return f"{model_name} weight {name!r} has {bad} non-finite values (of {array.size})"
    return None
