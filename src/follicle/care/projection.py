"""Projections: what to expect under each regimen, as bands over many simulated futures.

``project(person, {"plan": regimen}, years=3)`` simulates ``futures`` possible futures of
the person under each regimen and under no treatment, side by side in one engine run per
regimen, and summarises each observation day by the median and the 10th and 90th
percentiles. The futures differ in everything the model leaves to chance (which
follicles cycle when, how each cycle miniaturizes them), not in the person.

When a measurement is given (from the journal: a hair density in a region), the person's
androgen sensitivity is first fitted so that the simulated scalp on day 0 matches it:
the projection starts from the person's measured state. This is information for
planning, not a prediction for one person and not a prescription.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from follicle.care.findings import Finding
from follicle.errors import FollicleInputError
from follicle.model.androgens import DAYS_PER_YEAR
from follicle.person import Person
from follicle.regimen import NO_TREATMENT, Regimen
from follicle.sim.batch import simulate_cohort
from follicle.sim.inputs import as_person as _parse_person
from follicle.sim.inputs import as_regimen as _parse_regimen
from follicle.sim.inputs import resolve_seed as _parse_seed

MEASURES = ("hairs_per_cm2", "non_vellus_per_cm2", "terminal_per_cm2", "mean_diameter_um")
# journal metric name -> observation column
METRIC_COLUMNS = {
    "density_per_cm2": "hairs_per_cm2",
    "hairs_per_cm2": "hairs_per_cm2",
    "non_vellus_density_per_cm2": "non_vellus_per_cm2",
    "non_vellus_per_cm2": "non_vellus_per_cm2",
    "terminal_density_per_cm2": "terminal_per_cm2",
    "terminal_per_cm2": "terminal_per_cm2",
}
DEFAULT_AREA_CM2 = 1.0
BAND = (10, 50, 90)
NO_TREATMENT_LABEL = "no treatment"


@dataclass(frozen=True)
class Anchor:
    """A measured value the projection starts from (e.g. vertex density 140/cm2)."""

    region: str
    column: str
    value: float

    @classmethod
    def from_metric(cls, *, region: str, metric: str, value: float) -> Anchor:
        if metric not in METRIC_COLUMNS:
            raise FollicleInputError("metric", metric, f"one of {sorted(METRIC_COLUMNS)}")
        if not 0 <= value <= 600:
            raise FollicleInputError(metric, value, "a density from 0 to 600 hairs/cm2")
        return cls(region=region, column=METRIC_COLUMNS[metric], value=float(value))


@dataclass(frozen=True, eq=False)
class Projection:
    """``bands``: one row per regimen, region, day and measure; ``blocked``: the regimens a
    care rule blocks for this person, with the blocking findings (not simulated)."""

    bands: pd.DataFrame  # regimen, region, day, measure, p10, p50, p90
    provenance: dict[str, Any]
    blocked: dict[str, tuple[Finding, ...]] = field(default_factory=dict)

    def at(self, day: float, *, region: str, measure: str = "non_vellus_per_cm2") -> pd.DataFrame:
        """Each regimen's band on the observation day nearest ``day``."""
        rows = self.bands[(self.bands["region"] == region) & (self.bands["measure"] == measure)]
        nearest = rows["day"].iloc[int(np.argmin(np.abs(rows["day"].to_numpy() - day)))]
        return rows[rows["day"] == nearest].set_index("regimen")[["p10", "p50", "p90"]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "follicle.projection/1",
            "provenance": self.provenance,
            "blocked": {
                label: [f.to_dict() for f in findings] for label, findings in self.blocked.items()
            },
            "bands": self.bands.to_dict(orient="records"),
        }


