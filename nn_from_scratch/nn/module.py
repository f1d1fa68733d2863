"""Module, Parameter and the containers Sequential and ModuleList.

A :class:`Module` is a piece of a network that owns parameters (and maybe
sub-modules).  Subclasses assign them in ``__init__`` and write ``forward``::

    class TwoLayers(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(784, 128)     # a sub-module, registered as "hidden"
            self.out = nn.Linear(128, 10)         # registered as "out"

        def forward(self, x):
            return self.out(F.relu(self.hidden(x)))

    model = TwoLayers()
    [name for name, _ in model.named_parameters()]
    # ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']

How registration works: :meth:`Module.__setattr__` runs on every
``self.name = value``.  It stores the value as an ordinary attribute and, when
the value is a :class:`Parameter` or a :class:`Module`, also appends ``name``
to the list ``_parameter_names`` or ``_module_names``.  Those lists, walked
recursively, give ``parameters()``, ``state_dict()``, ``train()``, ``to()``...
in the order the attributes were first assigned, with PyTorch's dotted names.

Buffers are tensors that belong to the module's state but are not trained
(BatchNorm's running mean); register them with :meth:`Module.register_buffer`.
"""

from __future__ import annotations

import os
import zipfile

import numpy

from .. import backend
from ..atomic_file import save_npz_atomically
from ..checks import storable_values
from ..tensor import Tensor, no_grad

# Debugging hooks, like those of nn_from_scratch.tensor for Functions: each is called as
# hook(module, inputs, output) after every Module call (summary() uses one).  An empty
# list costs one truth test per call.
forward_hooks: list = []


class Parameter(Tensor):
    """A Tensor that a Module trains: ``requires_grad`` is True, and assigning one
    to a Module attribute registers it in ``module.parameters()``."""

    def __init__(self, data, requires_grad: bool = True):
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def empty_parameter(shape, dtype=numpy.float32) -> Parameter:
    """A Parameter of zeros of ``shape`` on the current backend, for an init function to fill."""
    return Parameter(backend.xp_for_new_arrays().zeros(shape, dtype=dtype))


