"""The law-fitting statistics: a few replicates of the coverage benchmark, the lack-of-fit test,
the wild cluster bootstrap, set means and the beats-random test."""

import numpy as np
import pytest

from empirical import laws
from empirical.bench_laws import verdict_counts
from empirical.synthetic_runs import scaling_runs


@pytest.mark.parametrize("truth,wanted", [("both laws", "supported"), ("linear in M", "falsified"),
                                          ("1/k", "falsified")])
def test_coverage_benchmark_few_replicates(truth, wanted):
    counts = verdict_counts(truth, 8, seed=3)
    if wanted == "supported":
        assert counts["supported"] >= 7, counts
    else:
        assert counts["supported"] == 0, counts


def test_set_means_average_evaluations_of_one_set():
    data = laws.set_means((np.array([1.0, 1, 2, 2]),), np.array([0.1, 0.3, 0.2, 0.2]), np.array([0, 0, 0, 0]))
    assert sorted(data.y.tolist()) == pytest.approx([0.2, 0.2]) and data.count.tolist() == [2, 2]


def test_lack_of_fit_rejects_one_over_k_and_accepts_one_over_sqrt_k():
    rng = np.random.default_rng(1)
    k, gap, seeds = scaling_runs(rng, lambda k: 0.02 + 0.5 / k, seeds=4, noise_sd=0.005, ks=(1, 2, 4, 8, 16, 32))
    assert laws.fit_line(1 / np.sqrt(k), gap, seeds).lack_of_fit_p < laws.LACK_OF_FIT_P_MIN
    k, gap, seeds = scaling_runs(rng, lambda k: 0.02 + 0.5 / np.sqrt(k), seeds=4, noise_sd=0.005,
                                 ks=(1, 2, 4, 8, 16, 32))
    assert laws.fit_line(1 / np.sqrt(k), gap, seeds).lack_of_fit_p > 0.01


def test_wild_cluster_bootstrap_is_not_anti_conservative_under_the_null():
    """Slope 0, four seed clusters with large shared offsets: P(p < 0.05) stays near 0.05."""
    rng = np.random.default_rng(2)
    rejections = 0
    for _ in range(60):
        k, gap, seeds = scaling_runs(rng, lambda k: 0.1 + 0 * k, seeds=4, seed_sd=0.02, noise_sd=0.005,
                                     ks=(1, 2, 4, 8, 16, 32))
        rejections += laws.fit_line(1 / np.sqrt(k), gap, seeds).slope_p_positive < 0.05
    assert rejections <= 8  # binomial(60, 0.05): P(> 8) ≈ 0.3 %


def test_beats_random_is_paired_by_seed_and_holm_adjusted():
    k = np.repeat([1.0, 2.0, 4.0], 4)
    seeds = np.tile(np.arange(4), 3)
    offset = np.array([0.0, 0.05, -0.03, 0.02])[seeds]  # shared by method and baseline: pairing removes it
    versus = laws.beats_random(k, 0.2 + offset, seeds, k, 0.21 + offset + 1e-4 * seeds, seeds)
    assert all(versus.paired) and versus.beats_everywhere
    worse = laws.beats_random(k, 0.2 + offset, seeds, k, 0.2 + offset - 1e-3 * (seeds % 2), seeds)
    assert not worse.beats_everywhere
