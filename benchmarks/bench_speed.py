"""Speed and memory benchmark: nn_from_scratch against PyTorch (eager, float32) and DeZero.

One run times, with the same architectures, batch sizes and float32 data in every library:

* ``layers``: forward + backward of four convolution layers (the GAN's and VAE's shapes), with the
  achieved GFLOP/s, next to the float32 GEMM rate of the array library measured in the same run;
* ``dcgan``: one DCGAN training step (D on real and detached fake, then G), batch 64 by default;
* ``vae``: one convolutional-VAE training step, batch 128 by default;
* ``memory``: the peak memory of the DCGAN and VAE steps, each library in its own subprocess.

Timings are medians over ``--reps`` timed calls taken after ``--warmup`` untimed ones.  The libraries
take turns (the order rotating every round), so that the noise of a shared machine hits all of them
alike; each turn is a pause of ``--gap`` seconds (the previous library's BLAS threads stop spinning),
one untimed call (this library's threads wake up) and one timed call.  Ratios are to PyTorch in the
same run.

FLOP counting (``layers``): a convolution with M multiply-adds (M = N*O*OH*OW*C*KH*KW for Conv2d,
N*C*H*W*O*KH*KW for ConvTranspose2d with C input and O output channels) counts 2*M FLOP forward and
2*(2*M) backward (the input gradient and the weight gradient are one GEMM of M multiply-adds each);
bias terms are not counted.  So one forward + backward is 6*M FLOP.

Memory (``memory``): each (library, workload) runs in a fresh subprocess.  Baseline = the resident
set (VmRSS) once the library is imported and warmed up (one small matrix product), the model, the
optimizer and the data are built; peak = the high-water mark of the resident set (VmHWM in
/proc/self/status; not ``getrusage(RUSAGE_SELF).ru_maxrss``, which on Linux keeps the parent's peak
across the subprocess's exec) after one warm-up step and ``--memory-steps`` more.  The table
shows peak - baseline: activations, gradients, temporaries and the optimizer state created by the
first step.  The second column resets the high-water mark after the warm-up step
(``/proc/self/clear_refs``) and shows the peak of the later steps over the resident set at that
point.  RSS is used for every library because tracemalloc does not see PyTorch's allocator.  With
``--backend cupy`` the device memory is measured instead: CuPy's memory-pool bytes in use (through a
memory hook) for nn_from_scratch and DeZero, ``torch.cuda.max_memory_allocated`` for PyTorch.

Usage (see benchmarks/README.md)::

    python benchmarks/bench_speed.py                         # everything, CPU
    python benchmarks/bench_speed.py --only dcgan vae --reps 30
    python benchmarks/bench_speed.py --backend cupy --json gpu.json
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)            # run from a checkout without installing

OURS, TORCH, DEZERO = "nn_from_scratch", "torch", "dezero"
TORCH_VERSION, DEZERO_VERSION = "2.13.0", "0.0.13"
SECTIONS = ("layers", "dcgan", "vae", "memory")
DEFAULT_BATCH = {"layers": 64, "dcgan": 64, "vae": 128}
NOISE_DIM, LATENT_DIM = 100, 20

# (name, kind, in_channels, out_channels, kernel, stride, padding, input height = width)
LAYERS = [
    ("Conv2d(1,64,4,2,1) 28x28", "conv", 1, 64, 4, 2, 1, 28),
    ("Conv2d(64,128,4,2,1) 14x14", "conv", 64, 128, 4, 2, 1, 14),
    ("ConvTranspose2d(128,64,4,2,1) 7x7", "deconv", 128, 64, 4, 2, 1, 7),
    ("ConvTranspose2d(64,1,4,2,1) 14x14", "deconv", 64, 1, 4, 2, 1, 14),
]
GEMM_LAYER = "Conv2d(64,128,4,2,1) 14x14"      # the line whose rate is compared with the sgemm


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:        # not Linux
        return os.cpu_count() or 1


# --------------------------------------------------------------------------
# The device: NumPy on the CPU or CuPy on a GPU, and how to wait for it
# --------------------------------------------------------------------------


class Device:
    """What the benchmarks share for one ``--backend``: the array module, the torch device, syncs."""

    def __init__(self, backend: str):
        self.backend = backend
        self.gpu = backend == "cupy"
        if self.gpu:
            import cupy
            self.xp = cupy
        else:
            self.xp = numpy
        self.torch_device = "cuda" if self.gpu else "cpu"

    def array(self, host_array):
        """A float32 array of the backend (a copy on the GPU) from a NumPy array."""
        return self.xp.asarray(host_array, dtype=numpy.float32)

    def sync(self) -> None:
        """Wait for every queued GPU kernel (CuPy's and PyTorch's); nothing to do on the CPU."""
        if not self.gpu:
            return
        import cupy
        cupy.cuda.Device().synchronize()
        torch = sys.modules.get("torch")
        if torch is not None and torch.cuda.is_available():
            torch.cuda.synchronize()


def import_torch(device: Device, threads: int):
    import torch
    torch.set_num_threads(threads)
    if device.gpu:
        # Plain float32 on the GPU too: no TF32 tensor-core rounding in convolutions or matmuls.
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    return torch


def import_dezero():
    numpy.int = int          # DeZero 0.0.13 still uses numpy.int (removed in NumPy 1.24)
    import dezero
    return dezero


def import_ours(device: Device):
    import nn_from_scratch as nf
    nf.backend.use(device.backend)
    return nf


# --------------------------------------------------------------------------
# Data: the same float32 arrays for every library
# --------------------------------------------------------------------------


def make_data(batch: int, seed: int = 0) -> dict:
    rng = numpy.random.default_rng(seed)
    return {
        "images": rng.random((batch, 1, 28, 28), dtype=numpy.float32),          # pixels in [0, 1)
        "noise": rng.standard_normal((batch, NOISE_DIM), dtype=numpy.float32),  # the generator's z
        "eps": rng.standard_normal((batch, LATENT_DIM), dtype=numpy.float32),   # the VAE's epsilon
        "ones": numpy.ones((batch, 1), dtype=numpy.float32),
        "zeros": numpy.zeros((batch, 1), dtype=numpy.float32),
    }


def layer_shapes(spec, batch: int) -> tuple:
    """(input shape, output shape, multiply-adds of the forward pass) of one LAYERS entry."""
    _, kind, c, o, k, s, p, size = spec
    if kind == "conv":
        out = (size + 2 * p - k) // s + 1
    else:
        out = (size - 1) * s - 2 * p + k
    macs = batch * c * o * k * k * (out * out if kind == "conv" else size * size)
    return (batch, c, size, size), (batch, o, out, out), macs


# --------------------------------------------------------------------------
# nn_from_scratch
# --------------------------------------------------------------------------


def ours_layer(device: Device, spec, batch: int):
    nf = import_ours(device)
    from nn_from_scratch import nn
    _, kind, c, o, k, s, p, _ = spec
    in_shape, out_shape, _ = layer_shapes(spec, batch)
    rng = numpy.random.default_rng(1)
    layer = (nn.Conv2d if kind == "conv" else nn.ConvTranspose2d)(c, o, k, s, p).to(device.torch_device)
    x = nf.Tensor(device.array(rng.standard_normal(in_shape)), requires_grad=True)
    g = device.array(rng.standard_normal(out_shape))

    def step():
        layer.zero_grad()
        x.grad = None
        layer(x).backward(g)
    return step


def ours_models(nn):
    generator = nn.Sequential(
        nn.Linear(NOISE_DIM, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Sigmoid(),
    )
    discriminator = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1),
    )
    return generator, discriminator


def gan_step(generator, discriminator, opt_g, opt_d, bce, real, noise, ones, zeros):
    """One DCGAN training step, written once for nn_from_scratch and PyTorch (their APIs are the same):
    D update on real and detached fake, then G update with the non-saturating loss."""

    def step():
        fake = generator(noise)
        opt_d.zero_grad()
        loss_d = bce(discriminator(real), ones) + bce(discriminator(fake.detach()), zeros)
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        loss_g = bce(discriminator(fake), ones)
        loss_g.backward()
        opt_g.step()
    return step


def ours_dcgan(device: Device, batch: int):
    nf = import_ours(device)
    from nn_from_scratch import nn, optim
    F = nf.functional
    generator, discriminator = ours_models(nn)
    generator.to(device.torch_device)
    discriminator.to(device.torch_device)
    opt_g = optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    data = {name: nf.Tensor(device.array(value)) for name, value in make_data(batch).items()}
    real, noise, ones, zeros = data["images"], data["noise"], data["ones"], data["zeros"]
    bce = F.binary_cross_entropy_with_logits

    return gan_step(generator, discriminator, opt_g, opt_d, bce, real, noise, ones, zeros)


def ours_vae(device: Device, batch: int):
    nf = import_ours(device)
    from nn_from_scratch import nn, optim
    F = nf.functional
    encoder = nn.Sequential(
        nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 2 * LATENT_DIM),
    )
    decoder = nn.Sequential(
        nn.Linear(LATENT_DIM, 64 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
        nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, 1, 4, 2, 1),
    )
    encoder.to(device.torch_device)
    decoder.to(device.torch_device)
    optimizer = optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-3)
    data = make_data(batch)
    images, eps = nf.Tensor(device.array(data["images"])), nf.Tensor(device.array(data["eps"]))

    def step():
        optimizer.zero_grad()
        gaussian = encoder(images)
        mu, logvar = gaussian[:, :LATENT_DIM], gaussian[:, LATENT_DIM:]
        logits = decoder(mu + F.exp(logvar * 0.5) * eps)
        reconstruction = F.binary_cross_entropy_with_logits(logits, images, reduction="sum")
        loss = (reconstruction + F.gaussian_kl(mu, logvar, reduction="sum")) / batch
        loss.backward()
        optimizer.step()
    return step


# --------------------------------------------------------------------------
# PyTorch (eager, float32)
# --------------------------------------------------------------------------


def torch_layer(device: Device, spec, batch: int, threads: int):
    torch = import_torch(device, threads)
    _, kind, c, o, k, s, p, _ = spec
    in_shape, out_shape, _ = layer_shapes(spec, batch)
    rng = numpy.random.default_rng(1)
    layer = (torch.nn.Conv2d if kind == "conv" else torch.nn.ConvTranspose2d)(c, o, k, s, p).to(device.torch_device)
    x = torch.tensor(rng.standard_normal(in_shape, dtype=numpy.float32), device=device.torch_device,
                     requires_grad=True)
    g = torch.tensor(rng.standard_normal(out_shape, dtype=numpy.float32), device=device.torch_device)

    def step():
        layer.zero_grad(set_to_none=True)
        x.grad = None
        layer(x).backward(g)
    return step


def torch_dcgan(device: Device, batch: int, threads: int):
    torch = import_torch(device, threads)
    nn = torch.nn
    generator = nn.Sequential(
        nn.Linear(NOISE_DIM, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Sigmoid(),
    ).to(device.torch_device)
    discriminator = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1),
    ).to(device.torch_device)
    opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    data = {name: torch.from_numpy(value).to(device.torch_device) for name, value in make_data(batch).items()}
    real, noise, ones, zeros = data["images"], data["noise"], data["ones"], data["zeros"]
    bce = torch.nn.functional.binary_cross_entropy_with_logits

    return gan_step(generator, discriminator, opt_g, opt_d, bce, real, noise, ones, zeros)


def torch_vae(device: Device, batch: int, threads: int):
    torch = import_torch(device, threads)
    nn = torch.nn
    encoder = nn.Sequential(
        nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 2 * LATENT_DIM),
    ).to(device.torch_device)
    decoder = nn.Sequential(
        nn.Linear(LATENT_DIM, 64 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
        nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, 1, 4, 2, 1),
    ).to(device.torch_device)
    optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-3)
    data = make_data(batch)
    images = torch.from_numpy(data["images"]).to(device.torch_device)
    eps = torch.from_numpy(data["eps"]).to(device.torch_device)
    bce = torch.nn.functional.binary_cross_entropy_with_logits

    def step():
        optimizer.zero_grad()
        gaussian = encoder(images)
        mu, logvar = gaussian[:, :LATENT_DIM], gaussian[:, LATENT_DIM:]
        logits = decoder(mu + torch.exp(logvar * 0.5) * eps)
        kl = 0.5 * (torch.exp(logvar) + mu * mu - 1 - logvar).sum()
        loss = (bce(logits, images, reduction="sum") + kl) / batch
        loss.backward()
        optimizer.step()
    return step


# --------------------------------------------------------------------------
# DeZero 0.0.13 (NumPy, or CuPy with to_gpu)
# --------------------------------------------------------------------------


def dezero_layer(device: Device, spec, batch: int):
    dezero = import_dezero()
    import dezero.layers as L
    _, kind, c, o, k, s, p, _ = spec
    in_shape, out_shape, _ = layer_shapes(spec, batch)
    rng = numpy.random.default_rng(1)
    layer = (L.Conv2d if kind == "conv" else L.Deconv2d)(o, k, stride=s, pad=p, in_channels=c)
    if device.gpu:
        layer.to_gpu()
    x = dezero.Variable(device.array(rng.standard_normal(in_shape)))
    g = device.array(rng.standard_normal(out_shape))

    def step():
        layer.cleargrads()
        x.cleargrad()
        y = layer(x)
        y.grad = dezero.Variable(g)
        y.backward()
    return step


def dezero_dcgan(device: Device, batch: int):
    dezero = import_dezero()
    import dezero.functions as F
    import dezero.layers as L
    from dezero.models import Sequential
    from dezero.optimizers import Adam

    # DeZero has no Unflatten/Flatten layers or LeakyReLU(0.2) layer: plain functions do it.
    generator = Sequential(
        L.Linear(128 * 7 * 7, in_size=NOISE_DIM), L.BatchNorm(), F.relu,
        lambda h: F.reshape(h, (h.shape[0], 128, 7, 7)),
        L.Deconv2d(64, 4, stride=2, pad=1, in_channels=128), L.BatchNorm(), F.relu,
        L.Deconv2d(1, 4, stride=2, pad=1, in_channels=64), F.sigmoid,
    )
    discriminator = Sequential(
        L.Conv2d(64, 4, stride=2, pad=1, in_channels=1), lambda h: F.leaky_relu(h, 0.2),
        L.Conv2d(128, 4, stride=2, pad=1, in_channels=64), L.BatchNorm(), lambda h: F.leaky_relu(h, 0.2),
        lambda h: F.reshape(h, (h.shape[0], -1)), L.Linear(1, in_size=128 * 7 * 7),
    )
    if device.gpu:
        generator.to_gpu()
        discriminator.to_gpu()
    opt_g = Adam(alpha=2e-4, beta1=0.5, beta2=0.999).setup(generator)
    opt_d = Adam(alpha=2e-4, beta1=0.5, beta2=0.999).setup(discriminator)
    data = {name: device.array(value) for name, value in make_data(batch).items()}
    real, noise, ones, zeros = (dezero.Variable(data[name]) for name in ("images", "noise", "ones", "zeros"))
    bce = F.sigmoid_cross_entropy          # DeZero's BCE on logits: sigmoid, clip, log; mean over the batch

    def step():
        fake = generator(noise)
        discriminator.cleargrads()
        loss_d = bce(discriminator(real), ones) + bce(discriminator(dezero.Variable(fake.data)), zeros)
        loss_d.backward()
        opt_d.update()
        generator.cleargrads()
        loss_g = bce(discriminator(fake), ones)
        loss_g.backward()
        opt_g.update()
    return step


def dezero_vae(device: Device, batch: int):
    dezero = import_dezero()
    import dezero.functions as F
    import dezero.layers as L
    from dezero.models import Sequential
    from dezero.optimizers import Adam

    encoder = Sequential(
        L.Conv2d(32, 4, stride=2, pad=1, in_channels=1), F.relu,
        L.Conv2d(64, 4, stride=2, pad=1, in_channels=32), F.relu,
        lambda h: F.reshape(h, (h.shape[0], -1)), L.Linear(2 * LATENT_DIM, in_size=64 * 7 * 7),
    )
    decoder = Sequential(
        L.Linear(64 * 7 * 7, in_size=LATENT_DIM), F.relu, lambda h: F.reshape(h, (h.shape[0], 64, 7, 7)),
        L.Deconv2d(32, 4, stride=2, pad=1, in_channels=64), F.relu,
        L.Deconv2d(1, 4, stride=2, pad=1, in_channels=32),
    )
    model = dezero.Model()        # one optimizer for both halves
    model.encoder, model.decoder = encoder, decoder
    if device.gpu:
        model.to_gpu()
    optimizer = Adam(alpha=1e-3).setup(model)
    data = make_data(batch)
    images, eps = dezero.Variable(device.array(data["images"])), dezero.Variable(device.array(data["eps"]))

    def step():
        model.cleargrads()
        gaussian = encoder(images)
        mu, logvar = gaussian[:, :LATENT_DIM], gaussian[:, LATENT_DIM:]
        logits = decoder(mu + F.exp(logvar * 0.5) * eps)
        reconstruction = F.sigmoid_cross_entropy(logits, images) * batch     # its mean over N -> the sum
        kl = 0.5 * F.sum(F.exp(logvar) + mu * mu - 1 - logvar)
        loss = (reconstruction + kl) / batch
        loss.backward()
        optimizer.update()
    return step


# --------------------------------------------------------------------------
# Building the steps of each library, timing them interleaved
# --------------------------------------------------------------------------


def build_step(library: str, workload, device: Device, batch: int, threads: int):
    """The step function of ``library`` for ``workload`` ("dcgan", "vae" or a LAYERS entry)."""
    if library == OURS:
        if workload == "dcgan":
            return ours_dcgan(device, batch)
        if workload == "vae":
            return ours_vae(device, batch)
        return ours_layer(device, workload, batch)
    if library == TORCH:
        if workload == "dcgan":
            return torch_dcgan(device, batch, threads)
        if workload == "vae":
            return torch_vae(device, batch, threads)
        return torch_layer(device, workload, batch, threads)
    if workload == "dcgan":
        return dezero_dcgan(device, batch)
    if workload == "vae":
        return dezero_vae(device, batch)
    return dezero_layer(device, workload, batch)


def time_interleaved(steps: dict, device: Device, warmup: int, reps: int, gap: float = 0.0) -> dict:
    """Median seconds per call of each step function, the libraries taking turns.

    After ``warmup`` untimed calls of each, ``reps`` rounds; in each round every library (in an order
    that rotates from round to round) takes one turn: ``gap`` seconds of sleep, one untimed call, then
    the timed call.  The sleep lets the worker threads of the library that ran before go idle
    (OpenBLAS's spin for about 0.1 s after their last task and would compete for the cores); the
    untimed call wakes this library's own threads and caches, so that the timed call runs as in a
    training loop, right after a step of the same library.
    """
    for step in steps.values():
        for _ in range(warmup):
            step()
        device.sync()
    names = list(steps)
    times = {name: [] for name in names}
    for rep in range(reps):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:          # rotate the order every round
            device.sync()
            if gap:
                time.sleep(gap)
            steps[name]()
            device.sync()
            start = time.perf_counter()
            steps[name]()
            device.sync()
            times[name].append(time.perf_counter() - start)
    return {name: {"median_s": statistics.median(t), "min_s": min(t), "reps": len(t)} for name, t in times.items()}


def gemm_rate(device: Device, shape, warmup: int, reps: int) -> dict:
    """Median GFLOP/s of a float32 (m, k) @ (k, n) product with the backend's array library."""
    m, k, n = shape
    rng = numpy.random.default_rng(2)
    a = device.array(rng.standard_normal((m, k)))
    b = device.array(rng.standard_normal((k, n)))
    result = time_interleaved({"gemm": lambda: a @ b}, device, warmup, reps)["gemm"]
    result["gflops"] = 2 * m * k * n / result["median_s"] / 1e9
    result["shape"] = list(shape)
    return result


# --------------------------------------------------------------------------
# Memory: one subprocess per (library, workload)
# --------------------------------------------------------------------------


def read_status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


class CupyPeak:
    """Peak bytes in use in CuPy's default memory pool, followed through a memory hook."""

    def __init__(self):
        import cupy

        class Hook(cupy.cuda.MemoryHook):
            name = "bench_peak"

            def __init__(hook):
                hook.pool, hook.peak = cupy.get_default_memory_pool(), 0

            def malloc_postprocess(hook, **kwargs):        # after the pool handed out a block
                hook.peak = max(hook.peak, hook.pool.used_bytes())

            def free_preprocess(hook, **kwargs):           # before a block goes back: still in use
                hook.peak = max(hook.peak, hook.pool.used_bytes())

        self.hook = Hook()
        self.hook.__enter__()

    def used(self) -> int:
        return self.hook.pool.used_bytes()

    def reset(self) -> None:
        self.hook.peak = self.used()


def apply_malloc_setting(choice: str) -> bool:
    """--malloc keep: glibc keeps freed memory for every library of the process (fast/host_memory.py)."""
    if choice != "keep":
        return False
    from nn_from_scratch.fast import keep_freed_memory
    return keep_freed_memory()


def apply_kernel_set(name: str) -> None:
    """--kernels: nn_from_scratch's kernel set for the whole run ("fast", as the trainers use, or "textbook")."""
    import nn_from_scratch
    nn_from_scratch.kernels.use(name)


def memory_worker(library: str, workload: str, batch: int, backend: str, threads: int, steps: int,
                  malloc: str = "keep", kernels: str = "fast") -> dict:
    """Run in a fresh process: memory of ``steps`` + 1 training steps, as described in the docstring."""
    apply_malloc_setting(malloc)
    apply_kernel_set(kernels)
    device = Device(backend)
    # Warm the library up (thread pools, BLAS buffers) before the baseline, with no training step.
    if library == TORCH:
        torch = import_torch(device, threads)
        a = torch.ones((256, 256), device=device.torch_device)
        (a @ a).sum().item()
    else:
        a = device.array(numpy.ones((256, 256)))
        float((a @ a).sum())
    step = build_step(library, workload, device, batch, threads)
    device.sync()
    gc.collect()
    if device.gpu:
        if library == TORCH:
            torch.cuda.reset_peak_memory_stats()
            used, peak = torch.cuda.memory_allocated, torch.cuda.max_memory_allocated
            reset = torch.cuda.reset_peak_memory_stats
        else:
            tracker = CupyPeak()
            used, peak, reset = tracker.used, (lambda: tracker.hook.peak), tracker.reset
        baseline = used()
        step()
        device.sync()
        after_first, first_peak = used(), peak()
        reset()
        for _ in range(steps):
            step()
        device.sync()
        return {"unit": "device bytes", "baseline_mib": baseline / 2**20,
                "peak_over_baseline_mib": max(first_peak, peak()) / 2**20 - baseline / 2**20,
                "later_peak_over_after_first_mib": (peak() - after_first) / 2**20}
    baseline = read_status_kib("VmRSS")
    step()
    after_first = read_status_kib("VmRSS")
    first_peak = read_status_kib("VmHWM")
    can_reset = reset_peak_rss()
    for _ in range(steps):
        step()
    later_peak = read_status_kib("VmHWM")
    return {"unit": "RSS", "baseline_mib": baseline / 1024,
            "peak_over_baseline_mib": (max(first_peak, later_peak) - baseline) / 1024,
            "later_peak_over_after_first_mib": (later_peak - after_first) / 1024 if can_reset else None}


def measure_memory(library: str, workload: str, batch: int, args) -> dict:
    command = [sys.executable, os.path.abspath(__file__), "--memory-worker", library, workload, str(batch),
               "--backend", args.backend, "--threads", str(args.threads), "--memory-steps", str(args.memory_steps),
               "--malloc", args.malloc, "--kernels", args.kernels]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------
# The run and its Markdown tables
# --------------------------------------------------------------------------


def machine_info(device: Device, threads: int) -> dict:
    info = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "python": platform.python_version(), "numpy": numpy.__version__, "cores": cpu_count(),
            "threads": threads, "backend": device.backend, "cpu": platform.processor() or platform.machine(),
            "load_average_at_start": _load_average()}
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_info
        info["blas"] = [f"{p.get('internal_api')} {p.get('version')} ({p.get('architecture')}, "
                        f"{p.get('num_threads')} threads)" for p in threadpool_info() if p.get("user_api") == "blas"]
    except ImportError:
        info["blas"] = ["threadpoolctl not installed"]
    info["env"] = {name: os.environ[name] for name in sorted(os.environ)
                   if name.startswith(("OPENBLAS", "OMP_", "MKL_", "MALLOC_", "GLIBC_TUNABLES"))}
    if device.gpu:
        import cupy
        info["cupy"] = cupy.__version__
        props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
        info["gpu"] = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
    return info


