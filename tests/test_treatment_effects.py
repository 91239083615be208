"""Every treatment's compiled daily effect series against a hand calculation.

``compile_regimen`` turns a regimen into the series the engines read (DHT factor, anagen
and resting clocks, growth signal, microneedling sessions). Each test below computes the
expected series from the documented mechanism (the docstrings of
``follicle/treatments/*.py`` and docs/model.md) and the parameters read from
``DEFAULT_PARAMETERS`` at test time, in closed form: a first-order onset from day ``s``
reaches ``1 - exp(-(d - s + 1) / tau)`` of its target on day ``d`` (the value is updated
once per day), a wash-out from the stop day ``S`` leaves ``exp(-(d - S + 1) / tau_off)``
of the level of day ``S - 1``. So a refit of a parameter moves the expected values with
it, while a change of the code (an effect scaled by 0.8, adherence or a route ignored,
a time constant swapped) fails: values are compared to 1e-9 (DHT, growth, sessions) or,
for the clocks, which the schedule quantizes in steps of ``clock_step`` on the log scale,
to half a step (1% at the default step), far below a 20% change of an effect.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.model.regions import REGION_INDEX, REGIONS
from follicle.regimen import parse_regimen
from follicle.treatments import microneedling
from follicle.treatments.effects import first_order
from follicle.treatments.schedule import compile_regimen

DAYS = 400
OCCIPUT = REGION_INDEX["occipital"]
VERTEX = REGION_INDEX["vertex"]
DEFAULT_TREATED = np.array([name != "occipital" for name in REGIONS])


def compiled(*treatments: dict, days: int = DAYS, params=P):
    regimen = parse_regimen({"name": "x", "treatment": list(treatments)})
    return compile_regimen(regimen, days=days, params=params, rng=np.random.default_rng(0))


def rise(tau_days: float, *, start_day: int = 0, days: int = DAYS) -> np.ndarray:
    """Share of its target a first-order effect started on ``start_day`` reaches each day."""
    elapsed = np.arange(days + 1) - start_day + 1
    return np.where(elapsed > 0, -np.expm1(-np.maximum(elapsed, 0) / tau_days), 0.0)


def on_off(tau_on: float, tau_off: float, *, start_day: int, stop_day: int, days: int = DAYS):
    """Share of its target a course from ``start_day`` to ``stop_day`` (exclusive) gives."""
    level = rise(tau_on, start_day=start_day, days=days)
    day = np.arange(days + 1)
    after = day >= stop_day
    level[after] = level[stop_day - 1] * np.exp(-(day[after] - stop_day + 1) / tau_off)
    return level


def fitted_time_constant(share: np.ndarray, elapsed_days: np.ndarray) -> float:
    """tau of ``share = 1 - exp(-elapsed / tau)``, from the slope of log(1 - share)."""
    slope = np.polyfit(elapsed_days, np.log1p(-share), 1)[0]
    return -1.0 / slope


def emax(exposure):
    """Minoxidil's documented relative effect: 1 at one unit (5% twice daily)."""
    x = np.asarray(exposure, float)
    return x * (1 + P.minoxidil_x50) / (x + P.minoxidil_x50)


def clock_error(actual: np.ndarray, expected: np.ndarray) -> float:
    """Largest distance on the log scale (the schedule quantizes clocks there)."""
    return float(np.max(np.abs(np.log(actual) - np.log(expected))))


HALF_STEP = P.clock_step / 2 + 1e-12


# ---- finasteride --------------------------------------------------------------------------


def finasteride_plateau(daily_mg: float) -> float:
    """Scalp DHT suppression at a steady daily dose: Drake 1999 Emax x scalp/serum ratio."""
    serum = P.finasteride_serum_imax * daily_mg / (daily_mg + P.finasteride_id50_mg)
    return serum * P.finasteride_scalp_to_serum


@pytest.mark.parametrize("dose_mg", [0.05, 0.2, 1.0, 5.0])
def test_finasteride_dose_response_and_onset(dose_mg):
    schedule = compiled({"kind": "finasteride", "dose_mg": dose_mg})
    expected = 1 - finasteride_plateau(dose_mg) * rise(P.finasteride_onset_tau_days)
    assert schedule.dht_factor == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_finasteride_suppression_at_one_mg_is_the_drake_scalp_value():
    # the plateau itself, from the two published numbers it is built from: serum
    # suppression at 1 mg from the Emax fit, scaled by scalp/serum (64.1 / 71.4)
    schedule = compiled({"kind": "finasteride", "dose_mg": 1.0})
    serum_at_1mg = P.finasteride_serum_imax / (1 + P.finasteride_id50_mg)
    assert 1 - schedule.dht_factor[60] == pytest.approx(
        serum_at_1mg * P.finasteride_scalp_to_serum, rel=1e-9
    )


