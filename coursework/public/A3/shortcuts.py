"""No shortcuts: while a task's own code runs in a test, the other tasks' functions of A3 refuse to run.

A task may use the tasks it is built on (the discriminator step computes the discriminator loss of
task 3.1, the training step calls both steps); every other A3 function raises :class:`ShortcutError`
inside :func:`own_code_only`, so that, for example, the discriminator loss cannot be computed as a
difference of two generator losses.  Functions are replaced wherever the library holds them (the
package re-exports them, the trainer imports them by name).
"""

from __future__ import annotations

import contextlib
import sys

from nn_from_scratch import metrics
from nn_from_scratch.models import gan
from nn_from_scratch.training import gan_trainer

TASK_FUNCTIONS = (
    gan.discriminator_loss,
    gan.generator_loss,
    gan_trainer.discriminator_step,
    gan_trainer.generator_step,
    metrics.class_coverage,
)
TRAIN_STEP = gan_trainer.GANTrainer.train_step


class ShortcutError(AssertionError):
    """Raised when the code under test calls another task's function that it is not built on."""


def refusal(what: str, callee: str):
    def refuse(*args, **kwargs):
        __tracebackhide__ = True
        raise ShortcutError(f"{what} called {callee}: that is another task's function, which this task does not "
                            "build on; compute it here (see the docstring of the function you are writing)")
    return refuse


def holders(function) -> list:
    """(module, attribute name) of every library module attribute that is ``function``."""
    found = []
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("nn_from_scratch"):
            continue
        for attribute, value in list(vars(module).items()):
            if value is function:
                found.append((module, attribute))
    return found


@contextlib.contextmanager
def own_code_only(what: str, own=()):
    """Inside the block, the A3 task functions not in ``own`` (the code under test and what it is built on)
    raise ShortcutError naming ``what``."""
    own = set(own)
    replaced = []
    for function in TASK_FUNCTIONS:
        if function not in own:
            replaced += [(holder, attribute, function) for holder, attribute in holders(function)]
    if TRAIN_STEP not in own:
        replaced.append((gan_trainer.GANTrainer, "train_step", TRAIN_STEP))
    try:
        for holder, attribute, function in replaced:
            setattr(holder, attribute, refusal(what, function.__qualname__))
        yield
    finally:
        for holder, attribute, function in replaced:
            setattr(holder, attribute, function)
