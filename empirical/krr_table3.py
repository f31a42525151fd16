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
* Conventions (:data:`CONVENTIONS`): the above is ``ddtheory``; ``authors`` follows the authors' public
  code: one mean and deviation for all pixels, :data:`AUTHORS_LAMBDA_GRID`, moments in float32 and each
  λ solved by a float32 rank-revealing least-squares routine (:class:`Conventions`). That routine
  truncates the rank of the ill-conditioned systems of every small λ, so validation lands on λ ≈ 10³,
  which costs the LeakyReLU map about a point against float64's λ = 10⁻⁶ … 10⁻³.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
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
# the authors' code validates over half decades 10⁻⁶ … 10^5.5 (the paper lists no grid); for the linear map it
# starts at 10⁻³, which changes nothing: there every λ below 10² is rank-truncated and loses (Conventions)
AUTHORS_LAMBDA_GRID = 10.0 ** np.arange(-6.0, 6.0, 0.5)


@dataclass(frozen=True)
class Conventions:
    """How the original model is fitted.

    ``standardise``: map every pixel x to (x − μ)/σ with one μ and one σ over all training pixels (a
    one-channel normalisation, as the authors' data module does for every dataset), not per pixel; the near-constant border
    pixels stay near-constant, so FᵀF stays ill-conditioned: κ(FᵀF) ≈ 1.1·10⁵ for the LeakyReLU features
    and 1.6·10⁸ for the linear map at seed 0 (per-pixel standardisation would give 6.8·10³).

    ``lambdas``: the validation grid. ``solve_dtype``: the dtype φ(X) is rounded to and FᵀF, FᵀY are
    summed in.

    ``solver``: ``"eigh"``, one float64 eigendecomposition FᵀF = VΛVᵀ for every λ,
    W = V(Λ + λI)⁻¹VᵀFᵀY; or ``"lstsq"``, each λ on its own as the least-squares problem
    min_W ‖(FᵀF + λI)W − FᵀY‖ in ``solve_dtype`` by ``torch.linalg.lstsq`` with its CPU defaults, the
    authors' route: LAPACK's gelsy (QR with column pivoting) with rcond = p·u (9.3·10⁻⁵ in float32,
    p = 784). gelsy keeps the leading pivoted columns while its incremental estimate of the condition
    number of R₁₁ stays below 1/rcond ≈ 1.1·10⁴ and returns the basic solution on them, so once
    κ(FᵀF + λI) exceeds ≈ 10⁴ the solve truncates the rank. Measured at seed 0 (LeakyReLU, λ ≤ 10):
    rank 208 of 784 (209 on a second call: the rank is decided at the rounding level, hence the
    authors' run-to-run spread), normal-equation residual ‖(FᵀF + λI)W − FᵀY‖/‖FᵀY‖ = 8.6·10⁻³,
    against 5·10⁻⁸ for a float32 LU solve of the same system. Validation then lands where the system
    comes down to about the cutoff: 10³ (LeakyReLU, residual 5·10⁻⁷ there) and 10^3.5 (linear).

    ``rff_variance``: the entrywise variance of the RFF matrix A; ``None`` is the 1/d of
    :data:`TABLE3_MAPS`, the authors' code draws A with variance 10⁻³."""

    name: str
    standardise: bool
    lambdas: np.ndarray
    solve_dtype: type
    solver: str
    rff_variance: float | None = None


SOLVERS = ("eigh", "lstsq")
CONVENTIONS = {
    "ddtheory": Conventions("ddtheory", False, LAMBDA_GRID, np.float64, "eigh"),
    "authors": Conventions("authors", True, AUTHORS_LAMBDA_GRID, np.float32, "lstsq", rff_variance=1e-3),
}
REFERENCE_AUTHORS = {"linear": 81.1, "leaky-relu": 83.1, "rff": 83.7}  # a run of the authors' public code (float32, CPU)


def standardised(data):
    """(X_train, y_train, X_test, y_test) with every pixel mapped to (x − μ)/σ, μ and σ the mean and
    standard deviation of all training pixels together (one channel)."""
    X, labels, X_test, y_test = data
    mean, scale = X.mean(), X.std()
    if not scale > 0:
        raise ValueError("standardised needs training pixels that are not all equal")
    return (X - mean) / scale, labels, (X_test - mean) / scale, y_test


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
                     validation_fraction: float = VALIDATION_FRACTION, dtype=np.float64) -> TrainingMoments:
    """The seeded split, then FᵀF and FᵀY of the training part accumulated in row blocks
    (:func:`feature_moments`): neither φ(X) nor a training copy of X is formed."""
    train_index, validation_index = train_validation_split(X.shape[0], validation_fraction, rng)
    gram, moment = feature_moments(feature_map, X, np.eye(classes)[labels], rows=train_index, dtype=dtype)
    return TrainingMoments(feature_map, gram, moment, train_index, validation_index)


def ridge_lstsq(gram: np.ndarray, moment: np.ndarray, lam: float) -> np.ndarray:
    """W solving (FᵀF + λI)W = FᵀY as ``torch.linalg.lstsq`` does on CPU in the moments' dtype: gelsy
    with rcond = p·u, which truncates the rank once κ(FᵀF + λI) ≳ 1/rcond (:class:`Conventions`)."""
    import torch

    system = gram + gram.dtype.type(lam) * np.eye(gram.shape[0], dtype=gram.dtype)
    rcond = system.shape[0] * float(np.finfo(gram.dtype).eps)
    solution = torch.linalg.lstsq(torch.from_numpy(system), torch.from_numpy(moment), rcond=rcond, driver="gelsy")
    return solution.solution.numpy().astype(float)


