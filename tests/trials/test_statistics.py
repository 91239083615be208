"""Trial statistics against textbook values, hand calculations and simulation."""

import math

import numpy as np
import pytest
from scipy import stats

from follicle.trials.statistics import (
    difference,
    power_two_means,
    sample_size_two_means,
    sample_size_two_proportions,
    summarize,
    wilson_interval,
)


def test_summary_by_hand():
    x = [1.0, 2.0, 3.0, 4.0, 5.0]
    s = summarize(x)
    half = 2.7764451 * math.sqrt(2.5) / math.sqrt(5)  # t(0.975, 4) = 2.776445
    assert (s.n, s.mean, s.sd) == (5, 3.0, pytest.approx(math.sqrt(2.5)))
    assert (s.ci_low, s.ci_high) == (pytest.approx(3 - half), pytest.approx(3 + half))


def test_wilson_interval_textbook():
    # 8 successes of 10: Wilson 95% interval 0.490 to 0.943 (Newcombe 1998, method 3)
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


def test_t_interval_covers_95_percent():
    rng = np.random.default_rng(7)
    trials, hits = 2000, 0
    for _ in range(trials):
        s = summarize(rng.normal(10, 3, 15))
        hits += s.ci_low <= 10 <= s.ci_high
    # binomial SD of the coverage: sqrt(0.95 * 0.05 / 2000) = 0.0049; 3.5 SD
    assert abs(hits / trials - 0.95) < 0.017


def test_welch_difference_matches_hand_and_scipy():
    a = np.array([12.0, 15, 11, 18, 14, 16])
    b = np.array([10.0, 9, 13, 8, 11])
    d = difference(a, b)
    assert d.difference == pytest.approx(a.mean() - b.mean())
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    dof = (va + vb) ** 2 / (va**2 / 5 + vb**2 / 4)
    half = stats.t.ppf(0.975, dof) * math.sqrt(va + vb)
    assert (d.ci_low, d.ci_high) == (
        pytest.approx(d.difference - half),
        pytest.approx(d.difference + half),
    )
    assert d.p_value == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)


def test_difference_interval_covers_the_true_difference():
    rng = np.random.default_rng(11)
    hits = sum(
        (d := difference(rng.normal(5, 2, 20), rng.normal(3, 4, 30))).ci_low <= 2 <= d.ci_high
        for _ in range(2000)
    )
    assert abs(hits / 2000 - 0.95) < 0.017


def test_proportion_difference_z_test():
    a = np.r_[np.ones(60), np.zeros(40)]
    b = np.r_[np.ones(45), np.zeros(55)]
    d = difference(a, b, binary=True)
    pooled = 105 / 200
    z = 0.15 / math.sqrt(pooled * (1 - pooled) * (2 / 100))
    assert d.difference == pytest.approx(0.15)
    assert d.p_value == pytest.approx(2 * stats.norm.sf(z))
    se = math.sqrt(0.6 * 0.4 / 100 + 0.45 * 0.55 / 100)
    assert d.ci_low == pytest.approx(0.15 - 1.959964 * se)


def test_sample_size_textbook_values():
    # Cohen (1988): d = 0.5, two-sided alpha 0.05, power 0.8 -> 64 per group
    assert sample_size_two_means(0.5, 1.0) == 64
    # d = 0.8 -> 26; d = 0.2 -> 394 (Cohen's table)
    assert sample_size_two_means(8.0, 10.0) == 26
    assert sample_size_two_means(0.2, 1.0) == 394
    # two proportions 0.6 vs 0.4, Fleiss without continuity correction: 97 per group
    assert sample_size_two_proportions(0.6, 0.4) == 97


def test_power_formula_agrees_with_simulated_trials():
    rng = np.random.default_rng(3)
    n, sims = 64, 3000
    rejected = sum(
        stats.ttest_ind(rng.normal(0.5, 1, n), rng.normal(0, 1, n)).pvalue < 0.05
        for _ in range(sims)
    )
    assert power_two_means(n, 0.5, 1.0) == pytest.approx(0.8015, abs=0.002)
    # simulation SD sqrt(0.8 * 0.2 / 3000) = 0.0073; 3.5 SD
    assert abs(rejected / sims - power_two_means(n, 0.5, 1.0)) < 0.026
