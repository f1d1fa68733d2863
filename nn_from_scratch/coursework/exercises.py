"""The check cells of the tutorial notebooks' exercises.

A notebook exercise is three cells: the markdown that names what to write, the
exercise cell (its code between ``### BEGIN SOLUTION`` and ``### END SOLUTION``,
which a release cuts to ``raise NotImplementedError()``), and a check cell::

    with check_exercise("1.4"):
        expect_close(expected_w_grad, numeric_gradient, "expected_w_grad")

``check_exercise`` turns every way the exercise can fail into one
``AssertionError`` whose message starts with ``Exercise 1.4:``: a wrong value
(the comparison's own message: what, expected versus got), a name the exercise
cell has not defined yet, the skeleton's ``NotImplementedError`` (or, in a
coursework release, a library task's stub, named), or any other error the
student's code raised (chained, so that its traceback still shows).
When the block passes it prints ``Exercise 1.4 passed``.  Where later cells need
the exercise's result, a fourth cell tries it and, while it raises
``NotImplementedError`` or ``NameError``, says so and defines a stand-in that is
not the solution (see coursework/README.md, "Notebook exercises").

A passed check is remembered (:func:`passed`), so that later cells can use the
student's function once it passed and the library's reference until then
(:func:`mine_or_reference`).  While the student's code runs inside a check,
:func:`library_refuses` makes the library's own implementation of the same thing
raise, so that calling it does not pass the check.

The comparisons (``expect_close`` and ``expect_shape``) are the coursework
tests' own, from :mod:`nn_from_scratch.coursework.testing`;
``finite_differences`` gives a check the gradient of a NumPy computation
without the library's autograd.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

import numpy

from .testing import expect_close, expect_shape, not_implemented_task

__all__ = ["check_exercise", "expect_close", "expect_shape", "expect_equal", "finite_differences", "passed",
           "mine_or_reference", "library_refuses"]

PASSED: set = set()          # the exercises whose check passed in this kernel


def expect_equal(got, expected, what: str) -> None:
    """Assert ``got == expected`` (numbers, lists, tuples, booleans), saying what was expected and what came."""
    if got != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {got!r}")


def finite_differences(loss, array, eps: float = 1e-6):
    """Central differences of the number ``loss()`` with respect to every element of ``array``.

    ``array`` (float64) is the array that ``loss`` reads: each element is moved
    by +eps and -eps in place, then restored.  Returns an array of its shape.
    """
    if not isinstance(array, numpy.ndarray) or array.dtype != numpy.float64:
        raise TypeError(f"finite_differences: array must be a float64 NumPy array, got "
                        f"{getattr(array, 'dtype', type(array).__name__)}")
    flat = array.reshape(-1)            # a view: writing to it moves the element loss() reads
    if not numpy.shares_memory(flat, array):
        raise ValueError("finite_differences: array is not contiguous (a copy would be perturbed); "
                         "pass numpy.ascontiguousarray(array) and let loss() read that")
    gradient = numpy.zeros(array.size)
    for index in range(array.size):
        original = flat[index]
        flat[index] = original + eps
        plus = float(loss())
        flat[index] = original - eps
        minus = float(loss())
        flat[index] = original
        gradient[index] = (plus - minus) / (2 * eps)
    return gradient.reshape(array.shape)


@contextmanager
def check_exercise(exercise: str):
    """Run a check cell's block; any failure becomes an AssertionError naming ``Exercise <exercise>``."""
    label = f"Exercise {exercise}"
    PASSED.discard(exercise)
    try:
        yield
    except NotImplementedError as error:
        task = not_implemented_task(error)
        if task is not None:            # a coursework release: a library function of a task is still a stub
            raise AssertionError(f"{label}: needs task {task} of the library, not written yet ({error})") from None
        raise AssertionError(f"{label}: not done yet: the exercise cell still raises NotImplementedError "
                             "(replace it with your code and run that cell)") from None
    except NameError as error:
        raise AssertionError(f"{label}: not done yet: {error} (define it in the exercise cell above, then run "
                             "that cell)") from None
    except AssertionError as error:
        message = str(error) or "a check failed"
        raise AssertionError(message if message.startswith(label) else f"{label}: {message}") from None
    except Exception as error:
        raise AssertionError(f"{label}: your code raised {type(error).__name__}: {error} "
                             "(its traceback is above)") from error
    PASSED.add(exercise)
    print(f"{label} passed")


def passed(exercise: str) -> bool:
    """Whether the check of ``exercise`` (e.g. "5.3") passed in this kernel."""
    return exercise in PASSED


def mine_or_reference(exercise: str, mine, reference):
    """``mine`` if the check of ``exercise`` passed, else ``reference`` (and say so)."""
    if passed(exercise):
        return mine
    print(f"(Exercise {exercise} has not passed its check: the cells below use the library's reference instead)")
    return reference


@contextmanager
def library_refuses(*functions, namespace=None):
    """Inside the block, calling one of the library's ``functions`` raises AssertionError: a check must run the
    student's code, not the library's.  Every module of the library that holds them, and ``namespace`` (the
    notebook's globals), get a refusing stand-in for the duration."""
    def refusal(function):
        def refuse(*args, **kwargs):
            raise AssertionError(f"your code called the library's {function.__qualname__}: write the computation "
                                 "yourself")
        return refuse

    holders = [module for name, module in list(sys.modules.items())
               if module is not None and name.startswith("nn_from_scratch")]
    replaced = []
    for function in functions:
        for holder in holders:
            replaced += [(vars(holder), attribute, function) for attribute, value in list(vars(holder).items())
                         if value is function]
        replaced += [(namespace, attribute, function) for attribute, value in list((namespace or {}).items())
                     if value is function]
    try:
        for names, attribute, function in replaced:
            names[attribute] = refusal(function)
        yield
    finally:
        for names, attribute, function in replaced:
            names[attribute] = function
