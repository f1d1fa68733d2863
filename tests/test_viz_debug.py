"""Tests of the graph drawing, image grids, loss plots (viz.py) and the debugging tools (debug.py)."""

from __future__ import annotations

import inspect
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

import nn_from_scratch as nf
from nn_from_scratch import debug, viz
from nn_from_scratch import functional as F
from nn_from_scratch.debug import AnomalyError, detect_anomaly, trace_backward
from nn_from_scratch.tensor import backward_hooks, forward_hooks, topological_order

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def small_mlp_loss(rng):
    """A two-layer MLP's BCE loss on 4 samples of 3 features, with named tensors."""
    x = nf.Tensor(rng.standard_normal((4, 3)), name="x")
    targets = nf.Tensor((rng.random((4, 1)) > 0.5).astype(np.float64), name="targets")
    w1 = nf.Tensor(rng.standard_normal((5, 3)), requires_grad=True, name="w1")
    b1 = nf.Tensor(np.zeros(5), requires_grad=True, name="b1")
    w2 = nf.Tensor(rng.standard_normal((1, 5)), requires_grad=True, name="w2")
    hidden = F.leaky_relu(F.linear(x, w1, b1), 0.2)
    logits = hidden @ w2.T
    loss = F.binary_cross_entropy_with_logits(logits, targets)
    return loss, {"x": x, "targets": targets, "w1": w1, "b1": b1, "w2": w2}


def ops_in_backward_order(output):
    """Class names of the ops behind ``output``, in the order the backward engine visits them."""
    return [type(t.creator).__name__ for t in topological_order(output) if t.creator is not None]


@pytest.fixture
def no_graphviz(monkeypatch):
    """Pretend Graphviz's `dot` is not installed, so that pictures take the matplotlib path."""
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)


# --------------------------------------------------------------------------
# draw_graph
# --------------------------------------------------------------------------


def test_draw_graph_dot_names_every_op_and_tensor(rng):
    loss, tensors = small_mlp_loss(rng)
    graph = viz.draw_graph(loss)
    expected_ops = ops_in_backward_order(loss)
    assert set(expected_ops) == {"TransposeFunction", "MatMulFunction", "AddFunction", "LeakyReLUFunction",
                                 "BinaryCrossEntropyWithLogitsFunction", "MeanFunction"}
    op_labels = re.findall(r'label="([^"]*)", shape=ellipse', graph.dot)
    assert sorted(op_labels) == sorted(expected_ops)          # one ellipse per op, no more
    for name in tensors:
        assert f'label="{name}\\n' in graph.dot
    assert "(5, 3) float64" in graph.dot and "(5,) float64" in graph.dot
    assert graph.dot.startswith("digraph") and graph.dot.rstrip().endswith("}")


def test_draw_graph_edges_go_input_op_output():
    a = nf.Tensor([1.0, 2.0], requires_grad=True, name="a")
    b = a + a                                  # a reused: two arrows from a into Add
    graph = viz.draw_graph(b)
    keys = {node.label[0]: node.key for node in graph.nodes}
    add_key = next(node.key for node in graph.nodes if node.kind == "op")
    output_key = graph.nodes[-1].key
    assert graph.dot.count(f"{keys['a']} -> {add_key};") == 2
    assert f"{add_key} -> {output_key};" in graph.dot


def test_draw_graph_saves_png_with_matplotlib(rng, tmp_path, no_graphviz):
    loss, _ = small_mlp_loss(rng)
    path = tmp_path / "graph.png"
    viz.draw_graph(loss, show_values=True, path=path)
    assert path.read_bytes()[:8] == PNG_MAGIC
    svg = viz.draw_graph(loss).save(tmp_path / "graph.svg", engine="matplotlib")
    assert "<svg" in svg.read_text()


def test_graph_shows_in_jupyter_as_png(rng, no_graphviz):
    loss, _ = small_mlp_loss(rng)
    graph = viz.draw_graph(loss)
    assert graph._repr_png_()[:8] == PNG_MAGIC
    assert graph._repr_svg_() is None          # no Graphviz: Jupyter falls back to the PNG


def test_graphviz_engine_without_dot_explains(rng, no_graphviz):
    loss, _ = small_mlp_loss(rng)
    with pytest.raises(RuntimeError, match="dot"):
        viz.draw_graph(loss).render("png", engine="graphviz")


