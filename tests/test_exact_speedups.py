"""The exact speedups (issue 13, item 2) give what the code they replaced gave.

Each test runs the new code and a frozen copy of the old one (kept here, verbatim in
what it computes) on fixed seeds: the random stream and the outputs must be the same,
bit for bit, or (numpy sums instead of pandas' compensated sums) to floating rounding.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd
import pytest

from follicle.model import cycle
from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.model.regions import REGION_INDEX, REGIONS
from follicle.model.scalp import (
    FollicleState,
    build_scalp,
    concatenate,
    draw_units,
    region_frame_um,
)
from follicle.person import parse_person
from follicle.sim import engine as engine_module
from follicle.sim.simulate import simulate
from follicle.trials.summary import day_moments

# ---- frozen copies of the replaced code ----------------------------------------------


def old_day_moments(observations: pd.DataFrame, columns) -> pd.DataFrame:
    """summary.day_moments before issue 13 (pandas groupby)."""

    def change_from_first_day(obs, column):
        first = obs[obs["day"] == obs["day"].min()]
        baseline = first.set_index(["person"])[column]
        rows = pd.MultiIndex.from_frame(obs[["person"]]).get_level_values(0)
        return obs[column].to_numpy(float) - baseline.reindex(rows).to_numpy(float)

    frames = []
    for column in columns:
        level = observations[column].to_numpy(float)
        change = change_from_first_day(observations, column)
        for kind, values in (("value", level), ("change", change)):
            frame = pd.DataFrame({"day": observations["day"].to_numpy(), "x": values})
            frame = frame[np.isfinite(frame["x"])]
            grouped = frame.groupby("day", sort=True)["x"]
            stats = grouped.agg(count="size", mean="mean")
            deviation = frame["x"].to_numpy() - stats["mean"].reindex(frame["day"]).to_numpy()
            stats["m2"] = pd.Series(deviation**2).groupby(frame["day"].to_numpy()).sum()
            frames.append(stats.reset_index().assign(column=column, kind=kind))
    merged = pd.concat(frames, ignore_index=True)
    return merged.set_index(["column", "kind", "day"])[["count", "mean", "m2"]].sort_index()


def old_new_follicles(*, person_index, region, unit, x_um, y_um, person, params, rng):
    n = region.size
    mean_um = person.terminal_diameter_um or params.terminal_diameter_mean_um
    terminal = rng.normal(mean_um, params.terminal_diameter_sd_um, n)
    terminal = np.clip(terminal, 0.6 * mean_um, 1.6 * mean_um)
    vellus = rng.random(n) < params.vellus_follicle_fraction
    spread = rng.lognormal(0.0, params.vellus_follicle_diameter_log_sd, vellus.sum())
    terminal[vellus] = params.vellus_follicle_diameter_um * spread
    pattern = np.array([params.pattern_sensitivity[person.sex][name] for name in REGIONS])
    spread = params.follicle_sensitivity_log_sd
    sensitivity = person.sensitivity * pattern[region] * rng.lognormal(-0.5 * spread**2, spread, n)
    zeros = np.zeros(n)
    return FollicleState(
        person=np.full(n, person_index, np.int32),
        region=region.astype(np.int8),
        unit=unit.astype(np.int64),
        x_um=x_um.astype(float),
        y_um=y_um.astype(float),
        terminal_diameter_um=terminal,
        sensitivity=sensitivity,
        transplanted=np.zeros(n, bool),
        phase=np.full(n, cycle.KENOGEN, np.int8),
        next_t=zeros.copy(),
        pending=zeros.copy(),
        size=np.ones(n),
        diameter_um=terminal.copy(),
        attached=np.ones(n, bool),
        cycles=np.zeros(n, np.int32),
        has_hair=np.zeros(n, bool),
        t_emerge=zeros.copy(),
        shaft_length_mm=zeros.copy(),
        cycle_start=zeros.copy(),
        rest_until=np.full(n, -np.inf),
        anagen_androgen=zeros.copy(),
        activated=np.zeros(n, bool),
        attacked=np.zeros(n, bool),
        dystrophic=np.zeros(n, bool),
        held=np.zeros(n, bool),
    )


def old_build_scalp(persons, areas_cm2, *, params, rng):
    """model.scalp.build_scalp before issue 13 (one FollicleState per person and region)."""
    parts, next_unit = [], 0
    for index, person in enumerate(persons):
        per_unit = np.dot(np.arange(1, 5), params.unit_size_probabilities_for(person.ethnicity))
        unit_density = params.follicular_units_per_cm2
        if person.follicle_density_per_cm2 is not None:
            unit_density = person.follicle_density_per_cm2 / per_unit
        for name, area in areas_cm2.items():
            n_units = int(rng.poisson(unit_density * area))
            owner, x, y = draw_units(
                n_units, region_frame_um(area), params, rng, ethnicity=person.ethnicity
            )
            region = np.full(owner.size, REGION_INDEX[name], np.int8)
            parts.append(
                old_new_follicles(
                    person_index=index,
                    region=region,
                    unit=owner + next_unit,
                    x_um=x,
                    y_um=y,
                    person=person,
                    params=params,
                    rng=rng,
                )
            )
            next_unit += n_units
    return concatenate(parts)


class OldEmitEngine(engine_module.Engine):
    """The engine with ``_emit`` as it was (the shaft length gated on a phase gather)."""

    def _emit(self, idx, t, old, new, had_hair):
        if self.logging:
            s = self.state
            growing = s.phase[idx] == cycle.ANAGEN
            length = np.where(growing, 0.0, s.shaft_length_mm[idx])
            self.log.add(t, idx, old, new, had_hair, s.has_hair[idx], s.diameter_um[idx], length)


# ---- the comparisons ------------------------------------------------------------------


def synthetic_observations(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [(p, float(d)) for p in range(40) for d in (0, 30, 60, 90)]
    frame = pd.DataFrame(rows, columns=["person", "day"])
    frame["hairs"] = rng.poisson(500, len(frame)).astype(float)
    frame["thin_share"] = rng.random(len(frame))
    frame.loc[rng.random(len(frame)) < 0.15, "thin_share"] = np.nan
    frame.loc[(frame["person"] == 3) & (frame["day"] == 0), "hairs"] = np.nan  # no baseline
    frame.loc[frame["day"] == 60, "thin_share"] = np.inf  # a day without a finite value
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # any row order


@pytest.mark.parametrize("seed", [0, 1])
def test_day_moments_equal_the_pandas_version(seed):
    observations = synthetic_observations(seed)
    new = day_moments(observations, ["hairs", "thin_share"])
    old = old_day_moments(observations, ["hairs", "thin_share"])
    assert new.index.equals(old.index)
    assert list(new.dtypes) == list(old.dtypes)
    # counts exactly; means and M2 to floating rounding (pandas sums with compensation)
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12, atol=1e-9)
    assert (new["count"] == old["count"]).all()


def test_day_moments_equal_the_pandas_version_on_a_trial_block():
    trajectory = simulate(
        {"sex": "male", "age_years": 30, "androgen_sensitivity": "high"},
        days=180,
        area="vertex:1",
        seed=4,
    )
    table = trajectory.table
    table = table[table["region"] == "vertex"].assign(person=0)
    columns = ["hairs", "mean_diameter_um", "anagen_fraction", "single_hair_unit_share"]
    new, old = day_moments(table, columns), old_day_moments(table, columns)
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12, atol=1e-9)


def test_build_scalp_gives_the_same_follicles_and_leaves_the_stream_where_it_was():
    persons = [
        parse_person({"sex": "male", "age_years": 30, "androgen_sensitivity": "high"}),
        parse_person(
            {
                "sex": "female",
                "age_years": 50,
                "androgen_sensitivity": 0.7,
                "ethnicity": "asian",
                "follicle_density_per_cm2": 180,
            }
        ),
        parse_person({"sex": "male", "age_years": 60, "terminal_diameter_um": 60}),
    ]
    areas = {"vertex": 2.0, "frontal": 1.0, "occipital": 0.5}
    new_rng, old_rng = np.random.default_rng(7), np.random.default_rng(7)
    new = build_scalp(persons, areas, params=P, rng=new_rng)
    old = old_build_scalp(persons, areas, params=P, rng=old_rng)
    for item in fields(FollicleState):
        a, b = getattr(new, item.name), getattr(old, item.name)
        assert a.dtype == b.dtype, item.name
        assert np.array_equal(a, b), item.name
    assert new_rng.random() == old_rng.random()  # the next draw is the same


def run_engine(engine_class, *, seed: int):
    """A logged run with clock changes (minoxidil) and a transplant on day 60."""
    from follicle.model.androgens import People
    from follicle.model.scalp import start_in_steady_state
    from follicle.regimen import parse_regimen
    from follicle.treatments.schedule import compile_regimen

    person = parse_person({"sex": "male", "age_years": 35, "androgen_sensitivity": "high"})
    regimen = parse_regimen(
        {
            "treatment": [
                {"kind": "minoxidil", "concentration_percent": 5},
                {
                    "kind": "transplant",
                    "day": 60,
                    "grafts": 300,
                    "region": "frontal",
                    "donor_region": "occipital",
                },
            ]
        }
    )
    areas = {"frontal": 1.0, "occipital": 1.0}
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]
    schedule = compile_regimen(regimen, days=150, params=P, rng=rngs[2])
    state = build_scalp([person], areas, params=P, rng=rngs[0])
    start_in_steady_state(state, t0=-30.0, params=P, rng=rngs[0])
    engine = engine_class(
        state,
        people=People.of([person], P),
        params=P,
        schedule=schedule,
        areas_cm2=areas,
        rng=rngs[1],
    )
    engine.prime(np.full(state.n, -30.0))
    engine.run(t_start=-30.0, t_end=150.0, log_from=-30.0)
    return engine


def test_emit_without_the_phase_gather_logs_the_same_events():
    new = run_engine(engine_module.Engine, seed=5).log.arrays()
    old = run_engine(OldEmitEngine, seed=5).log.arrays()
    assert new["time"].size > 400
    assert (new["new_phase"] == cycle.ANAGEN).any() and (new["old_phase"] == cycle.ABSENT).any()
    for name in old:
        assert np.array_equal(new[name], old[name]), name


def test_phase_comparisons_equal_isin():
    phase = np.arange(cycle.ABSENT + 1, dtype=np.int8).repeat(3)
    for codes in (engine_module._ANAGEN_PHASES, engine_module._REST_PHASES):
        assert np.array_equal(engine_module._among(phase, codes), np.isin(phase, codes))


def test_unit_counts_with_simultaneous_events_agree_with_the_snapshot():
    """A transplant logs every graft at one time in shared units (ties in observe's sort
    key): the single-hair unit share still equals the one counted on the hairs table."""
    trajectory = simulate(
        {"sex": "male", "age_years": 35, "androgen_sensitivity": "high"},
        {
            "treatment": [
                {
                    "kind": "transplant",
                    "day": 60,
                    "grafts": 400,
                    "region": "frontal",
                    "donor_region": "occipital",
                }
            ]
        },
        days=120,
        observe_every_days=30,
        area={"frontal": 1.0, "occipital": 1.0},
        seed=6,
    )
    for day in (60, 90):
        hairs = trajectory.snapshot(day)
        for region, rows in hairs.groupby("region"):
            expected = trajectory.region(region).loc[float(day)]
            share = (rows.groupby("unit_id").size() == 1).mean()
            assert share == pytest.approx(expected["single_hair_unit_share"], rel=1e-9)
