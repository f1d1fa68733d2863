"""Shape layers: Flatten, Unflatten and Upsample (no parameters; only the layout or size of the data changes)."""

from __future__ import annotations

import math

from .. import functional as F
from .module import Module


class Flatten(Module):
    """Merge the axes start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W) with the defaults."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x):
        start = self.start_dim + x.ndim if self.start_dim < 0 else self.start_dim
        end = self.end_dim + x.ndim if self.end_dim < 0 else self.end_dim
        if not 0 <= start <= end < x.ndim:
            raise ValueError(f"{self!r}: expected input with at least {max(start, end) + 1} dimensions "
                             f"(start_dim <= end_dim), got {tuple(x.shape)}")
        return F.flatten(x, start, end)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split axis ``dim`` into ``unflattened_size``: Unflatten(1, (64, 7, 7)) turns (N, 3136) into (N, 64, 7, 7).

    One entry of ``unflattened_size`` may be -1 (inferred from the others).
    """

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        self.dim, self.unflattened_size = int(dim), tuple(int(size) for size in unflattened_size)
        if sum(size == -1 for size in self.unflattened_size) > 1:
            raise ValueError(f"Unflatten: at most one size may be -1, got {self.unflattened_size}")

    def forward(self, x):
        dim = self.dim + x.ndim if self.dim < 0 else self.dim
        known = math.prod(size for size in self.unflattened_size if size != -1)
        if not 0 <= dim < x.ndim:
            fits = False
        elif -1 in self.unflattened_size:
            fits = known > 0 and x.shape[dim] % known == 0
        else:
            fits = x.shape[dim] == known
        if not fits:
            size = f"a multiple of {known}" if -1 in self.unflattened_size else str(known)
            raise ValueError(f"{self!r}: expected input with size {size} at dim {self.dim}, got {tuple(x.shape)}")
        return F.reshape(x, x.shape[:dim] + self.unflattened_size + x.shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Upsample(Module):
    """Nearest-neighbour upsampling of (N, C, H, W) by an integer factor: (N, C, H*s, W*s).

    Upsample(scale_factor=2) followed by a stride-1 Conv2d (a "resize-convolution") is an
    alternative to a stride-2 ConvTranspose2d.  Only mode="nearest" and integer factors are
    implemented.
    """

    def __init__(self, scale_factor=2, mode: str = "nearest"):
        super().__init__()
        if mode != "nearest":
            raise ValueError(f"Upsample: only mode='nearest' is implemented, got mode={mode!r}")
        if isinstance(scale_factor, bool) or float(scale_factor) != int(scale_factor) or int(scale_factor) < 1:
            raise ValueError(f"Upsample: scale_factor must be a positive integer, got {scale_factor!r}")
        self.scale_factor, self.mode = int(scale_factor), mode

    def forward(self, x):
        if x.ndim != 4:
            raise ValueError(f"{self!r}: expected input of shape (N, C, H, W), got {tuple(x.shape)}")
        return F.upsample_nearest(x, self.scale_factor)

    def extra_repr(self) -> str:
        return f"scale_factor={float(self.scale_factor)}, mode={self.mode!r}"       # as torch.nn.Upsample
