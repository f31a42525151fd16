"""Chen, Huang & Weng, Proposition 6.1: the trained model does not determine the training features.

Statement (rows are examples). For λ ≥ 0 the model W = G_λ(F)Y depends on the data only through
FᵀF and FᵀY. Any orthogonal R ∈ ℝ^{n×n} with RᵀY = Y gives features F' = RF with F'ᵀF' = FᵀF and
F'ᵀY = FᵀY, hence the same W, while F' ≠ F whenever RF ≠ F. A Householder reflection
R = I − 2vvᵀ with v ⊥ Range(Y) and Fᵀv ≠ 0 does it (n > k). For a surjective φ the inputs
X' = φ⁻¹(RF) form a second dataset, with the same labels, that trains the same model: releasing W
(or a distilled set that reproduces it) does not reveal φ(X).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from constructions.feature_maps import IdentityMap, LeakyReLUNetwork
from constructions.krr import fit_ridge_full_lambda
from empirical.krr_table3 import fashion_mnist
from theorems import Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.chen_huang_weng._common import CONVENTIONS, SOURCE, condition
from theorems.domains import Domain, integers, interval, parametric, sampled, tuples
from theorems.requirements import dataset
from theorems.searching import property_outcome
from theorems.tolerances import normal_equation_error_bound, unit_roundoff


def statement():
    return [sp.Implies(sp.And(sp.Symbol("RᵀR = I"), sp.Symbol("RᵀY = Y")),
                       sp.Eq(sp.Symbol("W(RF, Y)"), sp.Symbol("W(F, Y)")))]


def indistinguishable_dataset(X, Y, feature_map):
    """X' = φ⁻¹((I − 2vvᵀ)φ(X)), v the largest column of the residual of F on Y (so v ⊥ Range(Y), Fᵀv ≠ 0)."""
    F = feature_map(X)
    residual = F - Y @ np.linalg.lstsq(Y, F, rcond=None)[0]
    norms = np.linalg.norm(residual, axis=0)
    if norms.max() <= 10 * max(F.shape) * unit_roundoff() * np.linalg.norm(F):
        raise ValueError("the features lie in Range(Y): no reflection fixing the labels moves them")
    v = residual[:, int(np.argmax(norms))] / norms.max()
    return feature_map.preimage(F - 2 * np.outer(v, v @ F))


checks = Checks()


def _compare(X, Y, feature_map, lam, alternative):
    """(relative model difference / bound, feature move / ‖F‖) for the alternative dataset."""
    X_other = alternative(X, Y, feature_map)
    F, F_other = feature_map(X), feature_map(X_other)
    W, W_other = fit_ridge_full_lambda(F, Y, lam), fit_ridge_full_lambda(F_other, Y, lam)
    smallest = np.linalg.eigvalsh(F.T @ F)[0] + lam
    bound = normal_equation_error_bound(np.linalg.norm(F, 2), np.linalg.norm(Y), np.linalg.norm(W), smallest, F.shape[0])
    bound *= max(1.0, condition(feature_map.weights[0]) / feature_map.slope if isinstance(feature_map, LeakyReLUNetwork) else 1.0)
    moved = np.linalg.norm(F_other - F) / np.linalg.norm(F)
    return np.linalg.norm(W_other - W) / bound, moved


def random_problem(params, rng: np.random.Generator):
    """(X, Y, φ, λ) from the parameters (k, d, n_fraction, λ): n = n₀ + round(n_fraction·(12 − n₀)) with
    n₀ = max(d, k) + 1 (so n > k, the statement's condition, and n > d), X with Gaussian entries, every
    class present in the one-hot Y, and a square LeakyReLU map φ with seeded weights."""
    k, d, n_fraction, lam = params
    smallest = max(d, k) + 1
    n = smallest + int(round(n_fraction * (12 - smallest)))
    labels = np.concatenate([np.arange(k), rng.integers(0, k, size=n - k)])
    feature_map = LeakyReLUNetwork.seeded(d, (d,), seed=int(rng.integers(0, 2**32)))
    return rng.normal(size=(n, d)), np.eye(k)[labels], feature_map, lam


