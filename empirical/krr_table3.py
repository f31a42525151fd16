"""Fashion-MNIST analogue of Chen, Huang & Weng's Table 3: original vs analytically distilled KRR.

Protocol (every choice is explicit here)
----------------------------------------
* Data: Fashion-MNIST from disk, pixels / 255 in [0, 1], 784 features, one-hot *uncentred* labels.
  Parsed once per process (:func:`fashion_mnist`, an ``lru_cache``).
* Feature maps (:data:`TABLE3_MAPS`), seeded from the run seed: linear (identity, p = 784); a
  one-hidden-layer LeakyReLU network 784 → 784, slope 0.1, weights N(0, 1/784); random Fourier
  features with p = d = 784, A ~ N(0, 1/d), b ~ U[0, π] (the authors' code's convention).
* λ: the absolute ridge is chosen from :data:`LAMBDA_GRID` (24 values, 10⁻³ … 10⁴) by accuracy on a
  seeded 95/5 train/validation split; one eigendecomposition of FᵀF serves all 24 values (FᵀF and FᵀY
  of the 95 % part are summed over row blocks, so neither φ(X) nor a training copy is formed). The
  model used for testing and distillation is the one fitted on the 95 % part at the chosen λ.
* Distillation: :func:`constructions.krr_distill.distill_model` with λ_S = 0, ``noise`` (one-hot
  labels, Gaussian Z) or ``real`` (soft labels, Z from IPC real images per class). The distilled
  accuracy comes from retraining on φ(X_S) of the *recovered* images, not from the features. Each
  (map, IPC, mode) cell has its own generator (:func:`cell_rng`), so the cells run in parallel.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from constructions.blocks import map_tasks
from constructions.feature_maps import IdentityMap, LeakyReLUNetwork, RandomFourierFeatures
from constructions.krr import RidgeSweep, accuracy, feature_moments, features
from constructions.krr_distill import MODES, distill_model
from empirical.datasets import load_fashion_mnist, train_validation_split

LAMBDA_GRID = np.logspace(-3, 4, 24)
VALIDATION_FRACTION = 0.05
IPCS = (1, 10, 50)
TABLE3_MAPS = {
    "linear": lambda d, seed: IdentityMap(d),
    "leaky-relu": lambda d, seed: LeakyReLUNetwork.seeded(d, (d,), seed=seed, slope=0.1),
    "rff": lambda d, seed: RandomFourierFeatures.seeded(d, d, seed=seed, scale=1.0, b_max=np.pi),
}
REFERENCE_ORIGINAL = {"linear": 81.11, "leaky-relu": 83.08, "rff": 83.82}  # an earlier plain re-implementation of the protocol


@lru_cache(maxsize=1)
def fashion_mnist() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_test, y_test), parsed once per process."""
    X_train, y_train = load_fashion_mnist("train")
    X_test, y_test = load_fashion_mnist("test")
    return X_train, y_train, X_test, y_test


@dataclass(frozen=True)
class FittedModel:
    feature_map: object
    W: np.ndarray
    lam: float
    validation_accuracy: float
    train_index: np.ndarray


@dataclass(frozen=True)
class TrainingMoments:
    """FᵀF and FᵀY of the training part of a seeded train/validation split."""

    feature_map: object
    gram: np.ndarray
    moment: np.ndarray
    train_index: np.ndarray
    validation_index: np.ndarray


def training_moments(feature_map, X, labels, classes: int, rng: np.random.Generator,
                     validation_fraction: float = VALIDATION_FRACTION) -> TrainingMoments:
    """The seeded split, then FᵀF and FᵀY of the training part accumulated in row blocks
    (:func:`feature_moments`): neither φ(X) nor a training copy of X is formed."""
    train_index, validation_index = train_validation_split(X.shape[0], validation_fraction, rng)
    gram, moment = feature_moments(feature_map, X, np.eye(classes)[labels], rows=train_index)
    return TrainingMoments(feature_map, gram, moment, train_index, validation_index)