def test_finasteride_every_other_day_is_half_the_daily_dose():
    every_other = compiled({"kind": "finasteride", "dose_mg": 1.0, "interval_days": 2})
    expected = 1 - finasteride_plateau(0.5) * rise(P.finasteride_onset_tau_days)
    assert every_other.dht_factor == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("strength", "oral_mg"), [(0.25, 1.0), (0.1, 0.4), (0.5, 2.0)])
def test_topical_finasteride_acts_as_its_oral_equivalent(strength, oral_mg):
    # Caserini 2014: 0.25% topical ~ 1 mg oral in DHT suppression; linear in strength
    topical = compiled(
        {"kind": "finasteride", "route": "topical", "concentration_percent": strength}
    )
    expected = 1 - finasteride_plateau(oral_mg) * rise(P.finasteride_onset_tau_days)
    assert topical.dht_factor == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("adherence", [0.0, 0.5, 0.8])
def test_finasteride_adherence_scales_the_suppression(adherence):
    # documented mean-field simplification: suppression x adherence
    schedule = compiled({"kind": "finasteride", "dose_mg": 1.0, "adherence": adherence})
    expected = 1 - adherence * finasteride_plateau(1.0) * rise(P.finasteride_onset_tau_days)
    assert schedule.dht_factor == pytest.approx(expected, rel=1e-9, abs=1e-12)
    if adherence == 0:
        assert np.all(schedule.dht_factor == 1.0)


def test_finasteride_onset_and_wash_out_time_constants():
    start, stop = 20, 120
    schedule = compiled(
        {"kind": "finasteride", "dose_mg": 1.0, "start_day": start, "stop_day": stop}
    )
    plateau = finasteride_plateau(1.0)
    suppression = 1 - schedule.dht_factor
    assert np.all(suppression[:start] == 0.0)  # nothing before the course
    expected = plateau * on_off(
        P.finasteride_onset_tau_days, P.finasteride_tau_days, start_day=start, stop_day=stop
    )
    assert suppression == pytest.approx(expected, rel=1e-9, abs=1e-12)
    # the time constants measured on the series: onset from the first days, wash-out
    # from the 60 days after the last dose
    onset = np.arange(start, start + 5)
    assert fitted_time_constant(suppression[onset] / plateau, onset - start + 1) == (
        pytest.approx(P.finasteride_onset_tau_days, rel=1e-6)
    )
    off = np.arange(stop, stop + 60)
    remaining = suppression[off] / suppression[stop - 1]
    assert fitted_time_constant(1 - remaining, off - stop + 1) == pytest.approx(
        P.finasteride_tau_days, rel=1e-6
    )
    # one wash-out time constant after the last dose 1/e of the suppression is left
    tau = P.finasteride_tau_days
    assert suppression[stop - 1 + round(tau)] / suppression[stop - 1] == pytest.approx(
        math.exp(-round(tau) / tau), rel=1e-9
    )


# ---- dutasteride --------------------------------------------------------------------------


def dutasteride_plateau(daily_mg: float) -> float:
    return P.dutasteride_imax * daily_mg / (daily_mg + P.dutasteride_id50_mg)


@pytest.mark.parametrize("dose_mg", [0.05, 0.1, 0.5, 2.5])
def test_dutasteride_dose_response_and_onset(dose_mg):
    schedule = compiled({"kind": "dutasteride", "dose_mg": dose_mg})
    expected = 1 - dutasteride_plateau(dose_mg) * rise(P.dutasteride_onset_tau_days)
    assert schedule.dht_factor == pytest.approx(expected, rel=1e-9)


def test_dutasteride_plateau_at_half_a_mg_is_clark_2004():
    # Clark 2004: serum DHT -94% at 0.5 mg; scalp taken equal to serum (assumption)
    schedule = compiled({"kind": "dutasteride", "dose_mg": 0.5})
    assert 1 - schedule.dht_factor[200] == pytest.approx(dutasteride_plateau(0.5), rel=1e-9)
    assert 1 - schedule.dht_factor[200] == pytest.approx(0.94, abs=0.005)


