"""Many people under one regimen: the building block of virtual trials.

``simulate_cohort(persons, regimen, *, days, area, random_seed)`` returns one table with a
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

from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters
from follicle.model.scalp import AreaSpec
from follicle.person import Person
from follicle.regimen import Regimen
from follicle.simulate import _parse_person, _parse_regimen, simulate


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
    random_seed: int | np.random.SeedSequence,
    params: ModelParameters | None = None,
    with_history: bool = True,
    progress: Callable[[float], None] | None = None,
) -> CohortTrajectory:
    """Simulate each person of ``persons`` under ``regimen``; one table for all."""
    persons = [_parse_person(person) for person in persons]
    regimen = _parse_regimen(regimen)
    params = params or DEFAULT_PARAMETERS
    sequence = (
        random_seed
        if isinstance(random_seed, np.random.SeedSequence)
        else np.random.SeedSequence(random_seed)
    )
    tables = []
    for index, (person, child) in enumerate(
        zip(persons, sequence.spawn(len(persons)), strict=True)
    ):
        seed = int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
        trajectory = simulate(
            person,
            regimen,
            days=days,
            observe_every_days=observe_every_days,
            area=area,
            random_seed=seed,
            params=params,
            with_history=with_history,
        )
        table = trajectory.table
        table.insert(0, "person", index)
        tables.append(table)
        if progress is not None:
            progress((index + 1) / len(persons))
    from follicle import __version__

    provenance = {
        "software": "follicle",
        "version": __version__,
        "seed_entropy": str(sequence.entropy),
        "seed_spawn_key": list(sequence.spawn_key),
        "persons": len(persons),
        "days": days,
        "regimen": regimen.model_dump(mode="json"),
        "parameters": params.to_dict(),
        "with_history": with_history,
    }
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return CohortTrajectory(table=table, provenance=provenance)
