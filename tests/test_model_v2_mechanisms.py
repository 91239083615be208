"""Model v2 mechanisms that are formulas or draws: checked exactly or against theory.

- androgen exposure grows linearly with the years since onset (and with menopause);
- laser, PRP and the topical vehicle speed the resting clocks by their parameters;
- alopecia areata courses: lognormal durations with the intended median and spread,
  relapses at the intended rate, a patch that covers the target area.
"""

import numpy as np
import pytest

from follicle.model import alopecia_areata
from follicle.model.androgens import DAYS_PER_YEAR, People
from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.model.regions import REGION_INDEX
from follicle.person import parse_person
from follicle.regimen import parse_regimen
from follicle.treatments.schedule import compile_regimen


def test_androgen_exposure_grows_with_years_since_onset():
    man = parse_person(
        {"sex": "male", "age_years": 20, "androgen_sensitivity": 1, "onset_age_years": 15}
    )
    people = People.of([man], P)
    years = np.array([0.0, 3.0, 10.0, 30.0, 60.0])
    exposure = people.baseline_exposure(np.zeros(years.size, int), years * DAYS_PER_YEAR, P)
    since = 5.0 + years
    ramp = np.clip(since / P.onset_ramp_years, 0, 1)
    expected = ramp * (1 + P.androgen_growth_per_decade * since / 10)
    assert exposure == pytest.approx(expected, rel=1e-12)
    # a woman past menopause: x menopause_androgen_factor once the ramp is over
    woman = parse_person(
        {"sex": "female", "age_years": 70, "androgen_sensitivity": 1, "onset_age_years": 15}
    )
    value = People.of([woman], P).baseline_exposure(np.zeros(1, int), 0.0, P)[0]
    growth = 1 + P.androgen_growth_per_decade * 55 / 10
    assert value == pytest.approx(P.androgen_level["female"] * growth * P.menopause_androgen_factor)


@pytest.mark.parametrize(
    ("treatment", "speedup"),
    [
        ({"kind": "laser", "sessions_per_week": 3}, P.laser_rest_speedup),
        ({"kind": "vehicle", "applications_per_day": 2}, P.vehicle_rest_speedup),
        ({"kind": "vehicle", "applications_per_day": 1}, P.vehicle_rest_speedup / 2),
    ],
)
def test_resting_clock_speedups(treatment, speedup):
    regimen = parse_regimen({"name": "x", "treatment": [treatment]})
    schedule = compile_regimen(regimen, days=30, params=P, rng=np.random.default_rng(0))
    vertex = REGION_INDEX["vertex"]
    expected = np.exp(np.round(np.log(1 + speedup) / P.clock_step) * P.clock_step)
    assert schedule.rest_clock[vertex, 10] == pytest.approx(expected)
    if treatment["kind"] == "laser":  # the occiput is not treated
        assert schedule.rest_clock[REGION_INDEX["occipital"], 10] == 1.0


def test_prp_wakes_resting_follicles_for_about_a_month_after_each_session():
    regimen = parse_regimen(
        {"name": "x", "treatment": [{"kind": "prp", "interval_days": 30, "sessions": 3}]}
    )
    schedule = compile_regimen(regimen, days=200, params=P, rng=np.random.default_rng(0))
    rest = schedule.rest_clock[REGION_INDEX["vertex"]]
    assert rest[0] == pytest.approx(1 + P.prp_rest_speedup, rel=P.clock_step)
    assert rest[30] > rest[29]  # the next session
    # the sum of the three decaying pulses, quantized on the log scale in clock steps
    for day in (10, 45, 100, 160):
        pulses = sum(
            np.exp(-(day - start) / P.prp_tau_days) for start in (0, 30, 60) if start <= day
        )
        expected = 1 + P.prp_rest_speedup * pulses
        assert abs(np.log(rest[day]) - np.log(expected)) <= P.clock_step / 2 + 1e-12


def test_alopecia_areata_courses_have_the_intended_distribution():
    n = 20_000
    courses = alopecia_areata.draw_course(
        np.random.default_rng(4), n, params=P, region="vertex", area_cm2=1.0
    )
    first = np.array([c[0]["duration_days"] for c in courses], float)
    assert all(c[0]["start_day"] == 0 for c in courses)
    log_sd = P.aa_episode_log_sd
    # median of a lognormal sample: SE ~ 1.2533 sigma / sqrt(n) on the log scale
    assert np.log(np.median(first)) == pytest.approx(
        np.log(P.aa_episode_median_days), abs=4 * 1.2533 * log_sd / np.sqrt(n) + 0.01
    )
    assert np.log(first).std() == pytest.approx(log_sd, abs=4 * log_sd / np.sqrt(2 * n) + 0.01)
    relapses = np.array([len(c) == 2 for c in courses])
    p = P.aa_relapse_probability
    assert relapses.mean() == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n))
    second = [c[1] for c in courses if len(c) == 2]
    assert all(
        s["start_day"] > c[0]["duration_days"]
        for s, c in zip(second, (c for c in courses if len(c) == 2), strict=True)
    )
    # the patch covers the 1 cm2 target area (a square inside a circle of >= 2 cm2)
    assert all(c[0]["patch_area_cm2"] >= 2.0 for c in courses[:10])
