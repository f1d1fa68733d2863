"""Pictures: the computational graph, grids of images and loss curves.

* :func:`draw_graph` turns the graph behind a tensor into a :class:`Graph`:
  DOT text (the language of Graphviz) built with no dependency at all, and a
  picture saved with Graphviz's ``dot`` program when it is installed, or else
  drawn with matplotlib (nodes in columns by their depth in the graph).
  In Jupyter a ``Graph`` shows itself as a picture.
* :func:`image_grid` lays out a batch of images (generated samples, conv
  filters) as one matplotlib figure.
* :func:`plot_losses` draws training curves.

The figures are made with ``matplotlib.figure.Figure`` rather than pyplot:
they are not registered in pyplot's list of open figures, so a training loop
that saves a grid every epoch does not pile figures up, and a figure shows in
Jupyter when it is the value of a cell.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import textwrap
from pathlib import Path

import numpy

from .atomic_file import atomic_output, write_text_atomically
from .backend import to_numpy
from .tensor import Tensor, unwrap

# Colours shared by the DOT text and the matplotlib drawing.
OP_COLOR = "#fde8c8"          # an operation (a Function)
PARAMETER_COLOR = "#d6e9f8"   # a leaf that requires grad (a weight, an input being optimised)
OUTPUT_COLOR = "#d8f0d2"      # the tensor the graph was drawn from (usually the loss)
CONSTANT_COLOR = "#f2f2f2"    # any other tensor (data, targets, intermediate values)

ENGINES = ("auto", "graphviz", "matplotlib")


# --------------------------------------------------------------------------
# The graph as plain data: nodes and edges
# --------------------------------------------------------------------------


class Node:
    """One box in the drawing: a tensor or an operation.

    ``key`` is a short DOT identifier ("t3", "op1"), ``label`` the lines of
    text shown, ``kind`` "tensor" or "op", ``inputs`` the keys of the nodes
    with an arrow into this one, ``color`` its fill colour.
    """

    def __init__(self, key: str, label: list, kind: str, color: str):
        self.key = key
        self.label = label
        self.kind = kind
        self.color = color
        self.inputs = []


def _format_shape(shape: tuple) -> str:
    return "(" + ", ".join(str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"


def _tensor_label(tensor: Tensor, show_values: bool, show_grad_norms: bool) -> list:
    """The lines of text of a tensor node: name, shape and dtype, then the optional extras."""
    lines = [tensor.name or "tensor", f"{_format_shape(tensor.shape)} {tensor.dtype}"]
    if show_values:
        values = numpy.array2string(to_numpy(tensor.data), precision=3, threshold=6, edgeitems=1,
                                    separator=", ", max_line_width=40)
        lines.extend(values.splitlines())
    if show_grad_norms:
        if tensor.grad is None:
            lines.append("grad: None")
        else:
            norm = float(numpy.linalg.norm(to_numpy(tensor.grad).astype(numpy.float64)))
            lines.append(f"|grad| = {norm:.3g}")
    return lines


def build_nodes(output: Tensor, show_values: bool = False, show_grad_norms: bool = False) -> list:
    """Walk the graph that ends at ``output`` and return its nodes, inputs before the ops using them.

    Every input of every op is drawn, also those that do not require grad
    (data, targets, constants), unlike the backward engine, which skips them.
    The walk is an iterative depth-first search, like ``topological_order``.
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"build_nodes: expected a Tensor, got {type(output).__name__}")
    nodes = {}          # id(tensor or function) -> Node, in the order they were finished
    stack = [(output, False)]
    while stack:
        tensor, inputs_done = stack.pop()
        function = tensor.creator
        if inputs_done:
            _add_tensor_node(nodes, tensor, output, show_values, show_grad_norms)
            continue
        if id(tensor) in nodes:
            continue
        stack.append((tensor, True))
        if function is None or id(function) in nodes:
            continue
        if function.released:
            raise ValueError(
                f"draw_graph: the graph behind this tensor was freed by backward() (its "
                f"{type(function).__name__} op no longer knows its inputs); call "
                "loss.backward(retain_graph=True) to draw it after backward, or draw it before"
            )
        for parent in reversed(function.inputs):
            if id(parent) not in nodes:
                stack.append((parent, False))
    return list(nodes.values())


