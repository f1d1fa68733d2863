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
import math
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
# Deflate, gzip's compression, cannot expand data more than about 1032 times, so a
# gzip file of n bytes holds at most 1032 n bytes: a header declaring more lies.
MAX_GZIP_RATIO = 1032
CHUNK_SIZE = 1 << 20


class IDXError(ValueError):
    """Raised when a file is not a valid IDX file (corrupt, truncated, ...)."""


def _open_content(path: Path, file):
    """(stream of the file's content, most bytes the content can have): gunzipped if it is gzip."""
    size = os.fstat(file.fileno()).st_size
    is_gzip = file.read(2) == GZIP_MAGIC
    file.seek(0)
    if is_gzip:
        return gzip.GzipFile(fileobj=file, mode="rb"), size * MAX_GZIP_RATIO, True
    return file, size, False


def _read_up_to(stream, count: int) -> bytes:
    """At most ``count`` bytes of ``stream`` (fewer only at its end)."""
    parts, remaining = [], count
    while remaining > 0:
        part = stream.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _count_rest(stream) -> int:
    """The number of bytes left in ``stream``, read a chunk at a time (never all at once)."""
    total = 0
    while True:
        part = stream.read(CHUNK_SIZE)
        if not part:
            return total
        total += len(part)


def read_idx(path: str | os.PathLike, max_bytes: int | None = None) -> np.ndarray:
    """Read an IDX file (raw or gzip-compressed) into a NumPy array.

    The header is read first and its declared size checked against what the
    file can hold (its size, or 1032 times it for gzip, deflate's largest
    expansion) and against ``max_bytes``, before any memory is spent on the
    data; the data is then read a chunk at a time into its array.  So a gzip
    bomb or a header that lies about the sizes costs no more memory than the
    data it declares, and a lying header is refused at once.

    Args:
        path: the file to read, e.g. ``"train-images-idx3-ubyte.gz"``.
        max_bytes: refuse files declaring more data than this (None: no limit beyond the file's capacity).

    Returns:
        A new, writable array in native byte order, with the shape and dtype
        stored in the file (``uint8`` for MNIST images and labels).

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        IDXError: if the content is not a valid IDX file, or cannot be read.
    """
    path = Path(path)
    if path.is_dir():
        raise IDXError(f"{path} is a folder, not an IDX file; point at the folder that holds the IDX files")
    try:
        with open(path, "rb") as file:
            stream, capacity, is_gzip = _open_content(path, file)
            return _read_idx_content(path, stream, capacity, is_gzip, max_bytes)
    except PermissionError as exc:
        raise IDXError(f"{path}: cannot read it ({exc.strerror}); check its permissions "
                       f"(e.g. chmod a+r {path})") from exc
    except FileNotFoundError:
        raise
    except (OSError, EOFError, zlib.error) as exc:
        # BadGzipFile is an OSError; a cut-off stream raises EOFError.
        reason = str(exc).rstrip(".") or type(exc).__name__
        raise IDXError(
            f"{path}: the gzip data is corrupt or truncated ({reason}); {ADVICE}"
            if is_gzip_file(path) else f"{path}: cannot read it ({reason}); {ADVICE}"
        ) from exc


def is_gzip_file(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(2) == GZIP_MAGIC


def _read_idx_content(path: Path, stream, capacity: int, is_gzip: bool, max_bytes: int | None) -> np.ndarray:
    """Parse the header of ``stream``, check the declared size, read the data."""
    start = _read_up_to(stream, 4)
    if len(start) < 4:
        raise IDXError(
            f"{path}: the file is {len(start)} bytes long, too short for an IDX "
            f"header (at least 4 bytes); {ADVICE}"
        )
    if start[0:2] != b"\x00\x00":
        raise IDXError(
            f"{path}: wrong magic number (the first two bytes are "
            f"{start[0]:#04x} {start[1]:#04x}, expected 0x00 0x00), so this is "
            f"not an IDX file (an HTML error page saved by mistake?); {ADVICE}"
        )

    type_code = start[2]
    if type_code not in IDX_DTYPES:
        known = ", ".join(f"{code:#04x}" for code in IDX_DTYPES)
        raise IDXError(
            f"{path}: unknown IDX data type code {type_code:#04x} (known: {known}); "
            f"the file is corrupt; {ADVICE}"
        )
    dtype = IDX_DTYPES[type_code]

    ndim = start[3]
    if ndim == 0:
        raise IDXError(f"{path}: the IDX header declares 0 dimensions; {ADVICE}")
    header_size = 4 + 4 * ndim
    sizes = _read_up_to(stream, 4 * ndim)
    if len(sizes) < 4 * ndim:
        raise IDXError(
            f"{path}: the header declares {ndim} dimensions but the file ends after "
            f"{4 + len(sizes)} bytes — the file is truncated; {ADVICE}"
        )
    shape = tuple(int(size) for size in np.frombuffer(sizes, ">u4", ndim))

    expected = math.prod(shape) * dtype.itemsize        # Python ints: no overflow for any header
    room = capacity - header_size
    if expected > room:
        if not is_gzip:
            raise IDXError(
                f"{path}: expected {expected} bytes of data for shape {shape}, found "
                f"{room} — the file is truncated; {ADVICE}"
            )
        raise IDXError(
            f"{path}: the header declares shape {shape}, {expected} bytes of data, more than a gzip "
            f"file of this size can hold (at most {room}) — the header is corrupt; {ADVICE}"
        )
    if max_bytes is not None and expected > max_bytes:
        raise IDXError(f"{path}: the header declares shape {shape}, {expected} bytes of data, more than "
                       f"the limit of {max_bytes} bytes; pass a larger max_bytes if the file is genuine")

    data = np.empty(expected, dtype=np.uint8)
    view, found = memoryview(data), 0
    while found < expected:
        count = stream.readinto(view[found:found + CHUNK_SIZE])
        if not count:
            break
        found += count
    if found < expected:
        raise IDXError(
            f"{path}: expected {expected} bytes of data for shape {shape}, found "
            f"{found} — the file is truncated; {ADVICE}"
        )
    trailing = _count_rest(stream)
    if trailing:
        raise IDXError(
            f"{path}: expected {expected} bytes of data for shape {shape}, found "
            f"{found + trailing} — the file has {trailing} trailing bytes and is corrupt; "
            f"{ADVICE}"
        )
    values = data.view(dtype).reshape(shape)
    # In the machine's byte order (a copy only for multi-byte types; uint8 is used as it is).
    return values if dtype.byteorder in ("=", "|") else values.astype(dtype.newbyteorder("="))


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
