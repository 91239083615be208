"""A person: who the scalp belongs to, read from a person TOML file.

    name = "Example man"
    sex = "male"
    age_years = 25
    androgen_sensitivity = "high"     # or a number from 0 to 5 (1.0 = "high")

    [[alopecia_areata]]               # optional immune episodes
    start_day = 200
    duration_days = 240
    region = "vertex"
    patch_area_cm2 = 4.0

    [health]                          # optional, for the care rules
    pregnancy_possible = false

See ``docs/person.md`` for every key and ``docs/model.md`` for what they do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from follicle.config_io import read_toml, validate
from follicle.health import HealthProfile
from follicle.regimen import RegionName

# Named androgen sensitivities map to a multiplier of follicle damage per cycle.
# "high" is 1.0, the reference the damage rate is calibrated for; the others are
# quantile-like labels of the predisposition distribution (docs/model.md, "Person").
SENSITIVITY_LEVELS: dict[str, float] = {
    "none": 0.0,
    "low": 0.25,
    "moderate": 0.55,
    "high": 1.0,
    "very high": 1.6,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AlopeciaAreataEpisode(_Strict):
    """An immune episode: anagen follicles in a patch are pushed out of growth."""

    start_day: int = Field(..., ge=0, le=36_500)
    duration_days: int = Field(..., ge=1, le=3650)
    region: RegionName
    patch_area_cm2: float = Field(4.0, gt=0, le=200)
    attack_mean_days: float = Field(
        14.0,
        gt=0,
        le=365,
        description="mean waiting time before an anagen follicle in the patch is attacked",
    )

    @property
    def end_day(self) -> int:
        return self.start_day + self.duration_days


class Person(_Strict):
    name: str = "unnamed"
    sex: Literal["male", "female"]
    age_years: float = Field(..., ge=12, le=100, description="age on day 0 of the simulation")
    androgen_sensitivity: float | str = Field(
        "moderate",
        description="genetic predisposition: a number >= 0 or one of "
        + str(list(SENSITIVITY_LEVELS)),
    )
    onset_age_years: float | None = Field(
        None, ge=10, le=80, description="age at which androgens start to act on the scalp"
    )
    follicle_density_per_cm2: float | None = Field(
        None, ge=80, le=400, description="follicles per cm2 of healthy scalp; default 220"
    )
    terminal_diameter_um: float | None = Field(
        None, ge=40, le=130, description="mean shaft diameter of the person's terminal hairs"
    )
    ethnicity: Literal["caucasian", "asian", "african", "hispanic", "other"] | None = None
    treatment_response: float = Field(
        1.0,
        ge=0,
        le=10,
        description="how strongly this person's follicles respond to treatments: 1 the "
        "typical person, 0 a non-responder (docs/model.md); with dht_drug_response set, "
        "only to the growth-stimulating ones (minoxidil, microneedling, PRP, laser)",
    )
    dht_drug_response: float | None = Field(
        None,
        ge=0,
        le=10,
        description="how strongly this person's follicles respond to the DHT-lowering "
        "drugs (finasteride, dutasteride): 1 typical, 0 a non-responder; default: "
        "treatment_response (docs/model.md)",
    )
    alopecia_areata: tuple[AlopeciaAreataEpisode, ...] = ()
    health: HealthProfile = HealthProfile()

    @model_validator(mode="after")
    def _check(self):
        value = self.androgen_sensitivity
        if isinstance(value, str):
            if value not in SENSITIVITY_LEVELS:
                raise ValueError(
                    f"androgen_sensitivity = {value!r} is not allowed; expected a number "
                    f"from 0 to 5 or one of {list(SENSITIVITY_LEVELS)}"
                )
        elif not 0 <= value <= 5:
            raise ValueError(
                f"androgen_sensitivity = {value} is not allowed; expected a number from 0 to 5 "
                f"or one of {list(SENSITIVITY_LEVELS)}"
            )
        return self

    @property
    def sensitivity(self) -> float:
        """The predisposition as a number (labels resolved)."""
        value = self.androgen_sensitivity
        return SENSITIVITY_LEVELS[value] if isinstance(value, str) else float(value)


def parse_person(data: dict, *, source: str | None = None) -> Person:
    return validate(Person, data, source=source)


def load_person(path: str | Path) -> Person:
    """Read and validate a person TOML file."""
    return parse_person(read_toml(path), source=str(path))
