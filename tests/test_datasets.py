"""The IDX parser, the dataset availability messages and the seeded split."""

import gzip

import numpy as np
import pytest

from empirical import datasets


def write_idx(path, array, type_code=0x08):
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.astype(">u1" if type_code == 0x08 else ">i4").tobytes())


def test_read_idx_round_trip(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "x.gz", images)
    assert np.array_equal(datasets.read_idx(tmp_path / "x.gz"), images)
    labels = np.array([1, 70000, 3], dtype=np.int64)
    write_idx(tmp_path / "y.gz", labels, type_code=0x0C)
    assert np.array_equal(datasets.read_idx(tmp_path / "y.gz"), labels)


def test_read_idx_rejects_bad_files(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x02ab")
    with pytest.raises(ValueError, match="bad magic number"):
        datasets.read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05ab")
    with pytest.raises(ValueError, match="header says"):
        datasets.read_idx(tmp_path / "short")


def test_missing_fashion_mnist_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv(datasets.FASHION_MNIST_ENV, str(tmp_path))
    reason = datasets.missing_reason("fashion-mnist")
    assert "apt-get install dataset-fashion-mnist" in reason and "\n" not in reason
    with pytest.raises(ValueError, match="Fashion-MNIST not found"):
        datasets.load_fashion_mnist()


def test_fashion_mnist_from_env_directory(tmp_path, monkeypatch):
    for split, n in (("train", 5), ("test", 2)):
        image_file, label_file = datasets.FASHION_MNIST_FILES[split]
        write_idx(tmp_path / image_file, np.full((n, 28, 28), 255, dtype=np.uint8))
        write_idx(tmp_path / label_file, np.arange(n, dtype=np.uint8))
    monkeypatch.setenv(datasets.FASHION_MNIST_ENV, str(tmp_path))
    images, labels = datasets.load_fashion_mnist("test")
    assert images.shape == (2, 784) and images.max() == 1.0 and list(labels) == [0, 1]


@pytest.mark.fashion_mnist
def test_real_fashion_mnist_shapes():
    images, labels = datasets.load_fashion_mnist("test")
    assert images.shape == (10000, 784) and set(np.unique(labels)) == set(range(10))


def test_unknown_dataset_and_split_are_errors():
    with pytest.raises(ValueError, match="unknown dataset"):
        datasets.missing_reason("mnist")
    with pytest.raises(ValueError, match="split must be"):
        datasets.load_fashion_mnist("validation")
    with pytest.raises(ValueError, match="unknown statsmodels dataset"):
        datasets.load_statsmodels("iris")


def test_split_is_seeded_and_disjoint():
    a = datasets.train_validation_split(100, 0.05, np.random.default_rng(1))
    b = datasets.train_validation_split(100, 0.05, np.random.default_rng(1))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert len(a[1]) == 5 and not set(a[0]) & set(a[1]) and len(a[0]) + len(a[1]) == 100
