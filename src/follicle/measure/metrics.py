"""Miniaturization metrics from a hairs table: density, diameter classes, units, thickness.

Every metric is defined in ``docs/measure.md`` with its source (trichoscopy.md rows).
Uncertainties are counting noise: Poisson for counts and densities, binomial for shares,
SD/sqrt(n) for the mean diameter. The density's error also holds the guess of which end
of a hair cut by the frame is its exit (see ``measure``).

A hair belongs to the field its exit lies in. When a table has the analyser's
``exit_in_field`` column, rows marked False (the exit lies outside the counting frame: a
hair that entered from outside, or one leaving from the guard zone) are left out of every
metric and counted in ``hairs_exit_outside``; blank means unknown and is counted.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from follicle.errors import FollicleInputError
from follicle.measure.hairs_table import DEFAULT_CUTOFFS, DiameterCutoffs
from follicle.measure.provenance import provenance
from follicle.measure.table_io import checked_hairs_table

MAX_AREA_CM2 = 1000.0  # a whole scalp is ~600 cm2; larger areas are input mistakes


@dataclass(frozen=True, kw_only=True)
class Metrics:
    """Metrics of one scalp site. Shares are percent of hairs (or of units)."""

    region: str | None
    area_cm2: float
    hair_count: int
    density_per_cm2: float
    density_se_per_cm2: float  # counting noise and the exit guess of hairs cut by the frame
    hairs_exit_outside: int = 0  # seen, but their exit lies outside the counting frame
    hairs_cut_by_frame: int = 0  # counted or not: their exit end was guessed
    terminal_count: int
    intermediate_count: int
    vellus_count: int
    thin_count: int
    terminal_share_percent: float
    vellus_share_percent: float
    thin_share_percent: float
    thin_share_se_percent: float
    terminal_to_vellus_ratio: float
    mean_diameter_um: float
    mean_diameter_se_um: float
    median_diameter_um: float
    sd_diameter_um: float
    diameter_diversity_percent: float
    unit_count: int
    hairs_per_unit: float
    single_hair_unit_share_percent: float
    cumulative_thickness_mm_per_cm2: float
    yellow_dots: int | None
    yellow_dot_density_per_cm2: float | None
    cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS
    provenance: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready apart from NaN, which ``dumps_json`` writes as null)."""
        return asdict(self)


def _share_percent(count: int, total: int) -> float:
    return 100.0 * count / total if total else math.nan


def _binomial_se_percent(count: int, total: int) -> float:
    if not total:
        return math.nan
    p = count / total
    return 100.0 * math.sqrt(p * (1 - p) / total)


def parse_area_cm2(area_cm2: Any, *, field_name: str = "area_cm2") -> float:
    """Validate a measured area in cm2."""
    try:
        value = float(area_cm2)
    except (TypeError, ValueError):
        raise FollicleInputError(field_name, area_cm2, f"a number in (0, {MAX_AREA_CM2}]") from None
    if not (math.isfinite(value) and 0 < value <= MAX_AREA_CM2):
        raise FollicleInputError(field_name, area_cm2, f"a number in (0, {MAX_AREA_CM2}] cm2")
    return value


def _parse_yellow_dots(yellow_dots: Any) -> int | None:
    if yellow_dots is None:
        return None
    if isinstance(yellow_dots, bool) or not float(yellow_dots).is_integer() or yellow_dots < 0:
        raise FollicleInputError("yellow_dots", yellow_dots, "a whole number >= 0, or None")
    return int(yellow_dots)


_TRUE = {True, "true", "1", "yes"}  # 1 and 1.0 equal True
_FALSE = {False, "false", "0", "no"}


def _flag(table: pd.DataFrame, column: str) -> np.ndarray:
    """A True/False column (blank: unknown, read as ``None``) as an object array."""
    values = []
    for value in table[column] if column in table.columns else [None] * len(table):
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            values.append(None)
            continue
        key = value.strip().lower() if isinstance(value, str) else value
        if isinstance(key, np.generic):
            key = key.item()
        if key in _TRUE:
            values.append(True)
        elif key in _FALSE:
            values.append(False)
        else:
            raise FollicleInputError(column, value, "True or False (blank: unknown)")
    return np.array(values, dtype=object)


