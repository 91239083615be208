"""What the simulator accepts, checked once at the boundary: a person, a regimen, the
days and the seed, each from the forms the public API takes (a model, a dict or a TOML
path). Public so every face (projections, trials, the web app) checks them the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from follicle.errors import FollicleInputError
from follicle.person import Person, load_person, parse_person
from follicle.regimen import NO_TREATMENT, Regimen, load_regimen, parse_regimen

MAX_DAYS = 100 * 366


def as_person(person) -> Person:
    """A :class:`Person` from a Person, a dict (person-file keys) or a TOML path."""
    if isinstance(person, Person):
        return person
    if isinstance(person, dict):
        return parse_person(person)
    if isinstance(person, str | Path):
        return load_person(person)
    raise FollicleInputError("person", type(person).__name__, "a Person, a dict or a TOML path")


def as_regimen(regimen) -> Regimen:
    """A :class:`Regimen` from a Regimen, a dict, a TOML path, or None (no treatment)."""
    if regimen is None:
        return NO_TREATMENT
    if isinstance(regimen, Regimen):
        return regimen
    if isinstance(regimen, dict):
        return parse_regimen(regimen)
    if isinstance(regimen, str | Path):
        return load_regimen(regimen)
    raise FollicleInputError("regimen", type(regimen).__name__, "a Regimen, a dict or a TOML path")


def check_days(days, observe_every_days=None) -> tuple[int, int]:
    """``(days, observe_every_days)`` checked; the spacing defaults to 30 (at most days)."""
    if (
        isinstance(days, bool)
        or not isinstance(days, int | np.integer)
        or not 1 <= days <= MAX_DAYS
    ):
        raise FollicleInputError("days", days, f"a whole number from 1 to {MAX_DAYS}")
    if observe_every_days is None:
        observe_every_days = min(30, int(days))
    if (
        isinstance(observe_every_days, bool)
        or not isinstance(observe_every_days, int | np.integer)
        or not 1 <= observe_every_days <= days
    ):
        raise FollicleInputError(
            "observe_every_days", observe_every_days, f"a whole number from 1 to days ({days})"
        )
    return int(days), int(observe_every_days)


def resolve_seed(seed, *, field: str = "seed") -> int:
    """The seed to use: ``seed`` checked (a whole number >= 0), or a fresh one for None."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise FollicleInputError(field, seed, "a whole number >= 0, or None")
    return int(seed)


#: Default of a deprecated keyword: tells "not given" from any value, None included.
NOT_GIVEN: object = object()


def renamed_seed(seed, random_seed, *, function: str):
    """``seed``, or the deprecated ``random_seed`` keyword of ``function`` (with a
    DeprecationWarning); both given and different is an error."""
    if random_seed is NOT_GIVEN:
        return seed
    import warnings

    warnings.warn(
        f"{function}(random_seed=...) is deprecated; use seed=...",
        DeprecationWarning,
        stacklevel=3,
    )
    if seed is not None and seed != random_seed:
        raise FollicleInputError("random_seed", random_seed, f"the same as seed ({seed}) or absent")
    return random_seed


def days_from_years(years: float, *, field: str = "years") -> int:
    """Whole days in ``years`` (0, 100] years (at least 1)."""
    from follicle.model.androgens import DAYS_PER_YEAR

    if isinstance(years, bool) or not isinstance(years, int | float) or not 0 < years <= 100:
        raise FollicleInputError(field, years, "a number of years in (0, 100]")
    return max(1, round(years * DAYS_PER_YEAR))


def model_parameters(parameters=None, *, shrinkage: str | None = None):
    """The model parameters to use: ``parameters`` (a ModelParameters, a TOML file with a
    ``[parameters]`` table, or None for the defaults), with ``shrinkage`` ("gradual" or
    "stepwise") as the miniaturization mode when given."""
    from follicle.model.params import (
        DEFAULT_PARAMETERS,
        ModelParameters,
        load_parameters,
        parameters_from_overrides,
    )

    if parameters is None:
        params = DEFAULT_PARAMETERS
    elif isinstance(parameters, ModelParameters):
        params = parameters
    else:
        params = load_parameters(parameters)
    if shrinkage is not None:
        params = parameters_from_overrides({"shrinkage_mode": shrinkage}, base=params)
    return params


def parameter_listing() -> dict:
    """Every model parameter with its default value and source, with provenance (the JSON
    of ``follicle params --json``)."""
    from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters
    from follicle.provenance import envelope

    sources = ModelParameters.sources()
    values = DEFAULT_PARAMETERS.to_dict()
    return {
        "provenance": envelope("params", parameters=values),
        "parameters": {name: {"value": values[name], "source": sources[name]} for name in values},
    }