def choose_lambda(moments: TrainingMoments, X, labels, lambdas=LAMBDA_GRID, workers: int | None = None,
                  solver: str = "eigh") -> FittedModel:
    """The validation accuracy of every λ and the model at the best λ (the first of equals); ``workers``
    threads make the validation features. ``solver`` (:class:`Conventions`): ``"eigh"``, one float64
    eigendecomposition of FᵀF serves every λ in one product; ``"lstsq"``, :func:`ridge_lstsq` per λ on
    the moments as formed (float32 in the authors' conventions)."""
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    F_val = features(moments.feature_map, X[moments.validation_index], workers=workers)
    val_labels = labels[moments.validation_index]
    if solver == "eigh":
        sweep = RidgeSweep.from_gram(moments.gram, moments.moment)
        scores = sweep.accuracies(F_val, val_labels, lambdas)
        best = int(np.argmax(scores))
        W = sweep.weights(lambdas[best])
    else:
        models = [ridge_lstsq(moments.gram, moments.moment, lam) for lam in lambdas]
        scores = [accuracy(F_val, val_labels, W) for W in models]
        best = int(np.argmax(scores))
        W = models[best]
    return FittedModel(moments.feature_map, W, float(lambdas[best]), float(scores[best]), moments.train_index)


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


def map_moments(name: str, seed: int, X, labels, conventions: Conventions) -> TrainingMoments:
    """The map of ``name`` seeded from (seed, map) (the RFF with ``conventions.rff_variance`` when set)
    and its training moments (row-parallel, in ``conventions.solve_dtype``)."""
    rng = np.random.default_rng([seed, list(TABLE3_MAPS).index(name)])
    d, map_seed = X.shape[1], int(rng.integers(2**31))
    if name == "rff" and conventions.rff_variance is not None:
        feature_map = RandomFourierFeatures.seeded(d, d, seed=map_seed, scale=np.sqrt(conventions.rff_variance * d),
                                                   b_max=np.pi)
    else:
        feature_map = TABLE3_MAPS[name](d, map_seed)
    return training_moments(feature_map, X, labels, int(labels.max()) + 1, rng, dtype=conventions.solve_dtype)


def finish_fit(moments: TrainingMoments, X, labels, X_test, y_test, keep_train: bool,
               workers: int | None = None, conventions: Conventions = CONVENTIONS["ddtheory"]) -> MapFit:
    """λ by validation (``conventions``' grid and solver), the test features and the original's test
    accuracy for one map."""
    model = choose_lambda(moments, X, labels, conventions.lambdas, workers=workers, solver=conventions.solver)
    F_test = features(model.feature_map, X_test, workers=workers)
    return MapFit(model, F_test, accuracy(F_test, y_test, model.W),
                  Rows(X, model.train_index) if keep_train else None,
                  np.eye(int(labels.max()) + 1)[labels[model.train_index]])


def originals_at(lam: float, seed: int, conventions: str = "authors", data=None) -> dict[str, float]:
    """Each map's original test accuracy with λ fixed at ``lam`` (no validation) under ``conventions``."""
    convention = CONVENTIONS[conventions]
    data = data if data is not None else fashion_mnist()
    X, labels, X_test, y_test = standardised(data) if convention.standardise else data
    fixed = replace(convention, lambdas=np.array([float(lam)]))
    return {name: finish_fit(map_moments(name, seed, X, labels, convention), X, labels, X_test, y_test,
                             False, conventions=fixed).original for name in TABLE3_MAPS}


def cell_rng(seed: int, name: str, ipc: int, mode: str) -> np.random.Generator:
    """Each distillation cell's own generator, so cells can run in any order or in parallel."""
    return np.random.default_rng([seed, list(TABLE3_MAPS).index(name), ipc, list(MODES).index(mode)])


def run_table3(seeds=(0, 1, 2, 3), maps=tuple(TABLE3_MAPS), ipcs=IPCS, modes=tuple(MODES),
               data=None, keep_images=None, workers: int | None = None,
               conventions: str = "ddtheory") -> list[Table3Row]:
    """Every (map, ipc, mode) cell over ``seeds``; ``keep_images`` (a dict) collects IPC-1 images;
    ``conventions`` (:data:`CONVENTIONS`) sets standardisation, the λ grid, the dtype and the solver.

    Per seed: each map's training moments (row-parallel inside); then the maps' λ choices and test
    features as one task per map; then the map × IPC × mode distillations as independent tasks,
    largest IPC first, on ``workers`` threads. Each cell draws from :func:`cell_rng`, so the table
    does not depend on the number of workers."""
    if conventions not in CONVENTIONS:
        raise ValueError(f"conventions must be one of {sorted(CONVENTIONS)}, got {conventions!r}")
    convention = CONVENTIONS[conventions]
    data = data if data is not None else fashion_mnist()
    X, labels, X_test, y_test = standardised(data) if convention.standardise else data
    cells = {(name, ipc, mode): {"original": [], "distilled": [], "lam": []}
             for name in maps for ipc in ipcs for mode in modes}
    keys = sorted(cells, key=lambda key: -key[1])  # largest IPC first
    keep_train = "real" in modes  # only the real mode samples training images
    for seed in seeds:
        moments = {name: map_moments(name, seed, X, labels, convention) for name in maps}
        # one task per map, the costly maps (listed last) first; the task threads already use every
        # core, so each task computes its features on one thread
        done = map_tasks(lambda name: finish_fit(moments[name], X, labels, X_test, y_test, keep_train, workers=1,
                                                   conventions=convention),
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
