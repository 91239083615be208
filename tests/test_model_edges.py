"""Edges of model formulas that the distribution tests do not reach: the one-person
androgen helper and the clipping, rounding and capping of drawn alopecia areata courses.

Expected values follow from the documented formulas (the docstrings of
``follicle/model/androgens.py`` and ``follicle/model/alopecia_areata.py``) with the
parameters read at test time or set by the test, never from numbers copied out of a run.
"""

from __future__ import annotations

import numpy as np
import pytest

from follicle.model import alopecia_areata
from follicle.model.androgens import DAYS_PER_YEAR, People, baseline_exposure
from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.person import parse_person


def hand_exposure(age, *, onset, level, female):
    """androgens.py: 0 before onset, a linear ramp over onset_ramp_years, growth per
    decade since onset, and for women the menopause factor ramped in over the same years."""
    since = age - onset
    ramp = min(max(since / P.onset_ramp_years, 0.0), 1.0)
    growth = 1.0 + P.androgen_growth_per_decade * max(since, 0.0) / 10.0
    post = min(max((age - P.menopause_age_years) / P.onset_ramp_years, 0.0), 1.0)
    menopause = 1.0 + (P.menopause_androgen_factor - 1.0) * post if female else 1.0
    return level * ramp * growth * menopause


@pytest.mark.parametrize("sex", ["female", "male"])
def test_one_person_baseline_exposure_follows_the_formula_over_a_life(sex):
    onset = P.onset_age_years[sex]
    person = parse_person({"sex": sex, "age_years": 20})
    # before onset, on the ramp, after it, around and after menopause; fractional days
    ages = np.array(
        [
            onset - 1.0,
            onset + 0.5,  # less than a year since onset: growth by half a year only
            onset + 0.37 * P.onset_ramp_years,
            onset + P.onset_ramp_years + 3.3,
            P.menopause_age_years + 0.5 * P.onset_ramp_years,
            P.menopause_age_years + P.onset_ramp_years + 7.1,
        ]
    )
    days = (ages - 20.0) * DAYS_PER_YEAR
    got = baseline_exposure(days, person, P)
    assert got.shape == days.shape
    level = P.androgen_level[sex]
    expected = [hand_exposure(a, onset=onset, level=level, female=sex == "female") for a in ages]
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert got[0] == 0.0
    # a scalar day gives a 0-d result, the same as the cohort method
    one = baseline_exposure(float(days[3]), person, P)
    assert np.ndim(one) == 0
    cohort = People.of([person], P).baseline_exposure(np.zeros(1, int), days[3], P)
    assert float(one) == pytest.approx(float(cohort[0]), rel=1e-15)


def courses(n=200, seed=3, *, area_cm2=1.0, region="vertex", **changes):
    params = P.replace(**changes)
    rng = np.random.default_rng(seed)
    return alopecia_areata.draw_course(rng, n, params=params, region=region, area_cm2=area_cm2)


@pytest.mark.parametrize(
    ("area_cm2", "expected"),
    [
        (0.5, P.aa_patch_area_cm2),  # a small target: the coin-sized patch
        (7.123456, 14.2469),  # twice the target area, rounded to 4 decimals
        (150.0, 200.0),  # capped at 200 cm2
    ],
)
def test_patch_area_is_twice_the_target_at_least_the_default_and_at_most_200(area_cm2, expected):
    assert P.aa_patch_area_cm2 < 14.0  # the middle case needs the default below it
    drawn = courses(20, area_cm2=area_cm2, region="frontal", aa_relapse_probability=1.0)
    for course in drawn:
        for episode in course:
            assert episode["patch_area_cm2"] == expected
            assert episode["region"] == "frontal"


def test_durations_are_rounded_days_clipped_to_one_day_and_ten_years():
    # a (nearly) fixed duration of 10.6 days rounds to 11, not 10 (truncation)
    fixed = courses(50, aa_episode_median_days=10.6, aa_episode_log_sd=1e-9)
    assert {c[0]["duration_days"] for c in fixed} == {11}
    assert all(type(c[0]["duration_days"]) is int for c in fixed)
    short = courses(
        50, aa_episode_median_days=0.01, aa_episode_log_sd=1e-9, aa_relapse_probability=1.0
    )
    assert {e["duration_days"] for c in short for e in c} == {1}
    long = courses(
        50, aa_episode_median_days=1e6, aa_episode_log_sd=1e-9, aa_relapse_probability=1.0
    )
    assert {e["duration_days"] for c in long for e in c} == {alopecia_areata.MAX_EPISODE_DAYS}


def test_a_relapse_starts_at_least_a_day_after_the_first_episode_ends():
    drawn = courses(
        100,
        aa_relapse_probability=1.0,
        aa_relapse_gap_mean_days=1e-6,  # every gap rounds to 0 days
        aa_episode_median_days=40.0,
        aa_episode_log_sd=1e-9,
    )
    assert all(len(c) == 2 for c in drawn)
    for first, second in drawn:
        assert first == {
            "start_day": 0,
            "duration_days": 40,
            "region": "vertex",
            "patch_area_cm2": P.aa_patch_area_cm2,
        }
        assert second["start_day"] == 41
        assert second["duration_days"] == 40
    assert all(len(c) == 1 for c in courses(100, aa_relapse_probability=0.0))


def test_the_second_episode_has_its_own_duration():
    drawn = courses(2000, aa_relapse_probability=1.0)
    first = np.array([c[0]["duration_days"] for c in drawn], float)
    second = np.array([c[1]["duration_days"] for c in drawn], float)
    # independent draws: equal only by chance (the same rounded day), far from always
    assert np.mean(first == second) < 0.05
    # and from the same lognormal: medians within 4 SEs (1.2533 sigma / sqrt(n), log scale)
    se = 1.2533 * P.aa_episode_log_sd / np.sqrt(first.size)
    assert np.log(np.median(second)) == pytest.approx(
        np.log(P.aa_episode_median_days), abs=4 * se + 0.01
    )
    # the gap after the first episode is exponential with its mean
    gaps = np.array([c[1]["start_day"] - c[0]["duration_days"] for c in drawn], float)
    sd = P.aa_relapse_gap_mean_days / np.sqrt(gaps.size)
    assert gaps.mean() == pytest.approx(P.aa_relapse_gap_mean_days, abs=4 * sd + 1.0)
