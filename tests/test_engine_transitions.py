"""The engine's transitions, one phase change at a time (``sim/engine.py``).

Each test takes follicles of one phase from a small engine in steady state, makes their
transition at their own ``next_t`` and checks the new phase, times and sizes against the
model's formulas (``model/cycle.py``, the docstrings of the engine). Random durations
are checked by drawing them again from a copy of the engine's random stream with the
distribution the model documents (mean and log SD from the parameters), so a changed
mean, SD or order of draws fails. The parameters are the helper's (every androgen term
matters), not today's calibrated values.
"""

from __future__ import annotations

import copy

import numpy as np

from engine_helpers import BALDING, P, engine_of
from follicle.model import cycle
from follicle.model.regions import REGION_INDEX, REGIONS
from follicle.person import AlopeciaAreataEpisode
from follicle.sim.engine import EpisodeRuntime
from follicle.treatments.effects import Session


def of_phase(engine, *phases):
    return np.flatnonzero(np.isin(engine.state.phase, phases))


def logged(engine) -> dict:
    return engine.log.arrays()


def test_emergence_starts_the_visible_anagen_at_the_anagen_speed():
    engine, _ = engine_of([BALDING])
    s = engine.state
    idx = of_phase(engine, cycle.ANAGEN_HIDDEN)
    assert idx.size > 3
    t = s.next_t[idx].copy()
    engine.logging = True
    speed = engine._anagen_speed(idx)
    engine._from_hidden(idx)
    assert np.all(s.phase[idx] == cycle.ANAGEN) and np.all(s.has_hair[idx])
    np.testing.assert_array_equal(s.t_emerge[idx], t)
    np.testing.assert_allclose(s.next_t[idx], t + s.pending[idx] / speed, rtol=1e-12)
    log = logged(engine)
    np.testing.assert_array_equal(log["follicle"], idx)
    assert set(log["old_phase"]) == {cycle.ANAGEN_HIDDEN}
    assert set(log["new_phase"]) == {cycle.ANAGEN}
    assert not log["had_hair"].any() and log["has_hair"].all()


def test_anagen_ends_in_catagen_with_the_shaft_grown_and_a_catagen_draw():
    engine, _ = engine_of([BALDING])
    s = engine.state
    idx = of_phase(engine, cycle.ANAGEN)
    t = s.next_t[idx].copy()
    growth = cycle.growth_mm_per_day(s.diameter_um[idx], P)
    expected_length = growth * (t - s.t_emerge[idx])
    stream = copy.deepcopy(engine.rng)
    catagen = stream.lognormal(
        np.log(P.catagen_mean_days) - 0.5 * P.catagen_log_sd**2, P.catagen_log_sd, idx.size
    )
    engine.logging = True
    engine._from_anagen(idx)
    assert np.all(s.phase[idx] == cycle.CATAGEN)
    np.testing.assert_allclose(s.shaft_length_mm[idx], expected_length, rtol=1e-12)
    np.testing.assert_allclose(s.next_t[idx], t + catagen, rtol=1e-12)
    log = logged(engine)
    assert log["had_hair"].all() and set(log["new_phase"]) == {cycle.CATAGEN}
    np.testing.assert_allclose(log["length_mm"], expected_length, rtol=1e-12)


def test_an_attacked_anagen_follicle_becomes_dystrophic_and_the_others_do_not():
    engine, _ = engine_of([BALDING])
    s = engine.state
    idx = of_phase(engine, cycle.ANAGEN)
    attacked = idx[::3]
    s.attacked[attacked] = True
    t = s.next_t[idx].copy()
    expected_length = cycle.growth_mm_per_day(s.diameter_um[idx], P) * (t - s.t_emerge[idx])
    engine.logging = True
    engine._from_anagen(idx)
    assert np.all(s.phase[idx] == cycle.CATAGEN)
    assert not s.attacked[idx].any()
    np.testing.assert_array_equal(s.dystrophic[idx], np.isin(idx, attacked))
    np.testing.assert_allclose(s.shaft_length_mm[idx], expected_length, rtol=1e-12)
    log = logged(engine)
    assert sorted(log["follicle"]) == sorted(idx) and log["had_hair"].all()
    order = np.argsort(log["follicle"])
    np.testing.assert_array_equal(log["time"][order], t[np.argsort(idx)])
    assert set(log["old_phase"]) == {cycle.ANAGEN} and set(log["new_phase"]) == {cycle.CATAGEN}
    # hidden anagen attacked: no shaft yet, no hair lost
    hidden = of_phase(engine, cycle.ANAGEN_HIDDEN)[:4]
    s.attacked[hidden] = True
    length_before = s.shaft_length_mm[hidden].copy()
    engine._from_hidden(hidden)
    assert np.all(s.phase[hidden] == cycle.CATAGEN) and s.dystrophic[hidden].all()
    np.testing.assert_array_equal(s.shaft_length_mm[hidden], length_before)
    assert not logged(engine)["had_hair"][-hidden.size :].any()


