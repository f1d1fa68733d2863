"""The cases of assignment A2's known-value tests: shapes, strides, paddings, dilations, hyperparameters.

Shared by the public tests and by coursework/generators/generate_A2.py, which
stores each case's inputs and the solution's results in data/*.npz.
"""

# linear(x, weight, bias): (x's shape, out_features, with a bias)
LINEAR_CASES = [
    ((4, 3), 2, True),
    ((5, 3), 3, False),
    ((2, 3, 4), 5, True),
    ((1, 1), 1, True),
]

# LeakyReLU's negative slopes
LEAKY_SLOPES = [0.01, 0.2, 0.0, 1.5]

# logits where an unstable formula overflows, or loses everything to rounding
EXTREME_LOGITS = [-1e4, -800.0, -50.0, -30.0, 0.0, 30.0, 50.0, 800.0, 1e4]

# conv2d: (x's shape, weight's shape (O, C, KH, KW), with a bias, stride, padding, dilation)
CONV_CASES = [
    ((2, 3, 5, 5), (4, 3, 3, 3), True, 1, 0, 1),
    ((1, 2, 7, 6), (3, 2, 3, 2), True, 2, 1, 1),
    ((2, 1, 6, 6), (2, 1, 2, 2), False, (1, 2), (0, 1), 1),
    ((1, 2, 8, 7), (2, 2, 3, 3), True, 1, 2, 2),
    ((1, 1, 5, 7), (1, 1, 3, 3), True, (2, 3), (1, 0), (1, 2)),
    ((2, 2, 4, 4), (3, 2, 1, 1), False, 3, 0, 1),
]

# im2col / col2im: (x's shape, kernel, stride, padding, dilation, output_size or None), every argument a pair
IM2COL_CASES = [
    ((1, 1, 4, 4), (3, 3), (1, 1), (0, 0), (1, 1), None),      # tutorial 04, section 4.3
    ((2, 3, 5, 5), (3, 3), (1, 1), (1, 1), (1, 1), None),
    ((1, 2, 7, 6), (3, 2), (2, 2), (1, 1), (1, 1), None),
    ((1, 2, 8, 7), (3, 3), (1, 1), (2, 2), (2, 2), None),
    ((2, 1, 5, 7), (2, 3), (2, 3), (1, 0), (1, 2), None),
    ((1, 2, 4, 4), (1, 1), (3, 3), (0, 0), (1, 1), None),
    ((1, 2, 8, 8), (3, 3), (2, 2), (1, 1), (1, 1), (3, 3)),    # only the first 3x3 of the 4x4 windows
]

# conv_transpose2d: (x's shape, weight's shape (C, O, KH, KW), with a bias, stride, padding, output_padding,
# dilation)
CONV_TRANSPOSE_CASES = [
    ((2, 3, 3, 3), (3, 2, 3, 3), True, 1, 0, 0, 1),
    ((1, 2, 4, 3), (2, 3, 4, 4), True, 2, 1, 0, 1),
    ((2, 2, 3, 4), (2, 2, 3, 2), False, (2, 1), (1, 0), (1, 0), 1),
    ((1, 1, 4, 4), (1, 2, 3, 3), True, 2, 1, 1, 1),
    ((1, 2, 3, 3), (2, 1, 2, 2), True, 1, 0, 1, 2),
    ((2, 2, 3, 3), (2, 3, 3, 3), False, 3, 1, 0, 1),
]

# max_pool2d: (x's shape, kernel, stride, padding, values) with values "ties" (small integers: many windows
# have several maxima), "random" or "negative" (every value < 0: a zero padding would win)
POOL_CASES = [
    ((2, 2, 4, 4), (2, 2), (2, 2), (0, 0), "ties"),
    ((1, 2, 5, 5), (3, 3), (1, 1), (1, 1), "ties"),
    ((1, 1, 6, 5), (3, 2), (2, 1), (1, 0), "random"),
    ((2, 1, 5, 5), (2, 2), (3, 3), (0, 0), "random"),
    ((1, 2, 4, 4), (3, 3), (2, 2), (1, 1), "negative"),
]

# batch_norm: (x's shape, inputs given: "x", "xw" (x, weight) or "xwb" (x, weight, bias), training)
BATCH_NORM_CASES = [
    ((6, 3), "xwb", True),
    ((4, 2, 5), "xw", True),
    ((3, 2, 4, 4), "xwb", True),
    ((5, 4), "x", True),
    ((3, 2, 3, 3), "xwb", False),
    ((4, 3), "xw", False),
]

# optimizers: the parameters' shapes, the steps taken, and the hyperparameters of each run
PARAMETER_SHAPES = [(3, 2), (4,)]
OPTIMIZER_STEPS = 6
SGD_CASES = [
    {"lr": 0.1},
    {"lr": 0.1, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.8, "dampening": 0.3},
    {"lr": 0.1, "momentum": 0.9, "nesterov": True},
    {"lr": 0.1, "weight_decay": 0.01},
    {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.1, "nesterov": True},
]
# (optimizer class name, hyperparameters, scale of the gradients: tiny ones show where eps goes)
ADAM_CASES = [
    ("Adam", {"lr": 0.01}, 1.0),
    ("Adam", {"lr": 0.1, "betas": (0.8, 0.99)}, 1.0),
    ("Adam", {"lr": 0.01, "eps": 1e-3}, 1e-4),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}, 1.0),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}, 1.0),
]
