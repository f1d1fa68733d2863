"""Reading and writing the IDX file format used by MNIST and Fashion-MNIST.

An IDX file is a tiny header followed by the raw array data:

=========  ============================================================
bytes      meaning
=========  ============================================================
0-1        magic number: always two zero bytes
2          type of the data, e.g. ``0x08`` for unsigned bytes
3          number of dimensions ``ndim``
4 ...      ``ndim`` sizes, each a big-endian unsigned 32-bit integer
then       the data, in C order, big-endian
=========  ============================================================

The MNIST files are distributed gzip-compressed (``*.gz``). :func:`read_idx`
recognises compressed files by their content (gzip files start with the
bytes ``1f 8b``), so both compressed and raw files can be read.

Every problem found while reading raises :class:`IDXError` with a one-line
message that names the file, says what is wrong and what to do about it.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

__all__ = ["IDXError", "read_idx", "write_idx"]

# Type code (third byte of the header) -> NumPy dtype of the stored values.
# IDX data is big-endian, hence the ">" in the multi-byte types.
IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

GZIP_MAGIC = b"\x1f\x8b"
ADVICE = "delete it and download again"


class IDXError(ValueError):
    """Raised when a file is not a valid IDX file (corrupt, truncated, ...)."""


def _read_bytes(path: Path) -> bytes:
    """Return the (decompressed, if gzip) content of ``path``."""
    raw = path.read_bytes()
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        # BadGzipFile is an OSError; a cut-off stream raises EOFError.
        reason = str(exc).rstrip(".") or type(exc).__name__
        raise IDXError(
            f"{path}: the gzip data is corrupt or truncated ({reason}); {ADVICE}"
        ) from exc


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (raw or gzip-compressed) into a NumPy array.

    Args:
        path: the file to read, e.g. ``"train-images-idx3-ubyte.gz"``.

    Returns:
        A new, writable array in native byte order, with the shape and dtype
        stored in the file (``uint8`` for MNIST images and labels).

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        IDXError: if the content is not a valid IDX file.
    """
    path = Path(path)
    content = _read_bytes(path)

    if len(content) < 4:
        raise IDXError(
            f"{path}: the file is {len(content)} bytes long, too short for an IDX "
            f"header (at least 4 bytes); {ADVICE}"
        )
    if content[0:2] != b"\x00\x00":
        raise IDXError(
            f"{path}: wrong magic number (the first two bytes are "
            f"{content[0]:#04x} {content[1]:#04x}, expected 0x00 0x00), so this is "
            f"not an IDX file (an HTML error page saved by mistake?); {ADVICE}"
        )

    type_code = content[2]
    if type_code not in IDX_DTYPES:
        known = ", ".join(f"{code:#04x}" for code in IDX_DTYPES)
        raise IDXError(
            f"{path}: unknown IDX data type code {type_code:#04x} (known: {known}); "
            f"the file is corrupt; {ADVICE}"
        )
    dtype = IDX_DTYPES[type_code]

    ndim = content[3]
    if ndim == 0:
        raise IDXError(f"{path}: the IDX header declares 0 dimensions; {ADVICE}")
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise IDXError(
            f"{path}: the header declares {ndim} dimensions but the file ends after "
            f"{len(content)} bytes — the file is truncated; {ADVICE}"
        )
    shape = tuple(int(size) for size in np.frombuffer(content, ">u4", ndim, offset=4))

    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(content) - header_size
    if found < expected:
        raise IDXError(
            f"{path}: expected {expected} bytes of data for shape {shape}, found "
            f"{found} — the file is truncated; {ADVICE}"
        )
    if found > expected:
        raise IDXError(
            f"{path}: expected {expected} bytes of data for shape {shape}, found "
            f"{found} — the file has {found - expected} trailing bytes and is corrupt; "
            f"{ADVICE}"
        )

    data = np.frombuffer(
        content, dtype, count=expected // dtype.itemsize, offset=header_size
    )
    # astype copies: the result is writable and in the machine's byte order.
    return data.reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike, array: np.ndarray) -> Path:
    """Write ``array`` to ``path`` in IDX format (gzip-compressed if it ends in .gz).

    Args:
        path: destination file; a name ending in ``.gz`` gives a compressed file.
        array: an array of at least one dimension whose dtype is one of
            uint8, int8, int16, int32, float32 or float64.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    array = np.asarray(array)
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(
            f"write_idx: arrays must have 1 to 255 dimensions, got {array.ndim}"
        )
    if any(size >= 2**32 for size in array.shape):
        raise ValueError(
            f"write_idx: every dimension must be < 2**32, got shape {array.shape}"
        )

    type_code = None
    for code, dtype in IDX_DTYPES.items():
        if dtype.newbyteorder("=") == array.dtype.newbyteorder("="):
            type_code = code
    if type_code is None:
        supported = ", ".join(
            str(dtype.newbyteorder("=")) for dtype in IDX_DTYPES.values()
        )
        raise ValueError(
            f"write_idx: dtype {array.dtype} cannot be stored in IDX ({supported})"
        )

    header = (
        bytes([0, 0, type_code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    )
    data = np.ascontiguousarray(array, dtype=IDX_DTYPES[type_code]).tobytes()

    if path.name.endswith(".gz"):
        # mtime=0 makes the output byte-for-byte reproducible.
        with gzip.GzipFile(path, "wb", mtime=0) as file:
            file.write(header + data)
    else:
        path.write_bytes(header + data)
    return path
