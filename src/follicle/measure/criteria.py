"""Trichoscopic criteria of Rakowska et al. 2009 and the anisotrichosis sign.

Decision support only: the output says whether a measured pattern matches published
criteria. It is not a diagnosis; a clinician weighs it with history and examination.

Rakowska A. et al., Int J Trichology 2009;1:123 (131 women, histology-confirmed), 70x
images of the frontal and occipital areas, at least 50 hairs per area.
Major: (1) > 4 yellow dots in 4 frontal images; (2) lower mean hair thickness frontal than
occipital; (3) > 10% thin hairs (< 30 um) frontal. Minor (frontal : occipital ratios):
(1) single-hair units > 2:1; (2) vellus hairs > 1.5:1; (3) perifollicular discoloration > 3:1.
Criteria met: 2 major, or 1 major + 2 minor.
Anisotrichosis: > 20% variation in shaft diameter (Sewell 2007; de Lacharriere 2001),
computed here as the coefficient of variation SD/mean.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from follicle.errors import FollicleInputError
from follicle.measure.metrics import Metrics
from follicle.measure.provenance import provenance

Verdict = Literal["met", "not met", "not assessed"]

MIN_HAIRS_PER_AREA = 50  # Rakowska 2009 analysed at least 50 hairs per area
RAKOWSKA_IMAGES = 4  # major criterion 1 counts yellow dots in 4 frontal images
ANISOTRICHOSIS_CV_PERCENT = 20.0

DISCLAIMER = (
    "Decision support, not a diagnosis: compares measurements with published trichoscopic "
    "criteria (Rakowska 2009). Interpret with the clinical picture."
)


@dataclass(frozen=True, kw_only=True)
class Criterion:
    """One criterion: its measured value, its threshold and the verdict."""

    name: str
    kind: Literal["major", "minor", "sign"]
    value: float | None
    threshold: str
    verdict: Verdict
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CriteriaReport:
    """All criteria, the counts of those met, and the overall finding in plain words."""

    criteria: tuple[Criterion, ...]
    major_met: int
    minor_met: int
    pattern_matches: bool
    finding: str
    anisotrichosis: Criterion
    warnings: tuple[str, ...] = ()
    disclaimer: str = DISCLAIMER
    provenance: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(frontal: float, occipital: float) -> float:
    if not (math.isfinite(frontal) and math.isfinite(occipital)):
        return math.nan
    if occipital == 0:
        return math.inf if frontal > 0 else math.nan
    return frontal / occipital


def _greater(value: float | None, threshold: float) -> Verdict:
    if value is None or math.isnan(value):
        return "not assessed"
    return "met" if value > threshold else "not met"


def rakowska_criteria(
    *,
    frontal: Metrics,
    occipital: Metrics,
    frontal_yellow_dots: int | None = None,
    frontal_image_count: int = RAKOWSKA_IMAGES,
    perifollicular_discoloration_ratio: float | None = None,
) -> CriteriaReport:
    """Evaluate the Rakowska 2009 criteria from frontal and occipital metrics.

    ``frontal_yellow_dots`` defaults to ``frontal.yellow_dots``; it is the count over
    ``frontal_image_count`` images and the threshold (> 4 in 4 images) scales with it.
    ``perifollicular_discoloration_ratio`` (frontal : occipital) is not measured by
    follicle; pass it when a clinician has scored it, else that criterion is not assessed.
    """
    if not isinstance(frontal, Metrics) or not isinstance(occipital, Metrics):
        raise FollicleInputError("frontal/occipital", "not Metrics", "results of measure()")
    if not (isinstance(frontal_image_count, int) and frontal_image_count >= 1):
        raise FollicleInputError("frontal_image_count", frontal_image_count, "an integer >= 1")
    if perifollicular_discoloration_ratio is not None and not (
        0 <= perifollicular_discoloration_ratio < math.inf
    ):
        raise FollicleInputError(
            "perifollicular_discoloration_ratio",
            perifollicular_discoloration_ratio,
            "a finite ratio >= 0",
        )
    dots = frontal.yellow_dots if frontal_yellow_dots is None else frontal_yellow_dots
    dots_threshold = 4.0 * frontal_image_count / RAKOWSKA_IMAGES
    thin_threshold = 10.0
    diff = frontal.mean_diameter_um - occipital.mean_diameter_um
    diff_se = math.hypot(frontal.mean_diameter_se_um, occipital.mean_diameter_se_um)

    major = (
        Criterion(
            name="yellow dots, frontal",
            kind="major",
            value=None if dots is None else float(dots),
            threshold=f"> {dots_threshold:g} in {frontal_image_count} frontal image(s)",
            verdict=_greater(None if dots is None else float(dots), dots_threshold),
        ),
        Criterion(
            name="mean diameter frontal minus occipital (um)",
            kind="major",
            value=diff,
            threshold="< 0 (frontal thinner than occipital)",
            verdict="met" if diff < 0 else "not met",
            note=f"difference {diff:.1f} +/- {diff_se:.1f} um (1 SE, counting noise)",
        ),
        Criterion(
            name="thin hairs frontal (%)",
            kind="major",
            value=frontal.thin_share_percent,
            threshold=f"> {thin_threshold:g}% below {frontal.cutoffs.thin_below_um:g} um",
            verdict=_greater(frontal.thin_share_percent, thin_threshold),
        ),
    )
    single_ratio = _ratio(
        frontal.single_hair_unit_share_percent, occipital.single_hair_unit_share_percent
    )
    vellus_ratio = _ratio(frontal.vellus_share_percent, occipital.vellus_share_percent)
    minor = (
        Criterion(
            name="single-hair units, frontal : occipital",
            kind="minor",
            value=single_ratio,
            threshold="> 2 : 1",
            verdict=_greater(single_ratio, 2.0),
        ),
        Criterion(
            name="vellus hairs, frontal : occipital",
            kind="minor",
            value=vellus_ratio,
            threshold="> 1.5 : 1",
            verdict=_greater(vellus_ratio, 1.5),
        ),
        Criterion(
            name="perifollicular discoloration, frontal : occipital",
            kind="minor",
            value=perifollicular_discoloration_ratio,
            threshold="> 3 : 1",
            verdict=_greater(perifollicular_discoloration_ratio, 3.0),
            note="" if perifollicular_discoloration_ratio is not None else "not measured",
        ),
    )
    aniso = anisotrichosis_sign(frontal)
    major_met = sum(c.verdict == "met" for c in major)
    minor_met = sum(c.verdict == "met" for c in minor)
    matches = major_met >= 2 or (major_met >= 1 and minor_met >= 2)
    not_assessed = [c.name for c in (*major, *minor) if c.verdict == "not assessed"]

    warnings = []
    for name, metrics in (("frontal", frontal), ("occipital", occipital)):
        if metrics.hair_count < MIN_HAIRS_PER_AREA:
            warnings.append(
                f"{name}: {metrics.hair_count} hairs measured; the criteria were validated "
                f"with at least {MIN_HAIRS_PER_AREA} per area"
            )
    if matches:
        finding = (
            f"The measurements match the Rakowska 2009 trichoscopic pattern of androgenetic "
            f"alopecia ({major_met} major, {minor_met} minor criteria met). This supports, "
            f"but does not establish, that diagnosis; a clinician should confirm it."
        )
    else:
        finding = (
            f"The measurements do not match the Rakowska 2009 pattern ({major_met} major, "
            f"{minor_met} minor criteria met; 2 major or 1 major + 2 minor are required)."
        )
        if not_assessed:
            finding += f" Not assessed: {', '.join(not_assessed)}."
    return CriteriaReport(
        criteria=major + minor,
        major_met=major_met,
        minor_met=minor_met,
        pattern_matches=matches,
        finding=finding,
        anisotrichosis=aniso,
        warnings=tuple(warnings),
        provenance=provenance(
            function="rakowska_criteria",
            frontal_yellow_dots=dots,
            frontal_image_count=frontal_image_count,
            perifollicular_discoloration_ratio=perifollicular_discoloration_ratio,
        ),
    )


def anisotrichosis_sign(metrics: Metrics) -> Criterion:
    """Anisotrichosis: diameter diversity (SD/mean) above 20% (Sewell 2007)."""
    return Criterion(
        name="anisotrichosis: diameter diversity SD/mean (%)",
        kind="sign",
        value=metrics.diameter_diversity_percent,
        threshold=f"> {ANISOTRICHOSIS_CV_PERCENT:g}%",
        verdict=_greater(metrics.diameter_diversity_percent, ANISOTRICHOSIS_CV_PERCENT),
    )