def _add_tensor_node(nodes: dict, tensor: Tensor, output: Tensor, show_values: bool,
                     show_grad_norms: bool) -> None:
    """Add the op that created ``tensor`` (if any, and not yet added) and then the tensor itself."""
    if id(tensor) in nodes:
        return
    function = tensor.creator
    if function is not None and id(function) not in nodes:
        op = Node(f"op{len(nodes)}", [type(function).__name__], "op", OP_COLOR)
        op.inputs = [nodes[id(parent)].key for parent in function.inputs]
        nodes[id(function)] = op
    if tensor is output:
        color = OUTPUT_COLOR
    elif function is None and tensor.requires_grad:
        color = PARAMETER_COLOR
    else:
        color = CONSTANT_COLOR
    node = Node(f"t{len(nodes)}", _tensor_label(tensor, show_values, show_grad_norms), "tensor", color)
    if function is not None:
        node.inputs = [nodes[id(function)].key]
    nodes[id(tensor)] = node


# --------------------------------------------------------------------------
# DOT text
# --------------------------------------------------------------------------


def _dot_string(text: str) -> str:
    """A DOT string literal: quotes and backslashes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(nodes) -> str:
    """DOT text for the nodes: tensors as boxes, ops as ellipses, arrows input -> op -> output.

    ``nodes`` is the list :func:`build_nodes` returns, or a Tensor, whose graph is then walked first.
    """
    if isinstance(nodes, Tensor):
        nodes = build_nodes(nodes)
    if not isinstance(nodes, (list, tuple)) or not all(isinstance(node, Node) for node in nodes):
        raise TypeError(f"to_dot: expected a Tensor or the node list of build_nodes(tensor), got "
                        f"{type(nodes).__name__}")
    lines = [
        "digraph computational_graph {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=10, style=filled];',
    ]
    for node in nodes:
        shape = "ellipse" if node.kind == "op" else "box"
        label = _dot_string("\n".join(node.label)).replace("\n", "\\n")
        lines.append(f'  {node.key} [label={label}, shape={shape}, fillcolor="{node.color}"];')
    for node in nodes:
        for source in node.inputs:
            lines.append(f"  {source} -> {node.key};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# The matplotlib drawing: columns by depth
# --------------------------------------------------------------------------


def layered_positions(nodes: list) -> dict:
    """(column, row) of every node: column = depth in the graph, rows spread within a column.

    Columns are chosen so that every arrow goes left to right: first a
    node's depth is one more than the deepest of its inputs; then, walking
    back from the output, each node moves right to just before the first
    node that uses it, so that a bias, a target or a weight's transpose sits
    next to where it is used.  Within a column, each node goes to the row
    of its topmost input, or the first free row below that, and leaves go
    last: the main chain of ops then runs along the top in a straight line,
    with weights, biases and targets joining it from below.
    """
    depth = {}
    for node in nodes:      # inputs come before the nodes that use them
        depth[node.key] = 1 + max((depth[key] for key in node.inputs), default=-1)
    users = {node.key: [] for node in nodes}
    for node in nodes:
        for key in node.inputs:
            users[key].append(node.key)
    for node in reversed(nodes):     # users before the nodes they use
        if users[node.key]:
            depth[node.key] = min(depth[key] for key in users[node.key]) - 1
    columns = {}
    for node in nodes:
        columns.setdefault(depth[node.key], []).append(node)
    row = {}
    for level in sorted(columns):
        column = sorted(columns[level], key=lambda n: _top_input_row(n, row))
        next_free = 0.0
        for node in column:
            wanted = _top_input_row(node, row)
            row[node.key] = next_free if wanted == float("inf") else max(wanted, next_free)
            next_free = row[node.key] + 1
    return {node.key: (depth[node.key], row[node.key]) for node in nodes}


def _top_input_row(node: Node, row: dict) -> float:
    """The row of a node's topmost input; infinity for a leaf, which sorts it to the bottom."""
    if not node.inputs:
        return float("inf")
    return min(row[key] for key in node.inputs)


