"""The textbook/fast switch: which of two implementations of the ops runs.

The library has two kernel sets that compute the same things:

* **"textbook"**: the ops in ``functional/`` and the optimizers' ``update``
  in ``optim/``, each in its plainest correct NumPy form, the derivation in
  its docstring.  This is the code a student reads, steps through in a
  debugger and re-implements in the coursework.
* **"fast"**: the package ``fast/``, twins of some textbook ops rewritten for
  speed (memory layouts, BLAS tricks, fewer passes over memory), each with
  its reason in words and checked against its textbook twin by the tests.
  An op without a fast twin runs its textbook form in both sets.

Use::

    import nn_from_scratch as nf
    nf.kernels.use("textbook")          # from now on
    with nf.kernels.using("textbook"):  # inside the block only
        loss.backward()
    nf.kernels.current()                # "textbook" or "fast"

or set the environment variable ``NN_FROM_SCRATCH_KERNELS=textbook`` before
the library is imported.  The default is "fast", so that training runs at
full speed; switch to "textbook" to step through the code students read.  A
coursework release (``python -m nn_from_scratch coursework release``) ships a
``release_settings.py`` whose ``KERNELS = "textbook"`` is its default.

How the switch works: each function of ``functional/`` that applies an op
asks :func:`choose` for the Function class to build, e.g.
``choose(ReLUFunction)``, and the optimizers ask it for their update rule.
With the textbook set on, ``choose`` returns its argument untouched (and the
``fast`` package is never imported); with the fast set on, it returns the
fast twin registered in ``fast.TWINS``, if there is one.  The switch is read
each time an op is applied, so a graph built under one set keeps its
Functions, and their backward, when the set changes before ``backward()``.
"""

from __future__ import annotations

import contextlib
import os

ENV_VARIABLE = "NN_FROM_SCRATCH_KERNELS"
KERNEL_SETS = ("textbook", "fast")


def default_kernel_set() -> str:
    """"fast", or the ``KERNELS`` of a coursework release's ``nn_from_scratch/release_settings.py``."""
    try:
        from . import release_settings
    except ImportError:
        return "fast"
    return release_settings.KERNELS


_current = default_kernel_set()


class KernelSetError(ValueError):
    """Raised when a kernel set is asked for that does not exist."""


def use(name: str) -> None:
    """Make ``name`` ("textbook" or "fast") the kernel set of every op applied from now on."""
    global _current
    _current = checked_name(name)


def current() -> str:
    """The kernel set in use: "textbook" or "fast"."""
    return _current


@contextlib.contextmanager
def using(name: str):
    """Use the kernel set ``name`` inside a ``with`` block, then go back to the previous one."""
    global _current
    previous = _current
    _current = checked_name(name)
    try:
        yield name
    finally:
        _current = previous


def checked_name(name) -> str:
    """``name`` in lower case, or a one-line KernelSetError naming the choices."""
    normalized = str(name).strip().lower()
    if normalized not in KERNEL_SETS:
        raise KernelSetError(f"unknown kernel set {name!r}: expected one of {', '.join(KERNEL_SETS)}")
    return normalized


def choose(textbook):
    """The implementation to run for ``textbook`` (a Function class or an update function).

    ``textbook`` itself when the textbook set is on, or when the fast set has
    no twin of it; otherwise its fast twin from ``nn_from_scratch.fast``.
    """
    if _current == "textbook":
        return textbook
    from . import fast  # imported only once the fast set is used
    return fast.TWINS.get(textbook, textbook)


def _use_environment_variable() -> None:
    requested = os.environ.get(ENV_VARIABLE, "").strip()
    if requested:
        try:
            use(requested)
        except KernelSetError as error:
            raise KernelSetError(f"environment variable {ENV_VARIABLE}: {error}; "
                                 f"set it to one of {', '.join(KERNEL_SETS)} or unset it") from None


_use_environment_variable()