class Module:
    """Base class of every layer and model (PyTorch's ``torch.nn.Module``).

    Subclasses call ``super().__init__()`` first, assign their Parameters and
    sub-Modules as attributes, and implement ``forward``.  Calling the module,
    ``module(x)``, runs ``forward(x)``.
    """

    def __init__(self):
        # object.__setattr__ writes the attribute without going through our __setattr__
        object.__setattr__(self, "_parameter_names", [])
        object.__setattr__(self, "_buffer_names", [])
        object.__setattr__(self, "_module_names", [])
        object.__setattr__(self, "training", True)

    # ---- registration ---------------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        """``self.name = value``, remembering Parameters and Modules in assignment order."""
        if "_parameter_names" not in self.__dict__:
            if isinstance(value, (Parameter, Module)):
                raise AttributeError(f"cannot assign {type(value).__name__} {name!r} before Module.__init__(): "
                                     f"call super().__init__() first in {type(self).__name__}.__init__")
            object.__setattr__(self, name, value)
            return
        if name in self._buffer_names and not (value is None or isinstance(value, Tensor)):
            raise TypeError(f"cannot assign {type(value).__name__} to buffer {name!r}: expected a Tensor or None")
        if name in self._parameter_names and not isinstance(value, Parameter):
            self._parameter_names.remove(name)     # e.g. self.bias = None
        if name in self._module_names and not isinstance(value, Module):
            self._module_names.remove(name)
        if isinstance(value, Parameter) and name not in self._parameter_names:
            self._parameter_names.append(name)
        if isinstance(value, Module) and name not in self._module_names:
            self._module_names.append(name)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for names in (self._parameter_names, self._buffer_names, self._module_names):
            if name in names:
                names.remove(name)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor) -> None:
        """Add a tensor that is part of the state (saved, moved by ``to()``) but not trained."""
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = Tensor(tensor)
        if name not in self._buffer_names:
            self._buffer_names.append(name)
        object.__setattr__(self, name, tensor)

    def register_parameter(self, name: str, parameter) -> None:
        """``self.name = parameter`` for a name held in a string (None is allowed, as for bias=False)."""
        setattr(self, name, parameter)

    def add_module(self, name: str, module) -> None:
        """``self.name = module`` for a name held in a string (Sequential names its layers "0", "1"...)."""
        setattr(self, name, module)

    # ---- walking the tree -------------------------------------------------------
    def named_children(self):
        """(name, module) for each direct sub-module, in assignment order."""
        for name in self._module_names:
            module = getattr(self, name)
            if module is not None:
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = ""):
        """(dotted name, module) for this module ("" is its name) and every module below it, depth first."""
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module.named_children()]
            stack.extend(reversed(children))

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "", recurse: bool = True):
        """(dotted name, Parameter) pairs, e.g. ("net.0.weight", ...); a shared parameter is listed once."""
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name in module._parameter_names:
                parameter = getattr(module, name)
                if parameter is None or id(parameter) in seen:
                    continue
                seen.add(id(parameter))
                yield (f"{module_name}.{name}" if module_name else name), parameter

    def parameters(self, recurse: bool = True):
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(self, prefix: str = "", recurse: bool = True):
        """(dotted name, buffer Tensor) pairs, e.g. ("1.running_mean", ...)."""
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name in module._buffer_names:
                buffer = getattr(module, name)
                if buffer is not None:
                    yield (f"{module_name}.{name}" if module_name else name), buffer

    def buffers(self, recurse: bool = True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def _named_state_tensors(self) -> dict:
        """Every tensor of the state, parameters then buffers of each module, by dotted name."""
        tensors = {}
        for module_name, module in self.named_modules():
            for name in module._parameter_names + module._buffer_names:
                tensor = getattr(module, name)
                if tensor is not None:
                    tensors[f"{module_name}.{name}" if module_name else name] = tensor
        return tensors

    # ---- calling ------------------------------------------------------------------
    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} must implement forward(self, ...)")

    def __call__(self, *inputs, **kwargs):
        output = self.forward(*inputs, **kwargs)
        if forward_hooks:
            for hook in forward_hooks:
                hook(self, inputs, output)
        return output

    # ---- modes, gradients, devices and dtypes ---------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) here and below."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Set evaluation mode (Dropout does nothing, BatchNorm uses running statistics)."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget the gradients of all parameters (``.grad = None``)."""
        for parameter in self.parameters():
            parameter.grad = None

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Turn gradient tracking of all parameters on or off (freeze a discriminator)."""
        for parameter in self.parameters():
            parameter.requires_grad = bool(requires_grad)
        return self

    def to(self, device=None, dtype=None) -> Module:
        """Move and/or cast all parameters and buffers in place; returns ``self``.

        ``model.to("cuda")``, ``model.to(numpy.float64)``, ``model.to("cpu", dtype=numpy.float32)``.
        The Parameter objects stay the same (their ``.data`` is replaced), so an
        optimizer created before still holds them.  Only floating-point tensors
        change dtype (``num_batches_tracked`` stays an integer).
        """
        if device is not None and not _is_device_name(device):
            device, dtype = None, device          # model.to(numpy.float64)
        if dtype is not None:
            dtype = numpy.dtype(dtype)
        for tensor in self._named_state_tensors().values():
            tensor.data = _convert(tensor.data, device, dtype)
            if tensor.grad is not None:
                tensor.grad = _convert(tensor.grad, device, dtype)
        return self

    def double(self) -> Module:
        return self.to(dtype=numpy.float64)

    def float(self) -> Module:
        return self.to(dtype=numpy.float32)

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self) -> Module:
        return self.to("cuda")

    # ---- state_dict, save and load ---------------------------------------------------
    def state_dict(self) -> dict:
        """{dotted name: array} for every parameter and buffer: a snapshot (copies).

        The arrays stay on the module's device; ``save`` writes them to a file.
        """
        return {name: tensor.data.copy() for name, tensor in self._named_state_tensors().items()}

    def load_state_dict(self, state_dict, strict: bool = True):
        """Copy the arrays of ``state_dict`` into the parameters and buffers (their dtype and device stay).

        Values may be NumPy or CuPy arrays, or anything ``numpy.asarray``
        accepts (a CPU ``torch`` tensor).  Mis-shaped keys are always an
        error; with ``strict`` missing and unexpected keys are too.  All keys are
        checked before anything is copied, and one RuntimeError names every
        problem.  Returns (missing_keys, unexpected_keys).
        """
        owner = f"load_state_dict into {type(self).__name__}"
        if not hasattr(state_dict, "items"):
            raise TypeError(f"{owner}: expected a dict of arrays (from state_dict()), got {type(state_dict).__name__}")
        tensors = self._named_state_tensors()
        values = {}
        for name, value in state_dict.items():
            if isinstance(value, (str, bytes)) or value is None:
                raise TypeError(f"{owner}: {name!r} must be an array of numbers, got {type(value).__name__} {value!r}")
            try:
                values[name] = value if backend.is_cupy_array(value) else numpy.asarray(value)
            except ValueError as error:
                raise ValueError(f"{owner}: {name!r} is not an array of numbers ({error})") from None
        missing = [name for name in tensors if name not in values]
        unexpected = [name for name in values if name not in tensors]
        misshaped = [f"{name}: expected {tensors[name].shape}, got {tuple(value.shape)}"
                     for name, value in values.items() if name in tensors and tuple(value.shape) != tensors[name].shape]
        problems = []
        if strict and missing:
            problems.append(f"missing keys {missing}")
        if strict and unexpected:
            problems.append(f"unexpected keys {unexpected}")
        if misshaped:
            problems.append("mis-shaped keys [" + "; ".join(misshaped) + "]")
        if problems:
            raise RuntimeError(f"error loading state_dict into {type(self).__name__}: " + ", ".join(problems))
        for name, value in values.items():
            if name in tensors:
                storable_values(owner, name, value, tensors[name].dtype)
        for name, value in values.items():
            if name in tensors:
                tensor = tensors[name]
                tensor.data[...] = backend.to_device(value, tensor.device).astype(tensor.dtype, copy=False)
        return missing, unexpected

    def save(self, path) -> None:
        """Write ``state_dict()`` to ``path`` as a NumPy ``.npz`` archive, atomically.

        The archive is written to a temporary file in the same folder and then
        renamed over ``path`` (``os.replace``), so ``path`` holds either the
        old file or the complete new one, never half of one.
        """
        arrays = {name: backend.to_numpy(array) for name, array in self.state_dict().items()}
        save_npz_atomically(path, arrays)

    def load(self, path, strict: bool = True) -> Module:
        """Load parameters and buffers saved by :meth:`save` (no pickles are read); returns ``self``.

        A file that is missing, empty, truncated, not an ``.npz`` archive, or a
        training checkpoint instead of a model's weights raises one error naming it.
        """
        state = read_state_file(path)
        if TRAINING_CHECKPOINT_KEY in state:
            raise ValueError(f"{path} is a training checkpoint, not a model's weights: open its run with "
                             "nn_from_scratch.training.load_models(run_folder)")
        try:
            self.load_state_dict(state, strict=strict)
        except (RuntimeError, ValueError, TypeError) as error:
            raise type(error)(f"{path}: {error}") from None
        return self

    # ---- printing ------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text between the parentheses of this module's repr (layers override it)."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        if self.extra_repr():
            lines.append("  " + self.extra_repr())
        for name, child in children:
            child_text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child_text}")
        lines.append(")")
        return "\n".join(lines)

    def summary(self, input_shape, print_table: bool = True) -> str:
        """A table of each layer's output shape and parameter count for an input of ``input_shape``.

        ``input_shape`` includes the batch axis, e.g. ``(1, 1, 28, 28)``.  It
        runs one forward pass on zeros in eval mode under ``no_grad`` (no
        running statistics change) and restores each module's mode.  Prints
        the table and returns it as a string.
        """
        first = next(iter(self._named_state_tensors().values()), None)
        dtype = first.dtype if first is not None and first.dtype.kind == "f" else numpy.float32
        device = first.device if first is not None else backend.default_device()
        x = Tensor(backend.to_device(numpy.zeros(tuple(input_shape), dtype=dtype), device))
        names = {id(module): name for name, module in self.named_modules()}
        modes = [(module, module.training) for module in self.modules()]
        self.eval()
        calls = []
        forward_hooks.append(lambda module, inputs, output: calls.append((module, output)))
        try:
            with no_grad():
                self(x)
        finally:
            forward_hooks.pop()
            for module, training in modes:
                object.__setattr__(module, "training", training)
        rows = [("Layer", "Output shape", "Parameters")]
        for module, output in calls:
            if module is self or next(module.children(), None) is not None:
                continue                       # one row per leaf layer
            layer = f"{names.get(id(module), '?')} ({type(module).__name__})"
            count = sum(p.size for p in module.parameters())
            rows.append((layer, str(_shape_of(output)), f"{count:,}"))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        rule = "-" * (sum(widths) + 4)
        lines = [rule]
        for i, row in enumerate(rows):
            lines.append(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}")
            if i == 0:
                lines.append(rule)
        total = sum(p.size for p in self.parameters())
        trainable = sum(p.size for p in self.parameters() if p.requires_grad)
        lines += [rule, f"Input shape: {tuple(input_shape)}", f"Total parameters: {total:,}",
                  f"Trainable parameters: {trainable:,}", rule]
        table = "\n".join(lines)
        if print_table:
            print(table)
        return table


TRAINING_CHECKPOINT_KEY = "__layout__"    # a member of every checkpoint written by nn_from_scratch.training


def read_state_file(path) -> dict:
    """The arrays of an ``.npz`` file, by name, read without pickle; one clear error for a file that is not one."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path} is a folder, not a file saved by Module.save (an .npz archive)")
    if not os.path.exists(path):
        raise FileNotFoundError(f"no file at {path}: save the model there first with model.save({path!r})")
    try:
        with open(path, "rb") as file:
            start = file.read(4)
        if start == numpy.lib.format.MAGIC_PREFIX[:4]:
            raise ValueError("it is a single .npy array, not an .npz archive of named arrays")
        if start[:2] != b"PK":
            raise ValueError("it is empty" if not start else "it is not an .npz (zip) archive")
        with numpy.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except PermissionError as error:
        raise PermissionError(f"cannot read {path}: {error.strerror}; check its permissions") from None
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path} is not a file saved by Module.save: {error}; it may be truncated or "
                         "another kind of file: save the model again") from None