def draw_with_matplotlib(nodes: list):
    """A matplotlib Figure of the graph: boxes (tensors), rounded boxes (ops), arrows between."""
    from matplotlib.figure import Figure

    positions = layered_positions(nodes)
    n_columns = 1 + max(column for column, _ in positions.values())
    n_rows = 1 + max(row for _, row in positions.values())
    most_lines = max(len(node.label) for node in nodes)
    figure = Figure(figsize=(max(3.0, 2.0 * n_columns), max(1.5, (0.45 + 0.16 * most_lines) * n_rows)))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(-0.6, n_columns - 0.4)
    axes.set_ylim(n_rows - 0.5, -0.5)           # row 0 at the top
    axes.axis("off")

    texts = {}
    for node in nodes:
        column, row = positions[node.key]
        box = "round,pad=0.4" if node.kind == "op" else "square,pad=0.4"
        texts[node.key] = axes.text(column, row, "\n".join(node.label), ha="center", va="center",
                                    fontsize=8, family="monospace",
                                    bbox={"boxstyle": box, "facecolor": node.color, "edgecolor": "#555555"})
    for node in nodes:
        for source in node.inputs:
            # Coordinates given as (fraction of the width, fraction of the height) of a text's
            # box: from the right edge of the input's box to the left edge of this one.
            axes.annotate("", xy=(0.0, 0.5), xycoords=texts[node.key],
                          xytext=(1.0, 0.5), textcoords=texts[source],
                          arrowprops={"arrowstyle": "->", "color": "#333333", "shrinkA": 4, "shrinkB": 4})
    return figure


# --------------------------------------------------------------------------
# Graph: the result of draw_graph
# --------------------------------------------------------------------------


def graphviz_available() -> bool:
    """True when Graphviz's ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


class Graph:
    """A drawn computational graph.

    ``graph.dot`` is its DOT text; ``graph.save("graph.png")`` (or ``.svg``,
    ``.pdf``, ``.dot``) writes a file; ``graph.figure()`` returns the
    matplotlib drawing.  In Jupyter, a Graph that is the value of a cell
    shows as a picture.
    """

    def __init__(self, nodes: list):
        self.nodes = nodes
        self.dot = to_dot(nodes)

    def __repr__(self) -> str:
        ops = sum(node.kind == "op" for node in self.nodes)
        return f"<Graph: {len(self.nodes) - ops} tensors, {ops} ops; .dot for the DOT text>"

    def figure(self):
        """The graph drawn with matplotlib (no Graphviz needed), as a Figure."""
        return draw_with_matplotlib(self.nodes)

    def render(self, file_format: str = "png", engine: str = "auto") -> bytes:
        """The picture as bytes in ``file_format`` ("png", "svg", "pdf").

        engine: "graphviz" runs the ``dot`` program, "matplotlib" draws the
        layered picture, "auto" uses Graphviz when ``dot`` is installed.
        """
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
        if engine == "graphviz" or (engine == "auto" and graphviz_available()):
            if not graphviz_available():
                raise RuntimeError("engine='graphviz' needs Graphviz's `dot` program on the PATH "
                                   "(e.g. apt-get install graphviz); use engine='matplotlib'")
            result = subprocess.run(["dot", f"-T{file_format}"], input=self.dot.encode(),
                                    capture_output=True, check=True)
            return result.stdout
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format=file_format, dpi=110, bbox_inches="tight")
        return buffer.getvalue()

    def save(self, path, engine: str = "auto") -> Path:
        """Write the graph to ``path``; the extension picks the format (.png, .svg, .pdf, .dot/.gv)."""
        path = Path(path)
        suffix = path.suffix.lower().lstrip(".")
        if suffix in ("dot", "gv"):
            write_text_atomically(path, self.dot)
        elif suffix in ("png", "svg", "pdf"):
            picture = self.render(suffix, engine)
            with atomic_output(path) as file:
                file.write(picture)
        else:
            raise ValueError(f"Graph.save: unknown extension {path.suffix!r}; use .png, .svg, .pdf or .dot")
        return path

    def _repr_png_(self) -> bytes:
        """Jupyter's hook for showing the object as a PNG picture."""
        return self.render("png")

    def _repr_svg_(self):
        """Jupyter's hook for an SVG picture: only with Graphviz (None makes Jupyter use the PNG)."""
        if not graphviz_available():
            return None
        return self.render("svg").decode()


