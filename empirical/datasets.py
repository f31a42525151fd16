"""Real datasets, read from disk only (never downloaded at run time).

* statsmodels' bundled datasets: ``longley`` (Gaussian, ill-conditioned), ``spector`` (binary),
  ``randhie`` (counts).
* Fashion-MNIST from Debian's package ``dataset-fashion-mnist``
  (``/usr/share/datasets/fashion-mnist/*-idx?-ubyte.gz``), or the directory named by the
  environment variable ``DDTHEORY_FASHION_MNIST``. The IDX format is parsed here: a big-endian
  header (two zero bytes, a type code, the number of dimensions, then one uint32 per dimension)
  followed by the raw array.

Conventions: Fashion-MNIST images are returned as float64 in [0, 1] (pixel / 255), flattened to
784 columns unless ``flatten=False``; labels are int64 in 0..9. Splits are seeded explicitly.
"""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FASHION_MNIST_ENV = "DDTHEORY_FASHION_MNIST"
FASHION_MNIST_DEFAULT = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
STATSMODELS_DATASETS = ("longley", "spector", "randhie")

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


@dataclass(frozen=True)
class RegressionData:
    """A design matrix ``X`` (n × d), response ``y`` (n,) and the column names."""

    name: str
    X: np.ndarray
    y: np.ndarray
    columns: tuple[str, ...]


def read_idx(path: str | Path, remedy: str = "replace it with an intact copy") -> np.ndarray:
    """Parse an IDX file (optionally gzip-compressed) into a numpy array.

    A file that cannot be read or decompressed (truncated, corrupted, unreadable) is a one-line
    ValueError naming it and ``remedy``, never an ``EOFError`` or ``gzip.BadGzipFile``."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except EOFError:
        raise ValueError(f"{path} is truncated (the compressed stream ends early); {remedy}") from None
    except (OSError, zlib.error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ValueError(f"{path} cannot be read ({' '.join(reason.split())}); {remedy}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path} is not an IDX file (bad magic number); {remedy}")
    type_code, ndim = raw[2], raw[3]
    if type_code not in _IDX_TYPES:
        raise ValueError(f"{path}: unknown IDX element type 0x{type_code:02x}; {remedy}")
    header_end = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[type_code])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header_end != expected:
        raise ValueError(f"{path}: header says {shape} but the payload has {len(raw) - header_end} bytes; {remedy}")
    return np.frombuffer(raw, dtype=dtype, offset=header_end).reshape(shape)


def fashion_mnist_dir() -> Path:
    """``$DDTHEORY_FASHION_MNIST`` when set (even to an empty folder, which hides the system copy),
    else the Debian package's directory."""
    override = os.environ.get(FASHION_MNIST_ENV)
    return Path(override) if override else FASHION_MNIST_DEFAULT


FASHION_MNIST_REMEDY = (f"reinstall it with `apt-get install --reinstall dataset-fashion-mnist` or point "
                        f"{FASHION_MNIST_ENV} at a directory of intact IDX .gz files")


def missing_reason(name: str) -> str | None:
    """``None`` when dataset ``name`` can be loaded here, else one line saying how to get it."""
    if name in STATSMODELS_DATASETS:
        try:
            import statsmodels.datasets  # noqa: F401
        except ImportError:
            return "statsmodels is not installed; `pip install statsmodels` ships its datasets"
        return None
    if name == "fashion-mnist":
        directory = fashion_mnist_dir()
        absent = [f for pair in FASHION_MNIST_FILES.values() for f in pair if not (directory / f).is_file()]
        if absent:
            return (f"Fashion-MNIST not found in {directory} (missing {absent[0]}); install it with "
                    f"`apt-get install dataset-fashion-mnist` or set {FASHION_MNIST_ENV} to a directory of the IDX .gz files")
        return None
    raise ValueError(f"unknown dataset {name!r}; known: {', '.join((*STATSMODELS_DATASETS, 'fashion-mnist'))}")


def check_readable(name: str) -> None:
    """Parse every file of dataset ``name`` once, so a truncated or corrupt one is reported (one
    line naming it) before any work starts. Datasets bundled with a package need nothing."""
    if name == "fashion-mnist" and missing_reason(name) is None:
        for file_name in (f for pair in FASHION_MNIST_FILES.values() for f in pair):
            read_idx(fashion_mnist_dir() / file_name, FASHION_MNIST_REMEDY)


def load_statsmodels(name: str, add_constant: bool = False) -> RegressionData:
    """One of statsmodels' bundled datasets as float64 arrays (exogenous columns as X)."""
    if name not in STATSMODELS_DATASETS:
        raise ValueError(f"unknown statsmodels dataset {name!r}; choose one of {', '.join(STATSMODELS_DATASETS)}")
    import statsmodels.api as sm

    frame = getattr(sm.datasets, name).load_pandas()
    exog = frame.exog
    if add_constant:
        exog = sm.add_constant(exog, prepend=True, has_constant="add")
    return RegressionData(name, exog.to_numpy(dtype=float), frame.endog.to_numpy(dtype=float), tuple(exog.columns))


def load_fashion_mnist(split: str = "train", flatten: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST ``(images, labels)`` for ``split`` in {train, test}; images in [0, 1]."""
    if split not in FASHION_MNIST_FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    reason = missing_reason("fashion-mnist")
    if reason:
        raise ValueError(reason)
    image_file, label_file = FASHION_MNIST_FILES[split]
    images = read_idx(fashion_mnist_dir() / image_file, FASHION_MNIST_REMEDY).astype(np.float64)
    images /= 255.0  # in place: one float64 copy of the images, not two
    labels = read_idx(fashion_mnist_dir() / label_file, FASHION_MNIST_REMEDY).astype(np.int64)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"Fashion-MNIST {split}: {images.shape[0]} images but {labels.shape[0]} labels")
    if flatten:
        images = images.reshape(images.shape[0], -1)
    return images, labels


def train_validation_split(n: int, validation_fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Seeded index split: ``(train_idx, validation_idx)``, e.g. 95/5 with ``validation_fraction=0.05``."""
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must lie in (0, 1), got {validation_fraction}")
    order = rng.permutation(n)
    n_val = max(1, int(round(n * validation_fraction)))
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def one_hot(labels: np.ndarray, classes: int | None = None) -> np.ndarray:
    """One-hot rows (n × k) of integer labels 0..k-1."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or np.any(labels < 0) or np.any(labels != np.round(labels)):
        raise ValueError("labels must be a non-empty 1-D array of integers >= 0")
    k = int(labels.max()) + 1 if classes is None else classes
    if labels.max() >= k:
        raise ValueError(f"label {int(labels.max())} is out of range for {k} classes")
    return np.eye(k)[labels.astype(int)]