def _shape_of(output):
    if isinstance(output, (tuple, list)):
        return [_shape_of(item) for item in output]
    return tuple(output.shape)


def _is_device_name(value) -> bool:
    return isinstance(value, str) and value.lower().split(":")[0] in ("cpu", "cuda", "gpu")


def _convert(array, device, dtype):
    """``array`` moved to ``device`` and, if it is floating point, cast to ``dtype`` (None: unchanged)."""
    if device is not None:
        array = backend.to_device(array, device)
    if dtype is not None and array.dtype.kind == "f" and array.dtype != dtype:
        array = array.astype(dtype)
    return array


# --------------------------------------------------------------------------
# Containers
# --------------------------------------------------------------------------


class Sequential(Module):
    """Modules applied one after the other: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    The layers are named "0", "1", ... (``model[0]`` is the first), which gives
    parameter names like "0.weight", as in PyTorch.
    """

    def __init__(self, *modules):
        super().__init__()
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: argument {index} is a {type(module).__name__}, expected a Module")
            self.add_module(str(index), module)

    def forward(self, x):
        for module in self.children():
            x = module(x)
        return x

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), module)
        return self

    def __getitem__(self, index):
        modules = list(self.children())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]

    def __len__(self) -> int:
        return len(self._module_names)

    def __iter__(self):
        return iter(list(self.children()))


class ModuleList(Module):
    """A list of Modules whose parameters are registered ("0.weight", "1.weight"...).

    Unlike Sequential it has no forward: the owner decides how to use the layers.
    """

    def __init__(self, modules=()):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList.append: expected a Module, got {type(module).__name__}")
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules) -> ModuleList:
        for module in modules:
            self.append(module)
        return self

    def __getitem__(self, index):
        modules = list(self.children())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        return modules[index]

    def __len__(self) -> int:
        return len(self._module_names)

    def __iter__(self):
        return iter(list(self.children()))