def _load_average():
    """The 1-minute load average (how busy a shared machine was), or None where unknown."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def ratio(value, reference):
    return value / reference if value is not None and reference else None


def fmt(value, spec: str = ".1f", suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:{spec}}{suffix}"


def library_list(args) -> list:
    return [OURS, TORCH] + ([] if args.skip_dezero else [DEZERO])


def safe_build(library, workload, device, batch, threads, errors: dict):
    """The step function, after one trial call; None (and the error noted) if building or calling fails."""
    try:
        step = build_step(library, workload, device, batch, threads)
        step()
        device.sync()
        return step
    except Exception as error:            # a library that cannot run this (say DeZero on a GPU): n/a
        errors[library] = f"{type(error).__name__}: {error}"
        print(f"  {library}: skipped ({errors[library]})", file=sys.stderr)
        return None


def run_layers(args, device: Device, batch: int, results: dict) -> list:
    libraries = library_list(args)
    rows = []
    for spec in LAYERS:
        _, _, macs = layer_shapes(spec, batch)
        flop = 6 * macs
        errors = {}
        steps = {lib: s for lib in libraries if (s := safe_build(lib, spec, device, batch, args.threads, errors))}
        timing = time_interleaved(steps, device, args.warmup, args.reps, args.gap)
        row = {"layer": spec[0], "batch": batch, "gflop": flop / 1e9, "errors": errors}
        for lib in libraries:
            t = timing.get(lib, {}).get("median_s")
            row[lib] = {"ms": None if t is None else 1e3 * t, "gflops": None if t is None else flop / t / 1e9}
        rows.append(row)
        print(f"  {spec[0]} batch {batch}: " + ", ".join(f"{lib} {fmt(row[lib]['ms'])} ms" for lib in libraries),
              file=sys.stderr)
        del steps
        gc.collect()
    results.setdefault("layers", []).extend(rows)
    return rows


def run_training(args, device: Device, workload: str, batch: int, results: dict) -> dict:
    libraries = library_list(args)
    errors = {}
    steps = {lib: s for lib in libraries if (s := safe_build(lib, workload, device, batch, args.threads, errors))}
    timing = time_interleaved(steps, device, args.warmup, args.reps, args.gap)
    row = {"workload": workload, "batch": batch, "errors": errors}
    for lib in libraries:
        t = timing.get(lib, {}).get("median_s")
        row[lib] = {"ms": None if t is None else 1e3 * t,
                    "min_ms": None if t is None else 1e3 * timing[lib]["min_s"]}
    results.setdefault("training", []).append(row)
    print(f"  {workload} batch {batch}: " + ", ".join(f"{lib} {fmt(row[lib]['ms'])} ms" for lib in libraries),
          file=sys.stderr)
    return row


def table_head(first: list, numbers: list) -> list:
    """Header and rule lines of a Markdown table: ``first`` columns (the first left-aligned), then
    right-aligned ``numbers`` columns."""
    header = "| " + " | ".join(first + numbers) + " |"
    rule = "| --- |" + " ---: |" * (len(first) - 1 + len(numbers))
    return [header, rule]


def markdown(results: dict, args) -> str:
    libraries = library_list(args)
    others = [lib for lib in libraries if lib != TORCH]
    torch_name = "PyTorch CUDA" if args.backend == "cupy" else "PyTorch CPU"
    names = {OURS: "nn_from_scratch", TORCH: torch_name, DEZERO: "DeZero"}
    lines = []
    info = results["machine"]
    lines.append(f"Machine: {info['cpu']}, {info['cores']} cores ({info['threads']} threads for PyTorch); "
                 f"NumPy {info['numpy']}; BLAS: {'; '.join(info['blas'])}"
                 + (f"; GPU {info['gpu']}, CuPy {info['cupy']}" if "gpu" in info else "")
                 + f"; PyTorch {info.get('torch', 'n/a')}; DeZero {info.get('dezero', 'n/a')}"
                 + (f"; environment: {' '.join(f'{k}={v}' for k, v in info['env'].items())}" if info["env"] else "")
                 + (f"; malloc: {info['malloc']}" if "malloc" in info else "")
                 + ".")
    lines.append(f"Date: {info['date']}. Medians of {args.reps} timed calls per library after {args.warmup} warm-up, "
                 f"the libraries taking turns ({args.gap} s pause, one untimed call, one timed call). "
                 f"1-minute load average: {info['load_average_at_start']} at the start, "
                 f"{info.get('load_average_at_end')} at the end ({info['cores']} cores).")
    lines.append("")
    if results.get("gemm"):
        lines.append("| float32 GEMM (array library of the backend) | ms | GFLOP/s |")
        lines.append("| --- | ---: | ---: |")
        for g in results["gemm"]:
            m, k, n = g["shape"]
            lines.append(f"| ({m}x{k}) @ ({k}x{n}) | {1e3 * g['median_s']:.2f} | {g['gflops']:.1f} |")
        lines.append("")
    if results.get("layers"):
        lines += table_head(["layer, forward + backward", "batch", "GFLOP"],
                            [f"{names[lib]} ms (GFLOP/s)" for lib in libraries]
                            + [f"{names[lib]} / PyTorch" for lib in others])
        for row in results["layers"]:
            line = f"| {row['layer']} | {row['batch']} | {row['gflop']:.3f} |"
            for lib in libraries:
                line += f" {fmt(row[lib]['ms'], '.2f')} ({fmt(row[lib]['gflops'], '.1f')}) |"
            for lib in others:
                line += f" {fmt(ratio(row[lib]['ms'], row[TORCH]['ms']), '.2f', 'x')} |"
            lines.append(line)
        lines.append("")
    if results.get("training"):
        lines += table_head(["training step", "batch"],
                            [f"{names[lib]} ms" for lib in libraries]
                            + [f"{names[lib]} / PyTorch" for lib in others]
                            + (["DeZero / nn_from_scratch"] if DEZERO in libraries else []))
        for row in results["training"]:
            line = f"| {row['workload']} | {row['batch']} |"
            for lib in libraries:
                line += f" {fmt(row[lib]['ms'])} |"
            for lib in others:
                line += f" {fmt(ratio(row[lib]['ms'], row[TORCH]['ms']), '.2f', 'x')} |"
            if DEZERO in libraries:
                line += f" {fmt(ratio(row[DEZERO]['ms'], row[OURS]['ms']), '.2f', 'x')} |"
            lines.append(line)
        lines.append("")
    if results.get("memory"):
        unit = "device memory" if args.backend == "cupy" else "RSS"
        lines += table_head([f"peak {unit} of a training step, MiB: first / later steps", "batch"],
                            [names[lib] for lib in libraries] + [f"{names[lib]} / PyTorch" for lib in others])
        for row in results["memory"]:
            line = f"| {row['workload']} | {row['batch']} |"
            for lib in libraries:
                m = row[lib]
                if "error" in m:
                    line += " n/a |"
                else:
                    line += f" {m['peak_over_baseline_mib']:.1f} / {fmt(m['later_peak_over_after_first_mib'])} |"
            for lib in others:
                mine, ref = row[lib].get("peak_over_baseline_mib"), row[TORCH].get("peak_over_baseline_mib")
                line += f" {fmt(ratio(mine, ref), '.2f', 'x')} |"
            lines.append(line)
        lines.append("")
        lines.append(f"first = peak {unit} during the first step and {args.memory_steps} more, over the {unit} "
                     "before the first step (library warmed up, model, optimizer and data built); later = peak of "
                     f"the {args.memory_steps} later steps over the {unit} after the first step.")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("numpy", "cupy"), default="numpy",
                        help="numpy: compare with PyTorch CPU; cupy: with PyTorch CUDA (default numpy)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=None,
                        help="batch sizes to run every section at (default: 64 for layers and dcgan, 128 for vae)")
    parser.add_argument("--reps", type=int, default=20, help="timed repetitions per library (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed repetitions first (default 3)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS),
                        help="sections to run (default all)")
    parser.add_argument("--gap", type=float, default=0.2,
                        help="seconds of sleep before each library's turn, so that the previous library's worker "
                             "threads stop spinning (default 0.2)")
    parser.add_argument("--skip-dezero", action="store_true", help="leave DeZero out")
    parser.add_argument("--json", metavar="PATH", help="also write every number to this JSON file")
    parser.add_argument("--threads", type=int, default=cpu_count(),
                        help="torch.set_num_threads (default: the number of cores)")
    parser.add_argument("--memory-steps", type=int, default=3, help="steps after the first in a memory run")
    parser.add_argument("--malloc", choices=("keep", "default"), default="keep",
                        help="keep: call nn_from_scratch.fast.keep_freed_memory() first, as the library's trainers do "
                             "(glibc keeps freed memory: no page faults per step; it applies to the whole process, "
                             "hence to all three libraries); default: glibc's own settings")
    parser.add_argument("--kernels", choices=("fast", "textbook"), default="fast",
                        help="nn_from_scratch's kernel set (default fast, as its trainers use; textbook: the code "
                             "students read, see nn_from_scratch/kernels.py)")
    parser.add_argument("--memory-worker", nargs=3, metavar=("LIBRARY", "WORKLOAD", "BATCH"),
                        help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.memory_worker:
        library, workload, batch = args.memory_worker
        print(json.dumps(memory_worker(library, workload, int(batch), args.backend, args.threads,
                                       args.memory_steps, args.malloc, args.kernels)))
        return 0
    kept = apply_malloc_setting(args.malloc)
    apply_kernel_set(args.kernels)
    device = Device(args.backend)
    torch = import_torch(device, args.threads)
    results = {"machine": machine_info(device, args.threads), "args": vars(args)}
    results["machine"]["torch"] = torch.__version__
    results["machine"]["malloc"] = ("glibc keeps freed memory (nn_from_scratch.fast.keep_freed_memory)" if kept
                                    else "glibc defaults")
    results["machine"]["kernels"] = args.kernels
    if not args.skip_dezero:
        results["machine"]["dezero"] = getattr(import_dezero(), "__version__", DEZERO_VERSION)
    if torch.__version__.split("+")[0] != TORCH_VERSION:
        print(f"warning: PyTorch {torch.__version__}, the numbers in BENCHMARKS.md are for {TORCH_VERSION}",
              file=sys.stderr)

    def batches(section):
        return args.batch_sizes or [DEFAULT_BATCH[section]]

    if "layers" in args.only:
        print("layers ...", file=sys.stderr)
        results["gemm"] = [gemm_rate(device, (1024, 1024, 1024), args.warmup, args.reps)]
        for batch in batches("layers"):
            # the GEMM of Conv2d(64,128,4,2,1)'s forward: (N*7*7, 64*4*4) @ (64*4*4, 128)
            results["gemm"].append(gemm_rate(device, (batch * 49, 1024, 128), args.warmup, args.reps))
            run_layers(args, device, batch, results)
    for workload in ("dcgan", "vae"):
        if workload in args.only:
            print(f"{workload} ...", file=sys.stderr)
            for batch in batches(workload):
                run_training(args, device, workload, batch, results)
    if "memory" in args.only:
        print("memory ...", file=sys.stderr)
        for workload in ("dcgan", "vae"):
            for batch in batches(workload):
                row = {"workload": workload, "batch": batch}
                for library in library_list(args):
                    row[library] = measure_memory(library, workload, batch, args)
                results.setdefault("memory", []).append(row)
                print(f"  {workload} batch {batch}: {row}", file=sys.stderr)
    results["machine"]["load_average_at_end"] = _load_average()
    table = markdown(results, args)
    results["markdown"] = table
    print(table)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
