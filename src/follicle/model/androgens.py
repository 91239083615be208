"""Androgen exposure of the scalp over a person's life.

exposure(t) = androgen_level[sex] x age_profile(age(t)) x dht_factor(t), where the DHT
factor (1 untreated) comes from 5-alpha-reductase inhibitors in the regimen. A follicle
feels exposure(t) x its own sensitivity.
"""

from __future__ import annotations

import numpy as np

from follicle.model.params import ModelParameters
from follicle.person import Person

DAYS_PER_YEAR = 365.25


def onset_age_years(person: Person, params: ModelParameters) -> float:
    if person.onset_age_years is not None:
        return person.onset_age_years
    return params.onset_age_years[person.sex]


def age_profile(age_years, person: Person, params: ModelParameters):
    """Relative androgen action by age: 0 before onset, a linear ramp, then 1 (x menopause)."""
    age = np.asarray(age_years, dtype=float)
    onset = onset_age_years(person, params)
    ramp = np.clip((age - onset) / params.onset_ramp_years, 0.0, 1.0)
    if person.sex == "female":
        post = np.clip((age - params.menopause_age_years) / params.onset_ramp_years, 0.0, 1.0)
        ramp = ramp * (1.0 + (params.menopause_androgen_factor - 1.0) * post)
    return ramp


def baseline_exposure(day, person: Person, params: ModelParameters):
    """Untreated androgen exposure on (possibly fractional, possibly negative) ``day``."""
    age = person.age_years + np.asarray(day, dtype=float) / DAYS_PER_YEAR
    return params.androgen_level[person.sex] * age_profile(age, person, params)


def quantized_exposure(
    first_day: int, last_day: int, person: Person, params: ModelParameters, dht_at
) -> np.ndarray:
    """Daily androgen exposure (with treatment) in steps of ``exposure_step``.

    Entry k is the exposure on day ``first_day + k`` (taken at the start of the day); it
    drives the anagen clock, so the engines rescale only when it changes.
    """
    days = np.arange(first_day, last_day + 1)
    exposure = baseline_exposure(days, person, params) * dht_at(days)
    return np.round(exposure / params.exposure_step) * params.exposure_step
