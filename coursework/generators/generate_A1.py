"""Write the known values of assignment A1's public tests, from the solution (this project's library).

    PYTHONPATH=. python coursework/generators/generate_A1.py           # (re)write coursework/public/A1/data/
    PYTHONPATH=. python coursework/generators/generate_A1.py --check   # only compare; exit 1 on a difference

Deterministic: fixed seeds, float64.  A file is rewritten only when its arrays
changed, so regenerating leaves the repository clean.  Inputs are random
draws from fixed seeds; the expected values are what the library's own
backward returns for them (called directly, as the tests do).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from coursework.generators.known_values import write_known_values  # noqa: E402
from coursework.public.A1 import cases  # noqa: E402
from nn_from_scratch.coursework.testing import backward_of  # noqa: E402
from nn_from_scratch.functional import arithmetic, reductions, shape  # noqa: E402
from nn_from_scratch.tensor import sum_to_shape  # noqa: E402

DATA = ROOT / "coursework" / "public" / "A1" / "data"


def sum_to_shape_values(rng):
    values = {}
    for i, (grad_shape, target) in enumerate(cases.SUM_TO_SHAPE_CASES):
        grad = rng.standard_normal(grad_shape)
        values[f"case{i}_grad"] = grad
        values[f"case{i}_expected"] = sum_to_shape(grad, target)
    return values


def binary_values(rng, name, function_class, positive_b=False):
    a = rng.uniform(-2, 2, cases.BINARY_SHAPE)
    b = rng.uniform(0.5, 2, cases.BINARY_SHAPE) * rng.choice([-1, 1], cases.BINARY_SHAPE) if positive_b \
        else rng.uniform(-2, 2, cases.BINARY_SHAPE)
    g = rng.standard_normal(cases.BINARY_SHAPE)
    grad_a, grad_b = backward_of(function_class(), [a, b], g)
    return {f"{name}_a": a, f"{name}_b": b, f"{name}_g": g, f"{name}_grad_a": grad_a, f"{name}_grad_b": grad_b}


def unary_values(rng, name, make_function, x):
    g = rng.standard_normal(x.shape)
    (grad,) = backward_of(make_function(), [x], g)
    return {f"{name}_x": x, f"{name}_g": g, f"{name}_grad": grad}


def add_mul_values(rng):
    return {**binary_values(rng, "add", arithmetic.AddFunction), **binary_values(rng, "mul", arithmetic.MulFunction)}


def div_pow_values(rng):
    values = binary_values(rng, "div", arithmetic.DivFunction, positive_b=True)
    for i, p in enumerate(cases.POW_EXPONENTS):
        x = rng.uniform(0.3, 2.5, cases.BINARY_SHAPE)
        values.update(unary_values(rng, f"pow{i}", lambda p=p: arithmetic.PowFunction(p), x))
    return values


def exp_log_values(rng):
    return {**unary_values(rng, "exp", arithmetic.ExpFunction, rng.uniform(-2, 2, cases.BINARY_SHAPE)),
            **unary_values(rng, "log", arithmetic.LogFunction, rng.uniform(0.2, 3, cases.BINARY_SHAPE))}


def matmul_values(rng):
    values = {}
    for i, (a_shape, b_shape) in enumerate(cases.MATMUL_CASES):
        a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
        g = rng.standard_normal(np.matmul(a, b).shape)
        grad_a, grad_b = backward_of(arithmetic.MatMulFunction(), [a, b], g)
        values.update({f"case{i}_a": a, f"case{i}_b": b, f"case{i}_g": g, f"case{i}_grad_a": grad_a,
                       f"case{i}_grad_b": grad_b})
    return values


def sum_mean_values(rng):
    values = {}
    for i, (input_shape, axis, keepdims) in enumerate(cases.REDUCTION_CASES):
        x = rng.standard_normal(input_shape)
        g = rng.standard_normal(np.sum(x, axis=axis, keepdims=keepdims).shape)
        axes = reductions.normalize_axes(axis, len(input_shape))
        values[f"case{i}_x"] = x
        values[f"case{i}_g"] = g
        values[f"case{i}_expand"] = reductions.expand_to_input(g, input_shape, axes, keepdims)
        values[f"case{i}_sum"] = backward_of(reductions.SumFunction(axis, keepdims), [x], g)[0]
        values[f"case{i}_mean"] = backward_of(reductions.MeanFunction(axis, keepdims), [x], g)[0]
    return values


def reshape_transpose_values(rng):
    values = {}
    for i, (input_shape, new_shape) in enumerate(cases.RESHAPE_CASES):
        x = rng.standard_normal(input_shape)
        g = rng.standard_normal(new_shape)
        values.update({f"reshape{i}_x": x, f"reshape{i}_g": g,
                       f"reshape{i}_grad": backward_of(shape.ReshapeFunction(new_shape), [x], g)[0]})
    for i, (input_shape, axes) in enumerate(cases.TRANSPOSE_CASES):
        x = rng.standard_normal(input_shape)
        g = rng.standard_normal(np.transpose(x, axes).shape)
        values.update({f"transpose{i}_x": x, f"transpose{i}_g": g,
                       f"transpose{i}_grad": backward_of(shape.TransposeFunction(axes), [x], g)[0]})
    for i, axes in enumerate(cases.PERMUTATIONS):
        values[f"inverse{i}"] = np.array(shape.inverse_permutation(axes))
    return values


def getitem_values(rng):
    values = {}
    for i, (input_shape, index) in enumerate(cases.GETITEM_CASES):
        x = rng.standard_normal(input_shape)
        g = rng.standard_normal(x[index].shape)
        values.update({f"case{i}_x": x, f"case{i}_g": g,
                       f"case{i}_grad": backward_of(shape.GetItemFunction(index), [x], g)[0]})
    return values


GENERATORS = {
    "1_2_sum_to_shape": (sum_to_shape_values, 12),
    "1_4_add_mul": (add_mul_values, 14),
    "1_5_div_pow": (div_pow_values, 15),
    "1_6_exp_log": (exp_log_values, 16),
    "1_7_matmul": (matmul_values, 17),
    "1_8_sum_mean": (sum_mean_values, 18),
    "1_9_reshape_transpose": (reshape_transpose_values, 19),
    "1_10_getitem": (getitem_values, 110),
}


def main(argv=None) -> int:
    return write_known_values(GENERATORS, DATA, __doc__.split("\n")[0], argv)


if __name__ == "__main__":
    sys.exit(main())
