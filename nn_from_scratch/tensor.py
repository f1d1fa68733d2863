"""Tensor, Function and the reverse-mode backward engine.

This file is the whole of automatic differentiation in the library:

* A :class:`Tensor` wraps an array (``.data``) and, when it requires grad,
  remembers the :class:`Function` that created it (``.creator``).
* A :class:`Function` is one differentiable operation.  Its ``forward`` takes
  raw arrays and returns an array; its ``backward`` takes the gradient of the
  loss with respect to the output and returns the gradients with respect to
  each input.  Calling a Function on tensors runs ``forward`` and records the
  graph (define-by-run).
* :meth:`Tensor.backward` walks that graph from the output back to the
  leaves, in topological order, calling each Function's ``backward``.

A complete custom op::

    class SquareFunction(Function):
        '''y = x ** 2;  dy/dx = 2 x.'''
        def forward(self, x):
            self.x = x                        # saved for backward
            return x * x
        def backward(self, grad_output):
            return 2 * self.x * grad_output   # chain rule: dL/dx = dL/dy * dy/dx

    y = SquareFunction()(x)

Stepping into ``loss.backward()`` in a debugger lands in :meth:`Tensor.backward`,
which seeds the gradient and calls :func:`run_backward`; its loop calls
``function.backward(grad_output)``, and one more step into that shows the
op's NumPy code and the shapes involved.
"""

from __future__ import annotations

import contextlib
import re

import numpy

from . import backend
from .backend import array_module, device_of, to_device, to_numpy

# --------------------------------------------------------------------------
# Gradient mode: nf.no_grad()
# --------------------------------------------------------------------------

