"""Planted failures for luo-xu/scaling-law."""

import dataclasses


from empirical import laws
from theorems.luo_xu.scaling_law import A, EPS_BOUND

from tests.plants import Plant
from tests.luo_xu_planted_runs import growing, one_over_k


def one_over_k_bound(k):
    """A 1/k bound claimed as the law: not linear in 1/√k."""
    return EPS_BOUND + A / k


def fits_one_over_k(k, gap, groups):
    """Fits Δ on 1/k but reports it as the 1/√k law: biased slope and intercept."""
    k, gap, groups = laws._arrays(k, gap, groups)
    fit = dataclasses.replace(laws.fit_line(1 / k, gap, groups, laws.LAW_REGRESSOR))
    exponent = laws.fit_exponent(k, gap)
    verdict, reasons = laws.judge(fit, {laws.LAW_REGRESSOR: fit}, exponent)
    return laws.ScalingAssessment(fit, {laws.LAW_REGRESSOR: fit}, exponent, laws.Saturation(False, None, 0.0),
                                  verdict, reasons)


def lenient(k, gap, groups):
    """Supported whenever the slope is positive: ignores AIC, α and R²."""
    result = laws.assess_scaling(k, gap, groups)
    verdict = "supported" if result.law.slope > 0 else "not-supported"
    return dataclasses.replace(result, verdict=verdict)


def no_saturation(k, gap, groups):
    """Never looks for a breakpoint."""
    k, gap, groups = laws._arrays(k, gap, groups)
    fits = {name: laws.fit_line(f(k), gap, groups, name) for name, f in laws.REGRESSORS.items()}
    exponent = laws.fit_exponent(k, gap)
    verdict, reasons = laws.judge(fits[laws.LAW_REGRESSOR], fits, exponent)
    return laws.ScalingAssessment(fits[laws.LAW_REGRESSOR], fits, exponent, laws.Saturation(False, None, 0.0),
                                  verdict, reasons)


PLANTS = {
    "luo-xu/scaling-law::regressor-derivation": [Plant("a 1/k bound", {"bound": one_over_k_bound})],
    "luo-xu/scaling-law::recovers-planted-law": [Plant("regresses on 1/k", {"assess": fits_one_over_k})],
    "luo-xu/scaling-law::rejects-planted-violation": [Plant("supported whenever slope > 0", {"assess": lenient})],
    "luo-xu/scaling-law::detects-saturation": [Plant("no breakpoint search", {"assess": no_saturation})],
    "luo-xu/scaling-law::committed-runs": [Plant("runs whose gap is 0.02 + 0.5/k", {"runs": one_over_k}),
                                           Plant("runs whose gap grows with k", {"runs": growing})],
}
