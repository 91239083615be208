"""Published reference values a visit report sets beside its measurements.

Only values from the project's reference notes are used (``shared/reference``:
physiology.md and trichoscopy.md); each entry names the file and the row it comes from.
Where the notes give no range for a metric, the report says so instead of inventing one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class ReferenceValue:
    """A published value for one metric, with its population and source row."""

    metric: str  # field of ``Metrics``
    text: str  # the value as published
    population: str
    source: str  # reference file and row
    regions: tuple[str, ...] = ()  # empty: applies to any region


REFERENCE_VALUES: tuple[ReferenceValue, ...] = (
    ReferenceValue(
        metric="density_per_cm2",
        text="175-300 hairs/cm2, mean 223",
        population="normal scalp (Barman 1965)",
        source="physiology.md, Scalp: 'hair density, normal scalp' [P] BioNumbers 116431",
    ),
    ReferenceValue(
        metric="density_per_cm2",
        text="occipital ~127/cm2 at every stage; parietal/vertex falls from 138 to 47/cm2",
        population="109 men across Norwood stages (Vecchio 2002)",
        source="physiology.md, Scalp: 'regional density vs Norwood stage (109 men)' [P]",
    ),
    ReferenceValue(
        metric="thin_share_percent",
        text="controls 6.15 +/- 4.6%; AGA 20.9 +/- 12% (mean +/- SD)",
        population="women, frontal area, 70x (Rakowska 2009)",
        source="trichoscopy.md, Diagnostic criteria: 'Reference values: thin hairs'",
    ),
    ReferenceValue(
        metric="mean_diameter_um",
        text="controls 61 +/- 8 um; AGA 47 +/- 7 um (mean +/- SD)",
        population="women, frontal area (Rakowska 2009)",
        source="physiology.md, Scalp: 'mean shaft thickness frontal vs occipital (women)' [P]",
        regions=("frontal",),
    ),
    ReferenceValue(
        metric="mean_diameter_um",
        text="controls 58 +/- 7 um; AGA 52 +/- 8 um (mean +/- SD)",
        population="women, occipital area (Rakowska 2009)",
        source="physiology.md, Scalp: 'mean shaft thickness frontal vs occipital (women)' [P]",
        regions=("occipital",),
    ),
    ReferenceValue(
        metric="hairs_per_unit",
        text="2.2 hairs per unit (Caucasians), 1.9 (Asians)",
        population="whole scalp",
        source="physiology.md, Scalp: 'follicular units (FU)' [S] (secondary source)",
    ),
    ReferenceValue(
        metric="single_hair_unit_share_percent",
        text="~20% of units hold 1 hair (45% 2, 30% 3, 5% 4)",
        population="whole scalp",
        source="physiology.md, Scalp: 'FU composition' [S] (secondary source)",
    ),
    ReferenceValue(
        metric="terminal_to_vellus_ratio",
        text="~7:1 normal vs <= 4:1 in AGA",
        population="horizontal biopsy sections, not trichoscopy (Whiting 1993, unverified)",
        source="trichoscopy.md, How clinicians measure it: 'Biopsy'",
    ),
    ReferenceValue(
        metric="diameter_diversity_percent",
        text="> 20% variation in shaft diameter suggests AGA (a threshold, not a range)",
        population="anisotrichosis (Sewell 2007; de Lacharriere 2001)",
        source="trichoscopy.md, 'Anisotrichosis'",
    ),
    ReferenceValue(
        metric="yellow_dots",
        text="> 4 in 4 frontal images is a major criterion (a threshold, not a range)",
        population="women (Rakowska 2009)",
        source="trichoscopy.md, Diagnostic criteria: major criterion 1",
    ),
)

NO_RANGE = "no normal range in the project's reference notes"


def reference_values(metric: str, *, region: str | None = None) -> tuple[ReferenceValue, ...]:
    """The published values for ``metric`` that apply to ``region`` (all when unknown)."""
    rows = [r for r in REFERENCE_VALUES if r.metric == metric]
    known = region in {reg for r in rows for reg in r.regions}
    return tuple(r for r in rows if not r.regions or not known or region in r.regions)
