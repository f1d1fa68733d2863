"""Debugging tools for backprop: find the first NaN, and watch gradients flow.

* :class:`detect_anomaly` stops at the first op whose forward output, or
  whose backward input gradients, contain NaN or infinity, and names it:
  the op, forward or backward, its inputs' shapes and dtypes, and the line
  of *your* code that created it::

      from nn_from_scratch.debug import detect_anomaly, trace_backward

      with detect_anomaly():
          loss = model_loss(x)     # AnomalyError: Log forward produced -inf ... (or:)
          loss.backward()          # AnomalyError: Sqrt backward produced inf ...

* :class:`trace_backward` prints one line per op as backward runs: the
  gradient that arrives (dL/d output) and the gradients it sends to each
  input, with their shapes and norms::

      with trace_backward():
          loss.backward()

Both work through the hook lists of :mod:`nn_from_scratch.tensor`
(``forward_hooks`` and ``backward_hooks``): they add a hook when the
``with`` block starts and remove it when the block ends, also when it ends
with an exception.  Outside the block the lists are empty and cost nothing.
See docs/debugging.md for stepping through backward in a debugger.
"""

from __future__ import annotations

import math
import os
import sys
import traceback

from .backend import array_module
from .tensor import backward_hooks, forward_hooks

# Frames of files in this folder are library code; the creation site shown is the first other frame.
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class AnomalyError(RuntimeError):
    """Raised inside :class:`detect_anomaly` at the first op that produces NaN or infinity."""


# --------------------------------------------------------------------------
# Small helpers on arrays
# --------------------------------------------------------------------------


def describe_non_finite(array) -> str | None:
    """"nan", "inf", "-inf" (or several, joined by "and") found in ``array``; None when all finite."""
    if array is None or array.dtype.kind not in "fc":
        return None
    xp = array_module(array)
    if bool(xp.isfinite(array).all()):
        return None
    found = []
    if bool(xp.isnan(array).any()):
        found.append("nan")
    if bool((array == math.inf).any()):
        found.append("inf")
    if bool((array == -math.inf).any()):
        found.append("-inf")
    return " and ".join(found)


def norm(array) -> float:
    """The Euclidean norm of all the elements of ``array``, as a Python float."""
    xp = array_module(array)
    return float(xp.linalg.norm(array.ravel()))


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"


def user_frame(stack):
    """The innermost frame of ``stack`` (a ``traceback.StackSummary``) outside this package, or None."""
    for frame in reversed(stack):
        if not os.path.abspath(frame.filename).startswith(PACKAGE_DIR):
            return frame
    return None


# --------------------------------------------------------------------------
# detect_anomaly
# --------------------------------------------------------------------------


class detect_anomaly:
    """Context manager: raise :class:`AnomalyError` at the first op that produces NaN or inf.

    Inside the ``with`` block every op is checked twice:

    * after its forward: does the output contain NaN, inf or -inf?
      (log(0) = -inf counts: it is where most NaNs are born, one op later)
    * after its backward: does any input gradient contain NaN, inf or -inf?

    The error names the op's class, "forward" or "backward", the shapes and
    dtypes of its inputs, and the line of your code that created the op
    (recorded for every op while the block is active, so it is slower than
    normal: use it to find a bug, not to train).
    """

    def __enter__(self):
        forward_hooks.append(self.check_forward)
        backward_hooks.append(self.check_backward)
        return self

    def __exit__(self, *exc_info):
        forward_hooks.remove(self.check_forward)
        backward_hooks.remove(self.check_backward)
        return False

    def check_forward(self, function, input_arrays, output_array) -> None:
        """Forward hook: remember where the op was created; raise if its output is not finite."""
        function.creation_site = user_frame(traceback.extract_stack())
        problem = describe_non_finite(output_array)
        if problem is not None:
            raise AnomalyError(
                f"{type(function).__name__} forward produced {problem} in its output "
                f"(shape {_shape_text(output_array.shape)}, {output_array.dtype})\n"
                + _describe_inputs([(a.shape, a.dtype, describe_non_finite(a)) for a in input_arrays])
                + _describe_site(function)
            )

    def check_backward(self, function, grad_output, input_grads) -> None:
        """Backward hook: raise if a gradient returned by the op's backward is not finite."""
        for position, grad in enumerate(input_grads):
            problem = describe_non_finite(grad)
            if problem is None:
                continue
            upstream = describe_non_finite(grad_output) or "finite"
            inputs = [(t.shape, t.dtype, describe_non_finite(t.data)) for t in function.inputs]
            raise AnomalyError(
                f"{type(function).__name__} backward produced {problem} in the gradient for its "
                f"input {position} (shape {_shape_text(grad.shape)}, {grad.dtype})\n"
                f"  grad_output: shape {_shape_text(grad_output.shape)}, {grad_output.dtype}, {upstream}\n"
                + _describe_inputs(inputs)
                + _describe_site(function)
            )


