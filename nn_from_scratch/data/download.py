"""Safe file downloads: progress bar, checksum check, atomic rename, mirrors.

:func:`download_file` never leaves a partial or corrupt file at its
destination: the data is streamed into a temporary file *in the same folder*,
its MD5 checksum is checked, and only then is the temporary file renamed to
the destination with :func:`os.replace` (a rename inside one folder is atomic:
other programs see either no file or the complete file). If anything goes
wrong (connection error, transfer cut short, wrong checksum, Ctrl-C) the
temporary file is deleted.

:func:`download_from_mirrors` tries a list of mirrors in turn until one works.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

__all__ = [
    "ChecksumError",
    "DownloadError",
    "download_file",
    "download_from_mirrors",
    "md5_of_file",
]

CHUNK_SIZE = 64 * 1024
DEFAULT_TIMEOUT = 30.0  # seconds without any data before giving up
USER_AGENT = "nn_from_scratch"
# The most a download may bring: the datasets' files are tens of MB; a server
# sending more (or announcing more) is wrong, and the transfer is refused.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


class DownloadError(OSError):
    """Raised when a file could not be downloaded."""


class ChecksumError(DownloadError):
    """Raised when a downloaded file does not have the expected checksum."""


def md5_of_file(path: str | os.PathLike) -> str:
    """Return the MD5 checksum of a file as a hexadecimal string."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stream_to_file(
    url: str, file, progress: bool, timeout: float, description: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """Copy the body of ``url`` into the open binary ``file``; return its MD5.

    Raises :class:`DownloadError` if the connection fails or if fewer bytes
    arrive than the server announced in its ``Content-Length`` header.
    """
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    digest = hashlib.md5(usedforsecurity=False)
    received = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length_header = response.headers.get("Content-Length")
            expected = int(length_header) if length_header is not None else None
            if expected is not None and expected > max_bytes:
                raise DownloadError(
                    f"{url}: the server announces {expected} bytes, more than the limit "
                    f"of {max_bytes} bytes; refused"
                )
            with tqdm(
                total=expected,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=description,
                disable=not progress,
            ) as bar:
                while True:
                    chunk = response.read(CHUNK_SIZE)
                    if not chunk:
                        break
                    file.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    if received > max_bytes:
                        raise DownloadError(
                            f"{url}: the transfer passed the limit of {max_bytes} bytes; refused"
                        )
                    bar.update(len(chunk))
    except DownloadError:
        raise
    except urllib.error.HTTPError as exc:
        raise DownloadError(
            f"{url}: the server answered HTTP {exc.code} {exc.reason}"
        ) from exc
    except urllib.error.URLError as exc:
        raise DownloadError(f"{url}: could not connect ({exc.reason})") from exc
    except (OSError, ValueError) as exc:
        # TimeoutError, ConnectionResetError, http.client.IncompleteRead, ...
        raise DownloadError(
            f"{url}: the transfer failed after {received} bytes "
            f"({type(exc).__name__}: {exc})"
        ) from exc

    # http.client does not complain when the connection closes early, so the
    # length has to be checked by hand.
    if expected is not None and received < expected:
        raise DownloadError(
            f"{url}: the transfer was interrupted after {received} of {expected} bytes"
        )
    return digest.hexdigest()


def download_file(
    url: str,
    dest: str | os.PathLike,
    md5: str | None = None,
    progress: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Path:
    """Download ``url`` to ``dest`` safely (temporary file, checksum, atomic rename).

    Args:
        url: the address to download (``http://``, ``https://`` or ``file://``).
        dest: the file to create; its folder is created if needed. An existing
            file is replaced only once the new one has been fully downloaded
            and checked.
        md5: the expected MD5 checksum (hexadecimal), or ``None`` to skip the check.
        progress: show a tqdm progress bar on stderr.
        timeout: seconds to wait for the server before giving up.
        max_bytes: refuse a transfer larger than this (announced or received).

    Returns:
        ``dest`` as a :class:`~pathlib.Path`.

    Raises:
        DownloadError: connection failure or interrupted transfer.
        ChecksumError: the downloaded data does not match ``md5``.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # The temporary file lives next to dest so that os.replace is a rename
    # within one file system, which is atomic.
    handle, temp_name = tempfile.mkstemp(
        dir=dest.parent, prefix=f".{dest.name}.", suffix=".part"
    )
    temp_path = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as file:
            actual_md5 = _stream_to_file(url, file, progress, timeout, dest.name, max_bytes)
        if md5 is not None and actual_md5 != md5.lower():
            raise ChecksumError(
                f"{url}: checksum mismatch (MD5 {actual_md5}, expected {md5}); "
                "the download is corrupt and was discarded"
            )
        os.replace(temp_path, dest)
    except BaseException:
        # Also on KeyboardInterrupt: never leave a partial file behind.
        temp_path.unlink(missing_ok=True)
        raise
    return dest


def download_from_mirrors(
    filename: str,
    folder: str | os.PathLike,
    mirrors: Sequence[str],
    md5: str | None = None,
    progress: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> Path:
    """Download ``filename`` into ``folder``, trying each mirror in turn.

    Args:
        filename: the file name, appended to each mirror's base address.
        folder: where to save the file (created if needed).
        mirrors: base addresses such as ``"https://example.org/mnist/"``;
            a missing trailing slash is added.
        md5: expected MD5 checksum, checked for every mirror.
        progress: show a progress bar.
        timeout: seconds to wait for each server.

    Returns:
        The path of the downloaded file.

    Raises:
        DownloadError: if every mirror failed; the message lists each failure.
    """
    if not mirrors:
        raise DownloadError(f"no mirror to download {filename} from")
    dest = Path(folder) / filename
    failures = []
    for mirror in mirrors:
        url = mirror if mirror.endswith("/") else mirror + "/"
        url += filename
        try:
            return download_file(url, dest, md5=md5, progress=progress, timeout=timeout)
        except DownloadError as exc:
            failures.append(str(exc))
    raise DownloadError(
        f"could not download {filename} from any of {len(mirrors)} mirror(s): "
        + "; ".join(failures)
    )