def counted_hairs(hairs: pd.DataFrame) -> pd.DataFrame:
    """The rows of hairs that belong to the field: all but those whose ``exit_in_field``
    is False (their exit lies outside the counting frame)."""
    entered = np.asarray(_flag(hairs, "exit_in_field") == False, dtype=bool)  # noqa: E712
    return hairs[~entered]


def measure(
    hairs: pd.DataFrame,
    *,
    area_cm2: float,
    cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS,
    yellow_dots: int | None = None,
    region: str | None = None,
) -> Metrics:
    """Miniaturization metrics of the hairs seen in an area of ``area_cm2``.

    ``hairs`` is a hairs table (``docs/hairs-table.md``). ``region`` keeps only rows of that
    region (None uses all rows). ``yellow_dots`` is the number of empty follicles seen in the
    same area (the hairs table has no rows for them).

    >>> import pandas as pd
    >>> hairs = pd.DataFrame({"hair_id": [1, 2, 3], "unit_id": [1, 1, 2],
    ...     "region": "frontal", "diameter_um": [70.0, 25.0, 65.0], "length_mm": float("nan")})
    >>> m = measure(hairs, area_cm2=0.01)
    >>> m.density_per_cm2, m.thin_count, m.hairs_per_unit
    (300.0, 1, 1.5)
    """
    area = parse_area_cm2(area_cm2)
    dots = _parse_yellow_dots(yellow_dots)
    if not isinstance(cutoffs, DiameterCutoffs):
        raise FollicleInputError("cutoffs", cutoffs, "a DiameterCutoffs instance")
    table = checked_hairs_table(hairs)
    if region is not None:
        table = table[table["region"] == region]
    if table.empty:
        where = f" for region {region!r}" if region is not None else ""
        raise FollicleInputError("hairs", f"0 rows{where}", "a hairs table with at least one hair")

    # A follicle belongs to the field its exit lies in: hairs that entered from outside
    # are left out. Which end of a cut hair is its exit is a guess; a coin flip's
    # variance (1/4 per cut hair) is added to the count's, the worst case.
    cut = int(np.count_nonzero(_flag(table, "touches_border") == True))  # noqa: E712
    seen = len(table)
    table = counted_hairs(table)
    diameters = table["diameter_um"].to_numpy(dtype=float)
    n = diameters.size
    terminal = int(np.count_nonzero(diameters >= cutoffs.terminal_min_um))
    vellus = int(np.count_nonzero(diameters <= cutoffs.vellus_max_um))
    thin = int(np.count_nonzero(diameters < cutoffs.thin_below_um))
    mean = float(diameters.mean()) if n else math.nan  # n = 0: every hair came from outside
    sd = float(diameters.std(ddof=1)) if n > 1 else math.nan
    unit_sizes = table.groupby("unit_id").size().to_numpy()
    return Metrics(
        region=region,
        area_cm2=area,
        hair_count=n,
        density_per_cm2=n / area,
        density_se_per_cm2=math.sqrt(n + cut / 4) / area,
        hairs_exit_outside=seen - len(table),
        hairs_cut_by_frame=cut,
        terminal_count=terminal,
        intermediate_count=n - terminal - vellus,
        vellus_count=vellus,
        thin_count=thin,
        terminal_share_percent=_share_percent(terminal, n),
        vellus_share_percent=_share_percent(vellus, n),
        thin_share_percent=_share_percent(thin, n),
        thin_share_se_percent=_binomial_se_percent(thin, n),
        terminal_to_vellus_ratio=terminal / vellus if vellus else math.inf if n else math.nan,
        mean_diameter_um=mean,
        mean_diameter_se_um=sd / math.sqrt(n) if n > 1 else math.nan,
        median_diameter_um=float(np.median(diameters)) if n else math.nan,
        sd_diameter_um=sd,
        diameter_diversity_percent=100.0 * sd / mean if n > 1 else math.nan,
        unit_count=int(unit_sizes.size),
        hairs_per_unit=float(unit_sizes.mean()) if n else math.nan,
        single_hair_unit_share_percent=_share_percent(
            int(np.count_nonzero(unit_sizes == 1)), unit_sizes.size
        ),
        cumulative_thickness_mm_per_cm2=float(diameters.sum()) / 1000.0 / area,
        yellow_dots=dots,
        yellow_dot_density_per_cm2=None if dots is None else dots / area,
        cutoffs=cutoffs,
        provenance=provenance(
            function="measure", area_cm2=area, cutoffs=cutoffs, yellow_dots=dots, region=region
        ),
    )