def draw_graph(tensor: Tensor, show_values: bool = False, show_grad_norms: bool = False,
               path=None) -> Graph:
    """Draw the computational graph that produced ``tensor``.

    Tensor nodes show the tensor's name (or "tensor"), shape and dtype, and
    optionally its values (``show_values``) and the norm of its ``.grad``
    (``show_grad_norms``; a non-leaf tensor has a grad only if
    ``retain_grad()`` was called on it).  Op nodes show the Function's class
    name; arrows go input -> op -> output.  The graph must still exist: after
    ``loss.backward()`` it is freed unless ``retain_graph=True``.

    With ``path``, the picture is also saved there (see :meth:`Graph.save`).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"draw_graph expects a Tensor, got {type(tensor).__name__}")
    graph = Graph(build_nodes(tensor, show_values, show_grad_norms))
    if path is not None:
        graph.save(path)
    return graph


# --------------------------------------------------------------------------
# Image grids and loss curves
# --------------------------------------------------------------------------


def grid_array(images, nrow: int = 8, padding: int = 2) -> numpy.ndarray:
    """Tile images into one array, ``nrow`` images per row, ``padding`` pixels between them.

    images: (N, H, W), (N, 1, H, W) or (N, 3, H, W), a Tensor or an array.
    Returns (rows*(H+padding)+padding, nrow*(W+padding)+padding), plus a
    trailing axis of 3 for colour images; the padding is white (1.0).
    """
    images = to_numpy(unwrap(images)).astype(numpy.float32)
    if images.ndim == 4 and images.shape[1] in (1, 3):
        images = images.transpose(0, 2, 3, 1)          # (N, C, H, W) -> (N, H, W, C)
        if images.shape[-1] == 1:
            images = images[..., 0]
    elif images.ndim != 3:
        raise ValueError(f"image_grid: expected images of shape (N, H, W), (N, 1, H, W) or "
                         f"(N, 3, H, W), got {images.shape}")
    count, height, width = images.shape[:3]
    columns = max(1, min(nrow, count))
    rows = -(-count // columns)                         # ceiling division
    grid = numpy.ones((rows * (height + padding) + padding, columns * (width + padding) + padding)
                      + images.shape[3:], dtype=numpy.float32)
    for index in range(count):
        row, column = divmod(index, columns)
        top = padding + row * (height + padding)
        left = padding + column * (width + padding)
        grid[top:top + height, left:left + width] = images[index]
    return numpy.clip(grid, 0.0, 1.0)


def image_grid(images, nrow: int = 8, path=None, title: str | None = None):
    """A matplotlib Figure showing ``images`` in a grid, ``nrow`` per row.

    images: (N, 1, H, W) or (N, H, W) (also (N, 3, H, W)) with values in
    [0, 1] (values outside are clipped), as a Tensor or an array.
    With ``path``, the figure is also saved there as a PNG.
    """
    from matplotlib.figure import Figure

    grid = grid_array(images, nrow)
    scale = 0.035                                       # inches per pixel: 28 px -> about 1 inch
    width = max(2.0, grid.shape[1] * scale)
    # A title wider than the figure would be cut off at both edges: wrap it (about 11.5 characters
    # of the 12-point title font fit in an inch; 10 leaves a margin) and make room for each line.
    title_lines = textwrap.wrap(title, width=max(16, int(width * 10))) if title else []
    height = grid.shape[0] * scale + (0.2 + 0.2 * len(title_lines) if title_lines else 0.1)
    figure = Figure(figsize=(width, max(1.0, height)))
    axes = figure.add_subplot()
    axes.imshow(grid, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    axes.axis("off")
    if title_lines:
        axes.set_title("\n".join(title_lines))
    figure.tight_layout(pad=0.2)
    if path is not None:
        save_figure(figure, path)
    return figure


def plot_losses(history: dict, path=None):
    """A matplotlib Figure with one curve per entry of ``history`` (name -> list of losses).

    The x axis is the index in each list (a step or an epoch).  With
    ``path``, the figure is also saved there as a PNG.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.0, 3.5))
    axes = figure.add_subplot()
    for name, values in history.items():
        axes.plot(numpy.arange(len(values)), numpy.asarray(values, dtype=numpy.float64), label=name)
    axes.set_xlabel("step")
    axes.set_ylabel("loss")
    axes.grid(True, alpha=0.3)
    if history:
        axes.legend()
    figure.tight_layout()
    if path is not None:
        save_figure(figure, path)
    return figure


def save_figure(figure, path) -> None:
    """Save a matplotlib figure to ``path`` as a PNG, atomically (never half a picture on a full disk)."""
    with atomic_output(path) as file:
        figure.savefig(file, format="png", dpi=100)