@pytest.mark.parametrize("adherence", [0.0, 0.5])
def test_dutasteride_adherence_scales_the_suppression(adherence):
    schedule = compiled({"kind": "dutasteride", "adherence": adherence, "interval_days": 2})
    plateau = dutasteride_plateau(0.25)  # 0.5 mg every other day
    expected = 1 - adherence * plateau * rise(P.dutasteride_onset_tau_days)
    assert schedule.dht_factor == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_dutasteride_onset_and_slow_wash_out():
    start, stop = 10, 150
    schedule = compiled({"kind": "dutasteride", "start_day": start, "stop_day": stop})
    suppression = 1 - schedule.dht_factor
    plateau = dutasteride_plateau(0.5)
    expected = plateau * on_off(
        P.dutasteride_onset_tau_days, P.dutasteride_tau_days, start_day=start, stop_day=stop
    )
    assert suppression == pytest.approx(expected, rel=1e-9, abs=1e-12)
    onset = np.arange(start, start + 10)
    assert fitted_time_constant(suppression[onset] / plateau, onset - start + 1) == (
        pytest.approx(P.dutasteride_onset_tau_days, rel=1e-6)
    )
    off = np.arange(stop, DAYS + 1)
    assert fitted_time_constant(
        1 - suppression[off] / suppression[stop - 1], off - stop + 1
    ) == pytest.approx(P.dutasteride_tau_days, rel=1e-6)


def test_finasteride_with_dutasteride_the_deepest_block_wins():
    both = compiled({"kind": "finasteride", "dose_mg": 1.0}, {"kind": "dutasteride"})
    fin = 1 - finasteride_plateau(1.0) * rise(P.finasteride_onset_tau_days)
    dut = 1 - dutasteride_plateau(0.5) * rise(P.dutasteride_onset_tau_days)
    assert both.dht_factor == pytest.approx(np.minimum(fin, dut), rel=1e-9)
    # finasteride is deeper on day 0 (faster onset), dutasteride from its plateau on
    assert both.dht_factor[0] == pytest.approx(fin[0]) and both.dht_factor[60] == (
        pytest.approx(dut[60])
    )


def test_dht_steps_follow_the_dht_factor():
    schedule = compiled({"kind": "finasteride", "dose_mg": 1.0, "stop_day": 100})
    assert np.max(np.abs(schedule.dht_steps - schedule.dht_factor)) <= P.exposure_step / 2 + 1e-12
    assert schedule.dht_step_on(-1) == 1.0
    assert schedule.dht_step_on(50) == schedule.dht_steps[50]


# ---- minoxidil ----------------------------------------------------------------------------


def minoxidil_series(units: float, *, start_day: int = 0, stop_day: int | None = None):
    """The documented minoxidil effect (Emax of the exposure, first order) per day."""
    if stop_day is None:
        return emax(units) * rise(P.minoxidil_tau_days, start_day=start_day)
    tau = P.minoxidil_tau_days
    return emax(units) * on_off(tau, tau, start_day=start_day, stop_day=stop_day)


def assert_minoxidil_effect(schedule, effect: np.ndarray, regions=slice(None)):
    """Growth exactly; both clocks within the quantization half-step."""
    assert schedule.growth[regions] == pytest.approx(
        np.broadcast_to(P.minoxidil_growth * effect, schedule.growth[regions].shape),
        rel=1e-9,
        abs=1e-12,
    )
    rest = 1 + P.minoxidil_rest_speedup * effect
    anagen = 1 / (1 + P.minoxidil_anagen_prolongation * effect)
    assert clock_error(schedule.rest_clock[regions], rest) <= HALF_STEP
    assert clock_error(schedule.anagen_clock[regions], anagen) <= HALF_STEP


@pytest.mark.parametrize(
    ("treatment", "units"),
    [
        ({"concentration_percent": 5, "applications_per_day": 2}, 1.0),  # the unit
        ({"concentration_percent": 2, "applications_per_day": 2}, 0.4),
        ({"concentration_percent": 5, "applications_per_day": 1}, 0.5),  # foam once daily
        ({"concentration_percent": 10, "applications_per_day": 3}, 3.0),
        ({}, 1.0),  # defaults: 5% twice daily
    ],
)
def test_topical_minoxidil_strength_and_applications(treatment, units):
    schedule = compiled({"kind": "minoxidil", "route": "topical", **treatment})
    assert_minoxidil_effect(schedule, minoxidil_series(units))
    assert np.all(schedule.dht_factor == 1.0)  # minoxidil does not touch DHT