_grad_enabled = True


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()``: only then are graphs recorded."""
    return _grad_enabled


class no_grad(contextlib.ContextDecorator):
    """Context manager (and decorator) that turns graph recording off.

    Inside it, operations compute values only: no Function is remembered and
    no result requires grad.  Use it for evaluation, sampling and optimizer
    updates::

        with nf.no_grad():
            samples = generator(noise)
    """

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = False
        return self

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous
        return False


class enable_grad(contextlib.ContextDecorator):
    """Turn graph recording back on inside a ``no_grad`` block."""

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = True
        return self

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous
        return False


# Debugging hooks (used by nn_from_scratch.debug).  Each forward hook is called
# as hook(function, input_arrays, output_array) after every forward; each
# backward hook as hook(function, grad_output, input_grads) after every
# backward.  Empty lists cost one truth test per op.
forward_hooks: list = []
backward_hooks: list = []


# --------------------------------------------------------------------------
# Function: one differentiable operation
# --------------------------------------------------------------------------


class Function:
    """Base class of every differentiable operation.

    Subclasses implement

    * ``forward(self, *arrays) -> array``: compute the output from raw backend
      arrays, saving on ``self`` whatever ``backward`` will need;
    * ``backward(self, grad_output) -> grad or tuple of grads``: given
      dL/d(output) (same shape as the output), return dL/d(input) for each
      input, in order.  Return ``None`` for an input that needs no gradient
      (``self.needs_input_grad[i]`` is False).  A gradient may have the
      broadcast shape; the engine sums it back to the input's shape.

    Options that are not tensors (an axis, a slope, a stride) go to
    ``__init__``.  Apply a Function by calling an instance: ``Exp()(x)``.
    Each call needs a fresh instance, since it stores what it saved.
    """

    inputs: tuple = ()
    needs_input_grad: tuple = ()
    released = False

    def __call__(self, *inputs) -> Tensor:
        tensors = _as_tensors(inputs, op_name=type(self).__name__)
        arrays = [t.data for t in tensors]
        try:
            array_module(*arrays)
        except backend.DeviceMismatchError:
            devices = ", ".join(f"input {i}: {t.device}" for i, t in enumerate(tensors))
            raise backend.DeviceMismatchError(
                f"{type(self).__name__}: expected all inputs on one device, got {devices}; "
                "move them with .to('cuda') or .to('cpu') first"
            ) from None
        record = _grad_enabled and any(t.requires_grad for t in tensors)
        self.needs_input_grad = tuple(record and t.requires_grad for t in tensors)
        try:
            output = self.forward(*arrays)
        except (ValueError, IndexError, TypeError) as error:
            message = _explain_array_error(self, error, arrays)
            if message is None:
                raise
            kind = next(kind for kind in (IndexError, TypeError, ValueError) if isinstance(error, kind))
            raise kind(message) from error
        if forward_hooks:
            for hook in forward_hooks:
                hook(self, arrays, output)
        result = _wrap(output, requires_grad=record)
        if record:
            self.inputs = tensors
            result.creator = self
        return result

    def forward(self, *arrays):
        raise NotImplementedError(f"{type(self).__name__} must implement forward(self, *arrays)")

    def backward(self, grad_output):
        raise NotImplementedError(f"{type(self).__name__} must implement backward(self, grad_output)")

    def release(self) -> None:
        """Drop everything saved for backward (called after backward unless retain_graph)."""
        self.__dict__.clear()
        self.released = True

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def _explain_array_error(function: Function, error: Exception, arrays: list) -> str | None:
    """A one-line message naming the op and its input shapes for an error NumPy (or CuPy) raised in a
    forward pass; None when the message already starts with an op's name, or spans several lines.

    NumPy's own words say what went wrong ("operands could not be broadcast
    together", "index 5 is out of bounds for axis 0 with size 3") but not in
    which op of the model, nor on which tensors.
    """
    op = type(function).__name__.removesuffix("Function")          # AddFunction -> Add: the op's name
    text = str(error).strip()
    shapes = " and ".join(str(tuple(array.shape)) for array in arrays)
    inputs = f"input of shape {shapes}" if len(arrays) == 1 else f"inputs of shapes {shapes}" if arrays else "no input"
    if "does not have enough dimensions" in text:
        return f"{op}: cannot multiply {inputs}: a matrix product needs at least one axis in each input"
    if "could not be broadcast" in text:
        return (f"{op}: cannot broadcast {inputs} together (aligned from the last axis, each pair of sizes "
                "must be equal or one of them 1); reshape an input or add an axis of size 1")
    if "mismatch in its core dimension" in text and len(arrays) == 2 and min(a.ndim for a in arrays) >= 1:
        first, second = arrays[0].shape, arrays[1].shape
        inner = second[-2] if len(second) >= 2 else second[0]
        return (f"{op}: cannot multiply {inputs}: the first's last axis ({first[-1]}) must equal the second's "
                f"{'second-to-last' if len(second) >= 2 else 'only'} axis ({inner})")
    if "zero-size array to reduction" in text:
        axes = getattr(function, "axes", None)
        where = "" if axes is None else f" along axis {', '.join(map(str, axes))}"
        reduction = op.lower()
        return (f"{op}: cannot reduce an empty tensor ({inputs}){where}: there is no element to take the "
                f"{reduction} of; reduce along a non-empty axis or check where the empty tensor comes from")
    if "\n" not in text and not re.match(r"[\w.]+\(?\)?: ", text):    # a message that does not name its op
        return f"{op}: {text} ({inputs})"
    return None


def _as_tensors(values, op_name: str) -> tuple:
    """Wrap the inputs of an op as Tensors; Python numbers take the dtype of the first tensor."""
    tensor_inputs = [v for v in values if isinstance(v, Tensor)]
    floating = [t for t in tensor_inputs if t.dtype.kind == "f"]
    reference = (floating or tensor_inputs or [None])[0]
    tensors = []
    for value in values:
        if isinstance(value, Tensor):
            tensors.append(value)
        elif isinstance(value, (int, float, bool)) and reference is not None:
            xp = array_module(reference.data)
            dtype = reference.dtype if reference.dtype.kind == "f" else None
            tensors.append(_wrap(xp.asarray(value, dtype=dtype)))
        elif reference is not None and hasattr(value, "shape"):
            tensors.append(Tensor(value))
        elif reference is None:
            tensors.append(Tensor(value))
        else:
            raise TypeError(f"{op_name}: cannot use an input of type {type(value).__name__}; "
                            "pass a Tensor, an array or a Python number")
    return tuple(tensors)


# --------------------------------------------------------------------------
# The backward engine
# --------------------------------------------------------------------------


def topological_order(output: Tensor) -> list:
    """Tensors of the graph ending at ``output``, each listed before its inputs.

    An iterative depth-first search (no recursion, so a chain of 100,000
    ops is fine): a tensor is appended once all its inputs are, and the list
    is reversed at the end.
    """
    visited = set()
    post_order = []
    stack = [(output, False)]
    while stack:
        tensor, inputs_done = stack.pop()
        if inputs_done:
            post_order.append(tensor)
            continue
        if id(tensor) in visited:
            continue
        visited.add(id(tensor))
        stack.append((tensor, True))
        function = tensor.creator
        if function is not None:
            for parent in function.inputs:
                if parent.requires_grad and id(parent) not in visited:
                    stack.append((parent, False))
    post_order.reverse()
    return post_order


def sum_to_shape(grad, shape: tuple):
    """Sum a broadcast gradient back to ``shape``.

    If ``x`` of shape (3, 1) was broadcast to (2, 3, 4) in the forward pass,
    every element of x was used 2*4 times, so dL/dx is the sum of the
    upstream gradient over the leading axis and the broadcast axis:
    (2, 3, 4) -> sum over axis 0 -> (3, 4) -> sum over axis 1 keepdims -> (3, 1).
    """
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    broadcast_axes = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if broadcast_axes:
        grad = grad.sum(axis=broadcast_axes, keepdims=True)
    return grad.reshape(shape)


def run_backward(output: Tensor, grad_output, retain_graph: bool = False) -> None:
    """Backpropagate ``grad_output`` = dL/d(output) through the graph.

    For each tensor, in topological order (outputs before inputs):
      1. take the summed gradient that flowed into it from all its uses;
      2. store it in ``.grad`` if it is a leaf (or called ``retain_grad()``);
      3. call its creator's ``backward`` to get the gradients of the inputs,
         sum them back to the inputs' shapes, and add them to what the
         inputs have received so far.
    """
    pending = {id(output): grad_output}     # gradient received so far, by tensor id
    for tensor in topological_order(output):
        grad = pending.pop(id(tensor), None)
        if grad is None:
            continue
        if tensor.creator is None or tensor.retains_grad:
            tensor.grad = grad if tensor.grad is None else tensor.grad + grad
        function = tensor.creator
        if function is None:
            continue
        if function.released:
            raise RuntimeError(
                "backward through a graph a second time: its saved arrays were freed by the "
                "first backward; call the first .backward(retain_graph=True) to keep them"
            )
        input_grads = function.backward(grad)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        if len(input_grads) != len(function.inputs):
            raise RuntimeError(f"{type(function).__name__}.backward returned {len(input_grads)} "
                               f"gradients for {len(function.inputs)} inputs")
        if backward_hooks:
            for hook in backward_hooks:
                hook(function, grad, input_grads)
        for parent, parent_grad in zip(function.inputs, input_grads):
            if parent_grad is None or not parent.requires_grad:
                continue
            parent_grad = sum_to_shape(parent_grad, parent.shape)
            if parent_grad.dtype != parent.dtype:
                parent_grad = parent_grad.astype(parent.dtype)
            if id(parent) in pending:
                pending[id(parent)] = pending[id(parent)] + parent_grad
            else:
                pending[id(parent)] = parent_grad
        if not retain_graph:
            function.release()


# --------------------------------------------------------------------------
# Tensor
# --------------------------------------------------------------------------


def _to_array(data, dtype=None, keep_device: bool = False):
    """The backend array for ``data``: arrays keep their dtype, Python floats become float32.

    A NumPy array goes to the current backend (that is how user data reaches
    the GPU), unless ``keep_device``: see :func:`_wrap`.
    """
    if isinstance(data, Tensor):
        data = data.data
    if backend.is_cupy_array(data) or isinstance(data, numpy.ndarray) or isinstance(data, numpy.generic):
        if backend.current() == "cupy" and not keep_device and not backend.is_cupy_array(data):
            data = to_device(numpy.asarray(data), "cuda")
        elif isinstance(data, numpy.generic):
            data = numpy.asarray(data)
        return data if dtype is None else data.astype(dtype, copy=False)
    xp = backend.xp_for_new_arrays()
    array = xp.asarray(data, dtype=dtype)
    if dtype is None and array.dtype == numpy.float64:
        array = array.astype(numpy.float32)   # like PyTorch: Python floats give float32
    return array


NUMERIC_KINDS = "biufc"   # NumPy dtype kinds a Tensor may hold: bool, signed/unsigned integer, float, complex


def _numeric_array(data, dtype=None):
    """:func:`_to_array` for ``Tensor(data)``, refusing what is not numbers (strings, None, ragged lists)."""
    try:
        array = _to_array(data, dtype)
    except ValueError as error:
        if "inhomogeneous" not in str(error) and "sequence" not in str(error):
            raise
        depth = re.search(r"after (\d+) dimension", str(error))
        where = f" at depth {depth.group(1)}" if depth else ""
        raise ValueError(f"Tensor: expected a rectangular nested list of numbers, got a ragged one: its lists"
                         f"{where} have different lengths") from None
    if array.dtype.kind not in NUMERIC_KINDS:
        shown = repr(data) if len(repr(data)) <= 40 else repr(data)[:37] + "..."
        raise TypeError(f"Tensor: expected numbers (a number, a nested list of numbers or a numeric array), "
                        f"got {type(data).__name__} {shown} (dtype {array.dtype})")
    return array


class Tensor:
    """An array that remembers how it was computed, so that gradients can flow back.

    ``Tensor(data, requires_grad=False, dtype=None)``: ``data`` is a backend
    array (kept as is), a NumPy array, a Python number or a nested list
    (Python floats become float32, the training default).

    Attributes: ``data`` (the array), ``grad`` (an array of the same shape,
    or None), ``requires_grad``, ``creator`` (the Function that made this
    tensor; None for leaves), ``name`` (optional, shown in graph drawings).
    """

    __array_priority__ = 1000   # numpy_array * tensor calls Tensor.__rmul__

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        self._init(_numeric_array(data, dtype), requires_grad, name)

    def _init(self, array, requires_grad: bool, name: str | None) -> None:
        self.data = array
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"only floating-point tensors can require grad, got dtype {self.data.dtype}; "
                            "create it with dtype=numpy.float32 or float64")
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self.creator = None
        self.retains_grad = False
        self.name = name

    # ---- basic properties -------------------------------------------------
    @property
    def shape(self) -> tuple:
        return tuple(self.data.shape)

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return int(self.data.size)

    @property
    def device(self) -> str:
        return device_of(self.data)

    @property
    def is_leaf(self) -> bool:
        return self.creator is None

    @property
    def grad_fn(self):
        """The Function that created this tensor (PyTorch's name for ``creator``)."""
        return self.creator

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        values = numpy.array2string(to_numpy(self.data), precision=4, threshold=20, edgeitems=2,
                                    separator=", ", prefix="Tensor(")
        extras = f"shape={self.shape}, dtype={self.dtype}, device={self.device}"
        if self.creator is not None:
            extras += f", grad_fn={type(self.creator).__name__}"
        elif self.requires_grad:
            extras += ", requires_grad=True"
        return f"Tensor({values}, {extras})"

    # ---- autograd -----------------------------------------------------------
    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, adding it to ``leaf.grad``.

        ``grad`` is dL/d(self); it may be omitted when ``self`` holds one
        element (then it is 1).  Gradients accumulate across calls until
        zeroed.  The graph's saved arrays are freed afterwards unless
        ``retain_graph=True``.
        """
        if not self.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad: no input of the "
                               "computation had requires_grad=True (or it ran inside no_grad())")
        xp = array_module(self.data)
        if grad is None:
            if self.size != 1:
                raise RuntimeError(f"backward() without a gradient needs a one-element tensor, got shape "
                                   f"{self.shape}; reduce it first (e.g. .sum()) or pass grad=")
            grad = xp.ones_like(self.data)
        else:
            grad = grad.data if isinstance(grad, Tensor) else xp.asarray(grad, dtype=self.dtype)
            if grad.shape != self.data.shape:
                raise ValueError(f"backward(grad=...): expected a gradient of shape {self.shape}, "
                                 f"got {tuple(grad.shape)}")
        run_backward(self, grad, retain_graph=retain_graph)

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this non-leaf tensor too (useful when inspecting a graph)."""
        self.retains_grad = True
        return self

    def zero_grad(self) -> None:
        self.grad = None

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut off from the graph."""
        return _wrap(self.data)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = bool(requires_grad)
        return self

    # ---- conversion ---------------------------------------------------------
    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self.size != 1:
            raise ValueError(f"item() needs a one-element tensor, got shape {self.shape}")
        return to_numpy(self.data).reshape(()).item()

    def numpy(self) -> numpy.ndarray:
        """The data as a NumPy array (a copy to the host for a GPU tensor)."""
        return to_numpy(self.data)

    def tolist(self):
        return self.numpy().tolist()

    def to(self, device) -> Tensor:
        """This tensor on ``device`` ("cpu" or "cuda"); gradients flow back across the move."""
        if backend.normalize_device(device) == self.device:
            return self
        return functional.to_device(self, device)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self) -> Tensor:
        return self.to("cuda")

    def astype(self, dtype) -> Tensor:
        """A copy with another dtype (differentiable for float dtypes)."""
        return functional.cast(self, dtype)

    def float(self) -> Tensor:
        return self.astype(numpy.float32)

    def double(self) -> Tensor:
        return self.astype(numpy.float64)

    # ---- arithmetic operators (each one a Function in functional/) ----------
    def __add__(self, other):
        return functional.add(self, other)

    def __radd__(self, other):
        return functional.add(other, self)

    def __sub__(self, other):
        return functional.sub(self, other)

    def __rsub__(self, other):
        return functional.sub(other, self)

    def __mul__(self, other):
        return functional.mul(self, other)

    def __rmul__(self, other):
        return functional.mul(other, self)

    def __truediv__(self, other):
        return functional.div(self, other)

    def __rtruediv__(self, other):
        return functional.div(other, self)

    def __neg__(self):
        return functional.neg(self)

    def __pow__(self, exponent):
        return functional.pow(self, exponent)

    def __matmul__(self, other):
        return functional.matmul(self, other)

    def __rmatmul__(self, other):
        return functional.matmul(other, self)

    def __getitem__(self, index):
        return functional.getitem(self, index)

    # Comparisons are element-wise and give plain boolean tensors (no gradient
    # flows through them), as in PyTorch: ``(a == b).all()``, ``x[x > 0]``.
    def __lt__(self, other):
        return _wrap(self.data < unwrap(other))

    def __le__(self, other):
        return _wrap(self.data <= unwrap(other))

    def __gt__(self, other):
        return _wrap(self.data > unwrap(other))

    def __ge__(self, other):
        return _wrap(self.data >= unwrap(other))

    def __eq__(self, other):
        return _wrap(self.data == unwrap(other))

    def __ne__(self, other):
        return _wrap(self.data != unwrap(other))

    # Defining __eq__ would otherwise make tensors unhashable: they stay usable as
    # dict keys and set members, by identity (as in PyTorch).
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        """``if tensor:`` for a one-element tensor; ambiguous (an error) for more elements, as in PyTorch."""
        if self.size != 1:
            raise RuntimeError(f"the truth value of a tensor of shape {self.shape} is ambiguous: "
                               "use .any() or .all(), or compare one element")
        return bool(to_numpy(self.data).reshape(()))

    def all(self) -> Tensor:
        """A one-element boolean tensor: are all elements true (non-zero)?"""
        return _wrap(array_module(self.data).all(self.data))

    def any(self) -> Tensor:
        """A one-element boolean tensor: is any element true (non-zero)?"""
        return _wrap(array_module(self.data).any(self.data))

    # ---- methods mirroring functional ops -----------------------------------
    def sum(self, axis=None, keepdims=False):
        return functional.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        return functional.mean(self, axis, keepdims)

    def max(self, axis=None, keepdims=False):
        return functional.max(self, axis, keepdims)

    def min(self, axis=None, keepdims=False):
        return functional.min(self, axis, keepdims)

    def prod(self, axis=None, keepdims=False):
        return functional.prod(self, axis, keepdims)

    def reshape(self, *shape):
        return functional.reshape(self, _shape_argument(shape))

    def view(self, *shape):
        return self.reshape(*shape)

    def transpose(self, *axes):
        return functional.transpose(self, _shape_argument(axes) or None)

    def permute(self, *axes):
        return functional.permute(self, _shape_argument(axes))

    @property
    def T(self):
        return functional.transpose(self)

    def flatten(self, start_dim=0, end_dim=-1):
        return functional.flatten(self, start_dim, end_dim)

    def exp(self):
        return functional.exp(self)

    def log(self):
        return functional.log(self)

    def sqrt(self):
        return functional.sqrt(self)

    def abs(self):
        return functional.abs(self)

    def clip(self, low=None, high=None):
        return functional.clip(self, low, high)

    def relu(self):
        return functional.relu(self)

    def sigmoid(self):
        return functional.sigmoid(self)

    def tanh(self):
        return functional.tanh(self)


def _wrap(array, requires_grad: bool = False) -> Tensor:
    """A Tensor around an array the library computed, left on the device it is on.

    ``Tensor(numpy_array)`` moves the array to the current backend; an op's
    result must stay where it was computed, or a CPU model run while the
    current backend is "cupy" would get GPU arrays in the middle of its graph.
    """
    tensor = Tensor.__new__(Tensor)
    tensor._init(_to_array(array, keep_device=True), requires_grad, None)
    return tensor


def _shape_argument(values: tuple) -> tuple:
    """Accept both spellings: x.reshape(2, 3) and x.reshape((2, 3))."""
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        return tuple(values[0])
    return values


def unwrap(value):
    """The array inside a Tensor; other values (arrays, numbers, slices) as they are.

    Tuples and lists are unwrapped element by element, so that an index such as
    ``x[mask_tensor, 0]`` or a list of tensors becomes plain arrays.
    """
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, tuple):
        return tuple(unwrap(part) for part in value)
    if isinstance(value, list):
        return [unwrap(part) for part in value]
    return value


from . import functional  # noqa: E402  (functional needs Tensor and Function defined above)
