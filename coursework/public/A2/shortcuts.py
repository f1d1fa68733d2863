"""No shortcuts: while a task's own code runs in a test, the library's other implementations refuse to run.

The library computes most things of this assignment more than once: a
convolution by loops, by im2col and one matrix product, and (as an input
gradient) by the transposed convolution; ReLU as ``maximum``; the loss on
logits from softplus; and so on.  A task asks you to write one of them, so
inside :func:`own_code_only` every *other* autograd Function's ``forward`` and
``backward`` (any Function of ``nn_from_scratch`` not named in ``own``), and
every function of :data:`OTHER_IMPLEMENTATIONS` not named in ``own``, raise
:class:`ShortcutError` instead of computing.  The helpers of the files
(``as_pair``, ``pad_image``, ``window_slices``, ``conv2d_output_size``,
``image_to_rows``, ``stable_sigmoid``...) and NumPy stay available.

The guard also switches to the textbook kernel set, so that ``optimizer.step()``
runs the ``update`` under test (in the instructor's project, where the fast
kernels exist and are the default, it would run their fast twin).  The tests
call the functions under test inside this guard; forbidden modules (scipy,
torch...) are refused by the assignment's ``forbidden_modules``.
"""

from __future__ import annotations

import contextlib
import sys

from nn_from_scratch import kernels
from nn_from_scratch.functional import conv
from nn_from_scratch.optim.adam import Adam
from nn_from_scratch.optim.rmsprop import RMSprop
from nn_from_scratch.optim.sgd import SGD
from nn_from_scratch.tensor import Function

# functions (not autograd Functions) that compute what some task asks
OTHER_IMPLEMENTATIONS = (
    conv.conv2d_loops,
    conv.conv2d_backward_loops,
    conv.conv_transpose2d_loops,
    conv.conv_transpose2d_backward_loops,
    conv.im2col,
    conv.col2im,
    SGD.update,
    Adam.update,
    RMSprop.update,
)


class ShortcutError(AssertionError):
    """Raised when the code under test calls another implementation of what its task asks."""


def library_function_classes() -> list:
    """Every subclass of Function defined in the library (not in the tests), parents first."""
    found, pending = [], [Function]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in found:
                found.append(subclass)
                pending.append(subclass)
    return [cls for cls in found if cls.__module__.startswith("nn_from_scratch.")
            and not cls.__module__.startswith("nn_from_scratch.coursework")]


def owner_of(function):
    """(the module or class that holds ``function``, its attribute name)."""
    module = sys.modules[function.__module__]
    *outer, name = function.__qualname__.split(".")
    owner = module
    for part in outer:
        owner = getattr(owner, part)
    return owner, name


def refusal(what: str, callee: str):
    def refuse(*args, **kwargs):
        __tracebackhide__ = True
        raise ShortcutError(f"{what} called {callee}: that is the library's own implementation of what this task "
                            "asks (or of a part of it), or another task's code; write the computation yourself, "
                            "with NumPy and the helpers of the file (see the docstring of the function you are "
                            "writing)")
    return refuse


@contextlib.contextmanager
def own_code_only(what: str, own=()):
    """Inside the block (run with the textbook kernels), calling another library Function's forward/backward, or
    a function of OTHER_IMPLEMENTATIONS, raises ShortcutError naming ``what`` (the code under test).

    ``own``: the classes and functions the task itself writes or builds on (they keep working).
    """
    own = set(own)
    replaced = []
    for cls in library_function_classes():
        if cls in own:
            continue
        for name in ("forward", "backward"):
            if name in vars(cls):
                replaced.append((cls, name, vars(cls)[name], f"{cls.__name__}.{name}"))
    for function in OTHER_IMPLEMENTATIONS:
        if function not in own:
            owner, name = owner_of(function)
            replaced.append((owner, name, vars(owner)[name], function.__qualname__))
    try:
        for owner, name, _, label in replaced:
            setattr(owner, name, refusal(what, label))
        with kernels.using("textbook"):
            yield
    finally:
        for owner, name, original, _ in replaced:
            setattr(owner, name, original)
