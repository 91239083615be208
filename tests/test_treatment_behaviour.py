"""Treatment effects through the engine, against hand calculations from the parameters.

``test_treatment_effects.py`` pins the compiled daily series; these tests check that the
event engine turns them into what the model says, with expected values computed from
``DEFAULT_PARAMETERS`` (so a refit moves them) and tolerances from the run's own
statistics (4 standard errors, plus the clock quantization where it applies):

- resting clocks (minoxidil topical and oral, laser, PRP, the topical vehicle): a
  telogen lasts a lognormal number of *operational* days (mean ``telogen_mean_days``)
  that elapse at the resting clock's rate. For a person without androgen sensitivity the
  rate is the treatment's clock alone, so the integral of the hand-computed clock over
  each telogen the engine made must average ``telogen_mean_days``;
- DHT blockers (finasteride, dutasteride): at each new cycle a full-size attached
  follicle loses ``damage x exposure x noise`` of its size (noise of mean 1), with
  exposure = androgen level x DHT factor x sensitivity; after one new cycle the loss
  divided by ``damage x androgen x sensitivity`` must average the hand-computed DHT
  factor of the day the cycle started;
- microneedling: at a session each resting follicle of a treated region enters anagen
  with probability ``activation x stimulation``; a telogen follicle pushed that way
  leaves telogen and kenogen on the session's day, which no untreated follicle does.

Each of these fails when the effect is cut by 20% (checked by planting the change:
docs/testing.md). Areas are small and runs short (a few seconds each).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from follicle.model import cycle
from follicle.model.androgens import People
from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.model.regions import REGION_INDEX
from follicle.person import parse_person
from follicle.regimen import parse_regimen
from follicle.sim.simulate import run_people

VERTEX = REGION_INDEX["vertex"]


def run(person: dict, treatments: list[dict], *, days: int, area_cm2: float, seed: int):
    persons = [parse_person(person)]
    regimen = parse_regimen({"name": "x", "treatment": treatments})
    result = run_people(
        persons,
        regimen,
        days=days,
        observe_every_days=days,
        areas={"vertex": area_cm2},
        seed_sequence=np.random.SeedSequence(seed),
        params=P,
        with_history=False,
    )
    return persons, result


def rise(tau_days: float, days: int) -> np.ndarray:
    return -np.expm1(-(np.arange(days + 1) + 1) / tau_days)


def emax(units: float) -> float:
    return units * (1 + P.minoxidil_x50) / (units + P.minoxidil_x50)


# ---- resting clocks -------------------------------------------------------------------------

NO_ANDROGENS = {"sex": "male", "age_years": 25, "androgen_sensitivity": 0}


def telogens(log: dict, *, start: float, end: float):
    """(entry, exit) times of the telogens entered in [start, end) (each follicle's first)."""
    entered = (log["new_phase"] == cycle.TELOGEN) & (log["old_phase"] == cycle.CATAGEN)
    left = log["old_phase"] == cycle.TELOGEN
    entries, exits = [], []
    exit_times = {}
    for follicle, time in zip(log["follicle"][left], log["time"][left], strict=True):
        exit_times.setdefault(int(follicle), []).append(time)
    for follicle, time in zip(log["follicle"][entered], log["time"][entered], strict=True):
        if start <= time < end:
            later = [t for t in exit_times.get(int(follicle), []) if t >= time]
            assert later, "a telogen in the window did not end: lengthen the run"
            entries.append(time)
            exits.append(min(later))
    return np.array(entries), np.array(exits)


def operational_days(entries, exits, rate: np.ndarray) -> np.ndarray:
    """Integral of a daily rate (rate[d] on [d, d+1)) from each entry to its exit."""
    cumulative = np.concatenate([[0.0], np.cumsum(rate)])

    def at(t):
        day = np.floor(t).astype(int)
        return cumulative[day] + (t - day) * rate[day]

    return at(exits) - at(entries)


def assert_telogen_mean(durations: np.ndarray, *, quantization: float = P.clock_step / 2):
    """Mean operational telogen = telogen_mean_days, within 4 SE plus the clock rounding
    (the engine reads clocks rounded to ``clock_step`` on the log scale)."""
    mean = durations.mean()
    se = durations.std(ddof=1) / math.sqrt(durations.size)
    tolerance = 4 * se + quantization * P.telogen_mean_days
    assert abs(mean - P.telogen_mean_days) <= tolerance, (mean, tolerance, durations.size)
    return mean, tolerance


@pytest.mark.parametrize(
    ("treatment", "rate_of"),
    [
        (
            {"kind": "minoxidil", "concentration_percent": 5, "applications_per_day": 2},
            lambda days: (
                1 + P.minoxidil_rest_speedup * emax(1.0) * rise(P.minoxidil_tau_days, days)
            ),
        ),
        (
            {"kind": "minoxidil", "route": "oral", "dose_mg": 1.25},
            lambda days: (
                1
                + P.minoxidil_rest_speedup
                * emax(1.25 / P.minoxidil_oral_mg_per_unit)
                * rise(P.minoxidil_tau_days, days)
            ),
        ),
        (
            {"kind": "minoxidil", "concentration_percent": 5, "adherence": 0.5},
            lambda days: (
                1 + P.minoxidil_rest_speedup * emax(0.5) * rise(P.minoxidil_tau_days, days)
            ),
        ),
        (
            {"kind": "laser", "sessions_per_week": 3},
            lambda days: np.full(days + 1, 1 + P.laser_rest_speedup),
        ),
        (
            {"kind": "vehicle", "applications_per_day": 2},
            lambda days: np.full(days + 1, 1 + P.vehicle_rest_speedup),
        ),
        (
            {"kind": "prp", "interval_days": 30},
            lambda days: (
                1
                + P.prp_rest_speedup
                * sum(
                    np.where(
                        np.arange(days + 1) >= s,
                        np.exp(-(np.arange(days + 1) - s) / P.prp_tau_days),
                        0,
                    )
                    for s in range(0, days + 1, 30)
                )
            ),
        ),
    ],
    ids=[
        "minoxidil-5%",
        "oral-minoxidil-1.25mg",
        "minoxidil-adherence-0.5",
        "laser",
        "vehicle",
        "prp",
    ],
)
def test_telogen_runs_on_the_treatment_resting_clock(treatment, rate_of):
    days = 400
    _, result = run(NO_ANDROGENS, [treatment], days=days, area_cm2=20.0, seed=11)
    entries, exits = telogens(result.log, start=0.0, end=250.0)
    assert entries.size > 300  # minoxidil prolongs anagen: fewer telogens
    rate = rate_of(days)
    assert_telogen_mean(operational_days(entries, exits, rate))
    # the untreated clock (rate 1) is far off: the treatment did act
    untreated = operational_days(entries, exits, np.ones(days + 1)).mean()
    assert untreated < 0.9 * P.telogen_mean_days


def test_untreated_telogen_runs_at_rate_one():
    days = 600  # every telogen entered before day 200 ends (one > 400 days: p ~ 1e-7)
    _, result = run(NO_ANDROGENS, [], days=days, area_cm2=15.0, seed=12)
    entries, exits = telogens(result.log, start=0.0, end=200.0)
    assert entries.size > 400
    assert_telogen_mean(operational_days(entries, exits, np.ones(days + 1)), quantization=0.0)


# ---- DHT blockers: the damage of the first new cycle ----------------------------------------

BALDING = {"sex": "male", "age_years": 30, "androgen_sensitivity": 1.0, "onset_age_years": 18}


def first_cycle_damage(
    treatments: list[dict], *, start_day: float, seed: int, person: dict = BALDING
):
    """Per follicle that entered exactly one new cycle after ``start_day``: the size lost,
    divided by damage x androgen level x sensitivity (the DHT factor x noise), and the
    day that cycle began."""
    days = 300
    persons, result = run(person, treatments, days=days, area_cm2=20.0, seed=seed)
    s = result.state
    chosen = (s.cycles == 1) & (s.cycle_start >= start_day) & (s.phase != cycle.LOST)
    chosen &= ~s.transplanted
    t = s.cycle_start[chosen]
    androgen = People.of(persons, P).baseline_exposure(s.person[chosen], t, P)
    loss = 1.0 - s.size[chosen]
    ratio = loss / (P.damage_per_cycle * androgen * s.sensitivity[chosen])
    return ratio, t


def assert_mean_ratio(ratio: np.ndarray, expected_dht: np.ndarray):
    """mean(ratio / expected DHT factor) = 1 (the damage noise has mean 1), within 4 SE."""
    relative = ratio / expected_dht
    se = relative.std(ddof=1) / math.sqrt(relative.size)
    assert relative.size > 400
    assert abs(relative.mean() - 1) <= 4 * se, (relative.mean(), se, relative.size)


def finasteride_dht(day, *, dose_mg=1.0, adherence=1.0):
    serum = P.finasteride_serum_imax * dose_mg / (dose_mg + P.finasteride_id50_mg)
    plateau = serum * P.finasteride_scalp_to_serum * adherence
    return 1 - plateau * -np.expm1(-(np.floor(day) + 1) / P.finasteride_onset_tau_days)


def dutasteride_dht(day, *, dose_mg=0.5):
    plateau = P.dutasteride_imax * dose_mg / (dose_mg + P.dutasteride_id50_mg)
    return 1 - plateau * -np.expm1(-(np.floor(day) + 1) / P.dutasteride_onset_tau_days)


# A low sensitivity: a sensitive follicle may lose all it can in one cycle (the loss is
# capped at its size, and a follicle that drops below loss_size is lost and leaves the
# sample), which biases the mean below the formula. With the damage noise's log SD of
# 0.85 that tail matters on a partial blocker too (finasteride at adherence 0.5 read
# 0.83 of the formula at sensitivity 1): at 0.25 the capped share is ~1e-4 per follicle.
LOW = {**BALDING, "androgen_sensitivity": 0.25}


def test_untreated_first_cycle_damage_is_the_model_damage():
    ratio, t = first_cycle_damage([], start_day=0.0, seed=21, person=LOW)
    assert_mean_ratio(ratio, np.ones(t.size))


@pytest.mark.parametrize(
    ("treatment", "dht"),
    [
        ({"kind": "finasteride", "dose_mg": 1.0}, finasteride_dht),
        ({"kind": "finasteride", "dose_mg": 0.2}, lambda d: finasteride_dht(d, dose_mg=0.2)),
        (
            {"kind": "finasteride", "dose_mg": 1.0, "adherence": 0.5},
            lambda d: finasteride_dht(d, adherence=0.5),
        ),
        (
            {"kind": "finasteride", "route": "topical", "concentration_percent": 0.25},
            finasteride_dht,
        ),
        ({"kind": "dutasteride", "dose_mg": 0.5}, dutasteride_dht),
    ],
    ids=[
        "finasteride-1mg",
        "finasteride-0.2mg",
        "finasteride-adherence-0.5",
        "topical-finasteride",
        "dutasteride",
    ],
)
def test_dht_blockers_cut_the_damage_of_a_new_cycle(treatment, dht):
    ratio, t = first_cycle_damage([treatment], start_day=10.0, seed=22, person=LOW)
    assert_mean_ratio(ratio, dht(t))


# ---- microneedling: activation at a session --------------------------------------------------


def pushed_out_of_telogen(log: dict, day: float) -> int:
    """Follicles that left telogen on ``day`` and started a new anagen at the same moment
    (a kenogen of zero length: only an activated follicle has one)."""
    left = (log["old_phase"] == cycle.TELOGEN) & (log["time"] >= day) & (log["time"] < day + 1)
    started = (log["old_phase"] == cycle.KENOGEN) & (log["new_phase"] == cycle.ANAGEN_HIDDEN)
    start_times = set(
        zip(log["follicle"][started].tolist(), log["time"][started].tolist(), strict=True)
    )
    return sum(
        (f, t) in start_times
        for f, t in zip(log["follicle"][left].tolist(), log["time"][left].tolist(), strict=True)
    )


def in_telogen_at(log: dict, initial_phase: np.ndarray, day: float) -> int:
    """Follicles in telogen at ``day`` (their last transition before it, or the start)."""
    before = log["time"] < day
    phase = initial_phase.copy()
    order = np.argsort(log["time"][before], kind="stable")
    phase[log["follicle"][before][order]] = log["new_phase"][before][order]
    return int(np.sum(phase == cycle.TELOGEN))


@pytest.mark.parametrize("needle_mm", [1.5, 0.75])
def test_microneedling_session_pushes_resting_follicles_into_anagen(needle_mm):
    low, full = P.microneedling_stimulation_min_mm, P.microneedling_stimulation_full_mm
    probability = P.microneedling_activation * min(max((needle_mm - low) / (full - low), 0), 1)
    sessions = list(range(20, 100, 10))
    course = {
        "kind": "microneedling",
        "needle_mm": needle_mm,
        "interval_days": 10,
        "start_day": 20,
        "stop_day": 91,
        "regions": ["vertex"],
    }
    # a large area: a 20% smaller activation must move the count by more than 4 SD
    _, result = run(NO_ANDROGENS, [course], days=100, area_cm2=60.0, seed=31)
    pushed = sum(pushed_out_of_telogen(result.log, day) for day in sessions)
    resting = sum(in_telogen_at(result.log, result.initial["phase"], day) for day in sessions)
    expected = resting * probability
    sd = math.sqrt(resting * probability * (1 - probability))  # binomial
    assert abs(pushed - expected) <= 4 * sd, (pushed, expected, sd)
    # no such follicle on a day without a session
    assert pushed_out_of_telogen(result.log, 35.0) == 0


def test_microneedling_adherence_is_each_person_attending_a_session():
    # 30 people at adherence 0.5: each attends each session with probability 0.5, so the
    # pushed follicles are those of the attended sessions. Expected count and its SD by
    # hand from each person's resting follicles (attendance varies between person and
    # session: variance (p n)^2 a (1 - a) each, plus the binomial part)
    adherence, needle_mm = 0.5, 1.5
    probability = P.microneedling_activation  # 1.5 mm: full stimulation
    sessions = list(range(20, 100, 10))
    course = {
        "kind": "microneedling",
        "needle_mm": needle_mm,
        "interval_days": 10,
        "start_day": 20,
        "stop_day": 91,
        "regions": ["vertex"],
        "adherence": adherence,
    }
    persons = [parse_person(NO_ANDROGENS) for _ in range(30)]
    result = run_people(
        persons,
        parse_regimen({"name": "x", "treatment": [course]}),
        days=100,
        observe_every_days=100,
        areas={"vertex": 5.0},
        seed_sequence=np.random.SeedSequence(32),
        params=P,
        with_history=False,
    )
    log, owner = result.log, result.state.person
    pushed, expected, variance = 0, 0.0, 0.0
    for person in range(len(persons)):
        mine = owner[log["follicle"]] == person
        own_log = {name: column[mine] for name, column in log.items()}
        initial = np.where(owner == person, result.initial["phase"], -1)
        for day in sessions:
            resting = in_telogen_at(own_log, initial, day)
            pushed += pushed_out_of_telogen(own_log, day)
            expected += adherence * probability * resting
            variance += (probability * resting) ** 2 * adherence * (1 - adherence)
            variance += adherence * resting * probability * (1 - probability)
    sd = math.sqrt(variance)
    assert abs(pushed - expected) <= 4 * sd, (pushed, expected, sd)
    assert expected > 6 * sd  # the test can tell adherence 0.5 from 1 and from 0