def test_catagen_ends_in_a_telogen_drawn_then_slowed_by_the_resting_clock():
    engine, _ = engine_of([BALDING])
    s = engine.state
    idx = of_phase(engine, cycle.CATAGEN)
    assert idx.size > 3
    s.dystrophic[idx[::2]] = True
    t = s.next_t[idx].copy()
    stream = copy.deepcopy(engine.rng)
    telogen = stream.lognormal(
        np.log(P.telogen_mean_days) - 0.5 * P.telogen_log_sd**2, P.telogen_log_sd, idx.size
    )
    telogen = np.where(s.dystrophic[idx], telogen * P.aa_dystrophic_telogen_factor, telogen)
    had_hair = s.has_hair[idx].copy()
    engine.logging = True
    engine._from_catagen(idx)
    assert np.all(s.phase[idx] == cycle.TELOGEN)
    log = logged(engine)
    np.testing.assert_array_equal(log["follicle"], idx)
    np.testing.assert_array_equal(log["time"], t)
    assert set(log["old_phase"]) == {cycle.CATAGEN} and set(log["new_phase"]) == {cycle.TELOGEN}
    np.testing.assert_array_equal(log["had_hair"], had_hair)
    np.testing.assert_array_equal(log["has_hair"], had_hair)
    speed = engine._rest_speed(idx)  # now in telogen: the telogen share applies
    np.testing.assert_allclose(s.next_t[idx], t + telogen / speed, rtol=1e-12)


def test_telogen_sheds_and_ends_in_kenogen_or_loss_by_ageing():
    old = {**BALDING, "age_years": 80}
    params = P.replace(ageing_loss_per_year=0.2)
    engine, _ = engine_of([old], params=params)
    s = engine.state
    idx = of_phase(engine, cycle.TELOGEN)
    assert idx.size > 10
    s.activated[idx[:2]] = True
    s.dystrophic[idx] = True
    s.rest_until[idx[2:8]] = s.next_t[idx[2:8]] + 1000.0  # grafts: no anagen before it
    t = s.next_t[idx].copy()
    age = engine.people.age_at(s.person[idx], t)
    assert np.all(age > params.ageing_start_years)
    years = np.maximum(t - s.cycle_start[idx], 0.0) / 365.25
    stream = copy.deepcopy(engine.rng)
    dies = stream.random(idx.size) < 1 - np.exp(-params.ageing_loss_per_year * years)
    assert dies.any() and not dies.all()
    keep = idx[~dies]
    means = cycle.kenogen_mean_days(s.size[keep], params)
    kenogen = np.exp(
        np.log(means)
        - 0.5 * params.kenogen_log_sd**2
        + params.kenogen_log_sd * stream.standard_normal(keep.size)
    )
    had_hair = s.has_hair[idx].copy()
    assert had_hair[dies].any()
    engine.logging = True
    engine._from_telogen(idx)
    assert not s.has_hair[idx].any()
    assert np.all(s.phase[idx[dies]] == cycle.LOST) and np.all(np.isinf(s.next_t[idx[dies]]))
    assert np.all(s.phase[keep] == cycle.KENOGEN)
    speed = engine._rest_speed(keep)
    expected = t[~dies] + np.where(np.isin(keep, idx[:2]), 0.0, kenogen / speed)
    expected = np.maximum(expected, s.rest_until[keep])
    np.testing.assert_allclose(s.next_t[keep], expected, rtol=1e-12)
    waiting = np.isin(keep, idx[2:8])
    assert waiting.any()
    np.testing.assert_allclose(s.next_t[keep[waiting]], t[~dies][waiting] + 1000.0)
    assert not s.activated[idx].any() and not s.dystrophic[keep].any()
    log = logged(engine)
    lost = log["new_phase"] == cycle.LOST
    np.testing.assert_array_equal(np.sort(log["follicle"][lost]), np.sort(idx[dies]))
    np.testing.assert_allclose(np.sort(log["time"][lost]), np.sort(t[dies]))
    by_follicle = dict(zip(log["follicle"][lost].tolist(), log["had_hair"][lost], strict=True))
    assert [by_follicle[f] for f in idx[dies].tolist()] == had_hair[dies].tolist()
    assert not log["has_hair"].any()
    rested = log["new_phase"] == cycle.KENOGEN
    by_follicle = dict(zip(log["follicle"][rested].tolist(), log["had_hair"][rested], strict=True))
    assert [by_follicle[f] for f in keep.tolist()] == had_hair[~dies].tolist()
    assert had_hair[~dies].any()


