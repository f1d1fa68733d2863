"""The random-number generator the library draws from on the CPU: initial weights and dropout masks.

``nn.init.manual_seed(seed)`` replaces it with a seeded one (and seeds CuPy's
generator on the GPU backend), which makes both reproducible.
"""

import numpy

generator = numpy.random.default_rng()