def choose_lambda(moments: TrainingMoments, X, labels, lambdas=LAMBDA_GRID, workers: int | None = None) -> FittedModel:
    """One eigendecomposition of FᵀF, the validation accuracy of every λ in one product, and the
    model at the best λ (the first of equals); ``workers`` threads make the validation features."""
    sweep = RidgeSweep.from_gram(moments.gram, moments.moment)
    F_val = features(moments.feature_map, X[moments.validation_index], workers=workers)
    scores = sweep.accuracies(F_val, labels[moments.validation_index], lambdas)
    best = int(np.argmax(scores))
    return FittedModel(moments.feature_map, sweep.weights(lambdas[best]), float(lambdas[best]), float(scores[best]),
                       moments.train_index)


def fit_with_validation(feature_map, X, labels, classes: int, rng: np.random.Generator,
                        lambdas=LAMBDA_GRID, validation_fraction: float = VALIDATION_FRACTION) -> FittedModel:
    """Ridge on φ(X) with λ chosen by validation accuracy over ``lambdas``: :func:`training_moments`
    then :func:`choose_lambda`; each example's features are computed once."""
    moments = training_moments(feature_map, X, labels, classes, rng, validation_fraction)
    return choose_lambda(moments, X, labels, lambdas)


def distilled_accuracy(model: FittedModel, train_X, train_Y, ipc: int, mode: str, rng: np.random.Generator,
                       F_test, y_test):
    """(test accuracy retrained on the recovered X_S, the Distilled result); ``train_X``/``train_Y`` are
    the 95 % part the model was fitted on (real mode samples its images there)."""
    Y_S, reference = MODES[mode](train_X, train_Y, model.feature_map, model.W, ipc, 0.0, rng)
    result = distill_model(model.W, model.feature_map, Y_S, lam_s=0.0, reference=reference, rng=rng)
    return accuracy(F_test, y_test, result.W_s), result  # W_s: retrained on φ(recovered X_S)


@dataclass(frozen=True)
class Table3Row:
    feature_map: str
    ipc: int
    mode: str
    original: tuple[float, ...]
    distilled: tuple[float, ...]
    lam: tuple[float, ...]


@dataclass(frozen=True)
class Rows:
    """Rows ``index`` of ``X`` without copying them: ``Rows(X, index)[picked]`` is ``X[index[picked]]``.

    The real mode only gathers the few images it samples (``X[picked]``), so the 95 % training part
    is handed to it as this view: a copy per map was 357 MB, three maps per seed, and the previous
    seed's copies were still alive while the next seed's were made (the 3.5 GB peak of Table 3)."""

    X: np.ndarray
    index: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return (self.index.size, self.X.shape[1])

    def __getitem__(self, picked) -> np.ndarray:
        return self.X[self.index[picked]]


@dataclass(frozen=True)
class MapFit:
    """One feature map's original model for one seed, and what its distillation cells share."""

    model: FittedModel
    F_test: np.ndarray
    original: float
    train_X: Rows | None  # the 95 % part's images, a view kept only when the real mode samples them
    train_Y: np.ndarray


def map_moments(name: str, seed: int, X, labels) -> TrainingMoments:
    """The map of ``name`` seeded from (seed, map) and its training moments (row-parallel)."""
    rng = np.random.default_rng([seed, list(TABLE3_MAPS).index(name)])
    feature_map = TABLE3_MAPS[name](X.shape[1], int(rng.integers(2**31)))
    return training_moments(feature_map, X, labels, int(labels.max()) + 1, rng)


def finish_fit(moments: TrainingMoments, X, labels, X_test, y_test, keep_train: bool,
               workers: int | None = None) -> MapFit:
    """λ by validation, the test features and the original's test accuracy for one map."""
    model = choose_lambda(moments, X, labels, workers=workers)
    F_test = features(model.feature_map, X_test, workers=workers)
    return MapFit(model, F_test, accuracy(F_test, y_test, model.W),
                  Rows(X, model.train_index) if keep_train else None,
                  np.eye(int(labels.max()) + 1)[labels[model.train_index]])


