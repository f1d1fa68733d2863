"""Optimizer: the base class of SGD, Adam, AdamW and RMSprop.

An optimizer holds the parameters in ``param_groups`` (a list of dicts, each
with its "params" and its hyperparameters, as in PyTorch) and a per-parameter
``state`` (step counts, moment arrays).  ``step()`` calls the subclass's
``update`` once per parameter that has a gradient; updates change
``param.data`` in place, so every Module holding the parameter sees them.

Hyperparameters are always read as Python floats: with NumPy 2,
``float32_array * numpy.float64(0.9)`` is float64, while
``float32_array * 0.9`` stays float32.
"""

from __future__ import annotations

import math

import numpy

from .. import backend
from ..checks import flag, real_number, storable_values
from ..kernels import choose
from ..tensor import Tensor

# The checks of each hyperparameter (by name, whichever optimizer has it): a
# NaN learning rate or an RMSprop alpha of 2 would otherwise train silently wrong.
UNIT_INTERVAL = {"low": 0.0, "high": 1.0}                       # [0, 1)
NON_NEGATIVE = {"low": 0.0}
HYPERPARAMETER_RANGES = {
    "lr": NON_NEGATIVE, "eps": NON_NEGATIVE, "weight_decay": NON_NEGATIVE, "momentum": NON_NEGATIVE,
    "dampening": {"low": 0.0, "high": 1.0, "high_included": True}, "alpha": UNIT_INTERVAL,
}
FLAGS = ("nesterov", "centered", "amsgrad", "maximize")


def checked_hyperparameter(owner: str, name: str, value):
    """``value`` as the optimizer stores it (float, bool, pair of floats), or a one-line error."""
    if name in HYPERPARAMETER_RANGES:
        return real_number(owner, name, value, **HYPERPARAMETER_RANGES[name])
    if name == "betas":
        message = (f"{owner}: betas must be a pair (beta1, beta2) of numbers in [0, 1), "
                   f"got {type(value).__name__} {value!r}")
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
            raise TypeError(message)
        if len(value) != 2:
            raise ValueError(message)
        return tuple(real_number(owner, f"betas[{i}]", beta, **UNIT_INTERVAL) for i, beta in enumerate(value))
    if name in FLAGS:
        return flag(owner, name, value)
    return value


