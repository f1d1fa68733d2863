"""Reliability of the library's public functions: bad input is refused at the boundary, with one line
naming the op or layer, the argument, and what was expected against what came (issue 20, class 3 "in the
library", and the silently wrong results of class 1 that the library itself can refuse).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn_from_scratch as nf
from nn_from_scratch import nn, optim, viz


def one_line(error_info) -> str:
    message = str(error_info.value)
    assert "\n" not in message, message
    return message


# --------------------------------------------------------------------------
# Tensor construction
# --------------------------------------------------------------------------


@pytest.mark.parametrize("data, shown", [
    ("abc", "str 'abc'"),
    (None, "NoneType None"),
    ([1.0, "a"], "list [1.0, 'a']"),
    ({"a": 1}, "dict"),
    ([None, 1.0], "list [None, 1.0]"),
    (np.array(["x", "y"]), "ndarray"),
    (np.array([1.0, None], dtype=object), "dtype object"),
    (b"bytes", "bytes"),
])
def test_tensor_refuses_what_is_not_numbers(data, shown):
    with pytest.raises(TypeError) as error:
        nf.Tensor(data)
    message = one_line(error)
    assert message.startswith("Tensor: expected numbers") and shown in message


@pytest.mark.parametrize("data, depth", [([[1, 2], [3]], 1), ([1, 2, [3]], 1), ([[[1], [2]], [[1], [2, 3]]], 2)])
def test_tensor_refuses_ragged_lists(data, depth):
    with pytest.raises(ValueError) as error:
        nf.Tensor(data)
    assert f"ragged one: its lists at depth {depth} have different lengths" in one_line(error)


def test_tensor_still_accepts_numbers():
    assert nf.Tensor(3).dtype == np.int64 and nf.Tensor(2.5).dtype == np.float32
    assert nf.Tensor([[True, False]]).dtype == np.bool_
    assert nf.Tensor(np.zeros((0, 3))).shape == (0, 3)


# --------------------------------------------------------------------------
# Ops: shape mismatches, indices, empty reductions (Function.__call__ names the op and the shapes)
# --------------------------------------------------------------------------


def test_broadcast_mismatch_names_the_op_and_the_shapes():
    a, b = nf.Tensor(np.ones((2, 3))), nf.Tensor(np.ones((4,)))
    for operation, op in ((lambda: a + b, "Add"), (lambda: a * b, "Mul"), (lambda: a - b, "Sub"),
                          (lambda: a / b, "Div")):
        with pytest.raises(ValueError) as error:
            operation()
        assert one_line(error).startswith(f"{op}: cannot broadcast inputs of shapes (2, 3) and (4,) together")


@pytest.mark.parametrize("left, right, detail", [
    ((2, 3), (4, 5), "the first's last axis (3) must equal the second's second-to-last axis (4)"),
    ((2, 3), (4,), "the first's last axis (3) must equal the second's only axis (4)"),
    ((3,), (4, 2), "the first's last axis (3) must equal the second's second-to-last axis (4)"),
    ((5, 2, 3), (5, 4, 1), "(3) must equal the second's second-to-last axis (4)"),
])
def test_matmul_mismatch_says_which_axes_differ(left, right, detail):
    with pytest.raises(ValueError) as error:
        nf.Tensor(np.ones(left)) @ nf.Tensor(np.ones(right))
    message = one_line(error)
    assert message.startswith(f"MatMul: cannot multiply inputs of shapes {left} and {right}") and detail in message


@pytest.mark.parametrize("index, text", [(5, "index 5 is out of bounds for axis 0 with size 2"),
                                         ((slice(None), 7), "index 7 is out of bounds for axis 1 with size 3"),
                                         ((1, 2, 3), "too many indices")])
def test_index_out_of_range_names_the_op_and_the_shape(index, text):
    with pytest.raises(IndexError) as error:
        nf.Tensor(np.ones((2, 3)))[index]
    message = one_line(error)
    assert message.startswith("GetItem: ") and text in message and "(input of shape (2, 3))" in message


@pytest.mark.parametrize("reduction", ["max", "min"])
def test_max_of_an_empty_tensor_is_a_clear_error_not_a_numpy_crash(reduction):
    empty = nf.Tensor(np.zeros((0, 3)))
    with pytest.raises(ValueError) as error:
        getattr(empty, reduction)()
    message = one_line(error)
    assert message.startswith(f"{reduction.capitalize()}: cannot reduce an empty tensor (input of shape (0, 3))")
    assert "zero-size array" not in message
    with pytest.raises(ValueError, match="along axis 0"):
        getattr(empty, reduction)(axis=0)
    assert getattr(empty, reduction)(axis=1).shape == (0,)       # a non-empty reduced axis is fine


def test_an_axis_out_of_range_names_the_op():
    with pytest.raises(ValueError) as error:
        nf.Tensor(np.ones((2, 3))).sum(axis=5)
    assert one_line(error).startswith("Sum: axis 5 is out of range for a tensor with 2 dimensions")


def test_an_ops_own_message_is_kept_as_it_is():
    with pytest.raises(ValueError) as error:
        nf.Tensor(np.ones((2, 3))).reshape(7)
    assert one_line(error).startswith("reshape: cannot reshape a tensor of shape (2, 3)")


# --------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Linear(-1, 3), "Linear: in_features must be an integer >= 1, got -1"),
    (lambda: nn.Linear(3, 0), "Linear: out_features must be an integer >= 1, got 0"),
    (lambda: nn.Linear(2.5, 3), "Linear: in_features must be an integer >= 1, got float 2.5"),
    (lambda: nn.Linear("3", 3), "Linear: in_features must be an integer >= 1, got str '3'"),
    (lambda: nn.Conv2d(0, 2, 3), "Conv2d: in_channels must be an integer >= 1, got 0"),
    (lambda: nn.Conv2d(1, -4, 3), "Conv2d: out_channels must be an integer >= 1, got -4"),
    (lambda: nn.ConvTranspose2d(1, True, 3), "ConvTranspose2d: out_channels must be an integer >= 1, got bool"),
])
def test_layers_refuse_sizes_that_are_not_positive_integers(make, message):
    with pytest.raises((ValueError, TypeError)) as error:
        make()
    assert one_line(error).startswith(message)


def test_linear_accepts_numpy_integers():
    assert nn.Linear(np.int64(3), 2).in_features == 3


def test_conv2d_on_an_empty_batch_is_a_clear_error():
    layer = nn.Conv2d(1, 2, 3)
    with pytest.raises(ValueError) as error:
        layer(nf.Tensor(np.zeros((0, 1, 5, 5), dtype=np.float32)))
    assert "expected at least one image (N >= 1), got an empty batch of shape (0, 1, 5, 5)" in one_line(error)


# --------------------------------------------------------------------------
# Optimizers
# --------------------------------------------------------------------------


@pytest.fixture
def params():
    return list(nn.Linear(3, 2).parameters())


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.Adam(p, lr=float("nan")), "Adam: lr must be a finite number >= 0, got nan"),
    (lambda p: optim.Adam(p, lr=float("inf")), "Adam: lr must be a finite number >= 0, got inf"),
    (lambda p: optim.Adam(p, lr=-1e-3), "Adam: lr must be a finite number >= 0, got -0.001"),
    (lambda p: optim.Adam(p, eps=float("nan")), "Adam: eps must be a finite number >= 0, got nan"),
    (lambda p: optim.Adam(p, weight_decay=float("inf")), "Adam: weight_decay must be a finite number >= 0"),
    (lambda p: optim.AdamW(p, weight_decay=-0.1), "AdamW: weight_decay must be a finite number >= 0"),
    (lambda p: optim.SGD(p, lr=float("nan")), "SGD: lr must be a finite number >= 0, got nan"),
    (lambda p: optim.SGD(p, lr=0.1, weight_decay=float("nan")), "SGD: weight_decay must be a finite number"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=float("inf")), "SGD: momentum must be a finite number >= 0"),
    (lambda p: optim.SGD(p, lr=0.1, dampening=2.0), "SGD: dampening must be a finite number in [0, 1]"),
    (lambda p: optim.RMSprop(p, alpha=2.0), "RMSprop: alpha must be a finite number in [0, 1), got 2.0"),
    (lambda p: optim.RMSprop(p, alpha=-0.5), "RMSprop: alpha must be a finite number in [0, 1), got -0.5"),
    (lambda p: optim.RMSprop(p, eps=float("nan")), "RMSprop: eps must be a finite number >= 0, got nan"),
    (lambda p: optim.RMSprop(p, centered="no"), "RMSprop: centered must be True or False, got str 'no'"),
    (lambda p: optim.Adam(p, betas=(0.9,)), "Adam: betas must be a pair (beta1, beta2)"),
    (lambda p: optim.Adam(p, betas=0.9), "Adam: betas must be a pair (beta1, beta2)"),
    (lambda p: optim.Adam(p, betas="ab"), "Adam: betas must be a pair (beta1, beta2)"),
    (lambda p: optim.Adam(p, betas=(0.9, 1.0)), "Adam: betas[1] must be a finite number in [0, 1), got 1.0"),
    (lambda p: optim.Adam(p, betas=(float("nan"), 0.9)), "Adam: betas[0] must be a finite number in [0, 1)"),
    (lambda p: optim.Adam(p, lr="0.1"), "Adam: lr must be a finite number >= 0, got str '0.1'"),
    (lambda p: optim.SGD(p, lr=None), "SGD: lr must be a finite number >= 0, got NoneType None"),
    (lambda p: optim.SGD([{"params": p, "lr": float("nan")}], lr=0.1), "SGD: lr must be a finite number"),
    (lambda p: optim.SGD(p[0], lr=0.1), "SGD: params must be an iterable of Tensors"),
    (lambda p: optim.SGD([], lr=0.1), "SGD: got an empty parameter list"),
    (lambda p: optim.SGD([np.zeros(3)], lr=0.1), "SGD: parameter 0 is not a Tensor that requires grad"),
])
def test_optimizers_refuse_settings_that_cannot_work(params, make, message):
    with pytest.raises((ValueError, TypeError)) as error:
        make(params)
    assert one_line(error).startswith(message)


def test_duplicate_parameters_are_an_error_like_pytorchs(params):
    weight = params[0]
    with pytest.raises(ValueError) as error:
        optim.SGD([weight, weight], lr=0.1)
    assert "parameter 1 (shape (2, 3)) is given twice (also as parameter 0)" in one_line(error)
    with pytest.raises(ValueError, match="given twice"):
        optim.Adam([{"params": [weight]}, {"params": [weight], "lr": 0.1}])
    optimizer = optim.SGD([weight], lr=0.1)
    with pytest.raises(ValueError, match="given twice"):
        optimizer.add_param_group({"params": [weight]})


def test_setting_lr_later_is_checked_too(params):
    optimizer = optim.Adam(params)
    with pytest.raises(ValueError, match="Adam: lr must be a finite number >= 0, got nan"):
        optimizer.lr = float("nan")
    assert optimizer.lr == 1e-3


@pytest.mark.parametrize("grad, got", [
    (np.ones((3, 2), np.float32), "got shape (3, 2) and dtype float32"),
    (np.ones((2, 3), np.float64), "got shape (2, 3) and dtype float64"),
    ([[1.0] * 3] * 2, "got a list"),
    (nf.Tensor(np.ones((2, 3), np.float32)), "got a Tensor (assign its array: param.grad = tensor.data)"),
])
def test_a_gradient_of_the_wrong_shape_or_dtype_is_named_at_step(params, grad, got):
    optimizer = optim.SGD(params, lr=0.1)
    params[0].grad = grad
    before = params[0].data.copy()
    with pytest.raises(ValueError) as error:
        optimizer.step()
    message = one_line(error)
    assert message.startswith("SGD.step: the gradient of parameter 0 must be an array of the parameter's "
                              "shape (2, 3) and dtype float32") and got in message
    assert np.array_equal(params[0].data, before)


def test_valid_settings_still_work(params):
    optim.Adam(params, lr=0, betas=[0.5, 0.999], eps=0.0)
    optim.RMSprop(params, alpha=0.0, centered=True, momentum=0.9)
    optim.SGD(params, lr=np.float32(0.1), momentum=0.9, nesterov=True)


def test_optimizer_load_state_dict_refuses_non_finite_or_non_numeric_values(params):
    source = optim.Adam(params)
    for param in params:
        param.grad = np.ones_like(param.data)
    source.step()
    state = source.state_dict()
    target = optim.Adam(params)
    bad = dict(state, **{"state.0.exp_avg": np.full((2, 3), np.nan, np.float32)})
    with pytest.raises(ValueError, match="non-finite"):
        target.load_state_dict(bad)
    bad = dict(state, **{"param_groups.0.lr": np.asarray(float("inf"))})
    with pytest.raises(ValueError, match="lr must be a finite number"):
        target.load_state_dict(bad)
    bad = dict(state, **{"param_groups.0.lr": np.asarray("fast")})
    with pytest.raises(TypeError, match="'lr' must be numeric"):
        target.load_state_dict(bad)
    bad = dict(state, **{"state.0.exp_avg": np.full((2, 3), 1e300)})
    with pytest.raises(ValueError, match="too large for the tensor's dtype float32"):
        target.load_state_dict(bad)
    target.load_state_dict(state)
    assert target.state[id(params[0])]["step"] == 1


# --------------------------------------------------------------------------
# Module state dicts and files
# --------------------------------------------------------------------------


def test_load_state_dict_refuses_values_that_would_change():
    layer = nn.Linear(3, 2)
    good = layer.state_dict()
    cases = [
        ({"weight": np.full((2, 3), 1e300)}, "'weight' holds 1e+300, too large for the tensor's dtype float32"),
        ({"weight": np.full((2, 3), np.nan)}, "'weight' holds 6 non-finite value(s)"),
        ({"bias": np.array([np.inf, 0.0])}, "'bias' holds 1 non-finite value(s)"),
        ({"weight": np.array([["a"] * 3] * 2)}, "'weight' must hold numbers, got an array of dtype <U1"),
        ({"weight": "abc"}, "'weight' must be an array of numbers, got str 'abc'"),
        ({"weight": None}, "'weight' must be an array of numbers, got NoneType None"),
    ]
    for change, message in cases:
        before = layer.weight.data.copy()
        with pytest.raises((ValueError, TypeError)) as error:
            layer.load_state_dict({**good, **change})
        assert message in one_line(error), message
        assert np.array_equal(layer.weight.data, before)             # nothing was copied


def test_load_state_dict_refuses_fractions_and_overflow_into_integer_buffers():
    norm = nn.BatchNorm1d(2)
    state = norm.state_dict()
    with pytest.raises(ValueError, match="'num_batches_tracked' holds fractions"):
        norm.load_state_dict({**state, "num_batches_tracked": np.asarray(2.5)})
    with pytest.raises(ValueError, match="outside the range"):
        norm.load_state_dict({**state, "num_batches_tracked": np.asarray(2 ** 70, dtype=np.float64)})
    norm.load_state_dict({**state, "num_batches_tracked": np.asarray(3.0)})
    assert int(norm.num_batches_tracked.data) == 3


def test_load_state_dict_of_a_non_dict():
    with pytest.raises(TypeError, match="expected a dict of arrays"):
        nn.Linear(3, 2).load_state_dict([1, 2])


@pytest.mark.parametrize("content, reason", [
    (b"", "it is empty"),
    (b"weight,bias\n1,2\n", "it is not an .npz (zip) archive"),
    (None, "it is a single .npy array"),
    ("truncated", "not a file saved by Module.save"),
])
def test_module_load_of_a_file_that_is_not_a_saved_model(tmp_path, content, reason):
    layer = nn.Linear(3, 2)
    path = tmp_path / "model.npz"
    if content is None:
        np.save(tmp_path / "array.npy", np.zeros(3))
        path = tmp_path / "array.npy"
    elif content == "truncated":
        layer.save(path)
        path.write_bytes(path.read_bytes()[:100])
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError) as error:
        nn.Linear(3, 2).load(path)
    message = one_line(error)
    assert message.startswith(f"{path} is not a file saved by Module.save") and reason in message


def test_module_load_of_a_missing_path_a_folder_or_a_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file at .*missing.npz"):
        nn.Linear(3, 2).load(tmp_path / "missing.npz")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        nn.Linear(3, 2).load(tmp_path)
    from nn_from_scratch.training import save_checkpoint
    save_checkpoint(tmp_path / "checkpoint.npz", {"models": {"g": {"weight": np.zeros(3)}}})
    with pytest.raises(ValueError, match="is a training checkpoint, not a model's weights"):
        nn.Linear(3, 2).load(tmp_path / "checkpoint.npz")


def test_module_load_of_another_models_weights_names_the_file(tmp_path):
    nn.Linear(3, 2).save(tmp_path / "small.npz")
    with pytest.raises(RuntimeError) as error:
        nn.Linear(4, 2).load(tmp_path / "small.npz")
    assert one_line(error).startswith(f"{tmp_path / 'small.npz'}: error loading state_dict into Linear")


def test_module_save_on_a_full_disk_names_the_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    layer = nn.Linear(3, 2)
    path = tmp_path / "model.npz"
    layer.save(path)
    before = path.read_bytes()

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", no_space)
    with pytest.raises(OSError) as error:
        nn.Linear(3, 2).save(path)
    assert error.value.filename == str(path) and "No space left on device" in str(error.value)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]          # no temporary file left


# --------------------------------------------------------------------------
# viz
# --------------------------------------------------------------------------


def test_to_dot_draws_a_tensor_and_refuses_what_it_cannot_draw():
    x = nf.Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    text = viz.to_dot(y)
    assert "Mul" in text and "Sum" in text and "->" in text
    assert text == viz.to_dot(viz.build_nodes(y))
    for value in (5, "y", [1, 2], None):
        with pytest.raises(TypeError, match="to_dot: expected a Tensor or the node list"):
            viz.to_dot(value)
    with pytest.raises(TypeError, match="build_nodes: expected a Tensor"):
        viz.build_nodes(np.zeros(3))


# --------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------


def test_a_bad_backend_variable_does_not_break_the_import_but_the_first_tensor(tmp_path):
    import subprocess
    import sys
    code = "import nn_from_scratch as nf; print('imported'); nf.Tensor([1.0])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"NN_FROM_SCRATCH_BACKEND": "bogus", "PATH": ""})
    assert result.returncode == 1 and result.stdout == "imported\n"
    assert ("BackendError: NN_FROM_SCRATCH_BACKEND='bogus': unknown backend 'bogus': expected one of "
            "('numpy', 'cupy'); unset it or set it to numpy or cupy") in result.stderr
    code = "import nn_from_scratch as nf; nf.backend.use('numpy'); print(nf.Tensor([1.0]).shape)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"NN_FROM_SCRATCH_BACKEND": "bogus", "PATH": ""})
    assert result.stdout == "(1,)\n", result.stderr                  # an explicit choice wins


def test_checks_accept_numpy_scalars_and_refuse_booleans():
    from nn_from_scratch.checks import real_number, whole_number
    assert real_number("X", "lr", np.float32(0.5)) == 0.5
    assert real_number("X", "lr", np.asarray(0.25)) == 0.25
    with pytest.raises(TypeError, match="X: lr must be a finite number >= 0, got bool True"):
        real_number("X", "lr", True)
    with pytest.raises(ValueError, match="got inf"):
        real_number("X", "lr", math.inf)
    with pytest.raises(TypeError, match="got bool"):
        whole_number("X", "size", True)
