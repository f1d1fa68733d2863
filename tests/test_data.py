"""Tests of nn_from_scratch.data: IDX files, datasets, downloads and DataLoader.

Downloads are tested for real, against a small HTTP server started on
127.0.0.1 in a background thread, never against the internet.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from nn_from_scratch import data
from nn_from_scratch.data import bundled, locations

SHARED_DATA = Path(__file__).parents[1].parent / "shared/data"
MNIST_10K = SHARED_DATA / "mnist-10k"
OFFICIAL_MNIST_TEST = SHARED_DATA / "mnist"

requires_mnist_10k = pytest.mark.skipif(
    not MNIST_10K.is_dir(), reason=f"shared data folder {MNIST_10K} is absent"
)
requires_official_test_set = pytest.mark.skipif(
    not OFFICIAL_MNIST_TEST.is_dir(),
    reason=f"shared data folder {OFFICIAL_MNIST_TEST} is absent",
)


def sklearn_installed() -> bool:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return False
    return True


requires_sklearn = pytest.mark.skipif(
    not sklearn_installed(), reason="scikit-learn is not installed"
)


# ---------------------------------------------------------------------------
# Helpers and fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated_lookup(tmp_path, monkeypatch):
    """Keep tests away from the user cache, $NN_FROM_SCRATCH_DATA and /usr/share."""
    monkeypatch.delenv(data.DATA_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(locations, "SYSTEM_DATA_DIRS", ())


def make_fake_mnist(
    folder: Path, num_train: int = 6, num_test: int = 4, seed: int = 0
) -> Path:
    """Write the four MNIST files, with random content, into ``folder``."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for (images_file, labels_file), count in (
        (data.TRAIN_FILES, num_train),
        (data.TEST_FILES, num_test),
    ):
        data.write_idx(
            folder / images_file, rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        )
        data.write_idx(folder / labels_file, rng.integers(0, 10, count, dtype=np.uint8))
    return folder


def md5_of_bytes(content: bytes) -> str:
    return hashlib.md5(content, usedforsecurity=False).hexdigest()