def project(
    person: Person | dict,
    regimens: Mapping[str, Regimen | dict | None],
    *,
    years: float,
    futures: int = 40,
    regions: tuple[str, ...] | None = None,
    area_cm2: float = DEFAULT_AREA_CM2,
    observe_every_days: int = 30,
    random_seed: int | None = None,
    anchor: Anchor | None = None,
    check_rules: bool = True,
) -> Projection:
    """Bands of what to expect under each regimen and under no treatment.

    A regimen that a care rule blocks for this person (``follicle plan check``: MN-7,
    RX-3, ...) is not simulated: it is listed in ``Projection.blocked`` with the blocking
    findings. ``check_rules=False`` simulates every regimen (model studies, not advice).
    """
    from follicle.care.plan import check_plan

    person = _parse_person(person)
    if not 0 < years <= 30:
        raise FollicleInputError("years", years, "a number of years in (0, 30]")
    if not 5 <= futures <= 2000:
        raise FollicleInputError("futures", futures, "a whole number from 5 to 2000")
    seed = _parse_seed(random_seed)
    days = max(1, round(years * DAYS_PER_YEAR))
    regions = regions or _default_regions(person)
    if anchor is not None and anchor.region not in regions:
        regions = (*regions, anchor.region)
    area = {region: area_cm2 for region in regions}
    fitted = None
    if anchor is not None:
        sensitivity_source = "fitted to the journal measurement"
    elif "androgen_sensitivity" in person.model_fields_set:
        sensitivity_source = "person file"
    else:
        sensitivity_source = (
            f"default ({person.androgen_sensitivity!r}): the person file does not set "
            "androgen_sensitivity"
        )
    if anchor is not None:
        fitted = fit_sensitivity(person, anchor, area=area, random_seed=seed)
        person = person.model_copy(update={"androgen_sensitivity": fitted})
    plans = {NO_TREATMENT_LABEL: NO_TREATMENT}
    blocked: dict[str, tuple[Finding, ...]] = {}
    for label, regimen in regimens.items():
        parsed = _parse_regimen(regimen)
        if check_rules and parsed is not None:
            check = check_plan(parsed, person=person)
            if not check.ok:
                blocked[label] = check.blocks
                continue
        plans[label] = parsed
    frames = []
    for label, regimen in plans.items():
        # the same seed for every regimen: futures differ by treatment, not by luck
        cohort = simulate_cohort(
            [person] * futures,
            regimen,
            days=days,
            observe_every_days=min(observe_every_days, days),
            area=area,
            random_seed=seed,
        )
        frames.append(_bands(cohort.table, label))
    from follicle import __version__

    provenance = {
        "software": "follicle",
        "version": __version__,
        "seed": seed,
        "years": years,
        "futures": futures,
        "area_cm2_per_region": area_cm2,
        "person": person.model_dump(mode="json"),
        "regimens": {label: r.model_dump(mode="json") for label, r in plans.items()},
        "blocked_not_projected": sorted(blocked),
        "androgen_sensitivity_source": sensitivity_source,
        "anchor": None if anchor is None else vars(anchor) | {"fitted_sensitivity": fitted},
        "note": "information for planning, not a prediction for one person or a prescription",
    }
    return Projection(
        bands=pd.concat(frames, ignore_index=True), provenance=provenance, blocked=blocked
    )


def _default_regions(person: Person) -> tuple[str, ...]:
    if person.sex == "female":
        return ("midscalp", "frontal", "occipital")
    return ("vertex", "frontal", "occipital")


def _bands(table: pd.DataFrame, label: str) -> pd.DataFrame:
    table = table[table["region"] != "scalp"]
    long = table.melt(
        id_vars=["person", "region", "day"], value_vars=list(MEASURES), var_name="measure"
    )
    grouped = long.groupby(["region", "day", "measure"], sort=False)["value"]
    out = grouped.quantile([b / 100 for b in BAND]).unstack()
    out.columns = [f"p{b}" for b in BAND]
    out = out.reset_index()
    out.insert(0, "regimen", label)
    return out


def fit_sensitivity(
    person: Person,
    anchor: Anchor,
    *,
    area: dict[str, float] | None = None,
    random_seed: int,
    futures: int = 48,
    fit_area_cm2: float = 4.0,
    steps: int = 12,
) -> float:
    """The androgen sensitivity whose median day-0 value matches the measurement.

    Bisection on [0, 5]: a higher sensitivity means fewer and thinner hairs at any age,
    so the median simulated density falls with it. The median is taken over ``futures``
    simulated ``fit_area_cm2`` patches with one seed, which keeps its noise (SE ~1
    hair/cm2) small against the steps of the bisection. When even 0 or 5 cannot reach
    the measurement the nearest end is returned. ``area`` is accepted for symmetry with
    ``project`` and not used: a density does not depend on the area it is counted on.
    """

    def median_at(sensitivity: float) -> float:
        someone = person.model_copy(update={"androgen_sensitivity": sensitivity})
        table = simulate_cohort(
            [someone] * futures,
            None,
            days=1,
            observe_every_days=1,
            area={anchor.region: area[anchor.region]},
            random_seed=random_seed,
        ).table
        rows = table[(table["region"] == anchor.region) & (table["day"] == 0)]
        return float(rows[anchor.column].median())

    low, high = 0.0, 5.0
    if median_at(low) <= anchor.value:
        return low
    if median_at(high) >= anchor.value:
        return high
    for _ in range(steps):
        middle = (low + high) / 2
        if median_at(middle) > anchor.value:
            low = middle
        else:
            high = middle
    return round((low + high) / 2, 3)


def anchor_from_journal(journal) -> Anchor | None:
    """The newest journal measurement with a region and a known density metric."""
    for entry in journal.entries(kinds=["measurement"], newest_first=True):
        details = entry.details
        if details.region is None:
            continue
        for metric, value in details.metrics.items():
            if metric in METRIC_COLUMNS:
                try:
                    return Anchor.from_metric(region=details.region, metric=metric, value=value)
                except FollicleInputError as error:
                    raise FollicleInputError(
                        f"journal entry #{entry.id} {metric}",
                        value,
                        f"{error.allowed}; "
                        f"correct it (follicle journal amend {entry.id}) or void it",
                    ) from None
    return None