def test_minoxidil_two_percent_gives_the_olsen_share_of_five_percent():
    # Olsen 2002: 2% gave 0.6x the placebo-adjusted gain of 5%; x50 is fitted to that
    two = compiled({"kind": "minoxidil", "concentration_percent": 2})
    five = compiled({"kind": "minoxidil", "concentration_percent": 5})
    ratio = two.growth[VERTEX, 300] / five.growth[VERTEX, 300]
    assert ratio == pytest.approx(0.4 * (1 + P.minoxidil_x50) / (0.4 + P.minoxidil_x50))
    assert ratio == pytest.approx(0.6, abs=0.05)


@pytest.mark.parametrize("dose_mg", [0.25, 1.25, 2.5, 5.0])
def test_oral_minoxidil_dose_in_topical_units(dose_mg):
    schedule = compiled({"kind": "minoxidil", "route": "oral", "dose_mg": dose_mg})
    assert_minoxidil_effect(schedule, minoxidil_series(dose_mg / P.minoxidil_oral_mg_per_unit))


@pytest.mark.parametrize("route", ["topical", "oral"])
@pytest.mark.parametrize("adherence", [0.0, 0.5])
def test_minoxidil_adherence_scales_the_exposure(route, adherence):
    treatment = {"kind": "minoxidil", "route": route, "adherence": adherence}
    if route == "oral":
        treatment["dose_mg"] = 5.0
    schedule = compiled(treatment)
    units = adherence * (1.0 if route == "topical" else 5.0 / P.minoxidil_oral_mg_per_unit)
    assert_minoxidil_effect(schedule, minoxidil_series(units))
    if adherence == 0:
        assert not schedule.growth.any()
        assert np.all(schedule.rest_clock == 1.0) and np.all(schedule.anagen_clock == 1.0)


def test_minoxidil_onset_and_wash_out_time_constant():
    start, stop = 30, 200
    schedule = compiled({"kind": "minoxidil", "start_day": start, "stop_day": stop})
    effect = minoxidil_series(1.0, start_day=start, stop_day=stop)
    assert_minoxidil_effect(schedule, effect)
    share = schedule.growth[VERTEX] / P.minoxidil_growth  # the effect, unquantized
    tau = P.minoxidil_tau_days
    assert share[:start] == pytest.approx(0.0, abs=0.0)
    on = np.arange(start, start + 40)
    assert fitted_time_constant(share[on], on - start + 1) == pytest.approx(tau, rel=1e-6)
    # at t = tau after the start the effect has reached 1 - 1/e of its target
    n = round(tau)
    assert share[start + n - 1] == pytest.approx(-math.expm1(-n / tau), rel=1e-9)
    off = np.arange(stop, stop + 100)
    assert fitted_time_constant(1 - share[off] / share[stop - 1], off - stop + 1) == (
        pytest.approx(tau, rel=1e-6)
    )
    assert share[stop - 1 + n] / share[stop - 1] == pytest.approx(math.exp(-n / tau), rel=1e-9)


def test_microneedling_raises_topical_but_not_oral_minoxidil_exposure():
    needles = {"kind": "microneedling", "needle_mm": 0.25}  # absorption only (below 0.5 mm)
    topical = compiled({"kind": "minoxidil"}, needles)
    gain = 1 + P.microneedling_absorption_gain
    assert_minoxidil_effect(topical, minoxidil_series(gain))
    oral = compiled({"kind": "minoxidil", "route": "oral", "dose_mg": 2.5}, needles)
    assert_minoxidil_effect(oral, minoxidil_series(2.5 / P.minoxidil_oral_mg_per_unit))
    assert not topical.sessions and not oral.sessions  # 0.25 mm does not stimulate


# ---- microneedling ------------------------------------------------------------------------


