"""Per-channel sums, the reduction that bias gradients and batch normalisation need.

A bias gradient is the output gradient summed over every pixel of every
image, one sum per channel; batch normalisation sums its input (for the
mean and the variance) and its gradient the same way.  Written as a
matrix, with one row per pixel and one column per channel, that is the sum
of the rows of an (N*H*W, C) matrix: ``rows.sum(axis=0)``.

NumPy runs that sum as N*H*W additions of a row of C numbers, one after
another, on one core.  The same sum is the matrix-vector product
``ones(N*H*W) @ rows``, which BLAS runs on every core, reading the matrix
once: several times faster for the tall, narrow matrices of a convolutional
network (BENCHMARKS.md, "What was changed for speed"), and no less accurate,
since BLAS adds in blocks rather than in one long running sum.
"""

from __future__ import annotations

from ..backend import array_module


def column_sums(matrix):
    """Sum of the rows of a 2-D array, (R, C) -> (C,): ``matrix.sum(axis=0)`` as ``ones(R) @ matrix``."""
    xp = array_module(matrix)
    return xp.ones(matrix.shape[0], dtype=matrix.dtype) @ matrix


def channel_sums(x):
    """Sum over every axis but axis 1, (N, C) or (N, C, ...) -> (C,): ``x.sum(axis=(0, 2, 3, ...))``.

    When x is channels-last in memory (as the convolutions of this library
    return their images) its pixels are the rows of a (N*H*W, C) matrix
    without a copy, and :func:`column_sums` adds them.  Otherwise NumPy's own
    reduction runs (for an (N, C, H, W)-contiguous x it adds contiguous runs
    of H*W numbers, which is already fast).
    """
    xp = array_module(x)
    channels = x.shape[1]
    if x.ndim == 2:
        return column_sums(x)
    channels_last = xp.moveaxis(x, 1, -1)                # (N, H, W, C): a view
    if channels_last.flags.c_contiguous:
        return column_sums(channels_last.reshape(-1, channels))
    return x.sum(axis=(0,) + tuple(range(2, x.ndim)))
