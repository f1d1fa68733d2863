"""Train the library's DCGAN on several processes with PyTorch's DistributedDataParallel (DDP).

    torchrun --standalone --nproc_per_node=2 examples/ddp_gan.py --steps 200 --data-dir DIR --out runs/ddp-gan
    # on 2 machines with 8 GPUs each (run on both, --node_rank 0 and 1; HOST is machine 0):
    torchrun --nnodes=2 --node_rank=0 --nproc_per_node=8 --master_addr=HOST --master_port=29500 \\
        examples/ddp_gan.py --steps 2000 --data-dir DIR

torchrun starts ``--nproc_per_node`` copies of this script and tells each its
rank (0 .. W-1, W processes in all) through environment variables.  Each process:

1. builds the library's Generator and Discriminator with the same seed and converts them with
   :func:`nn_from_scratch.interop.to_torch`: the model is the one of ``nn_from_scratch/models/gan.py``,
   not a second definition;
2. makes every BatchNorm synchronised (:class:`AllReduceBatchNorm`, below);
3. wraps both in ``DistributedDataParallel``, which averages the gradients of all processes after
   each backward, so every process makes the same Adam update and the weights stay identical;
4. reads its share of the data: ``DistributedSampler`` shuffles the training images with a seed
   shared by all processes and gives process r the positions r, r + W, r + 2W...; a step takes
   ``--batch-size / W`` images on each process, so the **global batch** is ``--batch-size``;
5. runs GANTrainer's step (``nn_from_scratch/training/gan_trainer.py``): D on real images and on
   detached fakes, then G through the updated D with the non-saturating loss.

The gradients travel with gloo on CPUs and NCCL on GPUs (one GPU per process).  At the end every
process compares each of its parameters and buffers with process 0's, bit for bit, and the script
exits with code 1 if any differs.

**Why the first step's loss equals the library's single-process step.**  With DDP, each process
computes its forward pass on its own B/W images.  For most layers that changes nothing: the loss
is a mean over images, and DDP averages the gradients of the W equal-sized halves, which is the
gradient of the mean over the global batch.  BatchNorm is the exception: it normalises with the
mean and variance of *its* batch, so W processes would each normalise with the statistics of their
B/W images, a different function from the single-process model (and noisier).  Here each
BatchNorm adds up its per-channel sums over all processes first (:class:`AllReduceBatchNorm`, an
``all_reduce`` that autograd differentiates through), so every process normalises with the
statistics of the whole global batch, exactly as ``GANTrainer.train_step`` does on one process,
and the backward pass carries the gradient through those shared statistics too
(:class:`SumOverProcesses`).  The noise is
drawn as the trainer draws it (one (B, latent_dim) draw per step from ``[seed, 2]``) and process r
takes rows r*B/W .. (r+1)*B/W - 1.  So with ``--seed s`` the first step's discriminator loss equals
that of ``GANTrainer`` (seed s) given the same B images, up to float32 rounding, and
``tests/test_ddp_example.py`` checks it.  (``torch.nn.SyncBatchNorm`` does the same with fused
GPU kernels but refuses CPU tensors; :class:`AllReduceBatchNorm`, a BatchNorm written with
PyTorch's ops and one ``all_reduce`` per statistic, runs on both.)

``--log-file FILE.jsonl`` writes one line per step with the global losses and the dataset indices each
process used; ``--out DIR`` saves the trained models in the library's own format (``Module.save``:
the PyTorch state-dict keys are the library's) and a grid of samples drawn with the library.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

REPO_ROOT = Path(__file__).resolve().parents[1]
if (REPO_ROOT / "nn_from_scratch").is_dir() and str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))         # run from a checkout without installing it

from nn_from_scratch import interop, nn, viz  # noqa: E402
from nn_from_scratch.data import DATASET_NAMES, load_dataset  # noqa: E402
from nn_from_scratch.models import Discriminator, Generator  # noqa: E402
from nn_from_scratch.tensor import Tensor, no_grad  # noqa: E402
from nn_from_scratch.training.gan_trainer import GAN_BETAS  # noqa: E402


class SumOverProcesses(torch.autograd.Function):
    """y = the sum of x over all processes (an ``all_reduce``);  dL/dx = the sum of dL/dy over all processes.

    Every process gets the same y, and each process's loss depends on it, so the gradient reaching x
    on one process is the sum of the gradients of all processes' losses.
    """

    @staticmethod
    def forward(context, x: torch.Tensor, group) -> torch.Tensor:
        context.group = group
        y = x.clone()
        dist.all_reduce(y, group=group)
        return y

    @staticmethod
    def backward(context, grad_y: torch.Tensor) -> tuple:
        grad_x = grad_y.clone()
        dist.all_reduce(grad_x, group=context.group)
        return grad_x, None


class AllReduceBatchNorm(_BatchNorm):
    """BatchNorm with the statistics of the global batch: each process's per-channel sums are added up
    over all processes (:class:`SumOverProcesses`) before they are divided by the global count m:

        mean = sum over processes of sum(x) / m
        var  = sum over processes of sum((x - mean)**2) / m      (biased, as BatchNorm normalises)
        y    = weight * (x - mean) / sqrt(var + eps) + bias

    Autograd differentiates through the two sums, so each process gets the gradient of the global
    loss through the shared statistics.  The running
    averages are updated with the global statistics (the unbiased variance var * m / (m - 1)),
    hence identically on every process.  Parameters and buffers are those of BatchNorm (same
    state-dict keys).  In eval mode it is a plain BatchNorm with the running averages.
    """

    def __init__(self, num_features: int, eps: float, momentum: float | None, affine: bool, track_running_stats: bool,
                 bias: bool, process_group):
        optional = {} if bias else {"bias": False}        # older PyTorch (2.11) has no bias= for BatchNorm
        super().__init__(num_features, eps, momentum, affine, track_running_stats, **optional)
        self.process_group = process_group

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training and self.running_mean is not None:
            return torch.nn.functional.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                                                  False, 0.0, self.eps)
        axes = [0, *range(2, x.dim())]                     # every axis but the channels
        shape = [1, -1] + [1] * (x.dim() - 2)              # a (C,) vector broadcast against x
        count = x.numel() // x.shape[1] * dist.get_world_size(self.process_group)
        mean = SumOverProcesses.apply(x.sum(axes), self.process_group) / count
        centered = x - mean.view(shape)
        var = SumOverProcesses.apply((centered * centered).sum(axes), self.process_group) / count
        y = centered * torch.rsqrt(var + self.eps).view(shape)
        if self.weight is not None:
            y = y * self.weight.view(shape)
        if self.bias is not None:
            y = y + self.bias.view(shape)
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked += 1
                momentum = 1.0 / int(self.num_batches_tracked) if self.momentum is None else self.momentum
                self.running_mean.mul_(1 - momentum).add_(momentum * mean)
                self.running_var.mul_(1 - momentum).add_(momentum * count / (count - 1) * var)
        return y


def synchronise_batch_norms(module: torch.nn.Module, group) -> torch.nn.Module:
    """Replace, in place, every BatchNorm1d/2d below ``module`` by an :class:`AllReduceBatchNorm`
    with the same parameters, buffers (the same tensors) and mode; returns ``module``."""
    for name, child in module.named_children():
        if isinstance(child, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            with torch.device("meta"):                     # empty: the tensors of ``child`` are put in next
                synchronised = AllReduceBatchNorm(child.num_features, child.eps, child.momentum, child.affine,
                                                  child.track_running_stats,
                                                  bias=child.bias is not None or not child.affine, process_group=group)
            synchronised.load_state_dict(child.state_dict(), assign=True)
            synchronised.train(child.training)
            setattr(module, name, synchronised)
        else:
            synchronise_batch_norms(child, group)
    return module


class DiscriminatorLoss(torch.nn.Module):
    """L_D = BCE(D(real), 1) + BCE(D(fake), 0) in one forward pass.

    DDP expects one forward per backward; D runs twice for its loss (real, then fake, each with its
    own BatchNorm statistics, as in the library's trainer), so both calls live in this one module.
    """

    def __init__(self, discriminator: torch.nn.Module):
        super().__init__()
        self.discriminator = discriminator

    def forward(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        real_logits, fake_logits = self.discriminator(real), self.discriminator(fake)
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        return bce(real_logits, torch.ones_like(real_logits)) + bce(fake_logits, torch.zeros_like(fake_logits))


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     epilog="Start it with torchrun (see the top of this file).")
    parser.add_argument("--steps", type=int, default=200, help="training steps (default 200)")
    parser.add_argument("--batch-size", type=int, default=64,
                        help="global batch: images per step over all processes (default 64, the DCGAN one)")
    parser.add_argument("--dataset", choices=DATASET_NAMES, default="mnist")
    parser.add_argument("--data-dir", default=None, help="folder with the dataset's IDX files (default: search)")
    parser.add_argument("--no-download", dest="download", action="store_false", help="never download")
    parser.add_argument("--lr", type=float, default=2e-4, help="Adam's learning rate (default 2e-4)")
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights, data order and noise")
    parser.add_argument("--log-file", default=None, help="JSON-lines file: losses and data indices of every step")
    parser.add_argument("--out", default=None, help="folder for generator.npz, discriminator.npz, samples.png")
    parser.add_argument("--print-every", type=int, default=10)
    return parser.parse_args(argv)


def load_images(args, rank: int, device) -> TensorDataset:
    """(images uint8 (N, 28, 28), labels, indices) of the training set.

    Process 0 reads it first (downloading it if needed), then tells the others whether that worked:
    they read the same files, or all stop with process 0's error instead of waiting for it forever.
    """
    dataset, problem = None, ""
    if rank == 0:
        try:
            dataset = load_dataset(args.dataset, args.data_dir, train=True, download=args.download)
        except Exception as error:          # any failure must reach the other processes
            problem = " ".join(str(error).split()) or type(error).__name__
    failed = torch.tensor([int(bool(problem))], device=device)
    dist.broadcast(failed, src=0)
    if int(failed):
        raise SystemExit(f"ddp_gan.py: process 0 could not load the data{': ' + problem if problem else ''}")
    if dataset is None:
        dataset = load_dataset(args.dataset, args.data_dir, train=True, download=False, progress=False)
    return TensorDataset(torch.from_numpy(dataset.images), torch.from_numpy(dataset.labels.astype(np.int64)),
                         torch.arange(len(dataset.images)))


def identical_on_every_process(modules: dict) -> list:
    """Names of the parameters and buffers that differ, bit for bit, from process 0's (empty if none)."""
    differing = []
    for model_name, module in modules.items():
        for name, tensor in module.state_dict().items():
            reference = tensor.clone()
            dist.broadcast(reference, src=0)
            if not torch.equal(reference, tensor):
                differing.append(f"{model_name}.{name}")
    return differing


def main(argv=None) -> int:
    args = parse_arguments(argv)
    use_cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if use_cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    if args.batch_size % world:
        raise SystemExit(f"ddp_gan.py: --batch-size {args.batch_size} must be a multiple of the {world} processes")
    local_batch = args.batch_size // world
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if use_cuda else "cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    batch_norm_group = dist.new_group()        # the BatchNorm statistics travel apart from DDP's gradients

    # 1-3. The library's models (built as GANTrainer builds them), in PyTorch, synchronised, wrapped.
    nn.init.manual_seed(args.seed)
    library_models = {"generator": Generator(args.latent_dim), "discriminator": Discriminator()}
    generator = synchronise_batch_norms(interop.to_torch(library_models["generator"], device), batch_norm_group)
    discriminator = synchronise_batch_norms(interop.to_torch(library_models["discriminator"], device),
                                            batch_norm_group)
    device_ids = [device.index] if use_cuda else None
    g_ddp = DistributedDataParallel(generator, device_ids=device_ids)
    d_ddp = DistributedDataParallel(DiscriminatorLoss(discriminator), device_ids=device_ids)
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=args.lr, betas=GAN_BETAS)
    d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=args.lr, betas=GAN_BETAS)

    # 4. Each process's share of every epoch.
    dataset = load_images(args, rank, device)
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=args.seed, drop_last=True)
    loader = DataLoader(dataset, batch_size=local_batch, sampler=sampler, drop_last=True)
    if len(loader) == 0:
        raise SystemExit(f"ddp_gan.py: {len(dataset)} images are fewer than one global batch of {args.batch_size}")
    noise_rng = np.random.default_rng([args.seed, 2])      # = GANTrainer's noise generator
    my_rows = slice(rank * local_batch, (rank + 1) * local_batch)
    log = open(args.log_file, "w") if args.log_file and rank == 0 else None
    if rank == 0:
        print(f"ddp_gan.py: {world} processes ({'NCCL, GPUs' if use_cuda else 'gloo, CPUs'}), global batch "
              f"{args.batch_size} ({local_batch} per process), {len(dataset)} images, {args.steps} steps", flush=True)

    step, epoch, started = 0, 0, time.perf_counter()
    while step < args.steps:
        sampler.set_epoch(epoch)                           # a new shared order each epoch
        for images, _, indices in loader:
            if step == args.steps:
                break
            step += 1
            real = (images.to(torch.float32) / 255).unsqueeze(1).to(device)       # (b, 1, 28, 28) in [0, 1]
            noise = torch.from_numpy(noise_rng.standard_normal((args.batch_size, args.latent_dim),
                                                               dtype=np.float32)[my_rows]).to(device)
            fake = torch.sigmoid(g_ddp(noise))

            # 5a. Discriminator: real -> 1, fake -> 0 (the fakes detached: no gradient into G).
            d_loss = d_ddp(real, fake.detach())
            d_optimizer.zero_grad()
            d_loss.backward()                              # DDP averages D's gradients over the processes
            d_optimizer.step()

            # 5b. Generator through the updated, frozen D (called directly: DDP has nothing to average for D).
            discriminator.requires_grad_(False)
            logits = discriminator(fake)
            g_loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
            g_optimizer.zero_grad()
            g_loss.backward()                              # DDP averages G's gradients
            g_optimizer.step()
            discriminator.requires_grad_(True)

            losses = torch.stack([d_loss.detach(), g_loss.detach()])
            dist.all_reduce(losses)                        # means over the global batch (equal shares)
            d_mean, g_mean = (losses / world).tolist()
            indices = indices.to(device)                   # NCCL moves GPU tensors only
            every_index = [torch.empty_like(indices) for _ in range(world)]
            dist.all_gather(every_index, indices)
            if log is not None:
                log.write(json.dumps({"step": step, "d_loss": d_mean, "g_loss": g_mean,
                                      "indices": [part.tolist() for part in every_index]}) + "\n")
            if rank == 0 and (step % args.print_every == 0 or step in (1, args.steps)):
                print(f"step {step:5d}/{args.steps}  d_loss {d_mean:.4f}  g_loss {g_mean:.4f}  "
                      f"({time.perf_counter() - started:.1f} s)", flush=True)
        epoch += 1
    if log is not None:
        log.close()

    # 6. Every process must hold the same weights.
    differing = identical_on_every_process({"generator": generator, "discriminator": discriminator})
    count = torch.tensor([len(differing)], device=device)
    dist.all_reduce(count, op=dist.ReduceOp.MAX)
    if differing:
        print(f"process {rank}: {len(differing)} tensors differ from process 0's, e.g. {differing[:3]}",
              file=sys.stderr, flush=True)
    elif rank == 0 and int(count) == 0:
        tensors = len(generator.state_dict()) + len(discriminator.state_dict())
        print(f"ranks agree: the {tensors} parameters and buffers are identical on all {world} processes", flush=True)

    if args.out and rank == 0 and int(count) == 0:
        save_in_library_format(library_models, {"generator": generator, "discriminator": discriminator}, args)
    dist.destroy_process_group()
    return 1 if int(count) else 0


def save_in_library_format(library_models: dict, trained: dict, args) -> None:
    """Load the trained PyTorch weights into the library's models (same keys), save them, draw samples with them."""
    out = Path(args.out)
    for name, model in library_models.items():
        model.load_state_dict({key: value.cpu().numpy() for key, value in trained[name].state_dict().items()})
        model.save(out / f"{name}.npz")
    generator = library_models["generator"].eval()
    noise = np.random.default_rng([args.seed, 3]).standard_normal((64, args.latent_dim), dtype=np.float32)
    with no_grad():
        images = generator.sample(Tensor(noise)).numpy()
    viz.image_grid(images, nrow=8, path=out / "samples.png", title=f"DDP-trained generator, {args.steps} steps")
    print(f"saved {out / 'generator.npz'}, {out / 'discriminator.npz'} and {out / 'samples.png'}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