@pytest.mark.parametrize("needle_mm", [0.25, 0.5, 0.6, 0.75, 1.0, 1.5, 2.5])
def test_microneedling_stimulation_by_needle_length(needle_mm):
    low, full = P.microneedling_stimulation_min_mm, P.microneedling_stimulation_full_mm
    stim = min(max((needle_mm - low) / (full - low), 0.0), 1.0)  # MN-6: none below 0.5 mm
    schedule = compiled(
        {"kind": "microneedling", "needle_mm": needle_mm, "interval_days": 7, "stop_day": 70},
        days=100,
    )
    if stim == 0:
        assert schedule.sessions == () and not schedule.growth.any()
        return
    assert [s.day for s in schedule.sessions] == list(range(0, 70, 7))
    for session in schedule.sessions:
        assert session.activation_probability == pytest.approx(P.microneedling_activation * stim)
        assert session.attendance == 1.0
        assert list(session.regions) == list(DEFAULT_TREATED)
    day = np.arange(101)
    pulses = sum(
        np.where(day >= s, np.exp(-(day - s) / P.microneedling_growth_tau_days), 0.0)
        for s in range(0, 70, 7)
    )
    expected = P.microneedling_growth * stim * pulses
    assert schedule.growth[VERTEX] == pytest.approx(expected, rel=1e-9)
    assert not schedule.growth[OCCIPUT].any()
    # no effect on the clocks or DHT by itself
    assert np.all(schedule.rest_clock == 1.0) and np.all(schedule.dht_factor == 1.0)


@pytest.mark.parametrize("adherence", [0.0, 0.5])
def test_microneedling_adherence_is_the_attendance_and_scales_the_growth(adherence):
    course = {
        "kind": "microneedling",
        "needle_mm": 1.5,
        "interval_days": 14,
        "adherence": adherence,
        "regions": ["vertex"],
        "start_day": 3,
    }
    schedule = compiled(course, days=60)
    assert [s.day for s in schedule.sessions] == [3, 17, 31, 45, 59]
    assert all(s.attendance == adherence for s in schedule.sessions)
    assert all(s.activation_probability == P.microneedling_activation for s in schedule.sessions)
    assert [list(s.regions) for s in schedule.sessions] == [[r == "vertex" for r in REGIONS]] * 5
    day = np.arange(61)
    pulses = sum(
        np.where(day >= s, np.exp(-(day - s) / P.microneedling_growth_tau_days), 0.0)
        for s in (3, 17, 31, 45, 59)
    )
    assert schedule.growth[VERTEX] == pytest.approx(
        adherence * P.microneedling_growth * pulses, abs=1e-12, rel=1e-9
    )
    assert not schedule.growth[REGION_INDEX["frontal"]].any()


def test_microneedling_absorption_gain_only_while_the_course_runs():
    schedule = compiled(
        {"kind": "minoxidil", "stop_day": 300},
        {"kind": "microneedling", "needle_mm": 0.3, "start_day": 50, "stop_day": 150},
    )
    gain = 1 + P.microneedling_absorption_gain
    target = np.where((np.arange(DAYS + 1) >= 50) & (np.arange(DAYS + 1) < 150), gain, 1.0)
    target[300:] = 0.0
    # first order with the minoxidil time constant towards Emax(target), step by step
    keep = math.exp(-1 / P.minoxidil_tau_days)
    effect, level = np.empty(DAYS + 1), 0.0
    for day, value in enumerate(emax(target)):
        level = value + (level - value) * keep
        effect[day] = level
    assert_minoxidil_effect(schedule, effect)
    assert schedule.growth[VERTEX, 149] > schedule.growth[VERTEX, 49] * 1.05


# ---- PRP ----------------------------------------------------------------------------------


def prp_pulses(session_days, days: int) -> np.ndarray:
    day = np.arange(days + 1)
    return sum(np.where(day >= s, np.exp(-(day - s) / P.prp_tau_days), 0.0) for s in session_days)


@pytest.mark.parametrize("adherence", [1.0, 0.5, 0.0])
def test_prp_sessions_growth_prolongation_and_resting_clock(adherence):
    schedule = compiled(
        {
            "kind": "prp",
            "interval_days": 30,
            "sessions": 3,
            "adherence": adherence,
            "regions": ["vertex", "midscalp"],
        },
        days=200,
    )
    pulses = adherence * prp_pulses([0, 30, 60], 200)
    treated = [REGION_INDEX["vertex"], REGION_INDEX["midscalp"]]
    untreated = [i for i in range(len(REGIONS)) if i not in treated]
    for region in treated:
        assert schedule.growth[region] == pytest.approx(P.prp_growth * pulses, abs=1e-12)
        rest = 1 + P.prp_rest_speedup * pulses
        anagen = 1 / (1 + P.prp_anagen_prolongation * pulses)
        assert clock_error(schedule.rest_clock[region], rest) <= HALF_STEP
        assert clock_error(schedule.anagen_clock[region], anagen) <= HALF_STEP
    assert not schedule.growth[untreated].any()
    assert np.all(schedule.rest_clock[untreated] == 1.0)
    assert np.all(schedule.anagen_clock[untreated] == 1.0)
    assert schedule.sessions == ()  # PRP has no activation sessions of its own