@pytest.mark.skipif(not viz.graphviz_available(), reason="Graphviz's dot program is not installed")
def test_draw_graph_with_graphviz(rng, tmp_path):
    loss, _ = small_mlp_loss(rng)
    path = viz.draw_graph(loss).save(tmp_path / "graph.png", engine="graphviz")
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_draw_graph_shows_values_and_grad_norms(rng):
    loss, tensors = small_mlp_loss(rng)
    assert "0.0, 0.0" not in viz.draw_graph(loss).dot
    loss.backward(retain_graph=True)
    dot = viz.draw_graph(loss, show_values=True, show_grad_norms=True).dot
    w1_norm = np.linalg.norm(tensors["w1"].grad)
    assert f"|grad| = {w1_norm:.3g}" in dot
    assert "[0., 0., 0., 0., 0.]" in dot            # b1's values
    assert "grad: None" in dot                      # x needs no gradient


def test_draw_graph_after_backward_explains_retain_graph(rng):
    loss, _ = small_mlp_loss(rng)
    loss.backward()
    with pytest.raises(ValueError, match="retain_graph=True"):
        viz.draw_graph(loss)


# --------------------------------------------------------------------------
# image_grid and plot_losses
# --------------------------------------------------------------------------


def test_grid_array_layout():
    images = np.zeros((10, 1, 4, 5))
    grid = viz.grid_array(images, nrow=4, padding=2)
    assert grid.shape == (3 * (4 + 2) + 2, 4 * (5 + 2) + 2)
    assert grid[0, 0] == 1.0 and grid[2, 2] == 0.0      # white border, black first image


@pytest.mark.parametrize("shape", [(6, 1, 8, 8), (6, 8, 8)])
def test_image_grid_saves_png(tmp_path, shape, rng):
    images = nf.Tensor(rng.random(shape))
    path = tmp_path / "grid.png"
    figure = viz.image_grid(images, nrow=3, path=path, title="samples")
    assert figure.axes[0].get_title() == "samples"
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_image_grid_wraps_a_title_wider_than_the_figure(rng):
    """A long title is cut into lines that each fit the figure (matplotlib would clip one long line)."""
    title = "GAN (upsample generator, 5x5 discriminator, 2 generator updates per step, lr 4e-4) (nn_from_scratch)"
    figure = viz.image_grid(rng.random((64, 1, 28, 28)), nrow=8, title=title)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)              # lay the text out as savefig does
    canvas.draw()
    text = figure.axes[0].title
    assert text.get_text().replace("\n", " ") == title and text.get_text().count("\n") >= 1
    renderer = canvas.get_renderer()
    box, page = text.get_window_extent(renderer), figure.bbox
    assert page.x0 <= box.x0 and box.x1 <= page.x1 and box.y1 <= page.y1      # every line inside the figure
    single = viz.image_grid(rng.random((64, 1, 28, 28)), nrow=8, title="samples")
    assert single.get_size_inches()[1] < figure.get_size_inches()[1]          # room for the extra line


def test_image_grid_rejects_bad_shape():
    with pytest.raises(ValueError, match="expected images of shape"):
        viz.image_grid(np.zeros((2, 5, 8, 8)))


def test_plot_losses_saves_png(tmp_path):
    history = {"generator": [1.0, 0.8, 0.7], "discriminator": [0.7, 0.69, 0.68, 0.6]}
    path = tmp_path / "losses.png"
    figure = viz.plot_losses(history, path=path)
    assert [line.get_label() for line in figure.axes[0].lines] == ["generator", "discriminator"]
    assert path.read_bytes()[:8] == PNG_MAGIC


# --------------------------------------------------------------------------
# detect_anomaly
# --------------------------------------------------------------------------


def test_detect_anomaly_names_log_of_zero_in_forward():
    x = nf.Tensor(np.array([1.0, 0.0, 2.0]), requires_grad=True)
    with pytest.raises(AnomalyError) as caught, np.errstate(divide="ignore"):
        with detect_anomaly():
            planted_line = inspect.currentframe().f_lineno + 1
            y = F.log(x) * 0.0                  # log(0) = -inf, then -inf * 0 = nan
            y.sum().backward()
    message = str(caught.value)
    assert message.startswith("LogFunction forward produced -inf")
    assert "input 0: shape (3,), float64" in message
    assert f"test_viz_debug.py:{planted_line}" in message
    assert "y = F.log(x) * 0.0" in message


