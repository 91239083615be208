"""The engine's clocks as formulas (``sim/engine.py``): the anagen and resting speeds with
their androgen terms, ``prime`` and the rescaling at a clock change.

The formulas are the ones the parameters document (``model/params.py``): anagen runs
``rate x (1 + androgen_anagen_shortening x A x DHT x sensitivity)`` times faster, telogen
and kenogen ``rate / (1 + androgen_rest_prolongation x A x DHT x sensitivity x share)``
times slower (``share`` = ``androgen_telogen_share`` in telogen, 1 in kenogen), with A the
androgen level at the follicle's last anagen entry; a person's treatment response r
turns the rates and the DHT factor into ``1 / (1 + r (1/rate - 1))`` (anagen),
``1 + r (rate - 1)`` (rest) and ``DHT^r`` (``model/response.py``). The parameters are set
here to values chosen so that every term matters (not today's calibrated values), and the
expected speeds are computed from the follicles' own arrays.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine_helpers import BALDING, P, engine_of
from follicle.model import cycle
from follicle.model.regions import REGIONS


def regional_rates(low: float, high: float) -> np.ndarray:
    return np.linspace(low, high, len(REGIONS))


def exposure(engine, idx, dht):
    s = engine.state
    return s.anagen_androgen[idx] * dht * s.sensitivity[idx]


def test_anagen_speed_has_the_region_clock_and_the_androgen_term():
    engine, _ = engine_of([BALDING])
    s = engine.state
    idx = np.arange(s.n)
    assert np.all(s.anagen_androgen > 1.1) and np.ptp(s.sensitivity) > 0  # terms matter
    rate, dht = regional_rates(0.8, 1.3), 0.6
    expected = rate[s.region] * (1 + P.androgen_anagen_shortening * exposure(engine, idx, dht))
    np.testing.assert_allclose(engine._anagen_speed(idx, rate, dht), expected, rtol=1e-12)
    # without arguments: the engine's current clock and DHT factor
    engine.anagen_rate, engine.dht = rate, dht
    np.testing.assert_allclose(engine._anagen_speed(idx), expected, rtol=1e-12)


def test_resting_speed_has_the_region_clock_and_the_androgen_term_with_the_telogen_share():
    engine, _ = engine_of([BALDING])
    s = engine.state
    idx = np.arange(s.n)
    telogen = s.phase == cycle.TELOGEN
    assert telogen.any() and (s.phase == cycle.KENOGEN).any()
    rate, dht = regional_rates(1.4, 0.9), 0.5
    share = np.where(telogen, P.androgen_telogen_share, 1.0)
    held = 1 + P.androgen_rest_prolongation * exposure(engine, idx, dht) * share
    expected = rate[s.region] / held
    np.testing.assert_allclose(engine._rest_speed(idx, rate, dht), expected, rtol=1e-12)
    engine.rest_rate, engine.dht = rate, dht
    np.testing.assert_allclose(engine._rest_speed(idx), expected, rtol=1e-12)
    # share 1: telogen is held like kenogen
    engine.params = P.replace(androgen_telogen_share=1.0)
    alike = rate[s.region] / (1 + P.androgen_rest_prolongation * exposure(engine, idx, dht))
    np.testing.assert_allclose(engine._rest_speed(idx), alike, rtol=1e-12)
    # a prolongation of exactly 1 still holds the resting phases
    engine.params = P.replace(androgen_rest_prolongation=1.0)
    one = rate[s.region] / (1 + exposure(engine, idx, dht) * share)
    np.testing.assert_allclose(engine._rest_speed(idx), one, rtol=1e-12)
    # no prolongation: the clock alone
    engine.params = P.replace(androgen_rest_prolongation=0.0)
    np.testing.assert_array_equal(engine._rest_speed(idx), rate[s.region])


def test_a_person_s_treatment_response_scales_rates_and_dht():
    engine, _ = engine_of(
        [{**BALDING, "treatment_response": 0.5}, {**BALDING, "treatment_response": 1.5}]
    )
    s = engine.state
    idx = np.arange(s.n)
    assert set(np.unique(s.person)) == {0, 1}
    r = np.where(s.person == 0, 0.5, 1.5)
    rate, dht = regional_rates(0.7, 1.6), 0.6
    anagen = 1 / (1 + r * (1 / rate[s.region] - 1))
    dht_r = dht**r
    expected = anagen * (1 + P.androgen_anagen_shortening * exposure(engine, idx, dht_r))
    np.testing.assert_allclose(engine._anagen_speed(idx, rate, dht), expected, rtol=1e-12)
    rest = 1 + r * (rate[s.region] - 1)
    share = np.where(s.phase == cycle.TELOGEN, P.androgen_telogen_share, 1.0)
    held = 1 + P.androgen_rest_prolongation * exposure(engine, idx, dht_r) * share
    np.testing.assert_allclose(engine._rest_speed(idx, rate, dht), rest / held, rtol=1e-12)


def test_prime_sets_the_androgen_level_and_converts_remaining_time_to_real_time():
    engine, t0 = engine_of([BALDING], prime=False)
    s = engine.state
    before = s.next_t.copy()
    engine.anagen_rate, engine.rest_rate = regional_rates(0.8, 1.2), regional_rates(1.3, 0.7)
    engine.dht = 0.8
    engine.prime(t0)
    level = engine.people.baseline_exposure(s.person, t0, P)
    assert level.min() > 0
    np.testing.assert_allclose(s.anagen_androgen, level, rtol=1e-12)
    growing = np.isin(s.phase, (cycle.ANAGEN_HIDDEN, cycle.ANAGEN))
    resting = np.isin(s.phase, (cycle.TELOGEN, cycle.KENOGEN))
    assert growing.sum() > 100 and resting.sum() > 10
    (g,), (r,) = np.nonzero(growing), np.nonzero(resting)
    np.testing.assert_allclose(
        s.next_t[g], t0[g] + (before[g] - t0[g]) / engine._anagen_speed(g), rtol=1e-12
    )
    np.testing.assert_allclose(
        s.next_t[r], t0[r] + (before[r] - t0[r]) / engine._rest_speed(r), rtol=1e-12
    )
    other = ~(growing | resting)
    np.testing.assert_array_equal(s.next_t[other], before[other])


class Clocks:
    """A schedule whose clocks and DHT factor change on one day (only what the engine
    asks at a clock change)."""

    def __init__(self, anagen, rest, dht, *, day):
        self.anagen, self.rest, self.dht, self.day = anagen, rest, dht, day

    def clocks_on(self, day):
        assert day == self.day  # the engine asks for the day of the change
        return self.anagen, self.rest

    def dht_step_on(self, day):
        assert day == self.day
        return self.dht


@pytest.mark.parametrize(
    ("new_rest", "new_dht", "prolongation", "rests_rescaled"),
    [
        (regional_rates(1.5, 0.8), 1.0, 0.9, True),  # the resting clock changes
        (np.ones(len(REGIONS)), 0.5, 0.9, True),  # only DHT, which holds resting phases
        (np.ones(len(REGIONS)), 0.5, 0.0, False),  # only DHT, which then does not
    ],
    ids=["rest-clock", "dht", "dht-without-prolongation"],
)
def test_a_clock_change_rescales_the_remaining_time(
    new_rest, new_dht, prolongation, rests_rescaled
):
    params = P.replace(androgen_rest_prolongation=prolongation)
    engine, _ = engine_of([BALDING], params=params)
    s = engine.state
    when = -10.0
    engine.advance(when)
    # some follicles are attacked or held (alopecia areata): their times do not move
    growing = np.flatnonzero(np.isin(s.phase, (cycle.ANAGEN_HIDDEN, cycle.ANAGEN)))
    s.attacked[growing[:5]] = True
    resting = np.flatnonzero(np.isin(s.phase, (cycle.TELOGEN, cycle.KENOGEN)))
    s.held[resting[:3]] = True
    s.rest_until[resting[3]] = s.next_t[resting[3]] + 50.0  # a graft's earliest anagen
    before = s.next_t.copy()
    new_anagen = regional_rates(1.2, 0.9)
    old_anagen = engine._anagen_speed(np.arange(s.n))
    old_rest = engine._rest_speed(np.arange(s.n))
    new_anagen_speed = engine._anagen_speed(np.arange(s.n), new_anagen, new_dht)
    new_rest_speed = engine._rest_speed(np.arange(s.n), new_rest, new_dht)
    engine.schedule = Clocks(new_anagen, new_rest, new_dht, day=3)
    engine._change_clocks(when, 3)

    free = ~(s.attacked | s.held)
    g = np.flatnonzero(free & np.isin(s.phase, (cycle.ANAGEN_HIDDEN, cycle.ANAGEN)))
    expected = when + (before[g] - when) * old_anagen[g] / new_anagen_speed[g]
    np.testing.assert_allclose(s.next_t[g], np.maximum(expected, s.rest_until[g]), rtol=1e-12)
    r = np.flatnonzero(free & np.isin(s.phase, (cycle.TELOGEN, cycle.KENOGEN)))
    if rests_rescaled:
        expected = when + (before[r] - when) * old_rest[r] / new_rest_speed[r]
        expected = np.maximum(expected, s.rest_until[r])
        assert s.next_t[resting[3]] == before[resting[3]] + 50.0  # held back by rest_until
    else:
        expected = before[r]
    np.testing.assert_allclose(s.next_t[r], expected, rtol=1e-12)
    assert not np.allclose(s.next_t[g], before[g])  # the change did move the growing ones
    fixed = ~free | np.isin(s.phase, (cycle.CATAGEN, cycle.LOST))
    np.testing.assert_array_equal(s.next_t[fixed], before[fixed])
    np.testing.assert_array_equal(engine.anagen_rate, new_anagen)
    np.testing.assert_array_equal(engine.rest_rate, new_rest)
    assert engine.dht == new_dht
