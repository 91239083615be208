"""The targets file: published results, each expressed as a virtual trial.

A target names a population, arms (labels defined in the file's ``[regimen.LABEL]``
tables), an optional target area, an endpoint on a day, the published value and a
tolerance. Endpoint names (docs/validation.md):

- a named endpoint from ``ENDPOINT_NAMES`` (e.g. ``hair_count_change``,
  ``non_vellus_density_change``, ``anagen_fraction``, ``fraction_improved``);
- any observation column (``terminal_per_cm2``...): its value on ``day``;
- ``value``, ``change`` or ``percent_change`` with ``column = "..."``;
- ``difference_in_<any of the above>``: last arm minus first arm;
- ``sd_of_<any of the above but a difference>``: the SD across people of the first
  arm's values (the spread a trial's sample size depends on);
- ``day_of_peak_shedding`` (or ``day_of_peak`` with ``column``): the observation day on
  which the first arm's mean of the column peaks.

A target is a published value with a tolerance (``kind = "value"``, the default) or an
interval the model must land in (``kind = "range"``, ``range = [low, high]``: for
conflicting or low-quality evidence). Nothing here depends on a target's id or a
study's name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from follicle.config_io import read_toml, validate
from follicle.regimen import Regimen, parse_regimen
from follicle.trials.cohorts import Population
from follicle.trials.trial_file import ENDPOINT_COLUMNS, Improvement, TargetArea
from follicle.vocabulary import current_name

DEFAULT_TARGETS = Path(__file__).resolve().parents[1] / "data" / "targets.toml"

# name -> (measure, column)
ENDPOINT_NAMES: dict[str, tuple[str, str]] = {
    "anagen_fraction": ("value", "anagen_fraction"),
    "shed_hairs_per_day": ("value", "shed_per_day_scalp"),
    "hair_count_change": ("change", "hairs"),
    "hair_count_percent_change": ("percent_change", "hairs"),
    "hair_count_change_percent": ("percent_change", "hairs"),
    "density_change": ("change", "density_per_cm2"),
    "hair_density_change": ("change", "density_per_cm2"),
    "non_vellus_density_change": ("change", "non_vellus_per_cm2"),
    "terminal_density_change": ("change", "terminal_per_cm2"),
    "thin_share_change": ("change", "thin_share_percent"),
    "fraction_improved": ("fraction_improved", "hairs"),
    "fraction_with_pattern_loss": ("fraction_with_pattern_loss", "stage"),
    "fraction_regrown": ("fraction_regrown", "hairs"),
    "scalp_dht_change_percent": ("value", "scalp_dht_change_percent"),
    "day_of_peak_shedding": ("value", "shed_per_day"),
}
DIFFERENCE_PREFIX = "difference_in_"
SD_PREFIX = "sd_of_"
PEAK_PREFIX = "day_of_peak"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegimenBody(_Strict):
    treatment: tuple[dict, ...] = ()
    description: str = ""


class Target(_Strict):
    id: str
    source: str
    population: Population
    target_area: TargetArea = TargetArea()
    arms: tuple[str, ...] = ("untreated",)
    endpoint: str
    column: str | None = None
    day: int = Field(0, ge=0)
    baseline_day: int = Field(0, ge=0)
    min_stage: str | None = None
    min_fraction_of_baseline: float = Field(
        0.5, gt=0, le=2, description="fraction_regrown: share of the baseline count that counts"
    )
    observe_every_days: int | None = Field(
        None, ge=1, le=365, description="observation step of the trial (default: from the days)"
    )
    kind: Literal["value", "range"] = "value"
    value: float | None = None
    tolerance: float | None = Field(None, gt=0)
    range: tuple[float, float] | None = None
    relative: bool = False
    note: str = ""

    @field_validator("endpoint", "column", mode="before")
    @classmethod
    def _current_names(cls, value):
        """An old column name (``hairs_per_cm2``, also after ``sd_of_`` or
        ``difference_in_``) read as its current one, with a DeprecationWarning."""
        if not isinstance(value, str):
            return value
        base = value.removeprefix(SD_PREFIX).removeprefix(DIFFERENCE_PREFIX)
        return value.removesuffix(base) + current_name(base, where="target endpoint")

    @model_validator(mode="after")
    def _check(self):
        _, column = self.measure_and_column
        if self.kind == "value" and (self.value is None or self.tolerance is None):
            raise ValueError(
                f"target {self.id!r}: value and tolerance are required for kind = 'value' "
                "(or give kind = 'range' and range = [low, high])"
            )
        if self.kind == "range":
            if self.range is None or not self.range[0] <= self.range[1]:
                raise ValueError(
                    f"range = {self.range!r} is not allowed; expected [low, high] with "
                    f"low <= high for kind = 'range' (target {self.id!r})"
                )
            if self.value is not None or self.tolerance is not None or self.relative:
                raise ValueError(
                    f"target {self.id!r}: a range target takes range = [low, high], not "
                    "value, tolerance or relative"
                )
        if self.statistic != "mean" and DIFFERENCE_PREFIX in self.endpoint:
            raise ValueError(
                f"endpoint = {self.endpoint!r} is not allowed; sd_of_ and day_of_peak "
                "endpoints describe one arm, not a difference"
            )
        if self.is_difference and len(self.arms) < 2:
            raise ValueError(
                f"arms = {list(self.arms)!r} is not allowed; expected two arms "
                f"(control first) for {self.endpoint}"
            )
        if column not in ENDPOINT_COLUMNS:
            raise ValueError(
                f"column = {column!r} is not allowed; expected one of {list(ENDPOINT_COLUMNS)}"
            )
        return self

    @property
    def is_difference(self) -> bool:
        return self.endpoint.startswith(DIFFERENCE_PREFIX)

    @property
    def statistic(self) -> str:
        """What is computed from the arm's values: "mean" (or a difference of means),
        "sd" (SD across people) or "day_of_peak" (day the arm mean peaks)."""
        if self.endpoint.startswith(SD_PREFIX):
            return "sd"
        if self.endpoint.startswith(PEAK_PREFIX):
            return "day_of_peak"
        return "mean"

    @property
    def centre(self) -> float:
        """The published value, or a range's midpoint."""
        if self.kind == "range":
            return (self.range[0] + self.range[1]) / 2
        return float(self.value)

    @property
    def allowed(self) -> float:
        """The tolerance in the target's unit, or a range's half-width: a model value
        passes when it lies within ``allowed`` of ``centre``."""
        if self.kind == "range":
            return (self.range[1] - self.range[0]) / 2
        return self.tolerance * abs(self.value) if self.relative else self.tolerance

    @property
    def measure_and_column(self) -> tuple[str, str]:
        name = self.endpoint.removeprefix(SD_PREFIX).removeprefix(DIFFERENCE_PREFIX)
        if name == PEAK_PREFIX:
            if self.column is None:
                raise ValueError(
                    "column = <missing> is not allowed; expected a column for day_of_peak"
                )
            return "value", self.column
        if name in ENDPOINT_NAMES:
            measure, column = ENDPOINT_NAMES[name]
            return measure, self.column or column
        if name in ("value", "change", "percent_change"):
            if self.column is None:
                raise ValueError(
                    f"column = <missing> is not allowed; expected a column for endpoint {name!r}"
                )
            return name, self.column
        if name in ENDPOINT_COLUMNS:
            return "value", name
        raise ValueError(
            f"endpoint = {self.endpoint!r} is not allowed; expected one of "
            f"{sorted(ENDPOINT_NAMES)}, an observation column, value/change/percent_change "
            f"with column, day_of_peak with column, or {DIFFERENCE_PREFIX} or {SD_PREFIX} "
            "followed by one of these"
        )

    def passes(self, model_value: float) -> bool:
        return bool(abs(model_value - self.centre) <= self.allowed * (1 + 1e-12))


