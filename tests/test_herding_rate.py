"""The statistics and certificates behind selvan-chen/herding-rate, on inputs with known answers."""

import numpy as np
import pytest
from scipy import stats

from constructions.condensers import HerdingPath
from theorems.selvan_chen.herding_rate import mean_slope, separation_margin, snapshot


def test_mean_slope_is_the_t_interval_over_instances():
    slopes = [-1.0, -0.9, -1.1, -0.95]
    pooled = mean_slope(slopes)
    half = stats.t.ppf(0.975, 3) * np.std(slopes, ddof=1) / 2
    assert pooled.estimate == pytest.approx(-0.9875)
    assert (pooled.low, pooled.high) == pytest.approx((-0.9875 - half, -0.9875 + half))


def test_mean_slope_needs_two_instances_and_fails_on_nan():
    with pytest.raises(ValueError, match="at least 2"):
        mean_slope([-1.0])
    pooled = mean_slope([-1.0, float("nan")])
    assert not pooled.contains(-1.0)  # a NaN interval contains nothing, so no band test can pass


def test_separation_margin_is_a_lower_bound_on_the_distance_to_the_hull():
    candidates = np.array([[1.0, 0.0], [2.0, 1.0], [1.5, -1.0]])
    margin = separation_margin(candidates, np.zeros(2))
    assert 0 < margin <= 1.0 + 1e-12  # the hull's nearest point to 0 is (1, 0), at distance 1
    inside = np.array([[1.0, 0.0], [-1.0, 1.0], [-1.0, -1.0]])
    assert separation_margin(inside, np.zeros(2)) <= 0  # 0 is inside: no separating direction (u = 0 is optimal)


def test_separation_margin_is_zero_on_the_boundary():
    on_edge = np.array([[0.0, 1.0], [0.0, -1.0], [1.0, 0.0]])
    assert abs(separation_margin(on_edge, np.zeros(2))) < 1e-12


def test_snapshot_reads_a_path_once():
    class Shifty:
        reads = 0
        indices = np.arange(3)

        @property
        def mmd(self):
            Shifty.reads += 1
            return np.ones(3) * Shifty.reads

    copied = snapshot(Shifty())
    assert isinstance(copied, HerdingPath) and Shifty.reads == 1
    assert np.array_equal(copied.mmd, np.ones(3)) and np.array_equal(copied.mmd, copied.mmd)
