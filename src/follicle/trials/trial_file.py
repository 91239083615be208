"""The trial file (TOML): population, arms, target area, endpoints. docs/trials.md.

name = "Finasteride 1 mg vs placebo"
days = 365                    # optional: default the last endpoint day
n_per_arm = 200
seed = 1                      # optional; --seed overrides
control_arm = "placebo"       # optional: default the first arm

[population]
sex = "male"
age_years = [18, 41]
stage = "III vertex to V"

[target_area]
region = "vertex"
area_cm2 = 5.1

[[arm]]
name = "placebo"              # no treatment

[[arm]]
name = "finasteride 1 mg"
regimen = "../finasteride.toml"   # a regimen file (relative to this file) ...
# [[arm.treatment]]               # ... or treatments inline, as in a regimen file

[[endpoint]]
measure = "change"            # value | change | percent_change | fraction_improved
column = "hairs"              #   | fraction_with_pattern_loss
day = 365

[improvement]                 # the "improved" assumption (global assessment proxy)
column = "terminal_hairs"
min_relative_change = 0.05
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from follicle.config_io import read_toml, validate
from follicle.errors import FollicleInputError
from follicle.regimen import Regimen, RegionName, load_regimen, parse_regimen
from follicle.trials.cohorts import Population
from follicle.trials.staging import parse_stage_range
from follicle.vocabulary import current_name

MAX_TRIAL_DAYS = 100 * 366

# Per-person columns an endpoint may use: the observation columns of docs/simulate.md, plus
# ``shed_per_day_scalp`` (shedding extrapolated to the whole scalp), ``stage`` and
# ``scalp_dht_change_percent`` (the person's scalp DHT relative to untreated, in %).
ENDPOINT_COLUMNS: tuple[str, ...] = (
    "follicles",
    "follicles_lost",
    "hairs",
    "terminal_hairs",
    "intermediate_hairs",
    "vellus_hairs",
    "non_vellus_hairs",
    "thin_hairs",
    "density_per_cm2",
    "terminal_per_cm2",
    "intermediate_per_cm2",
    "vellus_per_cm2",
    "non_vellus_per_cm2",
    "mean_diameter_um",
    "diameter_cv",
    "thin_share_percent",
    "anagen_fraction",
    "catagen_fraction",
    "telogen_fraction",
    "kenogen_fraction",
    "shed_per_day",
    "shed_per_day_scalp",
    "single_hair_unit_share",
    "stage",
    "scalp_dht_change_percent",
)

Measure = Literal[
    "value",
    "change",
    "percent_change",
    "fraction_improved",
    "fraction_with_pattern_loss",
    "fraction_regrown",
]
BINARY_MEASURES = ("fraction_improved", "fraction_with_pattern_loss", "fraction_regrown")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetArea(_Strict):
    region: RegionName = "vertex"
    area_cm2: float = Field(1.0, gt=0, le=100)

    @property
    def label(self) -> str:
        return f"{self.region}:{self.area_cm2:g}"


class Improvement(_Strict):
    """A person is "improved" when ``column`` grew by at least ``min_relative_change``.

    A proxy for a clinician's global photographic assessment: an assumption (docs).
    """

    column: str = "terminal_hairs"
    min_relative_change: float = Field(0.05, ge=-1, le=10)

    @field_validator("column")
    @classmethod
    def _column(cls, value):
        return _check_column(value)


class Endpoint(_Strict):
    name: str | None = None
    measure: Measure = "change"
    column: str = "hairs"
    day: int = Field(..., ge=0, le=MAX_TRIAL_DAYS)
    baseline_day: int = Field(0, ge=0, le=MAX_TRIAL_DAYS)
    min_stage: str | None = Field(
        None, description="fraction_with_pattern_loss: lowest stage that counts (default II / I)"
    )
    min_fraction_of_baseline: float = Field(
        0.5,
        gt=0,
        le=2,
        description="fraction_regrown: the column must be back to this share of its "
        "baseline_day value",
    )

    @field_validator("column")
    @classmethod
    def _column(cls, value):
        return _check_column(value)

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.measure in BINARY_MEASURES:
            return f"{self.measure} day {self.day}"
        return f"{self.measure} {self.column} day {self.day}"


class Arm(_Strict):
    name: str = Field(..., min_length=1)
    regimen: Regimen = Field(default_factory=lambda: Regimen(name="no treatment"))


class Trial(_Strict):
    name: str = "virtual trial"
    description: str = ""
    days: int | None = Field(None, ge=1, le=MAX_TRIAL_DAYS)
    n_per_arm: int = Field(..., ge=1, le=10_000_000)
    seed: int | None = Field(None, ge=0)
    block_size: int = Field(100, ge=1, le=100_000, description="people per task")
    paired: bool = Field(
        False,
        description="the same virtual people in every arm, their history up to baseline "
        "simulated once and branched into each arm (docs/trials.md, 'Paired arms')",
    )
    control_arm: str | None = None
    population: Population
    target_area: TargetArea = TargetArea()
    staging_patch_cm2: float = Field(1.0, gt=0, le=20)
    observe_every_days: int | None = Field(None, ge=1)
    keep_observations_per_arm: int | None = Field(
        None,
        ge=0,
        description="keep per-day observations of each arm's first N people only "
        "(default: everyone); endpoints and summaries still use everyone",
    )
    max_candidates_factor: float = Field(
        50.0, ge=1, description="give up when a stage range needs more candidates than this x n"
    )
    arm: tuple[Arm, ...] = Field(..., min_length=1)
    endpoint: tuple[Endpoint, ...] = Field(..., min_length=1)
    improvement: Improvement = Improvement()

    @model_validator(mode="after")
    def _check(self):
        names = [arm.name for arm in self.arm]
        if len(set(names)) != len(names):
            raise ValueError(f"arm.name = {names!r} is not allowed; expected distinct names")
        if self.control_arm is not None and self.control_arm not in names:
            raise ValueError(
                f"control_arm = {self.control_arm!r} is not allowed; expected one of {names}"
            )
        last = max(max(e.day, e.baseline_day) for e in self.endpoint)
        if self.days is not None and last > self.days:
            raise ValueError(
                f"endpoint.day = {last} is not allowed; expected at most days ({self.days})"
            )
        step = self.observe_every_days
        for endpoint in self.endpoint:
            for day in (endpoint.day, endpoint.baseline_day):
                if step is not None and day % step:
                    raise ValueError(
                        f"endpoint.day = {day} is not allowed; expected a multiple of "
                        f"observe_every_days ({step})"
                    )
            if endpoint.min_stage is not None:
                parse_stage_range(endpoint.min_stage, self.population.sex, field="min_stage")
        return self

    @property
    def control(self) -> str:
        return self.control_arm or self.arm[0].name

    @property
    def duration_days(self) -> int:
        last = max(max(e.day, e.baseline_day) for e in self.endpoint)
        return max(1, self.days or last)

    @property
    def observation_step_days(self) -> int:
        """Largest step <= 30 days that lands on every endpoint day (or the file's own)."""
        if self.observe_every_days is not None:
            return min(self.observe_every_days, self.duration_days)
        g = 0
        for e in self.endpoint:
            g = math.gcd(g, math.gcd(e.day, e.baseline_day))
        if g == 0:
            return min(30, self.duration_days)
        return max(d for d in range(1, min(30, g) + 1) if g % d == 0)


def _check_column(value: str) -> str:
    value = current_name(value, where="trial file column")
    if value not in ENDPOINT_COLUMNS:
        raise ValueError(
            f"column = {value!r} is not allowed; expected one of {list(ENDPOINT_COLUMNS)}"
        )
    return value


def _resolve_arms(data: dict, base: Path | None) -> dict:
    """Turn each arm's ``regimen = "file"`` or inline ``treatment`` into a Regimen."""
    arms = data.get("arm")
    if not isinstance(arms, list):
        return data
    resolved = []
    for index, arm in enumerate(arms):
        if not isinstance(arm, dict):
            resolved.append(arm)
            continue
        arm = dict(arm)
        name = arm.get("name", f"arm {index + 1}")
        where = f"arm[{index}]"
        regimen = arm.get("regimen")
        if isinstance(regimen, str):
            if "treatment" in arm:
                raise FollicleInputError(
                    f"{where}.treatment", "...", "either regimen = FILE or [[arm.treatment]]"
                )
            path = Path(regimen)
            if base is not None and not path.is_absolute():
                path = base / path
            arm["regimen"] = load_regimen(path)
        elif regimen is None:
            try:
                arm["regimen"] = parse_regimen(
                    {"name": name, "treatment": arm.pop("treatment", [])}, source=where
                )
            except FollicleInputError as error:
                raise FollicleInputError.from_message(str(error)) from None
        resolved.append(arm)
    return {**data, "arm": resolved}


def parse_trial(data: dict, *, source: str | None = None, base_dir: Path | None = None) -> Trial:
    """Validate a trial given as a dict (as read from TOML)."""
    if not isinstance(data, dict):
        raise FollicleInputError("(file)", type(data).__name__, "a table", source=source)
    return validate(Trial, _resolve_arms(data, base_dir), source=source)


def load_trial(path: str | Path) -> Trial:
    """Read and validate a trial TOML file; regimen files are relative to it."""
    path = Path(path)
    return parse_trial(read_toml(path), source=str(path), base_dir=path.parent)
