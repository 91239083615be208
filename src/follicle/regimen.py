"""Regimens: which treatments, from which day, how often, at what dose.

One format serves the simulator and the care planner, so it is written for people:
readable TOML, every key documented in ``docs/regimen.md``, unknown keys rejected.

    name = "Finasteride + minoxidil 5%"

    [[treatment]]
    kind = "finasteride"
    dose_mg = 1.0
    start_day = 0

    [[treatment]]
    kind = "minoxidil"
    route = "topical"
    concentration_percent = 5
    applications_per_day = 2
    start_day = 0
    stop_day = 365

Days count from the start of the plan (day 0). Allowed ranges come from the
reference material (care-protocols.md MN-14 for needle lengths, Drake 1999 for the
finasteride doses studied); they are validation limits, not advice.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from follicle.config_io import read_toml, validate
from follicle.model.regions import REGIONS

RegionName = Literal["frontal", "temporal", "midscalp", "vertex", "occipital"]
_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Course(_Strict):
    """Common keys of a treatment taken over a period."""

    start_day: int = Field(0, ge=0, le=36_500, description="first day of the course")
    stop_day: int | None = Field(
        None, ge=1, le=36_500, description="day the course stops (exclusive); none = ongoing"
    )
    adherence: float = Field(
        1.0, ge=0.0, le=1.0, description="share of scheduled doses or sessions actually taken"
    )
    times_of_day: tuple[str, ...] = Field(
        (), description='local clock times for the calendar, "HH:MM"; optional'
    )
    note: str = ""

    @field_validator("times_of_day")
    @classmethod
    def _check_times(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            if not _TIME_OF_DAY.match(item):
                raise ValueError(f'times as "HH:MM" (24-hour clock), got {item!r}')
        return value

    @model_validator(mode="after")
    def _check_stop(self):
        if self.stop_day is not None and self.stop_day <= self.start_day:
            raise ValueError(
                f"stop_day = {self.stop_day} is not allowed; "
                f"expected a day after start_day ({self.start_day})"
            )
        return self

    def active_on(self, day: float) -> bool:
        """True when the course runs on ``day``."""
        return day >= self.start_day and (self.stop_day is None or day < self.stop_day)


class Finasteride(_Course):
    """Finasteride, a type II 5-alpha-reductase inhibitor (lowers scalp DHT)."""

    kind: Literal["finasteride"]
    route: Literal["oral", "topical"] = "oral"
    dose_mg: float | None = Field(
        None, ge=0.05, le=5.0, description="oral daily dose; 0.05-5 mg were studied (Drake 1999)"
    )
    concentration_percent: float | None = Field(
        None, ge=0.05, le=0.5, description="topical solution strength (Caserini 2014 used 0.25%)"
    )
    interval_days: int = Field(1, ge=1, le=7)

    @model_validator(mode="after")
    def _route_keys(self):
        if self.route == "oral" and self.concentration_percent is not None:
            raise ValueError(
                "concentration_percent = "
                f"{self.concentration_percent} is not allowed; expected it only with "
                "route = 'topical' (use dose_mg for oral)"
            )
        if self.route == "topical" and self.dose_mg is not None:
            raise ValueError(
                f"dose_mg = {self.dose_mg} is not allowed; expected it only with route = 'oral' "
                "(use concentration_percent for topical)"
            )
        return self

    @property
    def effective_dose_mg(self) -> float:
        """Oral-equivalent daily dose. Topical 0.25% ~ 1 mg oral in plasma DHT suppression
        (Caserini 2014: -68 to -75% vs -62 to -72%), so strength scales linearly to it."""
        if self.route == "oral":
            return self.dose_mg if self.dose_mg is not None else 1.0
        strength = self.concentration_percent if self.concentration_percent is not None else 0.25
        return strength / 0.25


class Dutasteride(_Course):
    """Dutasteride, a type I and II 5-alpha-reductase inhibitor."""

    kind: Literal["dutasteride"]
    dose_mg: float = Field(0.5, ge=0.05, le=2.5)
    interval_days: int = Field(1, ge=1, le=7)


class Minoxidil(_Course):
    """Minoxidil: pushes resting follicles into anagen, prolongs anagen, enlarges follicles."""

    kind: Literal["minoxidil"]
    route: Literal["topical", "oral"] = "topical"
    concentration_percent: float | None = Field(
        None, ge=1.0, le=15.0, description="topical strength; 2% and 5% are the labelled ones"
    )
    applications_per_day: int | None = Field(None, ge=1, le=3)
    dose_mg: float | None = Field(None, ge=0.25, le=10.0, description="oral daily dose")
    pause_after_microneedling_hours: float | None = Field(
        None,
        ge=0,
        le=168,
        description="skip applications for this many hours after a microneedling session "
        "(care rule MN-7 asks for 24 h after needles over 0.5 mm)",
    )

    @model_validator(mode="after")
    def _route_keys(self):
        if self.route == "topical" and self.dose_mg is not None:
            raise ValueError(
                f"dose_mg = {self.dose_mg} is not allowed; expected it only with route = 'oral' "
                "(use concentration_percent for topical)"
            )
        if self.route == "oral" and self.concentration_percent is not None:
            raise ValueError(
                f"concentration_percent = {self.concentration_percent} is not allowed; "
                "expected it only with route = 'topical' (use dose_mg for oral)"
            )
        if self.route == "oral" and self.applications_per_day is not None:
            raise ValueError(
                f"applications_per_day = {self.applications_per_day} is not allowed; "
                "expected it only with route = 'topical'"
            )
        return self

    @property
    def strength_percent(self) -> float:
        return self.concentration_percent if self.concentration_percent is not None else 5.0

    @property
    def daily_applications(self) -> int:
        return self.applications_per_day if self.applications_per_day is not None else 2

    @property
    def oral_dose_mg(self) -> float:
        return self.dose_mg if self.dose_mg is not None else 2.5


class Microneedling(_Course):
    """Microneedling sessions (dermaroller or pen)."""

    kind: Literal["microneedling"]
    needle_mm: float = Field(
        ..., ge=0.1, le=2.5, description="needle length; 0.1-2.5 mm (care-protocols MN-14)"
    )
    interval_days: int = Field(7, ge=1, le=90, description="days between sessions")
    session_minutes: float = Field(15, gt=0, le=120)
    device: Literal["roller", "pen", "stamp"] = "roller"
    regions: tuple[RegionName, ...] = Field(
        ("frontal", "temporal", "midscalp", "vertex"), description="treated regions"
    )
    device_first_use_day: int | None = Field(
        None,
        ge=-3650,
        le=36_500,
        description="day the roller or stamp in use was first used (negative = before day 0); "
        "default: start_day. Care rule MN-8 replaces it 60-90 days after first use",
    )

    def session_days(self, until_day: int) -> list[int]:
        """Days of the sessions before ``until_day`` (adherence is applied by the user)."""
        stop = until_day if self.stop_day is None else min(until_day, self.stop_day)
        return list(range(self.start_day, stop, self.interval_days))


class PRP(_Course):
    """Platelet-rich plasma injections: growth factors, anagen prolongation (small, uncertain)."""

    kind: Literal["prp"]
    interval_days: int = Field(30, ge=7, le=365)
    sessions: int | None = Field(None, ge=1, le=100, description="number of sessions")
    regions: tuple[RegionName, ...] = ("frontal", "temporal", "midscalp", "vertex")

    def session_days(self, until_day: int) -> list[int]:
        stop = until_day if self.stop_day is None else min(until_day, self.stop_day)
        days = list(range(self.start_day, stop, self.interval_days))
        return days if self.sessions is None else days[: self.sessions]


class Laser(_Course):
    """Low-level laser therapy (cap, comb or helmet)."""

    kind: Literal["laser"]
    sessions_per_week: int = Field(3, ge=1, le=7)
    session_minutes: float = Field(20, gt=0, le=120)


class Vehicle(_Course):
    """A topical vehicle without active drug: the placebo of topical trials."""

    kind: Literal["vehicle"]
    applications_per_day: int = Field(2, ge=1, le=3)


class Transplant(_Strict):
    """A hair transplant: follicular units moved from a donor to a recipient region."""

    kind: Literal["transplant"]
    day: int = Field(0, ge=0, le=36_500, description="day of surgery")
    grafts: int = Field(..., ge=1, le=8000, description="follicular units moved")
    region: RegionName = Field(..., description="recipient region")
    recipient_area_cm2: float | None = Field(
        None, gt=0, le=500, description="area the grafts are spread over; default: whole region"
    )
    donor_region: RegionName = "occipital"
    graft_survival: float = Field(
        0.9, ge=0.5, le=1.0, description="share of grafted follicles that survive (~0.9-0.95)"
    )
    note: str = ""

    @model_validator(mode="after")
    def _distinct_regions(self):
        if self.region == self.donor_region:
            raise ValueError(
                f"donor_region = {self.donor_region!r} is not allowed; "
                "expected a region other than the recipient region"
            )
        return self

    @property
    def start_day(self) -> int:
        return self.day


Treatment = Annotated[
    Finasteride | Dutasteride | Minoxidil | Microneedling | PRP | Laser | Transplant | Vehicle,
    Field(discriminator="kind"),
]
TREATMENT_KINDS = (
    "finasteride",
    "dutasteride",
    "minoxidil",
    "microneedling",
    "prp",
    "laser",
    "transplant",
    "vehicle",
)


class Regimen(_Strict):
    """A list of treatments with their schedules. An empty regimen means no treatment."""

    name: str = "unnamed regimen"
    description: str = ""
    treatment: tuple[Treatment, ...] = ()

    @field_validator("treatment", mode="before")
    @classmethod
    def _known_kinds(cls, value):
        if isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    kind = item.get("kind")
                    if kind is None:
                        raise ValueError(
                            f"[{index}].kind = <missing> is not allowed; "
                            f"expected one of {list(TREATMENT_KINDS)}"
                        )
                    if kind not in TREATMENT_KINDS:
                        raise ValueError(
                            f"[{index}].kind = {kind!r} is not allowed; "
                            f"expected one of {list(TREATMENT_KINDS)}"
                        )
        return value

    @property
    def treatments(self) -> tuple[Treatment, ...]:
        return self.treatment

    def of_kind(self, kind: str) -> list[Treatment]:
        return [item for item in self.treatment if item.kind == kind]

    def to_toml_dict(self) -> dict:
        """A plain dict that round-trips through :func:`load_regimen` (for provenance)."""
        return self.model_dump(mode="json", exclude_defaults=True)


NO_TREATMENT = Regimen(name="no treatment")


def parse_regimen(data: dict, *, source: str | None = None) -> Regimen:
    """Validate a regimen given as a dict (as read from TOML)."""
    return validate(Regimen, data, source=source)


def load_regimen(path: str | Path) -> Regimen:
    """Read and validate a regimen TOML file."""
    return parse_regimen(read_toml(path), source=str(path))


assert set(REGIONS) == set(RegionName.__args__)  # one list of regions
