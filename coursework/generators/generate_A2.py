"""Write the known values of assignment A2's public tests, from the solution (this project's library).

    PYTHONPATH=. python coursework/generators/generate_A2.py           # (re)write coursework/public/A2/data/
    PYTHONPATH=. python coursework/generators/generate_A2.py --check   # only compare; exit 1 on a difference

Deterministic: fixed seeds, float64, the textbook kernels.  A file is
rewritten only when its arrays changed, so regenerating leaves the repository
clean.  Inputs are random draws from fixed seeds (the cases are in
coursework/public/A2/cases.py); the expected values are what the library's
own functions return for them: the Functions called directly, as the tests
do, the loops for the convolution, ``optimizer.step()`` for the optimizers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import nn_from_scratch as nf  # noqa: E402
from coursework.generators.known_values import write_known_values  # noqa: E402
from coursework.public.A2 import cases  # noqa: E402
from nn_from_scratch.functional import activations, arithmetic, conv, losses, normalization, pooling  # noqa: E402
from nn_from_scratch.optim import SGD, Adam, AdamW  # noqa: E402

DATA = ROOT / "coursework" / "public" / "A2" / "data"
OPTIMIZERS = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW}


def direct(function, arrays, g, requires_grad=None):
    """(output, gradients) of a fresh Function instance, forward then backward called directly."""
    requires_grad = requires_grad or [True] * len(arrays)
    tensors = [nf.Tensor(np.array(a, dtype=np.float64), requires_grad=r) for a, r in zip(arrays, requires_grad)]
    y = function(*tensors)
    grads = function.backward(np.array(g, dtype=np.float64))
    return y.data, grads if isinstance(grads, tuple) else (grads,)


def with_zeros(rng, shape):
    """Uniform values in [-2, 2] with about a quarter of them exactly 0 (the kink of ReLU)."""
    x = rng.uniform(-2, 2, shape)
    x[rng.random(shape) < 0.25] = 0.0
    return x


def linear_values(rng):
    values = {}
    for i, (x_shape, out_features, has_bias) in enumerate(cases.LINEAR_CASES):
        x = nf.Tensor(rng.standard_normal(x_shape), requires_grad=True)
        w = nf.Tensor(rng.standard_normal((out_features, x_shape[-1])), requires_grad=True)
        b = nf.Tensor(rng.standard_normal(out_features), requires_grad=True) if has_bias else None
        y = arithmetic.linear(x, w, b)
        g = rng.standard_normal(y.shape)
        y.backward(g)
        values.update({f"case{i}_x": x.data, f"case{i}_w": w.data, f"case{i}_g": g, f"case{i}_y": y.data,
                       f"case{i}_grad_x": x.grad, f"case{i}_grad_w": w.grad})
        if has_bias:
            values.update({f"case{i}_b": b.data, f"case{i}_grad_b": b.grad})
    return values


def relu_values(rng):
    x, g = with_zeros(rng, (4, 5)), rng.standard_normal((4, 5))
    y, (grad,) = direct(activations.ReLUFunction(), [x], g)
    values = {"x": x, "g": g, "relu_y": y, "relu_grad": grad}
    for i, slope in enumerate(cases.LEAKY_SLOPES):
        y, (grad,) = direct(activations.LeakyReLUFunction(slope), [x], g)
        values.update({f"leaky{i}_y": y, f"leaky{i}_grad": grad})
    return values


def sigmoid_tanh_values(rng):
    x, g = rng.uniform(-4, 4, (3, 4)), rng.standard_normal((3, 4))
    extreme = np.array(cases.EXTREME_LOGITS)
    values = {"x": x, "g": g, "extreme": extreme, "stable_x": activations.stable_sigmoid(x),
              "stable_extreme": activations.stable_sigmoid(extreme)}
    for name, function_class in (("sigmoid", activations.SigmoidFunction), ("tanh", activations.TanhFunction)):
        y, (grad,) = direct(function_class(), [x], g)
        values.update({f"{name}_y": y, f"{name}_grad": grad})
        g_extreme = rng.standard_normal(extreme.shape)
        y, (grad,) = direct(function_class(), [extreme], g_extreme)
        values.update({f"{name}_extreme_g": g_extreme, f"{name}_extreme_y": y, f"{name}_extreme_grad": grad})
    return values


def bce_values(rng):
    moderate = rng.uniform(-5, 5, (3, 4))
    t_moderate = rng.uniform(0, 1, (3, 4))
    t_moderate[0, :2], t_moderate[1, :2] = 0.0, 1.0
    extreme = np.repeat(np.array(cases.EXTREME_LOGITS), 3)
    t_extreme = np.tile([0.0, 1.0, 0.3], len(cases.EXTREME_LOGITS))
    values = {}
    for name, x, t in (("moderate", moderate, t_moderate), ("extreme", extreme, t_extreme)):
        g = rng.standard_normal(x.shape)
        loss, (grad_x, grad_t) = direct(losses.BinaryCrossEntropyWithLogitsFunction(), [x, t], g)
        values.update({f"{name}_x": x, f"{name}_t": t, f"{name}_g": g, f"{name}_loss": loss,
                       f"{name}_grad_x": grad_x, f"{name}_grad_t": grad_t})
    return values


def conv_values(rng):
    values = {}
    for i, (x_shape, w_shape, has_bias, stride, padding, dilation) in enumerate(cases.CONV_CASES):
        x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        b = rng.standard_normal(w_shape[0]) if has_bias else None
        y = conv.conv2d_loops(x, w, b, stride, padding, dilation)
        g = rng.standard_normal(y.shape)
        grad_x, grad_w, grad_b = conv.conv2d_backward_loops(g, x, w, stride, padding, dilation)
        values.update({f"case{i}_x": x, f"case{i}_w": w, f"case{i}_g": g, f"case{i}_y": y,
                       f"case{i}_grad_x": grad_x, f"case{i}_grad_w": grad_w, f"case{i}_grad_b": grad_b})
        if has_bias:
            values[f"case{i}_b"] = b
    return values


def im2col_values(rng):
    values = {}
    for i, (x_shape, kernel, stride, padding, dilation, output_size) in enumerate(cases.IM2COL_CASES):
        x = np.arange(float(np.prod(x_shape))).reshape(x_shape) if i == 0 else rng.standard_normal(x_shape)
        cols = conv.im2col(x, kernel, stride, padding, dilation, output_size)
        c = rng.standard_normal(cols.shape)
        values.update({f"case{i}_x": x, f"case{i}_cols": cols, f"case{i}_c": c,
                       f"case{i}_col2im": conv.col2im(c, x_shape, kernel, stride, padding, dilation, output_size)})
    return values


def conv_transpose_values(rng):
    values = {}
    for i, (x_shape, w_shape, has_bias, stride, padding, output_padding, dilation) in \
            enumerate(cases.CONV_TRANSPOSE_CASES):
        pairs = [conv.as_pair(v) for v in (stride, padding, output_padding, dilation)]
        x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        arrays = [x, w] + ([rng.standard_normal(w_shape[1])] if has_bias else [])
        y_shape = (x_shape[0], w_shape[1]) + conv.conv_transpose2d_output_size(x_shape[2], x_shape[3], w_shape[2:],
                                                                               *pairs[:3], pairs[3])
        g = rng.standard_normal(y_shape)
        y, grads = direct(conv.ConvTranspose2dFunction(*pairs), arrays, g)
        values.update({f"case{i}_x": x, f"case{i}_w": w, f"case{i}_g": g, f"case{i}_y": y,
                       f"case{i}_grad_x": grads[0], f"case{i}_grad_w": grads[1]})
        if has_bias:
            values.update({f"case{i}_b": arrays[2], f"case{i}_grad_b": grads[2]})
    return values


def pool_values(rng):
    values = {}
    for i, (x_shape, kernel, stride, padding, kind) in enumerate(cases.POOL_CASES):
        if kind == "ties":
            x = rng.integers(-2, 3, x_shape).astype(np.float64)
        elif kind == "negative":
            x = -rng.uniform(0.5, 3, x_shape)
        else:
            x = rng.standard_normal(x_shape)
        oh, ow = conv.conv2d_output_size(x_shape[2], x_shape[3], kernel, stride, padding)
        g = rng.standard_normal(x_shape[:2] + (oh, ow))
        y, (grad,) = direct(pooling.MaxPool2dFunction(kernel, stride, padding), [x], g)
        values.update({f"case{i}_x": x, f"case{i}_g": g, f"case{i}_y": y, f"case{i}_grad": grad})
    return values


def batch_norm_values(rng):
    values = {}
    for i, (x_shape, given, training) in enumerate(cases.BATCH_NORM_CASES):
        channels = x_shape[1]
        x = rng.normal(1.5, 2.0, x_shape)
        arrays = [x, rng.uniform(0.5, 2, channels), rng.standard_normal(channels)][:len(given)]
        mean = var = None
        if not training:
            mean, var = rng.standard_normal(channels), rng.uniform(0.5, 3, channels)
            values.update({f"case{i}_mean": mean, f"case{i}_var": var})
        g = rng.standard_normal(x_shape)
        _, grads = direct(normalization.BatchNormFunction(1e-5, mean, var), arrays, g)
        values.update({f"case{i}_g": g})
        for name, array, grad in zip(("x", "w", "b"), arrays, grads):
            values.update({f"case{i}_{name}": array, f"case{i}_grad_{name}": grad})
    return values


def optimizer_run(rng, optimizer_class, hyperparameters, scale, prefix):
    """Start values, the gradients of every step and the parameters after each step."""
    values = {}
    params = []
    for k, shape in enumerate(cases.PARAMETER_SHAPES):
        start = rng.standard_normal(shape)
        values[f"{prefix}_p{k}_start"] = start
        params.append(nf.Tensor(start.copy(), requires_grad=True))
    optimizer = optimizer_class(params, **hyperparameters)
    for step in range(cases.OPTIMIZER_STEPS):
        for k, param in enumerate(params):
            grad = scale * rng.standard_normal(param.shape)
            values[f"{prefix}_p{k}_grad{step}"] = grad
            param.grad = grad.copy()
        optimizer.step()
        for k, param in enumerate(params):
            values[f"{prefix}_p{k}_after{step}"] = param.data.copy()
    return values


def sgd_values(rng):
    values = {}
    for i, hyperparameters in enumerate(cases.SGD_CASES):
        values.update(optimizer_run(rng, SGD, hyperparameters, 1.0, f"case{i}"))
    return values


def adam_values(rng):
    values = {}
    for i, (name, hyperparameters, scale) in enumerate(cases.ADAM_CASES):
        values.update(optimizer_run(rng, OPTIMIZERS[name], hyperparameters, scale, f"case{i}"))
    return values


GENERATORS = {
    "2_1_linear": (linear_values, 21),
    "2_2_relu_leaky_relu": (relu_values, 22),
    "2_3_sigmoid_tanh": (sigmoid_tanh_values, 23),
    "2_4_bce_with_logits": (bce_values, 24),
    "conv2d": (conv_values, 25),                     # tasks 2.5 (the loops) and 2.7 (Conv2dFunction)
    "2_6_im2col_col2im": (im2col_values, 26),
    "2_8_conv_transpose2d": (conv_transpose_values, 28),
    "2_9_max_pool": (pool_values, 29),
    "2_10_batch_norm": (batch_norm_values, 210),
    "2_11_sgd": (sgd_values, 211),
    "2_12_adam": (adam_values, 212),
}


def main(argv=None) -> int:
    nf.kernels.use("textbook")
    return write_known_values(GENERATORS, DATA, __doc__.split("\n")[0], argv)


if __name__ == "__main__":
    sys.exit(main())
