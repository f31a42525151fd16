"""Planted failures for luo-xu/coverage-law."""

import dataclasses

import numpy as np
import sympy as sp

from empirical import laws
from theorems.luo_xu.coverage_law import A, C, EPS_BOUND

from tests.plants import Plant
from tests.luo_xu_planted_runs import no_coverage


def entropy_outside_root(k, entropy):
    """Δ = ε + a/√k + C·H/√k: k* would grow like H², not through √H."""
    return EPS_BOUND + A / sp.sqrt(k) + C * entropy / sp.sqrt(k)


def linear_in_m_regressor(k, m):
    """√(M/k): not 0 at M = 1."""
    return np.sqrt(np.asarray(m, float) / np.asarray(k, float))


def without_single_configuration_term(k, m, worst, mean, groups):
    """The paper's one-regressor form ε + c√(log M / k) reported as the union bound (a = 0)."""
    result = laws.assess_coverage(k, m, worst, mean, groups)
    data = laws.set_means((np.asarray(k, float), np.asarray(m, float)), worst, groups)
    fit = laws.fit_model(data, (laws.coverage_regressor(*data.columns),))
    law = dataclasses.replace(result.worst, floor=float(fit.coef[0]), a=0.0, c=float(fit.coef[1]),
                              lack_of_fit_p=fit.lack_of_fit_p, cv_mse=fit.cv_mse, c_p_positive=fit.last_p_positive,
                              c_p_negative=fit.last_p_negative)
    verdict, reasons = laws.judge_coverage(law, {**result.alternatives, laws.COVERAGE_LAW: law},
                                           np.unique(m).size, np.unique(k).size)
    return dataclasses.replace(result, worst=law, verdict=verdict, reasons=reasons)


def lenient(k, m, worst, mean, groups):
    """Supported whenever c is positive."""
    result = laws.assess_coverage(k, m, worst, mean, groups)
    return dataclasses.replace(result, verdict="supported" if result.worst.c > 0 else "not-supported")


PLANTS = {
    "luo-xu/coverage-law::regressor-derivation": [Plant("H outside the square root", {"bound": entropy_outside_root})],
    "luo-xu/coverage-law::figure-3-form-contradicts-scaling": [Plant("√(M/k) regressor",
                                                                     {"regressor": linear_in_m_regressor})],
    "luo-xu/coverage-law::recovers-planted-law": [Plant("drops the a/√k term",
                                                        {"assess": without_single_configuration_term})],
    "luo-xu/coverage-law::rejects-planted-violation": [Plant("supported whenever c > 0", {"assess": lenient})],
    "luo-xu/coverage-law::committed-runs": [Plant("runs whose gap ignores M", {"runs": no_coverage})],
}
