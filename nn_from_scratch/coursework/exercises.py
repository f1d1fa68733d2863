"""The check cells of the tutorial notebooks' exercises.

A check cell runs its assertions inside ``with exercise("Exercise 5.3"):``.  A
failed assertion, or an exercise still raising ``NotImplementedError`` (a
coursework release cuts the solutions out, nbgrader-style), becomes one
``AssertionError`` that names the exercise; a passed one is printed and
remembered, so that later cells can use the student's function when it passed
and the library's reference otherwise (:func:`mine_or_reference`).

Checks compare with stored values.  While the student's code runs,
:func:`library_refuses` makes the library's own implementation of the same thing
raise, so that calling it does not pass the check.
"""

from __future__ import annotations

import contextlib
import sys

PASSED: set = set()


@contextlib.contextmanager
def exercise(name: str):
    """Run a check cell's assertions; an error names the exercise, a pass is printed and remembered."""
    PASSED.discard(name)
    try:
        yield
    except NotImplementedError:
        raise AssertionError(f"{name}: not done yet (its cell still raises NotImplementedError): write it, run its "
                             "cell, then this check") from None
    except AssertionError as error:
        raise AssertionError(f"{name} failed: {error}") from None
    PASSED.add(name)
    print(f"{name} passed")


def passed(name: str) -> bool:
    """Whether the check of exercise ``name`` passed in this session."""
    return name in PASSED


def mine_or_reference(name: str, mine, reference):
    """``mine`` if exercise ``name`` passed its check, else ``reference`` (and say so)."""
    if passed(name):
        return mine
    print(f"({name} has not passed its check: the cells below use the library's reference instead)")
    return reference


@contextlib.contextmanager
def library_refuses(*functions, namespace=None):
    """Inside the block, calling one of the library's ``functions`` raises AssertionError: a check must run the
    student's code, not the library's.  Every module of the library that holds them, and ``namespace`` (the
    notebook's globals), get a refusing stand-in for the duration."""
    def refusal(function):
        def refuse(*args, **kwargs):
            raise AssertionError(f"your code called the library's {function.__qualname__}: write the computation "
                                 "yourself")
        return refuse

    replaced = []
    holders = [module for name, module in list(sys.modules.items())
               if module is not None and name.startswith("nn_from_scratch")]
    for function in functions:
        for holder in holders:
            for attribute, value in list(vars(holder).items()):
                if value is function:
                    replaced.append((holder, attribute, function))
        for attribute, value in list((namespace or {}).items()):
            if value is function:
                replaced.append((namespace, attribute, function))
    try:
        for holder, attribute, function in replaced:
            if isinstance(holder, dict):
                holder[attribute] = refusal(function)
            else:
                setattr(holder, attribute, refusal(function))
        yield
    finally:
        for holder, attribute, function in replaced:
            if isinstance(holder, dict):
                holder[attribute] = function
            else:
                setattr(holder, attribute, function)
