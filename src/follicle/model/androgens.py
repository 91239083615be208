"""Androgen exposure of the scalp over a person's life.

exposure(t) = androgen_level[sex] x age_profile(age(t)) x dht_factor(t), where the DHT
factor (1 untreated) comes from 5-alpha-reductase inhibitors in the regimen. A follicle
feels exposure(t) x its own sensitivity. ``People`` holds what this needs for many
people as arrays, so a whole cohort is evaluated at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from follicle.model import mechanisms
from follicle.model.params import ModelParameters
from follicle.person import Person

DAYS_PER_YEAR = 365.25


def onset_age_years(person: Person, params: ModelParameters) -> float:
    if person.onset_age_years is not None:
        return person.onset_age_years
    return params.onset_age_years[person.sex]


def dht_drug_response(person: Person) -> float:
    """The person's response to the DHT-lowering drugs: their own, else their
    treatment response (one multiplier for every treatment)."""
    if person.dht_drug_response is None:
        return person.treatment_response
    return person.dht_drug_response


@dataclass(frozen=True)
class People:
    """The people of one simulation, as arrays indexed by person."""

    persons: tuple[Person, ...]
    age_years: np.ndarray  # on day 0
    level: np.ndarray  # androgen_level of their sex
    onset_years: np.ndarray
    female: np.ndarray
    response: np.ndarray  # response to the stimulating treatments (follicle.model.response)
    dht_response: np.ndarray  # response to the DHT-lowering drugs (the same module)

    @classmethod
    def of(cls, persons: Sequence[Person], params: ModelParameters) -> People:
        return cls(
            persons=tuple(persons),
            age_years=np.array([p.age_years for p in persons], float),
            level=np.array([params.androgen_level[p.sex] for p in persons], float),
            onset_years=np.array([onset_age_years(p, params) for p in persons], float),
            female=np.array([p.sex == "female" for p in persons]),
            response=np.array([p.treatment_response for p in persons], float),
            dht_response=np.array([dht_drug_response(p) for p in persons], float),
        )

    def __len__(self) -> int:
        return len(self.persons)

    @property
    def typical_response(self) -> bool:
        """True when everyone responds as the typical person (r = 1 to every treatment):
        no per-person maths."""
        return bool(np.all(self.response == 1.0) and np.all(self.dht_response == 1.0))

    def age_at(self, person: np.ndarray, t) -> np.ndarray:
        return self.age_years[person] + np.asarray(t, float) / DAYS_PER_YEAR

    def baseline_exposure(self, person: np.ndarray, t, params: ModelParameters) -> np.ndarray:
        """Untreated androgen exposure of ``person`` at (fractional, maybe negative) day ``t``.

        0 before the onset age, a linear ramp over ``onset_ramp_years``, then the sex's
        level, growing by ``androgen_growth_per_decade`` for every 10 years since onset
        (progression that accelerates with time); for women x up to
        ``menopause_androgen_factor`` after menopause.
        """
        return mechanisms.baseline_exposure(
            self.age_at(person, t),
            self.onset_years[person],
            self.level[person],
            self.female[person],
            params.onset_ramp_years,
            params.androgen_growth_per_decade,
            params.menopause_age_years,
            params.menopause_androgen_factor,
        )


def baseline_exposure(day, person: Person, params: ModelParameters):
    """Untreated androgen exposure of one person on ``day`` (see ``People``)."""
    people = People.of([person], params)
    day = np.asarray(day, float)
    return people.baseline_exposure(np.zeros(day.shape, np.int64), day, params)
