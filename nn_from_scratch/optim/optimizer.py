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

import numpy

from .. import backend
from ..kernels import choose
from ..tensor import Tensor


class Optimizer:
    """Base class.  ``Optimizer(params, defaults)``: params is an iterable of
    Parameters, or of dicts {"params": [...], "lr": ...} (parameter groups
    with their own hyperparameters; missing ones come from ``defaults``).

    Subclasses implement ``update(param, grad, state, group)`` on raw arrays.
    """

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
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
        group = dict(group)
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for index, param in enumerate(params):
            if not isinstance(param, Tensor) or not param.requires_grad:
                raise TypeError(f"{type(self).__name__}: parameter {index} is not a Tensor that requires grad")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
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
        for group in self.param_groups:
            group["lr"] = float(value)

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
                state = self.state.setdefault(id(param), {})
                update(self, param.data, param.grad, state, group)

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
                index, name, array = int(parts[1]), parts[2], backend.to_numpy(value)   # CuPy arrays too
                if index >= len(params):
                    problems.append(f"{key!r}: there are only {len(params)} parameters")
                elif name != "step" and array.shape != params[index].shape:
                    problems.append(f"{key!r}: expected shape {params[index].shape}, got {array.shape}")
                else:
                    states.append((params[index], name, array))
        if problems:
            raise ValueError(f"{type(self).__name__}.load_state_dict: " + "; ".join(problems))
        for group, name, value in hyperparameters:
            group[name] = _python_value(value, group[name])
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