def cell_rng(seed: int, name: str, ipc: int, mode: str) -> np.random.Generator:
    """Each distillation cell's own generator, so cells can run in any order or in parallel."""
    return np.random.default_rng([seed, list(TABLE3_MAPS).index(name), ipc, list(MODES).index(mode)])


def run_table3(seeds=(0, 1, 2, 3), maps=tuple(TABLE3_MAPS), ipcs=IPCS, modes=tuple(MODES),
               data=None, keep_images=None, workers: int | None = None) -> list[Table3Row]:
    """Every (map, ipc, mode) cell over ``seeds``; ``keep_images`` (a dict) collects IPC-1 images.

    Per seed: each map's training moments (row-parallel inside); then the maps' λ choices and test
    features as one task per map; then the map × IPC × mode distillations as independent tasks,
    largest IPC first, on ``workers`` threads. Each cell draws from :func:`cell_rng`, so the table
    does not depend on the number of workers."""
    X, labels, X_test, y_test = data if data is not None else fashion_mnist()
    cells = {(name, ipc, mode): {"original": [], "distilled": [], "lam": []}
             for name in maps for ipc in ipcs for mode in modes}
    keys = sorted(cells, key=lambda key: -key[1])  # largest IPC first
    keep_train = "real" in modes  # only the real mode samples training images
    for seed in seeds:
        moments = {name: map_moments(name, seed, X, labels) for name in maps}
        # one task per map, the costly maps (listed last) first; the task threads already use every
        # core, so each task computes its features on one thread
        done = map_tasks(lambda name: finish_fit(moments[name], X, labels, X_test, y_test, keep_train, workers=1),
                         maps[::-1], workers)
        fits = dict(zip(maps[::-1], done))

        def distil(key):
            fit, ipc, mode = fits[key[0]], key[1], key[2]
            return distilled_accuracy(fit.model, fit.train_X, fit.train_Y, ipc, mode,
                                      cell_rng(seed, *key), fit.F_test, y_test)

        for key, (acc, result) in zip(keys, map_tasks(distil, keys, workers)):
            cell = cells[key]
            cell["original"].append(fits[key[0]].original)
            cell["distilled"].append(acc)
            cell["lam"].append(fits[key[0]].model.lam)
            if keep_images is not None and key[1] == 1 and seed == seeds[0]:
                keep_images[(key[0], key[2])] = result.X
        del moments, fits, done  # free this seed's test features before the next seed makes its own
    return [Table3Row(name, ipc, mode, tuple(c["original"]), tuple(c["distilled"]), tuple(c["lam"]))
            for (name, ipc, mode), c in cells.items()]


def _pm(values) -> str:
    values = 100 * np.asarray(values)
    return f"{values.mean():6.2f} ± {values.std():4.2f}"


def format_table3(rows: list[Table3Row]) -> str:
    lines = [f"{'map':<11} {'IPC':>3} {'mode':<5} {'original %':>15} {'distilled %':>15} {'max |Δ| pts':>11} {'λ (median)':>10}"]
    for row in rows:
        gap = 100 * np.max(np.abs(np.asarray(row.original) - np.asarray(row.distilled)))
        lines.append(f"{row.feature_map:<11} {row.ipc:>3} {row.mode:<5} {_pm(row.original):>15} {_pm(row.distilled):>15} "
                     f"{gap:>11.3f} {np.median(row.lam):>10.3g}")
    return "\n".join(lines)


def save_image_grid(images: dict, path) -> None:
    """IPC-1 distilled images (rows: map × mode, columns: classes) as a PNG (matplotlib Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = sorted(images)
    classes = images[keys[0]].shape[0]
    figure, axes = plt.subplots(len(keys), classes, figsize=(classes * 1.1, len(keys) * 1.2), squeeze=False)
    for r, key in enumerate(keys):
        for c in range(classes):
            axis = axes[r][c]
            axis.imshow(images[key][c].reshape(28, 28), cmap="gray")
            axis.set_xticks([])
            axis.set_yticks([])
            if c == 0:
                axis.set_ylabel(f"{key[0]}\n{key[1]}", fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start