def test_prp_sessions_stop_at_the_stop_day():
    schedule = compiled({"kind": "prp", "interval_days": 30, "stop_day": 75}, days=200)
    assert schedule.growth[VERTEX] == pytest.approx(
        P.prp_growth * prp_pulses([0, 30, 60], 200), abs=1e-12
    )


# ---- laser and the topical vehicle ----------------------------------------------------------


@pytest.mark.parametrize(
    ("per_week", "adherence"), [(3, 1.0), (7, 1.0), (1, 1.0), (3, 0.5), (3, 0.0)]
)
def test_laser_scales_with_sessions_per_week_and_adherence(per_week, adherence):
    schedule = compiled(
        {
            "kind": "laser",
            "sessions_per_week": per_week,
            "adherence": adherence,
            "start_day": 10,
            "stop_day": 100,
        },
        days=150,
    )
    day = np.arange(151)
    level = adherence * per_week / 3 * ((day >= 10) & (day < 100))
    treated = DEFAULT_TREATED  # every region but the occiput
    assert schedule.growth[treated] == pytest.approx(
        np.broadcast_to(P.laser_growth * level, (treated.sum(), 151)), abs=1e-12
    )
    rest = 1 + P.laser_rest_speedup * level
    anagen = 1 / (1 + P.laser_anagen_prolongation * level)
    assert clock_error(schedule.rest_clock[treated], rest) <= HALF_STEP
    assert clock_error(schedule.anagen_clock[treated], anagen) <= HALF_STEP
    assert np.all(schedule.rest_clock[OCCIPUT] == 1.0) and not schedule.growth[OCCIPUT].any()


@pytest.mark.parametrize(
    ("per_day", "adherence"), [(2, 1.0), (1, 1.0), (3, 1.0), (2, 0.5), (2, 0.0)]
)
def test_vehicle_speeds_the_resting_clocks_only(per_day, adherence):
    schedule = compiled(
        {
            "kind": "vehicle",
            "applications_per_day": per_day,
            "adherence": adherence,
            "stop_day": 100,
        },
        days=150,
    )
    day = np.arange(151)
    level = adherence * per_day / 2 * (day < 100)
    rest = 1 + P.vehicle_rest_speedup * level
    assert clock_error(schedule.rest_clock, np.broadcast_to(rest, (len(REGIONS), 151))) <= (
        HALF_STEP
    )
    # every region, the occiput too (the vehicle is applied to the whole scalp)
    assert (schedule.rest_clock[OCCIPUT, 50] > 1.0) == (adherence > 0)
    assert np.all(schedule.anagen_clock == 1.0) and not schedule.growth.any()
    assert np.all(schedule.dht_factor == 1.0)


def test_clock_effects_of_several_treatments_add_up():
    schedule = compiled(
        {"kind": "minoxidil"},
        {"kind": "laser"},
        {"kind": "vehicle"},
        {"kind": "prp", "interval_days": 30, "sessions": 2},
        days=120,
    )
    mino = minoxidil_series(1.0)[:121]
    pulses = prp_pulses([0, 30], 120)
    rest = (
        1
        + P.minoxidil_rest_speedup * mino
        + P.laser_rest_speedup
        + P.vehicle_rest_speedup
        + P.prp_rest_speedup * pulses
    )
    prolongation = (
        P.minoxidil_anagen_prolongation * mino
        + P.laser_anagen_prolongation
        + P.prp_anagen_prolongation * pulses
    )
    growth = P.minoxidil_growth * mino + P.laser_growth + P.prp_growth * pulses
    assert clock_error(schedule.rest_clock[VERTEX], rest) <= HALF_STEP
    assert clock_error(schedule.anagen_clock[VERTEX], 1 / (1 + prolongation)) <= HALF_STEP
    assert schedule.growth[VERTEX] == pytest.approx(growth, rel=1e-9)
    # the occiput: minoxidil and the vehicle only
    occiput_rest = 1 + P.minoxidil_rest_speedup * mino + P.vehicle_rest_speedup
    assert clock_error(schedule.rest_clock[OCCIPUT], occiput_rest) <= HALF_STEP
    assert schedule.growth[OCCIPUT] == pytest.approx(P.minoxidil_growth * mino, rel=1e-9)


# ---- the schedule's lookups ----------------------------------------------------------------


