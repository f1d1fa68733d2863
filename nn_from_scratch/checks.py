"""Checking arguments at the library's boundary, so that bad input fails at once and says why.

Each check raises a one-line error naming who got the value (a layer, an
optimizer, a state dict's key), the argument, what was expected and what came:

    >>> hyperparameter("Adam", "lr", float("nan"))
    Traceback (most recent call last):
    ValueError: Adam: lr must be a finite number >= 0, got nan

The checks run once, where a value enters (a constructor, ``load_state_dict``),
never inside a training step.
"""

from __future__ import annotations

import math
import numbers

import numpy

from .backend import array_module


def whole_number(owner: str, name: str, value, minimum: int = 1) -> int:
    """``value`` as an int, if it is a whole number >= ``minimum`` (not a bool, a float or a string)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an integer >= {minimum}, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {value}")
    return int(value)


def real_number(owner: str, name: str, value, low: float = 0.0, high: float = math.inf,
                high_included: bool = False) -> float:
    """``value`` as a float, if it is a finite real number in [low, high) (or [low, high] with high_included).

    Strings, None and booleans are refused rather than converted: ``lr="0.1"``
    is a mistake to report, not a value to guess.
    """
    interval = f"in [{low:g}, {high:g}{']' if high_included else ')'}" if math.isfinite(high) else f">= {low:g}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if not (isinstance(value, numpy.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"):
            raise TypeError(f"{owner}: {name} must be a finite number {interval}, "
                            f"got {type(value).__name__} {value!r}")
    number = float(value)
    too_high = number > high if high_included else number >= high
    if not math.isfinite(number) or number < low or too_high:
        raise ValueError(f"{owner}: {name} must be a finite number {interval}, got {number!r}")
    return number


def flag(owner: str, name: str, value) -> bool:
    """``value`` if it is a bool (or 0 / 1): ``centered="no"`` would otherwise count as True."""
    if isinstance(value, (bool, numpy.bool_)) or (isinstance(value, numbers.Integral) and value in (0, 1)):
        return bool(value)
    raise TypeError(f"{owner}: {name} must be True or False, got {type(value).__name__} {value!r}")


def storable_values(owner: str, key: str, array, dtype) -> None:
    """Refuse an array that cannot be stored in a tensor of ``dtype`` without changing its values.

    ``array`` (NumPy or CuPy) must be numeric, finite, and, when ``dtype`` is
    narrower, keep its values: 1e300 does not fit in float32 (it would become
    inf), 2.5 does not fit in an integer tensor, -1 does not fit in an unsigned one.
    """
    dtype = numpy.dtype(dtype)
    xp = array_module(array)
    kind = array.dtype.kind
    if kind not in "biuf":
        raise TypeError(f"{owner}: {key!r} must hold numbers, got an array of dtype {array.dtype}")
    if kind == "f":
        finite = xp.isfinite(array)
        if not bool(finite.all()):
            bad = int(array.size - finite.sum())
            raise ValueError(f"{owner}: {key!r} holds {bad} non-finite value(s) (nan or inf) out of {array.size}; "
                             "it comes from a diverged run or a corrupt file: use an earlier, finite state")
    if array.size == 0 or dtype == array.dtype:
        return
    if dtype.kind == "f":
        largest = float(xp.abs(array).max())
        if largest > float(numpy.finfo(dtype).max):
            raise ValueError(f"{owner}: {key!r} holds {largest:g}, too large for the tensor's dtype {dtype} "
                             f"(at most {float(numpy.finfo(dtype).max):g}): it would become inf")
    elif dtype.kind in "iu":
        if kind == "f" and not bool((array == xp.round(array)).all()):
            raise ValueError(f"{owner}: {key!r} holds fractions, but the tensor is of integer dtype {dtype}")
        info = numpy.iinfo(dtype)
        low, high = array.min().item(), array.max().item()
        if low < info.min or high > info.max:
            raise ValueError(f"{owner}: {key!r} holds values in [{low}, {high}], outside the range of the "
                             f"tensor's dtype {dtype} [{info.min}, {info.max}]")
