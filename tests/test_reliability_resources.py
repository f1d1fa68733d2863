"""Reliability of data reading: a gzip bomb or a lying IDX header is refused before memory is spent,
IDX images of another type are never truncated into uint8, downloads are capped (issue 20, classes 1
and 4: "IDX images stored as float32 cast to uint8", "a 0.5 MB gzip bomb refused only after 1 GB").
"""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import numpy as np
import pytest

from nn_from_scratch import data
from nn_from_scratch.data import IDXError, read_idx, write_idx
from nn_from_scratch.data.image_dataset import ImageDataset


class TenClasses(ImageDataset):
    NAME = "digits-like"
    CLASSES = tuple("0123456789")


def peak_memory(function) -> int:
    """Peak bytes allocated (tracemalloc: Python and NumPy allocations) while ``function`` runs."""
    tracemalloc.start()
    try:
        function()
    except IDXError:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def gzip_of_zeros(path, header: bytes, zeros: int) -> None:
    """A gzip file of ``header`` followed by ``zeros`` zero bytes, written a chunk at a time."""
    with gzip.GzipFile(path, "wb", mtime=0) as file:
        file.write(header)
        chunk = bytes(1 << 20)
        for _ in range(zeros >> 20):
            file.write(chunk)


def idx_header(type_code: int, shape) -> bytes:
    return bytes([0, 0, type_code, len(shape)]) + np.asarray(shape, ">u4").tobytes()


def test_a_gzip_bomb_of_zeros_is_refused_at_its_header(tmp_path):
    """0.5 MB of gzip that inflates to 512 MB of zeros: type code 0 is not IDX, found in the first 4 bytes."""
    bomb = tmp_path / "bomb.gz"
    gzip_of_zeros(bomb, b"", 512 << 20)
    assert bomb.stat().st_size < 600_000
    with pytest.raises(IDXError, match="unknown IDX data type code 0x00"):
        read_idx(bomb)
    assert peak_memory(lambda: read_idx(bomb)) < 5 << 20


def test_a_bomb_with_a_valid_header_costs_only_its_declared_size(tmp_path):
    """A valid header declaring 1 MB, then 512 MB of zeros: refused as trailing data, read a chunk at a time."""
    bomb = tmp_path / "bomb.gz"
    gzip_of_zeros(bomb, idx_header(0x08, (1024, 1024)), 512 << 20)
    with pytest.raises(IDXError, match="trailing bytes"):
        read_idx(bomb)
    assert peak_memory(lambda: read_idx(bomb)) < 8 << 20


@pytest.mark.parametrize("shape", [(2 ** 32 - 1,) * 4, (60000, 28, 28, 2 ** 31), (2 ** 32 - 1, 2 ** 32 - 1)])
def test_a_header_declaring_more_than_the_file_can_hold_is_refused_before_reading(tmp_path, shape):
    """Dimensions whose product overflows 64 bits used to wrap around; now the exact size is compared."""
    raw, compressed = tmp_path / "lying.idx", tmp_path / "lying.idx.gz"
    raw.write_bytes(idx_header(0x08, shape) + bytes(100))
    compressed.write_bytes(gzip.compress(idx_header(0x08, shape) + bytes(100)))
    with pytest.raises(IDXError, match=r"expected \d+ bytes of data .* the file is truncated") as error:
        read_idx(raw)
    assert "\n" not in str(error.value)
    with pytest.raises(IDXError, match="more than a gzip file of this size can hold .* the header is corrupt"):
        read_idx(compressed)
    assert peak_memory(lambda: read_idx(compressed)) < 1 << 20


def test_max_bytes_caps_what_a_genuine_looking_file_may_declare(tmp_path):
    path = write_idx(tmp_path / "images.idx.gz", np.zeros((100, 28, 28), np.uint8))
    assert read_idx(path, max_bytes=78400).shape == (100, 28, 28)
    with pytest.raises(IDXError, match="more than the limit of 1000 bytes"):
        read_idx(path, max_bytes=1000)


