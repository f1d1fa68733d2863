"""stable_sigmoid is 1 / (1 + exp(-x)), the definition: exact values, but exp(-x) overflows for x below about -710
(-89 in float32), which NumPy reports with an overflow warning: not stable."""

TARGET_TASK = "2.3"


def stable_sigmoid(x):
    xp = array_module(x)
    return 1 / (1 + xp.exp(-x))