def test_no_loss_by_ageing_before_its_start_age():
    young = {**BALDING, "age_years": 25}
    engine, _ = engine_of([young], params=P.replace(ageing_loss_per_year=0.5))
    s = engine.state
    idx = of_phase(engine, cycle.TELOGEN)
    assert np.all(engine.people.age_at(s.person[idx], s.next_t[idx]) < P.ageing_start_years)
    engine._from_telogen(idx)
    assert np.all(s.phase[idx] == cycle.KENOGEN)


def test_a_new_cycle_shrinks_the_follicle_loses_the_smallest_and_draws_the_anagen():
    engine, _ = engine_of([BALDING], params=P.replace(shrinkage_mode="gradual"))
    s = engine.state
    idx = of_phase(engine, cycle.KENOGEN)
    assert idx.size > 5
    s.size[idx[:3]] = P.loss_size * 1.0001  # any damage takes them below it
    s.attached[idx[:3]] = False
    t = s.next_t[idx].copy()
    cycles = s.cycles[idx].copy()
    androgen = engine.people.baseline_exposure(s.person[idx], t, P)
    dht = engine.schedule.dht_at(t)
    growth = engine.schedule.growth_at(s.region[idx], t)
    stream = copy.deepcopy(engine.rng)
    noise = stream.lognormal(-0.5 * P.damage_cycle_log_sd**2, P.damage_cycle_log_sd, idx.size)
    size = cycle.next_size(
        s.size[idx],
        exposure=androgen * dht * s.sensitivity[idx],
        growth=growth,
        attached=s.attached[idx].copy(),
        params=P,
        damage_noise=noise,
    )
    lost = size < P.loss_size
    assert lost[:3].all() and not lost.all()
    attached = s.attached[idx] & (size >= P.apm_detach_size)
    keep, size_kept = idx[~lost], size[~lost]
    diameter = (
        s.terminal_diameter_um[keep]
        * size_kept
        * stream.lognormal(0.0, P.diameter_cycle_noise_cv, keep.size)
    )
    means = cycle.anagen_mean_days(size_kept, P)
    normal = stream.standard_normal(keep.size)
    anagen = np.exp(np.log(means) - 0.5 * P.anagen_log_sd**2 + P.anagen_log_sd * normal)
    engine.logging = True
    engine._from_kenogen(idx)

    np.testing.assert_allclose(s.size[idx], size, rtol=1e-12)
    np.testing.assert_array_equal(s.attached[idx], attached)
    assert np.all(s.phase[idx[lost]] == cycle.LOST)
    log = logged(engine)
    gone = log["new_phase"] == cycle.LOST
    np.testing.assert_array_equal(np.sort(log["follicle"][gone]), np.sort(idx[lost]))
    np.testing.assert_allclose(np.sort(log["time"][gone]), np.sort(t[lost]))
    assert not log["had_hair"][gone].any()
    t_kept = t[~lost]
    np.testing.assert_allclose(s.diameter_um[keep], diameter, rtol=1e-12)
    np.testing.assert_allclose(s.anagen_androgen[keep], androgen[~lost], rtol=1e-12)
    hidden = np.minimum(P.emergence_days, anagen)
    np.testing.assert_allclose(s.pending[keep], anagen - hidden, rtol=1e-12)
    assert np.all(s.phase[keep] == cycle.ANAGEN_HIDDEN)
    speed = engine._anagen_speed(keep)
    np.testing.assert_allclose(s.next_t[keep], t_kept + hidden / speed, rtol=1e-12)
    np.testing.assert_array_equal(s.cycles[keep], cycles[~lost] + 1)
    np.testing.assert_array_equal(s.cycle_start[keep], t_kept)
    started = log["new_phase"] == cycle.ANAGEN_HIDDEN
    np.testing.assert_array_equal(log["follicle"][started], keep)


