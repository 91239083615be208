"""``simulate(person, regimen, *, days, ...)``: one scalp through time."""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from follicle.model.androgens import DAYS_PER_YEAR, People
from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters
from follicle.model.scalp import (
    AreaSpec,
    FollicleState,
    build_scalp,
    resolve_area,
    start_in_steady_state,
)
from follicle.person import Person
from follicle.provenance import input_record
from follicle.regimen import Regimen
from follicle.sim.engine import Engine
from follicle.sim.engines import check_engine, engine_class
from follicle.sim.inputs import (
    NOT_GIVEN,
    as_person,
    as_regimen,
    check_days,
    renamed_seed,
    resolve_seed,
)
from follicle.sim.observe import observe
from follicle.sim.trajectory import Trajectory
from follicle.treatments.schedule import compile_regimen

# The old private names, for code written against them (care.projection on other branches).
_parse_person, _parse_regimen, _parse_days, _parse_seed = (
    as_person,
    as_regimen,
    check_days,
    resolve_seed,
)


def simulate(
    person: Person | dict | str | Path,
    regimen: Regimen | dict | str | Path | None = None,
    *,
    days: int,
    observe_every_days: int | None = None,
    area: AreaSpec = None,
    seed: int | None = None,
    params: ModelParameters | None = None,
    with_history: bool = True,
    progress: Callable[[float], None] | None = None,
    random_seed: int | None = NOT_GIVEN,  # deprecated: use seed
    engine: str | None = None,
) -> Trajectory:
    """Simulate a person's scalp for ``days`` days under ``regimen`` (None: untreated).

    Day 0 is the person's ``age_years``. With ``with_history`` the follicles first live
    through the person's past from the age androgens start to act, untreated, so that
    day 0 shows the miniaturization they have accumulated; without it, day 0 is a
    healthy scalp in cycle steady state.

    ``area``: None (whole scalp, ~1e5 follicles), a region name, ``"vertex:5.1"`` or
    ``Patch("vertex", 5.1)`` for a patch, or a dict region -> cm2.
    ``observe_every_days``: spacing of the observation days (default 30, at most ``days``).
    ``seed``: None draws a fresh seed; the seed used is in the provenance (the keyword
    ``random_seed`` still works, deprecated).
    ``progress``: called with the fraction done, for progress bars.
    ``engine``: ``"numba"`` (compiled) or ``"numpy"``; None: the default
    (``follicle.sim.engines``). Both simulate the same model; a seed gives a different
    run on each.
    """
    given = {"person": person, "regimen": regimen}
    person = as_person(person)
    regimen = as_regimen(regimen)
    # a file is hashed as read; a model or dict by its content
    inputs = [
        input_record(role, source if isinstance(source, str | Path) else parsed)
        for (role, source), parsed in zip(given.items(), (person, regimen), strict=True)
    ]
    days, observe_every_days = check_days(days, observe_every_days)
    params = params or DEFAULT_PARAMETERS
    areas = resolve_area(area, params)
    seed = resolve_seed(renamed_seed(seed, random_seed, function="simulate"))
    engine = check_engine(engine)
    run = run_people(
        [person],
        regimen,
        days=days,
        observe_every_days=observe_every_days,
        areas=areas,
        seed_sequence=np.random.SeedSequence(seed),
        params=params,
        with_history=with_history,
        progress=progress,
        engine=engine,
    )
    provenance = _provenance(
        person=person,
        regimen=regimen,
        params=params,
        seed=seed,
        days=days,
        observe_every_days=observe_every_days,
        areas=areas,
        with_history=with_history,
        inputs=inputs,
        engine=engine,
    )
    state = run.state
    return Trajectory(
        table=run.table.drop(columns="person"),
        provenance=provenance,
        params=params,
        _log=run.log,
        _initial=run.initial,
        _follicles={
            "region": state.region,
            "unit": state.unit,
            "x_um": state.x_um,
            "y_um": state.y_um,
            "transplanted": state.transplanted,
        },
        log_start_day=run.log_start,
        transitions=run.transitions,
    )


@dataclass
class PeopleRun:
    """What one engine run over one or more people produced."""

    table: pd.DataFrame
    state: FollicleState
    log: dict[str, np.ndarray]
    initial: dict[str, np.ndarray]
    log_start: float
    transitions: int


