"""Planted failures for luo-xu/surrogates."""

from theorems.luo_xu import surrogates

from tests.plants import Plant
from tests.luo_xu_planted_runs import one_over_k


def gradient_without_labels(gram, moment, theta):
    """Drops the Xᵀy term: matching it no longer pins c̃ = c."""
    return 2 * gram * theta


def always_supported(runs, baseline=None):
    """Reports every comparison supported."""
    verdict, reasons, figures = surrogates.compare(runs, baseline)
    return "supported", reasons, figures


PLANTS = {
    "luo-xu/surrogates::one-alignment-objective": [Plant("gradient without the label term",
                                                         {"grad": gradient_without_labels})],
    "luo-xu/surrogates::side-by-side": [Plant("always supported", {"comparison": always_supported})],
    "luo-xu/surrogates::committed-runs": [Plant("runs whose gap is 0.02 + 0.5/k", {"runs": one_over_k})],
}