def episode(start, days, region="vertex"):
    return AlopeciaAreataEpisode(start_day=start, duration_days=days, region=region)


def test_an_immune_episode_blocks_the_new_cycles_of_its_members_until_it_ends():
    engine, _ = engine_of([BALDING])
    s = engine.state
    n = s.n
    first = np.zeros(n, bool)
    first[: n // 2] = True
    second = np.zeros(n, bool)
    second[n // 4 : 3 * n // 4] = True
    engine.episodes = [  # the one that ends first is listed first: the earliest end wins
        EpisodeRuntime(episode(20, 10), second),  # days 20-30
        EpisodeRuntime(episode(10, 30), first),  # days 10-40
    ]
    idx = np.array([0, n // 3, n // 2, n - 1])  # first only, both, second only, neither
    at = engine._blocked_until
    np.testing.assert_array_equal(at(idx, np.full(4, 9.99)), [np.inf] * 4)
    np.testing.assert_array_equal(at(idx, np.full(4, 10.0)), [40, 40, np.inf, np.inf])
    np.testing.assert_array_equal(at(idx, np.full(4, 25.0)), [40, 30, 30, np.inf])
    np.testing.assert_array_equal(at(idx, np.full(4, 30.0)), [40, 40, np.inf, np.inf])
    np.testing.assert_array_equal(at(idx, np.full(4, 40.0)), [np.inf] * 4)

    kenogen = of_phase(engine, cycle.KENOGEN)
    members = kenogen[first[kenogen]][:5]
    others = kenogen[~first[kenogen] & ~second[kenogen]][:5]
    chosen = np.concatenate([members, others])
    s.next_t[chosen] = 15.0 + np.arange(chosen.size)  # 15-19 (members), 20-24 (others)
    stream = copy.deepcopy(engine.rng)
    delay = stream.exponential(P.aa_regrowth_delay_mean_days, members.size)
    engine._from_kenogen(chosen)
    np.testing.assert_allclose(s.next_t[members], 40.0 + delay, rtol=1e-12)
    assert np.all(s.phase[members] == cycle.KENOGEN) and s.held[members].all()
    assert np.all(s.phase[others] == cycle.ANAGEN_HIDDEN) and not s.held[others].any()
    np.testing.assert_array_equal(s.cycle_start[others], 15.0 + np.arange(5, 10))


def test_a_session_pushes_resting_follicles_of_attending_people_in_its_regions():
    """Each person attends with probability ``attendance`` (one draw per person), each of
    their resting follicles in a treated region is activated with the session's
    probability, and leaves its phase within the session's day (not before a graft's
    earliest anagen)."""
    engine, _ = engine_of([BALDING] * 6, seed=7)
    s = engine.state
    regions = np.zeros(len(REGIONS), bool)
    regions[REGION_INDEX["vertex"]] = True
    session = Session(day=5, regions=regions, activation_probability=0.6, attendance=0.5)
    resting = np.flatnonzero(np.isin(s.phase, (cycle.TELOGEN, cycle.KENOGEN)))
    s.rest_until[resting] = np.where(np.arange(resting.size) % 3 == 0, 35.0, -np.inf)
    before_t, before_active = s.next_t.copy(), s.activated.copy()
    stream = copy.deepcopy(engine.rng)
    attends = stream.random(6) < 0.5
    assert attends.any() and not attends.all()
    candidates = regions[s.region] & np.isin(s.phase, (cycle.TELOGEN, cycle.KENOGEN))
    idx = np.flatnonzero(candidates & attends[s.person])
    hit = idx[stream.random(idx.size) < 0.6]
    when = np.maximum(5.0 + stream.random(hit.size), s.rest_until[hit])
    assert 0 < hit.size < idx.size
    engine._session(5.0, session)
    pushed = np.zeros(s.n, bool)
    pushed[hit] = True
    np.testing.assert_array_equal(s.activated, before_active | pushed)
    np.testing.assert_allclose(s.next_t[hit], when, rtol=1e-12)
    assert np.any(s.next_t[hit] == 35.0)  # held back by rest_until
    np.testing.assert_array_equal(s.next_t[~pushed], before_t[~pushed])


def test_a_new_cycle_under_treatment_with_a_response_and_stepwise_shrinkage():
    """The DHT factor and growth signal of the day the cycle starts (finasteride and
    minoxidil from day 0), turned by each person's response r into DHT^r and r x growth;
    stepwise shrinkage draws its steps before the damage noise; a detached follicle stays
    detached whatever its size."""
    params = P.replace(shrinkage_mode="stepwise")
    engine, _ = engine_of(
        [{**BALDING, "treatment_response": 0.5}, {**BALDING, "treatment_response": 2.0}],
        params=params,
        treatments=[
            {"kind": "finasteride", "dose_mg": 1.0},
            {"kind": "minoxidil", "concentration_percent": 5},
        ],
    )
    s = engine.state
    idx = of_phase(engine, cycle.KENOGEN)
    assert set(s.person[idx]) == {0, 1}
    s.next_t[idx] = 0.5 + np.linspace(0, 60, idx.size)  # while the effects build up
    s.attached[idx[::4]] = False
    s.size[idx[1::2]] = 0.6  # below full size: the repair (and growth) of attached ones acts
    s.cycles[idx] = 5
    t = s.next_t[idx].copy()
    r = np.where(s.person[idx] == 0, 0.5, 2.0)
    dht = engine.schedule.dht_at(t)
    growth = engine.schedule.growth_at(s.region[idx], t)
    assert np.ptp(dht) > 0 and dht.max() < 1 and growth.min() > 0
    androgen = engine.people.baseline_exposure(s.person[idx], t, params)
    stream = copy.deepcopy(engine.rng)
    step_draw = stream.random(idx.size)
    noise = stream.lognormal(
        -0.5 * params.damage_cycle_log_sd**2, params.damage_cycle_log_sd, idx.size
    )
    size = cycle.next_size(
        s.size[idx],
        exposure=androgen * dht**r * s.sensitivity[idx],
        growth=r * growth,
        attached=s.attached[idx].copy(),
        params=params,
        step_draw=step_draw,
        damage_noise=noise,
    )
    attached = s.attached[idx] & (size >= params.apm_detach_size)
    assert np.any(~s.attached[idx] & (size >= params.apm_detach_size))
    assert np.ptp(size[s.attached[idx]]) > 0
    engine.logging = True
    engine._from_kenogen(idx)
    np.testing.assert_allclose(s.size[idx], size, rtol=1e-12)
    np.testing.assert_array_equal(s.attached[idx], attached)
    kept = s.phase[idx] != cycle.LOST
    np.testing.assert_array_equal(s.cycles[idx[kept]], 6)
    log = logged(engine)
    started = log["new_phase"] == cycle.ANAGEN_HIDDEN
    assert started.sum() == kept.sum() and not log["had_hair"][started].any()


def test_advance_makes_every_transition_before_until_in_a_consistent_chain():
    """After ``advance(until)`` no follicle has a transition left before ``until``, and
    each follicle's logged transitions form a chain: each starts from the phase the one
    before ended in, at a later or equal time, and the phase changes are the cycle's."""
    engine, _ = engine_of([BALDING])
    s = engine.state
    engine.logging = True
    start = s.phase.copy()
    engine.advance(200.0)
    assert np.all(s.next_t >= 200.0)
    log = logged(engine)
    assert engine.transitions == log["time"].size > 500
    allowed = {
        (cycle.ANAGEN_HIDDEN, cycle.ANAGEN),
        (cycle.ANAGEN, cycle.CATAGEN),
        (cycle.CATAGEN, cycle.TELOGEN),
        (cycle.TELOGEN, cycle.KENOGEN),
        (cycle.TELOGEN, cycle.LOST),
        (cycle.KENOGEN, cycle.ANAGEN_HIDDEN),
        (cycle.KENOGEN, cycle.LOST),
    }
    phase, last = start.copy(), np.full(s.n, -np.inf)
    for time, follicle, old, new in zip(
        log["time"], log["follicle"], log["old_phase"], log["new_phase"], strict=True
    ):
        assert (old, new) in allowed
        assert old == phase[follicle] and time >= last[follicle]
        phase[follicle], last[follicle] = new, time
    np.testing.assert_array_equal(phase, s.phase)