def run_people(
    persons: list[Person],
    regimen: Regimen,
    *,
    days: int,
    observe_every_days: int,
    areas: dict[str, float],
    seed_sequence: np.random.SeedSequence,
    params: ModelParameters,
    with_history: bool,
    progress: Callable[[float], None] | None = None,
    engine: str | None = None,
) -> PeopleRun:
    """Simulate several people under one regimen in one engine (validated inputs).

    Three random streams are spawned from ``seed_sequence``: the scalps, the engine, the
    regimen's schedule. ``engine``: see ``simulate``.
    """
    streams = seed_sequence.spawn(3)
    engine, t_start, log_from = _start_engine(
        persons, regimen, days, observe_every_days, areas, streams, params, with_history, engine
    )
    engine.run(t_start=t_start, t_end=float(days), log_from=log_from, progress=progress)
    return _observed(engine, len(persons), days, observe_every_days, areas, log_from)


def run_people_arms(
    persons: list[Person],
    regimens: list[Regimen],
    *,
    days: int,
    observe_every_days: int,
    areas: dict[str, float],
    seed_sequence: np.random.SeedSequence,
    params: ModelParameters,
    with_history: bool,
    engine: str | None = None,
) -> list[PeopleRun]:
    """The same people under each regimen, their past simulated once (paired arms).

    Everything up to day 0 (scalps, history, the transitions before day 0) is simulated
    once and branched into one engine per regimen, each going on with a copy of the
    random stream. Each regimen's run is exactly what ``run_people`` gives for that
    regimen with the same ``seed_sequence``: the regimen takes nothing before day 0, and
    day 0 is an epoch of every run.
    """
    streams = seed_sequence.spawn(3)  # spawned once: spawning again gives other streams
    engine, t_start, log_from = _start_engine(
        persons, regimens[0], days, observe_every_days, areas, streams, params, with_history, engine
    )
    engine.run(t_start=t_start, t_end=0.0, log_from=log_from, end_epochs=False)
    runs = []
    for regimen in regimens:
        # each regimen's schedule from the same stream, as run_people compiles it
        schedule_rng = np.random.default_rng(streams[2])
        schedule = compile_regimen(regimen, days=days, params=params, rng=schedule_rng)
        arm = engine.branch(schedule)
        arm.run(t_start=0.0, t_end=float(days), log_from=log_from)
        runs.append(_observed(arm, len(persons), days, observe_every_days, areas, log_from))
    return runs


def _start_engine(
    persons, regimen, days, observe_every_days, areas, streams, params, with_history, kind
) -> tuple[Engine, float, float]:
    """The engine at the start of the people's history; its start time and log start.
    ``streams``: three SeedSequences (the scalps, the engine, the regimen's schedule)."""
    scalp_rng, engine_rng, schedule_rng = (np.random.default_rng(child) for child in streams)
    schedule = compile_regimen(regimen, days=days, params=params, rng=schedule_rng)
    people = People.of(persons, params)
    state = build_scalp(persons, areas, params=params, rng=scalp_rng)
    log_from = -float(observe_every_days)
    history_days = np.zeros(len(persons))
    if with_history:
        start_age = np.minimum(people.onset_years, people.age_years)
        history_days = (people.age_years - start_age) * DAYS_PER_YEAR
    t0 = (log_from - history_days)[state.person]
    start_in_steady_state(state, t0=t0, params=params, rng=scalp_rng)
    engine = engine_class(kind)(
        state, people=people, params=params, schedule=schedule, areas_cm2=areas, rng=engine_rng
    )
    engine.prime(t0)
    t_start = float(t0.min()) if t0.size else log_from
    return engine, t_start, log_from


def _observed(engine, n_people, days, observe_every_days, areas, log_from) -> PeopleRun:
    """The observation table of a finished run, with what produced it."""
    state = engine.state
    observation_days = np.arange(0, days + 1, observe_every_days, dtype=float)
    if observation_days[-1] != days:
        observation_days = np.append(observation_days, float(days))
    log = engine.log.arrays()
    table = observe(
        initial=engine.initial,
        log=log,
        region=state.region,
        unit=state.unit,
        person=state.person,
        n_people=n_people,
        areas_cm2=areas,
        days=observation_days,
        log_start=log_from,
    )
    return PeopleRun(table, state, log, engine.initial, log_from, engine.transitions)


def _provenance(
    *, person, regimen, params, seed, days, observe_every_days, areas, with_history, inputs, engine
):
    from follicle.provenance import envelope

    return envelope(
        "simulate",
        seed=seed,
        parameters=params.to_dict(),
        inputs=inputs,
        python=platform.python_version(),
        numpy=np.__version__,
        engine=engine,  # "numba" or "numpy": both event-driven
        days=days,
        observe_every_days=observe_every_days,
        area_cm2=areas,
        with_history=with_history,
        person=person.model_dump(mode="json"),
        regimen=regimen.model_dump(mode="json"),
    )
