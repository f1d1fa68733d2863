"""The kernel-set switch (nn_from_scratch/kernels.py): use, current, using, the environment variable, choose."""

import os
import subprocess
import sys

import numpy as np
import pytest

import nn_from_scratch as nf
from nn_from_scratch import functional as F
from nn_from_scratch import optim


def test_use_current_and_using():
    before = nf.kernels.current()
    try:
        nf.kernels.use("textbook")
        assert nf.kernels.current() == "textbook"
        with nf.kernels.using("FAST") as name:
            assert name == "FAST" and nf.kernels.current() == "fast"
            with pytest.raises(KeyError):
                with nf.kernels.using("textbook"):
                    raise KeyError("inside the block")
            assert nf.kernels.current() == "fast"             # restored after an exception too
        assert nf.kernels.current() == "textbook"
    finally:
        nf.kernels.use(before)


def test_an_unknown_kernel_set_is_a_one_line_error():
    with pytest.raises(ValueError, match=r"^unknown kernel set 'quick': expected one of textbook, fast$"):
        nf.kernels.use("quick")
    env = {**os.environ, "NN_FROM_SCRATCH_KERNELS": "turbo"}
    result = subprocess.run([sys.executable, "-c", "import nn_from_scratch"], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode != 0
    assert ("environment variable NN_FROM_SCRATCH_KERNELS: unknown kernel set 'turbo': expected one of "
            "textbook, fast; set it to one of textbook, fast or unset it") in result.stderr


def test_choose_returns_the_twin_only_with_the_fast_set():
    with nf.kernels.using("textbook"):
        assert nf.kernels.choose(F.ReLUFunction) is F.ReLUFunction
        assert nf.kernels.choose(optim.Adam.update) is optim.Adam.update
    with nf.kernels.using("fast"):
        assert nf.kernels.choose(F.ReLUFunction) is nf.fast.activations.ReLUFunction
        assert nf.kernels.choose(optim.Adam.update) is nf.fast.optimizers.adam_update
        assert nf.kernels.choose(F.TanhFunction) is F.TanhFunction       # no twin: the textbook op


def test_a_graph_keeps_its_functions_when_the_set_changes_before_backward():
    x = nf.Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    with nf.kernels.using("textbook"):
        y = F.relu(x)
    with nf.kernels.using("fast"):
        y.sum().backward()
    assert type(y.creator) is F.ReLUFunction and x.grad.tolist() == [0.0, 1.0]


def test_the_textbook_set_never_imports_the_fast_kernels(tmp_path):
    """With NN_FROM_SCRATCH_KERNELS=textbook, a whole training step runs without importing nn_from_scratch.fast."""
    import subprocess
    import sys
    script = (
        "import sys, numpy as np, nn_from_scratch as nf\n"
        "from nn_from_scratch import models, optim, functional as F\n"
        "G, D = models.Generator(latent_dim=8), models.Discriminator()\n"
        "opt = optim.Adam(list(G.parameters()) + list(D.parameters()), lr=1e-3)\n"
        "z = nf.Tensor(np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32))\n"
        "loss = F.binary_cross_entropy_with_logits(D(G(z)), nf.Tensor(np.ones((4, 1), np.float32)))\n"
        "loss.backward(); opt.step()\n"
        "print([name for name in sys.modules if name.startswith('nn_from_scratch.fast')])\n"
    )
    env = {**__import__("os").environ, "NN_FROM_SCRATCH_KERNELS": "textbook"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