def test_schedule_lookups_before_day_zero_and_past_the_end():
    schedule = compiled({"kind": "finasteride"}, {"kind": "minoxidil"}, days=50)
    assert np.all(schedule.dht_at(np.array([-5.0, -0.5])) == 1.0)
    assert schedule.dht_at(np.array([3.7]))[0] == schedule.dht_factor[3]
    assert schedule.dht_at(np.array([80.0]))[0] == schedule.dht_factor[50]
    region = np.array([VERTEX, OCCIPUT])
    assert np.all(schedule.growth_at(region, np.array([-1.0, -1.0])) == 0.0)
    assert schedule.growth_at(region, np.array([10.2, 70.0])) == pytest.approx(
        [schedule.growth[VERTEX, 10], schedule.growth[OCCIPUT, 50]]
    )
    anagen, rest = schedule.clocks_on(-1)
    assert np.all(anagen == 1.0) and np.all(rest == 1.0)
    anagen, rest = schedule.clocks_on(999)
    assert np.all(anagen == schedule.anagen_clock[:, 50])
    assert np.all(rest == schedule.rest_clock[:, 50])


def test_schedule_lookups_on_mixed_times_around_day_zero():
    schedule = compiled({"kind": "finasteride"}, {"kind": "minoxidil"}, days=50)
    t = np.array([-2.0, -1e-9, 0.0, 0.5, 1.0, 3.7, 80.0])
    day = [None, None, 0, 0, 1, 3, 50]  # None: before day 0, untreated
    assert list(schedule.day_index(t)) == [-1, -1, 0, 0, 1, 3, 50]
    assert schedule.dht_at(t) == pytest.approx(
        [1.0 if d is None else schedule.dht_factor[d] for d in day]
    )
    region = np.full(t.size, VERTEX)
    assert schedule.growth_at(region, t) == pytest.approx(
        [0.0 if d is None else schedule.growth[VERTEX, d] for d in day]
    )
    assert schedule.dht_step_on(0) == schedule.dht_steps[0] < 1.0
    # untreated: the shortcut keeps the shape of the regions and times
    plain = compiled(days=50)
    assert plain.growth_at(np.array([VERTEX, OCCIPUT, VERTEX]), 5.0).shape == (3,)
    assert np.all(plain.dht_at(t) == 1.0) and plain.dht_at(t).shape == t.shape


def test_clock_change_days_are_the_days_a_rate_changes():
    assert compiled(days=50).clock_change_days() == []
    laser = compiled({"kind": "laser", "start_day": 10, "stop_day": 30}, days=50)
    assert laser.clock_change_days() == [10, 30]
    dht = compiled({"kind": "finasteride", "start_day": 5}, days=50)
    steps = dht.dht_steps
    changes = [d for d in range(51) if steps[d] != (steps[d - 1] if d else 1.0)]
    assert dht.clock_change_days() == changes and changes[0] == 5


def test_first_order_of_a_whole_number_target_is_fractional():
    level = first_order(np.array([1, 1, 1, 0, 0]), 2.0, tau_off_days=4.0)
    rise2 = -np.expm1(-np.arange(1, 4) / 2.0)
    assert level == pytest.approx(
        [*rise2, rise2[-1] * np.exp(-1 / 4.0), rise2[-1] * np.exp(-2 / 4.0)], rel=1e-12
    )


def test_transplants_in_day_order_and_only_within_the_run():
    graft = {"kind": "transplant", "grafts": 100, "region": "vertex"}
    schedule = compiled(
        {**graft, "day": 80},
        {**graft, "day": 20},
        {**graft, "day": 100},
        {**graft, "day": 101},
        days=100,
    )
    assert [t.day for t in schedule.transplants] == [20, 80, 100]


def test_stimulation_is_zero_below_the_minimum_length():
    assert microneedling.stimulation(0.25, P) == 0.0
    assert microneedling.stimulation(P.microneedling_stimulation_min_mm, P) == 0.0
    assert microneedling.stimulation(2.0, P) == 1.0


def test_sessions_on_the_last_day_count_and_none_after_it():
    # sessions on days 3, 10, ..., 94 and 101: the last one is past the run (days = 100)
    needles = compiled(
        {"kind": "microneedling", "needle_mm": 1.5, "start_day": 3, "interval_days": 7},
        days=100,
    )
    assert [s.day for s in needles.sessions] == list(range(3, 101, 7))
    # PRP on day 60 of a 60-day run adds its pulse on that day
    prp = compiled({"kind": "prp", "interval_days": 30}, days=60)
    assert prp.growth[VERTEX] == pytest.approx(P.prp_growth * prp_pulses([0, 30, 60], 60))