class TargetsFile(_Strict):
    improvement: Improvement = Improvement()
    regimen: dict[str, RegimenBody] = Field(default_factory=dict)
    target: tuple[Target, ...] = Field(..., min_length=1)

    @model_validator(mode="after")
    def _check(self):
        ids = [t.id for t in self.target]
        if len(set(ids)) != len(ids):
            raise ValueError(f"target.id = {ids!r} is not allowed; expected distinct ids")
        for index, target in enumerate(self.target):
            for arm in target.arms:
                if arm not in self.regimen:
                    raise ValueError(
                        f"target[{index}].arms = {arm!r} is not allowed; expected an arm label "
                        f"defined in a [regimen.LABEL] table: {sorted(self.regimen)}"
                    )
        return self

    def regimen_for(self, label: str) -> Regimen:
        body = self.regimen[label]
        return parse_regimen(
            {"name": label, "description": body.description, "treatment": list(body.treatment)},
            source=f"regimen.{label}",
        )

    def population_key(self, target: Target) -> str:
        return json.dumps(
            [target.population.model_dump(mode="json"), target.target_area.model_dump()],
            sort_keys=True,
        )


def load_targets(path: str | Path | None = None) -> TargetsFile:
    """Read and validate a targets file (default: the copy shipped with follicle)."""
    path = Path(path) if path is not None else DEFAULT_TARGETS
    data = read_toml(path)
    targets = validate(TargetsFile, data, source=str(path))
    for label in targets.regimen:
        targets.regimen_for(label)  # every regimen must be valid
    return targets


def select_targets(target_set: TargetsFile, patterns: list[str] | None) -> TargetsFile:
    """The targets whose ids match any of ``patterns`` (exact ids or shell patterns such
    as ``hu2015-*``; all when none are given)."""
    import fnmatch

    from follicle.errors import FollicleInputError

    if not patterns:
        return target_set
    chosen = tuple(
        t for t in target_set.target if any(fnmatch.fnmatchcase(t.id, p) for p in patterns)
    )
    if not chosen:
        ids = [t.id for t in target_set.target]
        raise FollicleInputError("--only", patterns, f"ids or patterns matching some of {ids}")
    return target_set.model_copy(update={"target": chosen})