class LocalServer:
    """A tiny HTTP server on 127.0.0.1 serving bytes registered with :meth:`add`."""

    def __init__(self):
        self.routes = {}  # path -> (body, truncate)
        self.requests = []
        routes = self.routes
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                if self.path not in routes:
                    self.send_error(404)
                    return
                body, truncate = routes[self.path]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if truncate:
                    # Announce the full length, send half of it, hang up.
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass  # keep the test output quiet

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self.thread.start()

    def add(self, path: str, body: bytes, truncate: bool = False) -> str:
        """Serve ``body`` at ``path`` (e.g. ``"good/file.gz"``); return its address."""
        self.routes["/" + path] = (body, truncate)
        return self.url + path

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server():
    local_server = LocalServer()
    yield local_server
    local_server.close()


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens (connections are refused)."""
    probe = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = probe.server_port
    probe.server_close()
    return f"http://127.0.0.1:{port}/"


# ---------------------------------------------------------------------------
# IDX files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["array.idx", "array.idx.gz"])
@pytest.mark.parametrize(
    "dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]
)
def test_idx_round_trip(tmp_path, filename, dtype):
    array = (np.arange(2 * 3 * 4) - 5).reshape(2, 3, 4).astype(dtype)
    path = data.write_idx(tmp_path / filename, array)
    result = data.read_idx(path)
    assert result.dtype == array.dtype
    assert result.shape == (2, 3, 4)
    np.testing.assert_array_equal(result, array)
    result[0, 0, 0] = 1  # the result is writable


def test_idx_layout_matches_the_format(tmp_path):
    path = data.write_idx(tmp_path / "labels.idx", np.array([7, 2, 1], dtype=np.uint8))
    assert (
        path.read_bytes() == b"\x00\x00\x08\x01" + b"\x00\x00\x00\x03" + b"\x07\x02\x01"
    )

    path = data.write_idx(tmp_path / "numbers.idx", np.array([258], dtype=np.int16))
    assert path.read_bytes()[2] == 0x0B
    assert path.read_bytes()[-2:] == b"\x01\x02"  # big-endian


def test_idx_write_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(ValueError, match="dtype"):
        data.write_idx(tmp_path / "a.idx", np.zeros(3, dtype=np.int64))


def assert_one_line_naming(error: pytest.ExceptionInfo, path: Path):
    message = str(error.value)
    assert str(path) in message
    assert "\n" not in message
    assert isinstance(error.value, ValueError)


def test_idx_truncated_raw_file(tmp_path):
    path = data.write_idx(
        tmp_path / "images.idx", np.zeros((10, 28, 28), dtype=np.uint8)
    )
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(
        data.IDXError, match="expected 7840 bytes of data.*found 7740.*truncated"
    ) as error:
        data.read_idx(path)
    assert_one_line_naming(error, path)
    assert "download again" in str(error.value)


def test_idx_truncated_inside_gzip_file(tmp_path):
    # A gzip stream of a truncated IDX file: decompresses fine, data too short.
    path = tmp_path / "images.idx.gz"
    content = b"\x00\x00\x08\x03" + np.array([10, 28, 28], ">u4").tobytes() + bytes(500)
    path.write_bytes(gzip.compress(content))
    with pytest.raises(data.IDXError, match="found 500.*truncated") as error:
        data.read_idx(path)
    assert_one_line_naming(error, path)


def test_idx_cut_off_gzip_stream(tmp_path):
    path = data.write_idx(tmp_path / "images.idx.gz", np.arange(5000, dtype=np.int32))
    path.write_bytes(path.read_bytes()[:-50])
    with pytest.raises(data.IDXError, match="gzip") as error:
        data.read_idx(path)
    assert_one_line_naming(error, path)


def test_idx_corrupt_gzip_file(tmp_path):
    path = tmp_path / "labels.idx.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"this is not deflate data" * 10)
    with pytest.raises(data.IDXError, match="gzip data is corrupt") as error:
        data.read_idx(path)
    assert_one_line_naming(error, path)


def test_idx_wrong_magic_number(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"<html><body>404 Not Found</body></html>")
    with pytest.raises(data.IDXError, match="magic number") as error:
        data.read_idx(path)
    assert_one_line_naming(error, path)


def test_idx_trailing_bytes(tmp_path):
    path = data.write_idx(tmp_path / "labels.idx", np.arange(4, dtype=np.uint8))
    path.write_bytes(path.read_bytes() + b"extra")
    with pytest.raises(data.IDXError, match="5 trailing bytes") as error:
        data.read_idx(path)
    assert_one_line_naming(error, path)


def test_idx_unknown_type_code_and_short_header(tmp_path):
    path = tmp_path / "odd.idx"
    path.write_bytes(b"\x00\x00\x42\x01\x00\x00\x00\x01\x00")
    with pytest.raises(data.IDXError, match="unknown IDX data type code 0x42"):
        data.read_idx(path)

    path.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(data.IDXError, match="3 dimensions.*truncated"):
        data.read_idx(path)

    path.write_bytes(b"\x00")
    with pytest.raises(data.IDXError, match="too short"):
        data.read_idx(path)


# ---------------------------------------------------------------------------
# The real data in shared/data
# ---------------------------------------------------------------------------


@requires_mnist_10k
def test_mnist_10k_from_shared_folder():
    train = data.MNIST(root=MNIST_10K, train=True, download=False)
    test = data.MNIST(root=MNIST_10K, train=False, download=False)

    assert len(train) == 8000 and len(test) == 2000
    for dataset in (train, test):
        assert dataset.images.shape[1:] == (28, 28)
        assert dataset.images.dtype == np.uint8
        assert dataset.labels.dtype == np.int64
        assert set(np.unique(dataset.labels)) == set(range(10))
        assert dataset.source == MNIST_10K
        assert dataset.classes == [str(digit) for digit in range(10)]
    image, label = train[0]
    assert image.shape == (28, 28) and 0 <= label <= 9

    images = test.as_float()
    assert images.shape == (2000, 1, 28, 28) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    normalized = train.as_float(normalize=True)
    assert abs(normalized.mean()) < 0.1 and abs(normalized.std() - 1) < 0.1


@requires_mnist_10k
def test_mnist_10k_through_environment_variable(monkeypatch):
    monkeypatch.setenv(data.DATA_ENV_VAR, str(MNIST_10K))
    dataset = data.load_dataset("mnist", train=False, download=False)
    assert len(dataset) == 2000 and dataset.source == MNIST_10K


@requires_official_test_set
def test_published_md5_of_the_official_test_files():
    for filename in data.TEST_FILES:
        assert (
            data.md5_of_file(OFFICIAL_MNIST_TEST / filename) == data.MNIST_MD5[filename]
        )


# ---------------------------------------------------------------------------
# MNIST-10k, shipped with the package
# ---------------------------------------------------------------------------


def test_the_package_ships_the_official_mnist_test_files():
    """Byte for byte the published files: their MD5s are the ones MNIST publishes."""
    for filename in data.TEST_FILES:
        assert data.md5_of_file(bundled.BUNDLED_DIR / filename) == data.MNIST_MD5[filename]
    notice = (Path(data.__file__).parents[1] / "NOTICE").read_text()
    assert "CC BY-SA 3.0" in notice and "LeCun" in notice and "Cortes" in notice and "Burges" in notice


def test_mnist_10k_is_an_8000_2000_split_with_every_class():
    train = data.load_dataset("mnist-10k", train=True)
    test = data.load_dataset("MNIST_10k", train=False)
    assert isinstance(train, data.MNIST10k) and train.name == "mnist-10k"
    assert len(train) == 8000 and len(test) == 2000
    official = data.read_idx(bundled.BUNDLED_DIR / data.TEST_FILES[0])
    np.testing.assert_array_equal(np.concatenate([train.images, test.images]), official)
    for dataset in (train, test):
        assert dataset.images.dtype == np.uint8 and dataset.labels.dtype == np.int64
        assert set(np.unique(dataset.labels)) == set(range(10))
    pixels = train.images.astype(np.float64) / 255
    assert pixels.mean() == pytest.approx(data.MNIST10k.MEAN, abs=1e-4)
    assert pixels.std() == pytest.approx(data.MNIST10k.STD, abs=1e-4)


@requires_mnist_10k
def test_mnist_10k_is_the_shared_folders_split():
    for train in (True, False):
        shipped = data.MNIST10k(train=train)
        shared = data.MNIST(root=MNIST_10K, train=train, download=False)
        np.testing.assert_array_equal(shipped.images, shared.images)
        np.testing.assert_array_equal(shipped.labels, shared.labels)


def test_a_damaged_shipped_copy_is_reported(tmp_path, monkeypatch):
    for filename in data.TEST_FILES:
        (tmp_path / filename).write_bytes((bundled.BUNDLED_DIR / filename).read_bytes())
    path = tmp_path / data.TEST_FILES[1]
    path.write_bytes(path.read_bytes()[:-1] + b"x")
    monkeypatch.setattr(bundled, "BUNDLED_DIR", tmp_path)
    with pytest.raises(OSError, match=f"{path}.*published MD5.*reinstall"):
        data.MNIST10k()


def test_bundled_datasets_refuse_a_data_folder(tmp_path):
    with pytest.raises(ValueError, match="'mnist-10k' dataset comes with the installed packages"):
        data.load_dataset("mnist-10k", data_dir=tmp_path)


# ---------------------------------------------------------------------------
# Downloads, against a local HTTP server
# ---------------------------------------------------------------------------


def leftover_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_download_success_with_correct_md5(server, tmp_path):
    body = bytes(range(256)) * 1000
    url = server.add("good/file.bin", body)
    dest = tmp_path / "downloads" / "file.bin"

    result = data.download_file(
        url, dest, md5=md5_of_bytes(body), progress=True, timeout=5
    )

    assert result == dest
    assert dest.read_bytes() == body
    assert leftover_files(dest.parent) == ["file.bin"]  # no temporary file left


def test_download_checksum_mismatch_leaves_no_file(server, tmp_path):
    url = server.add("bad/file.bin", b"corrupted content")
    dest = tmp_path / "file.bin"
    with pytest.raises(data.ChecksumError, match="checksum mismatch"):
        data.download_file(url, dest, md5="0" * 32, progress=False, timeout=5)
    assert leftover_files(tmp_path) == []


def test_download_failure_keeps_existing_file(server, tmp_path):
    url = server.add("bad/file.bin", b"corrupted content")
    dest = tmp_path / "file.bin"
    dest.write_bytes(b"good old content")
    with pytest.raises(data.ChecksumError):
        data.download_file(url, dest, md5="0" * 32, progress=False, timeout=5)
    assert dest.read_bytes() == b"good old content"
    assert leftover_files(tmp_path) == ["file.bin"]


def test_interrupted_download_leaves_no_partial_file(server, tmp_path):
    body = bytes(100_000)
    url = server.add("cut/file.bin", body, truncate=True)
    dest = tmp_path / "file.bin"
    with pytest.raises(
        data.DownloadError, match="interrupted after 50000 of 100000 bytes"
    ):
        data.download_file(url, dest, progress=False, timeout=5)
    assert leftover_files(tmp_path) == []


def test_download_falls_back_to_the_next_mirror(server, tmp_path):
    body = b"the real content " * 5000
    server.add("cut/data.gz", body, truncate=True)
    server.add("corrupt/data.gz", b"wrong bytes")
    server.add("good/data.gz", body)
    mirrors = [
        closed_port_url(),
        server.url + "cut",
        server.url + "corrupt/",
        server.url + "good/",
    ]

    path = data.download_from_mirrors(
        "data.gz", tmp_path, mirrors, md5=md5_of_bytes(body), progress=False, timeout=5
    )

    assert path.read_bytes() == body
    assert leftover_files(tmp_path) == ["data.gz"]
    assert server.requests == ["/cut/data.gz", "/corrupt/data.gz", "/good/data.gz"]


def test_download_reports_every_failed_mirror(server, tmp_path):
    server.add("cut/data.gz", bytes(1000), truncate=True)
    mirrors = [server.url + "missing/", server.url + "cut/"]
    with pytest.raises(data.DownloadError) as error:
        data.download_from_mirrors(
            "data.gz", tmp_path, mirrors, progress=False, timeout=5
        )
    message = str(error.value)
    assert (
        "2 mirror(s)" in message and "HTTP 404" in message and "interrupted" in message
    )
    assert leftover_files(tmp_path) == []


def test_mnist_downloads_into_the_user_cache_and_checks_md5(server, tmp_path):
    """The official test files (the package's copy), served locally, are downloaded and checked."""
    for filename in data.TEST_FILES:
        server.add("mnist/" + filename, (bundled.BUNDLED_DIR / filename).read_bytes())
    mirrors = [server.url + "missing/", server.url + "mnist/"]

    dataset = data.MNIST(train=False, mirrors=mirrors, progress=False, timeout=5)

    cache = tmp_path / "cache" / "nn_from_scratch" / "mnist"
    assert dataset.source == cache
    assert len(dataset) == 10_000
    assert leftover_files(cache) == sorted(data.TEST_FILES)

    # The second time, the files are found in the cache: no new request.
    number_of_requests = len(server.requests)
    assert len(data.MNIST(train=False, mirrors=mirrors)) == 10_000
    assert len(server.requests) == number_of_requests


def test_mnist_download_failure_explains_where_it_looked(server, tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV_VAR, str(tmp_path / "shared"))
    server.add("mnist/train-images-idx3-ubyte.gz", b"not the real file")

    with pytest.raises(data.DatasetNotFoundError) as error:
        data.MNIST(
            train=True, mirrors=[server.url + "mnist/"], progress=False, timeout=5
        )

    message = str(error.value)
    cache = tmp_path / "cache" / "nn_from_scratch" / "mnist"
    assert "MNIST training files" in message
    assert str(tmp_path / "shared" / "mnist") in message
    assert str(cache) in message
    assert "checksum mismatch" in message
    assert "How to get the files" in message
    assert isinstance(error.value, FileNotFoundError)
    assert leftover_files(cache) == []


# ---------------------------------------------------------------------------
# Where the files are looked for
# ---------------------------------------------------------------------------


def test_lookup_environment_variable_subfolder_and_folder(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    make_fake_mnist(shared / "mnist", num_train=3)
    monkeypatch.setenv(data.DATA_ENV_VAR, str(shared))
    assert data.MNIST(download=False).source == shared / "mnist"

    monkeypatch.setenv(data.DATA_ENV_VAR, str(shared / "mnist"))
    dataset = data.MNIST(download=False)
    assert dataset.source == shared / "mnist"
    assert len(dataset) == 3


def test_lookup_order_root_then_environment_then_cache(tmp_path, monkeypatch):
    explicit = make_fake_mnist(tmp_path / "explicit", num_train=1)
    from_env = make_fake_mnist(tmp_path / "env", num_train=2)
    cache = make_fake_mnist(
        tmp_path / "cache" / "nn_from_scratch" / "mnist", num_train=3
    )

    assert data.MNIST(download=False).source == cache
    monkeypatch.setenv(data.DATA_ENV_VAR, str(from_env))
    assert data.MNIST(download=False).source == from_env
    assert data.MNIST(root=explicit, download=False).source == explicit
    assert len(data.MNIST(root=explicit, download=False)) == 1


def test_explicit_root_is_the_only_place_searched(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV_VAR, str(make_fake_mnist(tmp_path / "env")))
    (tmp_path / "empty").mkdir()
    with pytest.raises(data.DatasetNotFoundError, match="Downloading is switched off") as error:
        data.MNIST(root=tmp_path / "empty", download=False)
    assert str(tmp_path / "env") not in str(error.value)


@pytest.mark.parametrize("load", [
    lambda root: data.MNIST(root=root),
    lambda root: data.load_dataset("fashion-mnist", root),
    lambda root: data.find_or_fallback("mnist", root),
], ids=["MNIST", "load_dataset", "find_or_fallback"])
def test_a_data_folder_that_does_not_exist_is_an_error_and_nothing_is_created(tmp_path, load, capsys):
    missing = tmp_path / "no-such-folder"
    with pytest.raises(data.DatasetNotFoundError) as error:
        load(missing)                                  # download allowed: it must not be tried
    assert str(error.value) == (f"data folder {missing} does not exist: check the path "
                                "(nothing was created or downloaded)")
    assert not missing.exists() and list(tmp_path.iterdir()) == []
    assert capsys.readouterr().err == ""               # no fallback, no banner


def test_a_data_folder_that_is_a_file_is_an_error(tmp_path):
    a_file = tmp_path / "train-images-idx3-ubyte.gz"
    a_file.write_bytes(b"")
    with pytest.raises(data.DatasetNotFoundError, match=f"data folder {a_file} is a file, not a folder"):
        data.MNIST(root=a_file)


def test_lookup_system_folder_for_fashion_mnist(tmp_path, monkeypatch):
    system = tmp_path / "usr-share-datasets"
    make_fake_mnist(system / "fashion-mnist", num_test=5)
    monkeypatch.setattr(locations, "SYSTEM_DATA_DIRS", (system,))

    fashion = data.load_dataset("Fashion_MNIST", train=False, download=False)
    assert isinstance(fashion, data.FashionMNIST)
    assert fashion.source == system / "fashion-mnist"
    assert fashion.classes[9] == "Ankle boot"

    with pytest.raises(data.DatasetNotFoundError) as error:
        data.MNIST(download=False)
    assert str(system / "mnist") in str(error.value)


def test_only_the_requested_split_is_needed(tmp_path):
    folder = tmp_path / "only-test"
    make_fake_mnist(folder)
    for filename in data.TRAIN_FILES:
        (folder / filename).unlink()
    assert len(data.MNIST(root=folder, train=False, download=False)) == 4
    with pytest.raises(data.DatasetNotFoundError, match="MNIST training files"):
        data.MNIST(root=folder, train=True, download=False)


def test_corrupt_file_on_disk_is_reported_not_hidden(tmp_path):
    folder = make_fake_mnist(tmp_path / "data")
    path = folder / data.TRAIN_FILES[0]
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(data.IDXError, match="train-images-idx3-ubyte.gz"):
        data.MNIST(root=folder, download=False)


# ---------------------------------------------------------------------------
# Choosing by name, Digits and the fallback
# ---------------------------------------------------------------------------


def test_canonical_names():
    assert data.canonical_name("MNIST") == "mnist"
    assert data.canonical_name("fashion_mnist") == "fashion-mnist"
    assert data.canonical_name("FashionMNIST") == "fashion-mnist"
    with pytest.raises(ValueError, match="unknown dataset 'cifar'"):
        data.load_dataset("cifar")


@requires_sklearn
def test_digits_look_like_mnist():
    train = data.load_dataset("digits", train=True)
    test = data.load_dataset("digits", train=False)
    assert len(train) + len(test) == 1797
    assert train.images.shape[1:] == (28, 28) and train.images.dtype == np.uint8
    assert set(np.unique(test.labels)) == set(range(10))
    assert train.images.max() > 200
    # The 4-pixel border is empty, as in MNIST.
    assert train.images[:, :4, :].max() == 0 and train.images[:, :, -4:].max() == 0


def test_find_or_fallback_uses_the_shipped_mnist_10k_with_one_short_note(server, tmp_path, capsys):
    """Offline (every mirror fails), MNIST falls back to MNIST-10k: one note on stderr, no Python warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dataset = data.find_or_fallback("mnist", mirrors=[closed_port_url(), server.url + "missing/"],
                                        progress=False, timeout=5)
        test_set = data.find_or_fallback("mnist", train=False, download=False)
    assert dataset.name == "mnist-10k" and len(dataset) == 8000 and len(test_set) == 2000
    stderr = capsys.readouterr().err
    assert stderr.count("note: MNIST is not on this machine") == 2             # one per call
    assert "could not be downloaded" in stderr and "downloading is switched off" in stderr
    assert "$NN_FROM_SCRATCH_DATA" in stderr
    for python_word in ("root=", "data_dir=", "download=", "Warning"):
        assert python_word not in stderr
    assert len(stderr.splitlines()) == 8


def test_find_or_fallback_needs_no_scikit_learn(monkeypatch):
    # A None entry in sys.modules makes "import sklearn.datasets" fail.
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    assert data.find_or_fallback("mnist", download=False).name == "mnist-10k"
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        data.load_dataset("digits")


def test_no_fallback_from_an_explicit_folder_nor_for_fashion_mnist(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    with pytest.raises(data.DatasetNotFoundError, match="MNIST training files"):
        data.find_or_fallback("mnist", tmp_path / "empty", download=False)
    with pytest.raises(data.DatasetNotFoundError, match="dataset-fashion-mnist"):
        data.find_or_fallback("fashion-mnist", download=False)
    assert capsys.readouterr().err == ""


def test_the_library_finds_mnist_10k_offline_from_any_folder(tmp_path):
    """A fresh process in an unrelated folder, without network access, loads the shipped MNIST-10k."""
    code = ("from nn_from_scratch.data import find_or_fallback; "
            "print(find_or_fallback('mnist', mirrors=['http://127.0.0.1:9/'], timeout=5).name)")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(Path(__file__).parents[1])}
    env.pop(data.DATA_ENV_VAR, None)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "mnist-10k"


def test_find_or_fallback_returns_the_dataset_when_available(tmp_path):
    folder = make_fake_mnist(tmp_path / "data")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dataset = data.find_or_fallback("mnist", data_dir=folder, download=False)
    assert dataset.name == "mnist"


def test_resize_bilinear_keeps_constant_images_constant():
    images = np.full((2, 8, 8), 16.0)
    np.testing.assert_allclose(data.digits.resize_bilinear(images, 20), 16.0)


# ---------------------------------------------------------------------------
# DataLoader
# ---------------------------------------------------------------------------


def test_loader_batches_of_arrays():
    x = np.arange(10 * 3).reshape(10, 3)
    y = np.arange(10)
    loader = data.DataLoader((x, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [len(batch_y) for _, batch_y in batches] == [4, 4, 2]
    assert batches[0][0].shape == (4, 3)
    np.testing.assert_array_equal(
        np.concatenate([batch_y for _, batch_y in batches]), y
    )

    loader = data.DataLoader((x, y), batch_size=4, drop_last=True)
    assert len(loader) == len(list(loader)) == 2


def test_loader_on_a_dataset_gives_float_images(tmp_path):
    dataset = data.MNIST(
        root=make_fake_mnist(tmp_path / "data", num_train=10), download=False
    )
    images, labels = next(
        iter(data.DataLoader(dataset, batch_size=8, shuffle=True, seed=0))
    )
    assert images.shape == (8, 1, 28, 28) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert labels.shape == (8,) and labels.dtype == np.int64


def test_loader_shuffles_every_sample_once_per_epoch():
    y = np.arange(100)
    loader = data.DataLoader((y,), batch_size=32, shuffle=True, seed=1)
    first = np.concatenate([batch for (batch,) in loader])
    second = np.concatenate([batch for (batch,) in loader])
    assert sorted(first) == list(y) and sorted(second) == list(y)
    assert not np.array_equal(first, y)
    assert not np.array_equal(first, second)  # a new order each epoch
    assert loader.epoch == 2


def epoch_orders(loader, epochs):
    return [np.concatenate([batch for (batch,) in loader]) for _ in range(epochs)]


def test_loader_seeded_shuffle_is_reproducible():
    y = np.arange(50)
    orders_a = epoch_orders(
        data.DataLoader((y,), batch_size=8, shuffle=True, seed=42), 3
    )
    orders_b = epoch_orders(
        data.DataLoader((y,), batch_size=8, shuffle=True, seed=42), 3
    )
    orders_c = epoch_orders(
        data.DataLoader((y,), batch_size=8, shuffle=True, seed=43), 3
    )
    for order_a, order_b in zip(orders_a, orders_b):
        np.testing.assert_array_equal(order_a, order_b)
    assert not np.array_equal(orders_a[0], orders_c[0])


def test_loader_resumes_with_the_same_order_through_npz(tmp_path):
    y = np.arange(40)
    original = data.DataLoader((y,), batch_size=16, shuffle=True, seed=7)
    epoch_orders(original, 1)
    checkpoint = tmp_path / "checkpoint.npz"
    np.savez(
        checkpoint,
        **{f"loader_{key}": value for key, value in original.state_dict().items()},
    )
    expected_next = epoch_orders(original, 2)

    resumed = data.DataLoader((y,), batch_size=16, shuffle=True, seed=None)
    with np.load(checkpoint, allow_pickle=False) as saved:
        resumed.load_state_dict(
            {"epoch": saved["loader_epoch"], "rng_state": saved["loader_rng_state"]}
        )
    assert resumed.epoch == 1
    for expected, actual in zip(expected_next, epoch_orders(resumed, 2)):
        np.testing.assert_array_equal(expected, actual)
    assert resumed.epoch == 3


def test_loader_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        data.DataLoader((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="batch_size"):
        data.DataLoader((np.zeros(3),), batch_size=0)
    with pytest.raises(TypeError, match="images"):
        data.DataLoader(np.zeros(3))


# --------------------------------------------------------------------------
# Augmentation
# --------------------------------------------------------------------------


def shifted_by_loops(image, dy, dx):
    """Reference for random_shift: out[c, i, j] = image[c, i - dy, j - dx], 0 outside."""
    out = np.zeros_like(image)
    _, h, w = image.shape
    for i in range(h):
        for j in range(w):
            if 0 <= i - dy < h and 0 <= j - dx < w:
                out[:, i, j] = image[:, i - dy, j - dx]
    return out


def test_random_shift_matches_the_loop_reference():
    images = np.random.default_rng(0).random((12, 2, 7, 9)).astype(np.float32)
    shifted = data.random_shift(images, 3, np.random.default_rng(5))
    replay = np.random.default_rng(5)                    # the same draws, in the same order
    dy, dx = replay.integers(-3, 4, size=12), replay.integers(-3, 4, size=12)
    assert shifted.shape == images.shape and shifted.dtype == np.float32
    for n in range(12):
        np.testing.assert_array_equal(shifted[n], shifted_by_loops(images[n], dy[n], dx[n]))
    assert len({(a, b) for a, b in zip(dy, dx)}) > 1    # really random per image


def test_random_shift_zero_and_bad_arguments():
    images = np.ones((2, 1, 5, 5), dtype=np.float32)
    assert data.random_shift(images, 0, np.random.default_rng(0)) is images
    with pytest.raises(ValueError, match=r"max_shift must be in 0\.\.2"):
        data.random_shift(images, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"expected images of shape \(N, C, H, W\)"):
        data.random_shift(images[0], 1, np.random.default_rng(0))


def test_pixels_to_float_is_the_one_conversion_of_pixels_to_model_inputs():
    from nn_from_scratch.data import pixels_to_float
    pixels = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)                  # (1, 2, 2)
    images = pixels_to_float(pixels)
    assert images.dtype == np.float32 and images.shape == (1, 1, 2, 2)
    np.testing.assert_array_equal(images[0, 0], np.array([[0, 1], [0.2, 0.4]], dtype=np.float32))
    np.testing.assert_array_equal(pixels_to_float(pixels[:, None]), images)    # (N, 1, H, W) taken as it is
    already = np.full((2, 1, 2, 2), 0.5, dtype=np.float64)
    assert pixels_to_float(already).dtype == np.float32 and pixels_to_float(already).max() == 0.5