def test_courses_of_the_same_kind_add_up():
    # two minoxidil courses one after the other, and laser after PRP on the same regions
    two = compiled(
        {"kind": "minoxidil", "stop_day": 100},
        {"kind": "minoxidil", "concentration_percent": 2, "start_day": 100},
        days=200,
    )
    target = np.where(np.arange(201) < 100, emax(1.0), emax(0.4))
    keep = math.exp(-1 / P.minoxidil_tau_days)
    effect, level = np.empty(201), 0.0
    for day, value in enumerate(target):
        level = value + (level - value) * keep
        effect[day] = level
    assert two.growth[VERTEX] == pytest.approx(P.minoxidil_growth * effect, rel=1e-9)
    oral_and_topical = compiled(
        {"kind": "minoxidil", "route": "oral", "dose_mg": 2.5}, {"kind": "minoxidil"}, days=60
    )
    assert oral_and_topical.growth[VERTEX] == pytest.approx(
        P.minoxidil_growth * emax(2.0) * rise(P.minoxidil_tau_days, days=60), rel=1e-9
    )
    stacked = compiled(
        {"kind": "prp", "interval_days": 30},
        {"kind": "microneedling", "needle_mm": 1.5, "stop_day": 20},
        {"kind": "microneedling", "needle_mm": 0.3, "start_day": 40},
        {"kind": "laser"},
        {"kind": "minoxidil"},
        days=60,
    )
    day = np.arange(61)
    needle_pulses = sum(
        np.where(day >= s, np.exp(-(day - s) / P.microneedling_growth_tau_days), 0.0)
        for s in (0, 7, 14)
    )
    absorption = 1 + P.microneedling_absorption_gain * ((day < 20) | (day >= 40))
    effect, level = np.empty(61), 0.0
    for d, value in enumerate(emax(absorption)):
        level = value + (level - value) * keep
        effect[d] = level
    pulses = prp_pulses([0, 30, 60], 60)
    growth = (
        P.prp_growth * pulses
        + P.microneedling_growth * needle_pulses
        + P.laser_growth
        + P.minoxidil_growth * effect
    )
    assert stacked.growth[VERTEX] == pytest.approx(growth, rel=1e-9)
    rest = (
        1 + P.prp_rest_speedup * pulses + P.laser_rest_speedup + P.minoxidil_rest_speedup * effect
    )
    prolongation = (
        P.prp_anagen_prolongation * pulses
        + P.laser_anagen_prolongation
        + P.minoxidil_anagen_prolongation * effect
    )
    assert clock_error(stacked.rest_clock[VERTEX], rest) <= HALF_STEP
    assert clock_error(stacked.anagen_clock[VERTEX], 1 / (1 + prolongation)) <= HALF_STEP


def test_schedule_lookups_on_day_zero_only():
    # times that all fall on day 0 read day 0, not the untreated shortcut
    schedule = compiled({"kind": "finasteride"}, {"kind": "minoxidil"}, days=50)
    for t in (np.array([0.0]), np.array([0.25, 0.75])):
        assert np.all(schedule.dht_at(t) == schedule.dht_factor[0])
        region = np.full(t.size, VERTEX)
        assert np.all(schedule.growth_at(region, t) == schedule.growth[VERTEX, 0])
    assert schedule.dht_factor[0] < 1.0 and schedule.growth[VERTEX, 0] > 0.0


def test_two_oral_minoxidil_courses_add_up_and_untreated_growth_broadcasts():
    two = compiled(
        {"kind": "minoxidil", "route": "oral", "dose_mg": 2.5, "stop_day": 30},
        {"kind": "minoxidil", "route": "oral", "dose_mg": 5.0, "start_day": 30},
        days=60,
    )
    target = np.where(np.arange(61) < 30, emax(1.0), emax(2.0))
    keep = math.exp(-1 / P.minoxidil_tau_days)
    effect, level = np.empty(61), 0.0
    for day, value in enumerate(target):
        level = value + (level - value) * keep
        effect[day] = level
    assert two.growth[VERTEX] == pytest.approx(P.minoxidil_growth * effect, rel=1e-9)
    # untreated: one region, several times -> one value per time
    assert compiled(days=10).growth_at(VERTEX, np.array([1.0, 2.0, 3.0])).shape == (3,)