LAMBDAS = (0.0, 10.0, 0.1)
"""λ at both ends of the checked range first (0: the least-squares model; 10: strong ridge), then between."""


@st.composite
def random_problems(draw):
    """:func:`random_problem` from hypothesis's draws of the parameters and of the entries' seed."""
    params = (draw(st.integers(2, 3)), draw(st.integers(2, 5)), draw(st.floats(0.0, 1.0)), draw(st.sampled_from(LAMBDAS)))
    return random_problem(params, np.random.default_rng(draw(st.integers(0, 2**32 - 1))))


def random_problem_domain() -> Domain:
    """k ∈ {2, 3}, d ∈ {2, …, 5}, n from max(d, k) + 1 to 12, λ ∈ {0, 10, 0.1}: the grid holds every corner
    (smallest and largest n, k, d, both ends of λ) and each axis's values with the others at their midpoints."""
    parameters = tuples(integers(2, 3), integers(2, 5), interval(0.0, 1.0, points=3), sampled(list(LAMBDAS)))
    return parametric(random_problems(), parameters, random_problem,
                      description="(X, Y, φ, λ): k ≤ 3, d ≤ 5, max(d, k) < n ≤ 12, λ ∈ {0, 0.1, 10}")


@checks.add("same-model-different-data", Kind.PROPERTY)
def same_model(ctx, alternative=indistinguishable_dataset) -> Outcome:
    """Random data (n > k), a square LeakyReLU map, λ ∈ {0, 0.1, 10} (:func:`random_problem_domain`): the
    alternative dataset moves the features by more than 10⁻³ relative, and its model equals W within the
    normal-equation rounding bound (times κ(W₁)/α for the network's preimage)."""

    def prop(args):
        X, Y, feature_map, lam = args
        ratio, moved = _compare(X, Y, feature_map, lam, alternative)
        if not (ratio <= 1 and moved >= 1e-3):
            raise Violation(f"model differs by {ratio:.3g}× its bound or features moved only {moved:.3g}",
                            model_error_over_bound=ratio, features_moved=moved)
        return {"model_error_over_bound": ratio}

    return property_outcome(search(ctx, random_problem_domain(), prop, fraction=0.25, label="same"))


@checks.add("fashion-mnist", Kind.REAL_DATA, needs=(dataset("fashion-mnist"),))
def fashion_check(ctx, alternative=indistinguishable_dataset) -> Outcome:
    """Fashion-MNIST: a seeded 2 000-image subset, linear ridge with λ = 10. The reflected dataset has the
    same labels and model (within the rounding bound) yet its images differ (relative change > 10⁻³)."""
    X, labels, _, _ = fashion_mnist()
    subset = np.sort(ctx.rng("subset").choice(X.shape[0], size=2000, replace=False))
    ratio, moved = _compare(X[subset], np.eye(10)[labels[subset]], IdentityMap(X.shape[1]), 10.0, alternative)
    holds = ratio <= 1 and moved > 1e-3
    return Outcome.decide(holds, None if holds else {"model_error_over_bound": ratio, "features_moved": moved},
                          "" if holds else "the reflected data do not give the same model, or equal the data",
                          model_error_over_bound=ratio, images_moved=moved)


THEOREM = register(
    Theorem(
        id="chen-huang-weng/proposition-6.1",
        title="The model does not determine the training features (privacy)",
        source=f"{SOURCE}, Proposition 6.1",
        claim="Different datasets with the same labels train the same model W, so W does not reveal φ(X).",
        statement=statement,
        checks=checks.freeze(),
        construction=indistinguishable_dataset,
        conventions=CONVENTIONS,
    )
)
