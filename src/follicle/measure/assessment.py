"""``assess``: one site's metrics, with the Rakowska criteria and the change since a visit.

The verb behind ``follicle measure`` (and the web app's measure page): metrics of a
hairs table, then, with an occipital table, the Rakowska 2009 criteria (decision
support, not a diagnosis), and, with an earlier visit of the same site, the change with
95% intervals (hairs matched one by one when both tables carry positions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from follicle.errors import FollicleInputError
from follicle.measure.criteria import CriteriaReport, rakowska_criteria
from follicle.measure.hairs_table import DEFAULT_CUTOFFS, DiameterCutoffs
from follicle.measure.metrics import Metrics, measure
from follicle.measure.table_io import read_hairs_table
from follicle.provenance import envelope, input_record

HairsInput = pd.DataFrame | str | Path


def diameter_cutoffs(
    *, thin_below_um: float = 30.0, vellus_max_um: float = 40.0, terminal_min_um: float = 60.0
) -> DiameterCutoffs:
    """Checked cut-offs; a bad combination is a FollicleInputError naming the field."""
    try:
        return DiameterCutoffs(
            thin_below_um=thin_below_um,
            vellus_max_um=vellus_max_um,
            terminal_min_um=terminal_min_um,
        )
    except ValueError as error:
        raise FollicleInputError.from_message(str(error)) from None


@dataclass(frozen=True, kw_only=True, eq=False)  # holds tables
class Assessment:
    """What ``assess`` found: metrics, and the criteria and change when asked for."""

    metrics: Metrics
    occipital: Metrics | None = None
    criteria: CriteriaReport | None = None
    change: Any = None  # a VisitComparison (measure.visits), when a previous visit was given
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``follicle measure --json`` (schema: schemas/measure.json)."""
        out: dict[str, Any] = {"provenance": self.provenance, "metrics": self.metrics.to_dict()}
        if self.occipital is not None:
            out["occipital"] = self.occipital.to_dict()
            out["criteria"] = self.criteria.to_dict()
        if self.change is not None:
            out["change"] = self.change.to_dict()
        return out


def _table(hairs: HairsInput) -> pd.DataFrame:
    return hairs if isinstance(hairs, pd.DataFrame) else read_hairs_table(hairs)


def assess(
    hairs: HairsInput,
    *,
    area_cm2: float,
    yellow_dots: int | None = None,
    region: str | None = None,
    cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS,
    occipital: HairsInput | None = None,
    occipital_area_cm2: float | None = None,
    frontal_image_count: int = 4,
    discoloration_ratio: float | None = None,
    previous: HairsInput | None = None,
) -> Assessment:
    """Metrics of ``hairs`` (a hairs table or its file) seen in ``area_cm2``.

    ``occipital``: the occipital site's table; ``hairs`` is then the frontal site and the
    Rakowska 2009 criteria are evaluated (``frontal_image_count`` images the yellow dots
    were counted in; ``discoloration_ratio`` frontal : occipital if scored).
    ``occipital_area_cm2`` defaults to ``area_cm2``. ``previous``: an earlier visit of the
    same site and area; the change is reported (only the rows of ``region`` when given).

    >>> import numpy as np
    >>> from follicle.measure.render import synthetic_hairs_table
    >>> table = synthetic_hairs_table(unit_count=20, rng=np.random.default_rng(1))
    >>> result = assess(table, area_cm2=0.1)
    >>> result.metrics.hair_count > 0, "criteria" in result.to_dict()
    (True, False)
    """
    table = _table(hairs)
    metrics = measure(
        table, area_cm2=area_cm2, cutoffs=cutoffs, yellow_dots=yellow_dots, region=region
    )
    occ = report = comparison = None
    if occipital is not None:
        occ = measure(
            _table(occipital),
            area_cm2=occipital_area_cm2 if occipital_area_cm2 is not None else area_cm2,
            cutoffs=cutoffs,
        )
        report = rakowska_criteria(
            frontal=metrics,
            occipital=occ,
            frontal_image_count=frontal_image_count,
            perifollicular_discoloration_ratio=discoloration_ratio,
        )
    if previous is not None:
        from follicle.measure.visits import compare_visits

        after = table if region is None else table[table["region"] == region]
        comparison = compare_visits(_table(previous), after, area_cm2=area_cm2, cutoffs=cutoffs)
    given = {"hairs": hairs, "occipital": occipital, "previous": previous}
    provenance = envelope(
        "measure.assess",
        parameters={
            "area_cm2": metrics.area_cm2,
            "yellow_dots": yellow_dots,
            "region": region,
            "cutoffs": cutoffs,
            "occipital_area_cm2": None if occ is None else occ.area_cm2,
            "frontal_image_count": frontal_image_count if occ is not None else None,
            "discoloration_ratio": discoloration_ratio,
        },
        inputs=[
            input_record(role, source if isinstance(source, str | Path) else _records(source))
            for role, source in given.items()
            if source is not None
        ],
    )
    return Assessment(
        metrics=metrics, occipital=occ, criteria=report, change=comparison, provenance=provenance
    )


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's content for hashing (rows as plain values)."""
    return table.astype(object).where(table.notna(), None).to_dict(orient="records")
