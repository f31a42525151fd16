"""Planted failures for luo-xu/coverage-law."""

import dataclasses

import numpy as np
import sympy as sp

from empirical import laws
from theorems.luo_xu.coverage_law import C, EPS_BOUND

from tests.plants import Plant
from tests.luo_xu_planted_runs import no_coverage


def entropy_outside_root(k, entropy):
    """Δ = ε + C·H/√k: k* would grow like H², not H."""
    return EPS_BOUND + C * entropy / sp.sqrt(k)


def log_m_over_sqrt_k(k, m, worst, mean, groups):
    """Regresses on log M/√k instead of √(log M)/√k."""
    result = laws.assess_coverage(k, m, worst, mean, groups)
    k, worst, groups = laws._arrays(k, worst, groups)
    fit = laws.fit_line(np.log(np.asarray(m, float)) / np.sqrt(k), worst, groups, laws.COVERAGE_REGRESSOR)
    return dataclasses.replace(result, worst=fit)


def lenient(k, m, worst, mean, groups):
    """Supported whenever the slope is positive."""
    result = laws.assess_coverage(k, m, worst, mean, groups)
    return dataclasses.replace(result, verdict="supported" if result.worst.slope > 0 else "not-supported")


PLANTS = {
    "luo-xu/coverage-law::regressor-derivation": [Plant("H outside the square root", {"bound": entropy_outside_root})],
    "luo-xu/coverage-law::recovers-planted-law": [Plant("regresses on log M/√k", {"assess": log_m_over_sqrt_k})],
    "luo-xu/coverage-law::rejects-planted-violation": [Plant("supported whenever slope > 0", {"assess": lenient})],
    "luo-xu/coverage-law::committed-runs": [Plant("runs whose gap ignores M", {"runs": no_coverage})],
}