def test_reading_a_real_sized_file_costs_about_its_data(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (2000, 28, 28), dtype=np.uint8)
    path = write_idx(tmp_path / "images.idx.gz", images)
    assert np.array_equal(read_idx(path), images)
    assert peak_memory(lambda: read_idx(path)) < 2 * images.nbytes + (2 << 20)


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.float32, np.float64, np.int8])
def test_multi_byte_types_still_read_in_native_order(tmp_path, dtype):
    values = (np.arange(-12, 12) * 3).astype(dtype).reshape(2, 3, 4)
    if np.dtype(dtype).kind == "u":
        values = np.abs(values)
    assert np.array_equal(read_idx(write_idx(tmp_path / "v.idx.gz", values)), values)


def test_unreadable_and_folder_paths(tmp_path):
    with pytest.raises(IDXError, match="is a folder, not an IDX file"):
        read_idx(tmp_path)
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "missing.idx")
    (tmp_path / "cut.gz").write_bytes(zlib.compress(b"x")[:3])
    with pytest.raises(IDXError):
        read_idx(tmp_path / "cut.gz")


@pytest.mark.parametrize("images, found", [
    (np.full((4, 28, 28), 0.5, np.float32), "dtype float32, values 0.5..0.5"),
    (np.full((4, 28, 28), 300, np.int32), "values 300..300"),
    (np.full((4, 28, 28), -1, np.int16), "values -1..-1"),
    (np.zeros((4, 28, 28), np.float64), "dtype float64"),
])
def test_image_datasets_never_truncate_other_types_into_uint8(images, found, tmp_path):
    """float32 images in [0, 1] used to become all-black uint8 images, trained on without a word."""
    with pytest.raises(ValueError) as error:
        TenClasses(images, np.zeros(4, np.int64), source=tmp_path, train=True)
    message = str(error.value)
    assert f"images from {tmp_path}: expected uint8 pixels 0..255" in message and found in message
    assert "\n" not in message


def test_image_datasets_accept_integers_in_range(tmp_path):
    images = np.arange(4 * 28 * 28).reshape(4, 28, 28) % 256
    dataset = TenClasses(images.astype(np.int32), np.zeros(4, np.int64), source=tmp_path, train=True)
    assert dataset.images.dtype == np.uint8 and np.array_equal(dataset.images, images)


def test_float_idx_images_are_refused_by_mnist(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.full((8, 28, 28), 0.5, np.float32))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(8, np.uint8))
    with pytest.raises(ValueError, match="expected uint8 pixels 0..255 .* got dtype float32"):
        data.MNIST(root=tmp_path, train=True, download=False)


def test_a_download_larger_than_its_limit_is_refused(tmp_path):
    source = tmp_path / "big.bin"
    source.write_bytes(bytes(300_000))
    with pytest.raises(data.DownloadError, match="limit of 100000 bytes"):
        data.download_file(source.as_uri(), tmp_path / "copy.bin", progress=False, max_bytes=100_000)
    assert not (tmp_path / "copy.bin").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["big.bin"]          # no partial file left
    data.download_file(source.as_uri(), tmp_path / "copy.bin", progress=False, max_bytes=300_000)
    assert (tmp_path / "copy.bin").stat().st_size == 300_000


def test_images_and_labels_that_do_not_belong_together_name_the_folder(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((8, 28, 28), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(5, np.uint8))
    with pytest.raises(ValueError, match=f"mnist data in {tmp_path}: 8 images but labels of shape \\(5,\\); "
                                         "the images and labels files do not belong together"):
        data.MNIST(root=tmp_path, train=True, download=False)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.full(8, 12, np.uint8))
    with pytest.raises(ValueError, match=r"labels must be in 0..9, found 12..12"):
        data.MNIST(root=tmp_path, train=True, download=False)