def test_detect_anomaly_names_log_in_backward():
    # log(1e-320) = -737 is finite, but its gradient 1 / 1e-320 overflows float64 to inf.
    x = nf.Tensor(np.array([1.0, 1e-320]), requires_grad=True)
    with pytest.raises(AnomalyError) as caught, np.errstate(over="ignore", divide="ignore"):
        with detect_anomaly():
            planted_line = inspect.currentframe().f_lineno + 1
            y = F.log(x)
            y.sum().backward()
    message = str(caught.value)
    assert message.startswith("LogFunction backward produced inf in the gradient for its input 0")
    assert "grad_output: shape (2,), float64, finite" in message
    assert f"test_viz_debug.py:{planted_line}" in message


def test_detect_anomaly_is_silent_when_all_is_finite():
    loss, tensors = small_mlp_loss(np.random.default_rng(0))
    loss.backward()
    with detect_anomaly():
        checked_loss, checked = small_mlp_loss(np.random.default_rng(0))
        checked_loss.backward()
    assert checked_loss.item() == loss.item()
    np.testing.assert_array_equal(checked["w1"].grad, tensors["w1"].grad)


def test_describe_non_finite():
    assert debug.describe_non_finite(np.array([1.0, 2.0])) is None
    assert debug.describe_non_finite(np.array([1, 2])) is None
    assert debug.describe_non_finite(np.array([np.nan, -np.inf, 1.0])) == "nan and -inf"


# --------------------------------------------------------------------------
# trace_backward
# --------------------------------------------------------------------------


def test_trace_backward_prints_ops_in_backward_order(rng):
    loss, _ = small_mlp_loss(rng)
    expected = ops_in_backward_order(loss)
    output = io.StringIO()
    with trace_backward(file=output):
        loss.backward()
    lines = output.getvalue().splitlines()
    assert [line.split()[1] for line in lines[:-1]] == expected
    assert lines[0].split()[1] == "MeanFunction"
    assert "grad_output ()" in lines[0] and "norm 1 " in lines[0]
    assert "input 0 (4, 1) norm 0.5" in lines[0]       # d mean / d x_i = 1/4 for 4 elements
    assert "input 1 (targets) None" in lines[1]
    assert lines[-1].startswith(f"trace_backward: {len(expected)} backward calls")
    assert lines[-1].endswith("all gradients finite")


def test_trace_backward_prints_to_stdout_by_default(capsys):
    x = nf.Tensor([3.0], requires_grad=True)
    with trace_backward():
        (x * x).sum().backward()
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in printed[:-1]] == ["SumFunction", "MulFunction"]


# --------------------------------------------------------------------------
# The hooks are removed whatever happens
# --------------------------------------------------------------------------


def test_no_hooks_left_after_the_contexts():
    before = (list(forward_hooks), list(backward_hooks))
    x = nf.Tensor([1.0, 0.0], requires_grad=True)
    with detect_anomaly(), trace_backward(file=io.StringIO()):
        assert len(forward_hooks) == len(before[0]) + 1
        assert len(backward_hooks) == len(before[1]) + 2
        (x * x).sum().backward()
    assert (forward_hooks, backward_hooks) == before

    with pytest.raises(AnomalyError), np.errstate(divide="ignore"):
        with trace_backward(file=io.StringIO()), detect_anomaly():
            F.log(x)
    assert (forward_hooks, backward_hooks) == before

    with pytest.raises(KeyError):
        with trace_backward(file=io.StringIO()):
            raise KeyError("an error in user code")
    assert (forward_hooks, backward_hooks) == before


# --------------------------------------------------------------------------
# VS Code: the launch configurations step into the library (docs/debugging.md)
# --------------------------------------------------------------------------


def test_vscode_launch_configurations_step_into_the_library():
    launch = json.loads((Path(__file__).resolve().parents[1] / ".vscode" / "launch.json").read_text())
    configurations = launch["configurations"]
    assert {c.get("module") for c in configurations} >= {"pytest"}          # one runs pytest
    assert any(c.get("program") == "${file}" for c in configurations)      # one runs a script
    assert all(c["justMyCode"] is False for c in configurations)