def _describe_inputs(inputs: list) -> str:
    """Lines "  input i: shape (..), dtype[, contains nan]" for (shape, dtype, problem) triples."""
    lines = []
    for position, (shape, dtype, problem) in enumerate(inputs):
        warning = f", contains {problem}" if problem else ""
        lines.append(f"  input {position}: shape {_shape_text(shape)}, {dtype}{warning}\n")
    return "".join(lines)


def _describe_site(function) -> str:
    """Where the op was created: "  created at FILE:LINE in FUNCTION" and the source line."""
    site = getattr(function, "creation_site", None)
    if site is None:
        return "  created at: unknown (the op was created outside detect_anomaly)"
    text = f"  created at {site.filename}:{site.lineno} in {site.name}"
    if site.line:
        text += f"\n      {site.line.strip()}"
    return text


# --------------------------------------------------------------------------
# trace_backward
# --------------------------------------------------------------------------


class trace_backward:
    """Context manager: print one line for each op's backward call, then a summary.

    Each line shows the op, the gradient that arrived (shape and norm) and
    the gradient sent to each input (shape and norm; "None" for an input that
    needs none; the input's name when it has one)::

       1 Mean                 grad_output ()           norm 1          -> input 0 (2, 4, 6, 6) norm 0.05893
       2 LeakyReLU            grad_output (2, 4, 6, 6) norm 0.05893    -> input 0 (2, 4, 6, 6) norm 0.04462
       3 Conv2dFunction       grad_output (2, 4, 6, 6) norm 0.04462    -> input 0 (images) None, input 1 ...
      trace_backward: 3 backward calls; largest input gradient: norm 0.3223 (Conv2dFunction, ...

    Gradients of broadcast inputs are shown as backward returned them, before
    the engine sums them back to the input's shape.

    ``file``: where to print; None means ``sys.stdout`` when the block starts.
    """

    def __init__(self, file=None):
        self.file = file
        self.calls = 0
        self.largest = None         # (norm, op name, input position) of the largest input gradient
        self.non_finite = []        # op names whose gradients contained NaN or inf

    def __enter__(self):
        if self.file is None:
            self.file = sys.stdout
        backward_hooks.append(self.print_backward)
        return self

    def __exit__(self, *exc_info):
        backward_hooks.remove(self.print_backward)
        print(self.summary(), file=self.file)
        return False

    def print_backward(self, function, grad_output, input_grads) -> None:
        """Backward hook: print one line describing this backward call."""
        self.calls += 1
        op_name = type(function).__name__
        parts = []
        for position, grad in enumerate(input_grads):
            parent = function.inputs[position]
            name = f" ({parent.name})" if parent.name else ""
            if grad is None:
                parts.append(f"input {position}{name} None")
                continue
            grad_norm = norm(grad)
            parts.append(f"input {position}{name} {_shape_text(grad.shape)} norm {grad_norm:.4g}")
            if describe_non_finite(grad) is not None and op_name not in self.non_finite:
                self.non_finite.append(op_name)
            if self.largest is None or grad_norm > self.largest[0]:
                self.largest = (grad_norm, op_name, position)
        line = (f"{self.calls:>4} {op_name:<20} grad_output {_shape_text(grad_output.shape):<12} "
                f"norm {norm(grad_output):<10.4g} -> " + ", ".join(parts))
        print(line, file=self.file)

    def summary(self) -> str:
        """One closing line: how many backward calls, the largest gradient, any NaN or inf."""
        text = f"trace_backward: {self.calls} backward calls"
        if self.largest is not None:
            grad_norm, op_name, position = self.largest
            text += f"; largest input gradient: norm {grad_norm:.4g} ({op_name}, input {position})"
        if self.non_finite:
            text += "; NaN/inf gradients from: " + ", ".join(self.non_finite)
        else:
            text += "; all gradients finite"
        return text