class Optimizer:
    """Base class.  ``Optimizer(params, defaults)``: params is an iterable of
    Parameters, or of dicts {"params": [...], "lr": ...} (parameter groups
    with their own hyperparameters; missing ones come from ``defaults``).

    Subclasses implement ``update(param, grad, state, group)`` on raw arrays.
    """

    def __init__(self, params, defaults: dict):
        owner = type(self).__name__
        self.defaults = {key: checked_hyperparameter(owner, key, value) for key, value in defaults.items()}
        if isinstance(params, Tensor):
            raise TypeError(f"{owner}: params must be an iterable of Tensors (e.g. model.parameters() or "
                            "[w, b]), got a single Tensor; wrap it in a list")
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list "
                             "(did the model register its parameters? see Module.parameters())")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.param_groups = []
        self.state = {}            # id(parameter) -> {"step": int, "exp_avg": array, ...}
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        """Add a group of parameters (e.g. a layer with its own learning rate)."""
        owner = type(self).__name__
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{owner}: a parameter group must be a dict with a 'params' list, got "
                            f"{type(group).__name__}")
        group = dict(group)
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        held = {id(param): index for index, param in enumerate(self.all_parameters())}
        for index, param in enumerate(params):
            if not isinstance(param, Tensor) or not param.requires_grad:
                raise TypeError(f"{owner}: parameter {index} is not a Tensor that requires grad "
                                f"(got {type(param).__name__})")
            if id(param) in held:
                raise ValueError(f"{owner}: parameter {index} (shape {param.shape}) is given twice (also as "
                                 f"parameter {held[id(param)]}); it would be updated twice per step: list each "
                                 "parameter once")
            held[id(param)] = index
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        for key, value in group.items():
            if key != "params":
                group[key] = checked_hyperparameter(owner, key, value)
        group["params"] = params
        self.param_groups.append(group)

    def all_parameters(self) -> list:
        """Every parameter, group after group: position i here is "state.i" in ``state_dict``."""
        return [param for group in self.param_groups for param in group["params"]]

    # ---- learning rate --------------------------------------------------------------
    @property
    def lr(self) -> float:
        """The learning rate of the first group; setting it sets it for every group."""
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        value = checked_hyperparameter(type(self).__name__, "lr", value)
        for group in self.param_groups:
            group["lr"] = value

    # ---- the update ---------------------------------------------------------------------
    def zero_grad(self) -> None:
        """Forget the gradients (``param.grad = None``), before the next backward."""
        for param in self.all_parameters():
            param.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient, in place.

        The update rule is this optimizer's ``update`` (its textbook formula),
        or its fast twin from ``nn_from_scratch/fast/optimizers.py`` while the
        fast kernels are on (see ``nn_from_scratch/kernels.py``).
        """
        update = choose(type(self).update)
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad
                if (getattr(grad, "shape", None) != param.data.shape or getattr(grad, "dtype", None) != param.dtype
                        or isinstance(grad, Tensor)):
                    self._refuse_gradient(param)
                state = self.state.setdefault(id(param), {})
                update(self, param.data, grad, state, group)

    def _refuse_gradient(self, param) -> None:
        """Raise the error for a gradient that does not match its parameter (set by hand, or by a bad op)."""
        index = next(i for i, p in enumerate(self.all_parameters()) if p is param)
        grad = param.grad
        name = f"parameter {index}" + (f" ({param.name})" if param.name else "")
        if isinstance(grad, Tensor):
            got = "a Tensor (assign its array: param.grad = tensor.data)"
        elif not hasattr(grad, "shape") or not hasattr(grad, "dtype"):
            got = f"a {type(grad).__name__}"
        else:
            got = f"shape {tuple(grad.shape)} and dtype {grad.dtype}"
        raise ValueError(f"{type(self).__name__}.step: the gradient of {name} must be an array of the "
                         f"parameter's shape {param.shape} and dtype {param.dtype}, got {got}")

    def update(self, param, grad, state: dict, group: dict) -> None:
        """Change the raw array ``param`` in place, given its gradient ``grad``, its ``state`` and ``group``."""
        raise NotImplementedError(f"{type(self).__name__} must implement update(param, grad, state, group)")

    # ---- state_dict ---------------------------------------------------------------------
    def state_dict(self) -> dict:
        """A flat {string: NumPy array} snapshot that ``numpy.savez`` can write, e.g.

            "param_groups.0.lr": array(0.001)     "state.3.step": array(20)
            "param_groups.0.betas": array([0.9, 0.999])     "state.3.exp_avg": array of param 3's shape

        ``i`` in "state.i" is the parameter's position in :meth:`all_parameters`.
        """
        result = {}
        for group_index, group in enumerate(self.param_groups):
            for key, value in group.items():
                if key != "params":
                    result[f"param_groups.{group_index}.{key}"] = numpy.asarray(value)
        for index, param in enumerate(self.all_parameters()):
            for key, value in self.state.get(id(param), {}).items():
                result[f"state.{index}.{key}"] = numpy.array(backend.to_numpy(value), copy=True)
        return result

    def load_state_dict(self, state_dict) -> None:
        """Restore hyperparameters and state saved by :meth:`state_dict`, for an exact resume.

        The optimizer must have been created with the same parameters in the
        same order.  Everything is checked before anything changes; one
        ValueError names all the problems.
        """
        params = self.all_parameters()
        hyperparameters, states, problems = [], [], []
        for key, value in state_dict.items():
            parts = key.split(".")
            if len(parts) != 3 or parts[0] not in ("param_groups", "state") or not parts[1].isdigit():
                problems.append(f"unexpected key {key!r}")
            elif parts[0] == "param_groups":
                index = int(parts[1])
                if index >= len(self.param_groups) or parts[2] not in self.param_groups[index] or parts[2] == "params":
                    problems.append(f"unexpected key {key!r}")
                else:
                    hyperparameters.append((self.param_groups[index], parts[2], value))
            else:
                index, name, array = int(parts[1]), parts[2], numpy.asarray(backend.to_numpy(value))
                if index >= len(params):
                    problems.append(f"{key!r}: there are only {len(params)} parameters")
                elif name != "step" and array.shape != params[index].shape:
                    problems.append(f"{key!r}: expected shape {params[index].shape}, got {array.shape}")
                else:
                    states.append((params[index], name, array))
        if problems:
            raise ValueError(f"{type(self).__name__}.load_state_dict: " + "; ".join(problems))
        owner = f"{type(self).__name__}.load_state_dict"
        new_values = []
        for group, name, value in hyperparameters:
            array = numpy.asarray(backend.to_numpy(value))
            if array.dtype.kind not in "biuf":
                raise TypeError(f"{owner}: hyperparameter {name!r} must be numeric, got dtype {array.dtype}")
            new_values.append((group, name, checked_hyperparameter(owner, name, _python_value(array, group[name]))))
        for param, name, array in states:
            storable_values(owner, f"state {name} of a parameter of shape {param.shape}", array,
                            numpy.int64 if name == "step" else param.dtype)
            if name == "step" and (array.ndim != 0 or array < 0 or not math.isfinite(float(array))):
                raise ValueError(f"{owner}: a step count must be one integer >= 0, got {array!r}")
        for group, name, value in new_values:
            group[name] = value
        self.state = {}
        for param, name, array in states:
            state = self.state.setdefault(id(param), {})
            if name == "step":
                state[name] = int(array)
            else:
                state[name] = backend.to_device(array, param.device).astype(param.dtype, copy=True)


def _python_value(value, like):
    """A saved hyperparameter (an array) as the Python type of the current one (bool, int, float, tuple)."""
    array = backend.to_numpy(value)
    if isinstance(like, bool):
        return bool(array)
    if isinstance(like, int):
        return int(array)
    if isinstance(like, (tuple, list)):
        return tuple(array.tolist())
    return float(array)
