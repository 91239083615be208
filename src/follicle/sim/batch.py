"""Many people under one regimen: the building block of virtual trials.

All the people run in one engine (their follicles side by side), which is what makes a
trial arm fast.
``simulate_cohort(persons, regimen, *, days, area, seed)`` returns one table with a
``person`` column (the position in ``persons``). The result depends only on the persons,
the regimen, the options and the seed (an int or a ``numpy.random.SeedSequence``), never
on where or how it runs: trials split a cohort into fixed blocks, give each block its own
``SeedSequence(trial_seed, spawn_key=(arm, block))`` and may run the blocks anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from follicle.errors import FollicleInputError
from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters
from follicle.model.scalp import AreaSpec, resolve_area
from follicle.person import Person
from follicle.regimen import Regimen
from follicle.sim.engines import check_engine
from follicle.sim.inputs import (
    NOT_GIVEN,
    as_person,
    as_regimen,
    check_days,
    renamed_seed,
    resolve_seed,
)
from follicle.sim.simulate import run_people, run_people_arms


@dataclass(frozen=True, eq=False)
class CohortTrajectory:
    """Observations of every person: the columns of ``Trajectory.table`` plus ``person``."""

    table: pd.DataFrame
    provenance: dict[str, Any]

    def person(self, index: int) -> pd.DataFrame:
        return self.table[self.table["person"] == index].drop(columns="person")


def simulate_cohort(
    persons: Sequence[Person | dict],
    regimen: Regimen | dict | None = None,
    *,
    days: int,
    observe_every_days: int | None = None,
    area: AreaSpec = None,
    seed: int | np.random.SeedSequence | None = None,
    params: ModelParameters | None = None,
    with_history: bool = True,
    progress: Callable[[float], None] | None = None,
    random_seed: int | np.random.SeedSequence | None = NOT_GIVEN,  # deprecated: use seed
    engine: str | None = None,
) -> CohortTrajectory:
    """Simulate each person of ``persons`` under ``regimen``; one table for all.

    ``seed``: a whole number or a ``SeedSequence`` (required; ``random_seed`` still works,
    deprecated). ``engine``: ``"numba"`` or ``"numpy"`` (None: the default)."""
    seed = renamed_seed(seed, random_seed, function="simulate_cohort")
    whole_seed, sequence = _seed_sequence(seed)
    persons = [as_person(person) for person in persons]
    regimen = as_regimen(regimen)
    days, observe_every_days = check_days(days, observe_every_days)
    params = params or DEFAULT_PARAMETERS
    engine = check_engine(engine)
    if persons:
        table = run_people(
            persons,
            regimen,
            days=days,
            observe_every_days=observe_every_days,
            areas=resolve_area(area, params),
            seed_sequence=sequence,
            params=params,
            with_history=with_history,
            progress=progress,
            engine=engine,
        ).table
    else:
        table = pd.DataFrame()
    provenance = _cohort_provenance(
        "simulate_cohort",
        whole_seed=whole_seed,
        sequence=sequence,
        params=params,
        regimen=regimen,
        persons=len(persons),
        days=days,
        with_history=with_history,
        engine=engine,
    )
    return CohortTrajectory(table=table, provenance=provenance)


def _seed_sequence(
    seed: int | np.random.SeedSequence | None,
) -> tuple[int | None, np.random.SeedSequence]:
    """The whole-number seed (None when a SeedSequence was given) and the SeedSequence
    every person's stream is spawned from."""
    if seed is None:
        raise FollicleInputError("seed", None, "a whole number >= 0 or a SeedSequence")
    whole_seed = None if isinstance(seed, np.random.SeedSequence) else resolve_seed(seed)
    return whole_seed, seed if whole_seed is None else np.random.SeedSequence(whole_seed)


def _cohort_provenance(
    verb: str,
    *,
    whole_seed: int | None,
    sequence: np.random.SeedSequence,
    params: ModelParameters,
    regimen: Regimen,
    persons: int,
    days: int,
    with_history: bool,
    **context,
) -> dict:
    """The envelope of one cohort table: the seed (and the SeedSequence it came from),
    the parameters, the regimen, then the verb's own ``context``."""
    from follicle.provenance import envelope, input_record

    return envelope(
        verb,
        seed=whole_seed,
        parameters=params.to_dict(),
        inputs=[input_record("regimen", regimen)],
        seed_entropy=str(sequence.entropy),
        seed_spawn_key=list(sequence.spawn_key),
        persons=persons,
        days=days,
        regimen=regimen.model_dump(mode="json"),
        **context,
        with_history=with_history,
    )


def simulate_cohort_arms(
    persons: Sequence[Person | dict],
    regimens: Sequence[Regimen | dict | None],
    *,
    days: int,
    observe_every_days: int | None = None,
    area: AreaSpec = None,
    seed: int | np.random.SeedSequence | None = None,
    params: ModelParameters | None = None,
    with_history: bool = True,
    engine: str | None = None,
) -> list[CohortTrajectory]:
    """The same people under each of ``regimens`` (paired, "counterfactual" arms).

    Each person's past up to day 0 is simulated once and branched into every regimen,
    so the arms differ only by the regimen and by what happens after day 0. Each
    regimen's table is exactly ``simulate_cohort(persons, regimen, ...)``'s with the same
    seed (docs/trials.md, "Paired arms")."""
    whole_seed, sequence = _seed_sequence(seed)
    if not regimens:
        raise FollicleInputError("regimens", [], "at least one regimen")
    persons = [as_person(person) for person in persons]
    regimens = [as_regimen(regimen) for regimen in regimens]
    days, observe_every_days = check_days(days, observe_every_days)
    params = params or DEFAULT_PARAMETERS
    engine = check_engine(engine)
    if persons:
        tables = [
            run.table
            for run in run_people_arms(
                persons,
                regimens,
                days=days,
                observe_every_days=observe_every_days,
                areas=resolve_area(area, params),
                seed_sequence=sequence,
                params=params,
                with_history=with_history,
                engine=engine,
            )
        ]
    else:
        tables = [pd.DataFrame() for _ in regimens]
    return [
        CohortTrajectory(
            table=table,
            provenance=_cohort_provenance(
                "simulate_cohort_arms",
                whole_seed=whole_seed,
                sequence=sequence,
                params=params,
                regimen=regimen,
                persons=len(persons),
                days=days,
                with_history=with_history,
                arm=index,
                arms=len(regimens),
                engine=engine,
            ),
        )
        for index, (table, regimen) in enumerate(zip(tables, regimens, strict=True))
    ]
