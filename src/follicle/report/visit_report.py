"""The visit report a trichologist hands over: one site, one visit, optionally compared
with a previous visit (hairs matched one by one) and with the occipital site (Rakowska
2009 criteria). ``build_visit_report`` computes everything; ``VisitReport.to_html`` and
``write`` present it (a self-contained HTML file, or a PDF printed by Chromium).

The numbers come from the measurement library unchanged: ``measure`` (metrics and their
counting-noise errors), ``rakowska_criteria`` and ``compare_visits``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from follicle.errors import FollicleInputError
from follicle.measure.criteria import RAKOWSKA_IMAGES, CriteriaReport, rakowska_criteria
from follicle.measure.hairs_table import DEFAULT_CUTOFFS, DiameterCutoffs
from follicle.measure.metrics import Metrics, measure
from follicle.measure.visits import CountingFrame, VisitComparison, compare_visits
from follicle.report.visit_data import Visit, VisitImage

THINNING_UM = 10.0  # compare_visits' default: a matched hair thinner by more is "thinned"
MATCH_RADIUS_UM = 60.0  # compare_visits' default
AREA_TOLERANCE = 0.02  # the two visits must cover the same area within 2%


@dataclass(frozen=True, kw_only=True, eq=False)  # holds arrays and tables
class MatchedImages:
    """Hairs of one image pair (or of two hairs tables) matched one by one."""

    image_index: int | None  # None: the visits are hairs tables without images
    comparison: VisitComparison


@dataclass(frozen=True, kw_only=True, eq=False)  # holds arrays and tables
class VisitReport:
    """Everything a visit report shows; ``to_html`` and ``write`` present it."""

    patient: str | None
    current: Visit
    metrics: Metrics
    previous: Visit | None = None
    previous_metrics: Metrics | None = None
    occipital: Visit | None = None
    occipital_metrics: Metrics | None = None
    criteria: CriteriaReport | None = None
    comparison: VisitComparison | None = None  # all hairs of the two visits
    matched: tuple[MatchedImages, ...] = ()
    cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS
    thinning_um: float = THINNING_UM
    notes: tuple[str, ...] = ()
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    provenance: dict[str, Any] = field(default_factory=dict, compare=False)

    def matched_counts(self) -> dict[str, int] | None:
        """Persisting, thinned, thickened, lost, new and out-of-view hairs summed over
        matched images, and ``chance_persisting`` (the same for chance,
        ``visits.chance_pairs``)."""
        if not self.matched:
            return None
        keys = ("persisting", "thinned", "thickened", "lost", "new", "chance_persisting")
        counts = {k: sum(getattr(m.comparison, k) for m in self.matched) for k in keys}
        for k in ("outside_after_frame", "outside_before_frame", "out_of_view"):
            counts[k] = sum(getattr(m.comparison, k) or 0 for m in self.matched)
        return counts

    def images_not_same_spot(self) -> list[int | None]:
        """Image positions (None: hairs tables) whose two visits pair no more hairs than
        chance: they probably do not show the same spot, so their hair-by-hair fates mean
        nothing."""
        return [m.image_index for m in self.matched if not m.comparison.same_spot]

    def to_dict(self) -> dict[str, Any]:
        """The report's numbers (no images), JSON-ready apart from NaN."""
        return {
            "patient": self.patient,
            "metrics": self.metrics.to_dict(),
            "previous_metrics": self.previous_metrics.to_dict() if self.previous_metrics else None,
            "occipital_metrics": (
                self.occipital_metrics.to_dict() if self.occipital_metrics else None
            ),
            "criteria": self.criteria.to_dict() if self.criteria else None,
            "change": self.comparison.to_dict() if self.comparison else None,
            "matched": self.matched_counts(),
            "matched_images_not_same_spot": self.images_not_same_spot(),
            "notes": list(self.notes),
            "provenance": self.provenance,
        }

    def to_html(self) -> str:
        from follicle.report.visit_html import visit_report_html

        return visit_report_html(self)

    def write(self, path: str | Path, *, suffix: str | None = None) -> Path:
        """Write ``.html`` (self-contained) or ``.pdf`` (printed by headless Chromium).

        The format follows ``suffix`` or the path's (a caller may write to a temporary
        name)."""
        path = Path(path)
        suffix = check_report_suffix(suffix or path.suffix)
        if suffix == ".pdf":
            return self._write_pdf(path)
        path.write_text(self.to_html(), encoding="utf-8")
        return path

    def _write_pdf(self, path: Path) -> Path:
        import tempfile

        from follicle.report.pdf import html_to_pdf, require_chromium

        require_chromium()  # fail before the HTML is rendered
        with tempfile.TemporaryDirectory(prefix="follicle-report-") as folder:
            html = Path(folder) / "report.html"
            html.write_text(self.to_html(), encoding="utf-8")
            return html_to_pdf(html, path)


REPORT_SUFFIXES = (".html", ".htm", ".pdf")


def check_report_suffix(suffix: str) -> str:
    """The lower-case suffix of a report file, or an error naming the allowed ones."""
    if suffix.lower() not in REPORT_SUFFIXES:
        raise FollicleInputError("report output suffix", suffix, "'.html' or '.pdf'")
    return suffix.lower()


def measure_visit(visit: Visit, *, cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS) -> Metrics:
    """``measure`` over a visit's hairs, area and yellow dots."""
    if visit.hairs.empty:
        raise FollicleInputError(
            f"{visit.label} hairs",
            "0 hairs found",
            "inputs with at least one hair (check the images, the scale and the overlay)",
        )
    return measure(
        visit.hairs, area_cm2=visit.area_cm2, cutoffs=cutoffs, yellow_dots=visit.yellow_dots
    )


def _without_positions(hairs: pd.DataFrame) -> pd.DataFrame:
    return hairs.drop(columns=[c for c in ("x_um", "y_um") if c in hairs.columns])


def _field_cm2(visit: Visit) -> float:
    """The whole field a visit's images show (their frames at their scales)."""
    return (
        sum(
            image.analysis.image_shape[0]
            * image.analysis.image_shape[1]
            * image.analysis.um_per_px**2
            for image in visit.images
        )
        / 1e8
    )


def _counting_frame(image: VisitImage) -> CountingFrame | None:
    frame = image.analysis.counting_frame
    return None if frame is None else CountingFrame(mask=frame, um_per_px=image.analysis.um_per_px)


def _single_frame(visit: Visit) -> bool:
    """Positions of all hairs are in one frame (one image, or a table of one image)."""
    if visit.images:
        return visit.image_count == 1
    return "image" not in visit.hairs.columns or visit.hairs["image"].nunique() <= 1


def compare_with_previous(
    previous: Visit,
    current: Visit,
    *,
    cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS,
    thinning_um: float = THINNING_UM,
    match_radius_um: float = MATCH_RADIUS_UM,
) -> tuple[VisitComparison, tuple[MatchedImages, ...], tuple[str, ...]]:
    """``compare_visits`` over all hairs, and hair matching per image pair.

    Hair positions are in each image's own frame, so hairs are matched within image pairs
    (image k of the previous visit with image k of this one) and never across images.
    """
    # Same device and framing: images must cover the same field. Their counting areas may
    # differ more (device graphics masked in one image and not the other, with their
    # guard zones); each visit's density uses its own.
    both_images = bool(previous.images and current.images)
    field0, field1 = (
        (_field_cm2(previous), _field_cm2(current))
        if both_images
        else (previous.area_cm2, current.area_cm2)  # a hairs table: the area it was counted in
    )
    if abs(field0 - field1) / field1 > AREA_TOLERANCE:
        name = "previous visit field_cm2" if both_images else "previous visit area_cm2"
        raise FollicleInputError(
            name,
            round(field0, 5),
            f"within {AREA_TOLERANCE:.0%} of this visit's {field1:.5f} cm2 "
            "(the same site, device and framing)",
        )
    relative = abs(previous.area_cm2 - current.area_cm2) / current.area_cm2
    options = dict(cutoffs=cutoffs, thinning_um=thinning_um, match_radius_um=match_radius_um)
    areas = dict(area_cm2=current.area_cm2, before_area_cm2=previous.area_cm2)
    notes = []
    if relative > 0:
        notes.append(
            f"The analysed areas differ by {relative:.1%} ({previous.area_cm2:.4f} and "
            f"{current.area_cm2:.4f} cm2); each visit's density uses its own area."
        )
    if _single_frame(previous) and _single_frame(current):
        frames = {}
        if previous.images and current.images:
            frames = dict(
                before_frame=_counting_frame(previous.images[0]),
                after_frame=_counting_frame(current.images[0]),
            )
        total = compare_visits(previous.hairs, current.hairs, **areas, **options, **frames)
        index = 0 if previous.images and current.images else None
        matched = (MatchedImages(image_index=index, comparison=total),) if total.matched else ()
        return total, matched, tuple(notes)
    total = compare_visits(
        _without_positions(previous.hairs),
        _without_positions(current.hairs),
        **areas,
        **options,
    )
    if not (previous.images and current.images) or previous.image_count != current.image_count:
        notes.append(
            "Hairs were not matched one by one: the visits do not have the same number of "
            "images, so image k of one cannot be paired with image k of the other."
        )
        return total, (), tuple(notes)
    matched = []
    for k, (before, after) in enumerate(zip(previous.images, current.images, strict=True)):
        b = previous.hairs[previous.hairs["image"] == before.name]
        a = current.hairs[current.hairs["image"] == after.name]
        if b.empty or a.empty:
            notes.append(f"Image pair {before.name} / {after.name}: no hairs in one of them.")
            continue
        pair = compare_visits(
            b,
            a,
            area_cm2=after.analysis.area_cm2,
            before_area_cm2=before.analysis.area_cm2,
            before_frame=_counting_frame(before),
            after_frame=_counting_frame(after),
            **options,
        )
        matched.append(MatchedImages(image_index=k, comparison=pair))
    return total, tuple(matched), tuple(notes)


def build_visit_report(
    current: Visit,
    *,
    previous: Visit | None = None,
    occipital: Visit | None = None,
    patient: str | None = None,
    cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS,
    frontal_image_count: int | None = None,
    discoloration_ratio: float | None = None,
    thinning_um: float = THINNING_UM,
    created: dt.datetime | None = None,
) -> VisitReport:
    """Measure a visit and, when given, compare it with a previous visit of the same site
    and with the occipital site of the same visit (Rakowska 2009 criteria).

    ``frontal_image_count``: images the yellow dots were counted in (default: the number
    of images of this visit, or 4 for a hairs table).
    """
    if patient is not None and not str(patient).strip():
        patient = None
    metrics = measure_visit(current, cutoffs=cutoffs)
    previous_metrics = occipital_metrics = criteria = comparison = None
    matched: tuple[MatchedImages, ...] = ()
    notes: tuple[str, ...] = ()
    if occipital is not None:
        occipital_metrics = measure_visit(occipital, cutoffs=cutoffs)
        count = frontal_image_count or current.image_count or RAKOWSKA_IMAGES
        criteria = rakowska_criteria(
            frontal=metrics,
            occipital=occipital_metrics,
            frontal_image_count=count,
            perifollicular_discoloration_ratio=discoloration_ratio,
        )
    if previous is not None:
        previous_metrics = measure_visit(previous, cutoffs=cutoffs)
        comparison, matched, notes = compare_with_previous(
            previous, current, cutoffs=cutoffs, thinning_um=thinning_um
        )
        if previous.date and current.date and previous.date > current.date:
            raise FollicleInputError(
                "previous visit date",
                previous.date.isoformat(),
                f"a date on or before this visit's {current.date.isoformat()}",
            )
    created = created or dt.datetime.now(dt.UTC)
    return VisitReport(
        patient=patient,
        current=current,
        metrics=metrics,
        previous=previous,
        previous_metrics=previous_metrics,
        occipital=occipital,
        occipital_metrics=occipital_metrics,
        criteria=criteria,
        comparison=comparison,
        matched=matched,
        cutoffs=cutoffs,
        thinning_um=thinning_um,
        notes=notes,
        created=created,
        provenance=_provenance(current, previous, occipital, cutoffs, created),
    )


def _visit_provenance(visit: Visit) -> dict[str, Any]:
    record: dict[str, Any] = {
        "label": visit.label,
        "date": visit.date.isoformat() if visit.date else None,
        "region": visit.region,
        "area_cm2": visit.area_cm2,
        "inputs": [{"file": f.name, "role": f.role, "sha256": f.sha256} for f in visit.inputs],
    }
    if visit.images:
        record["scale"] = [
            {
                "image": image.name,
                "um_per_px": scale.um_per_px,
                "how": scale.how,
                "detail": scale.detail,
            }
            for image, scale in zip(visit.images, visit.scales, strict=True)
        ]
        record["analysis"] = visit.images[0].analysis.provenance.get("parameters", {})
    else:
        record["scale"] = "hairs table: diameters as given in the table"
    return record


def _provenance(current, previous, occipital, cutoffs, created) -> dict[str, Any]:
    from follicle.provenance import envelope

    visits = [v for v in (current, previous, occipital) if v is not None]
    return envelope(
        "build_visit_report",
        parameters={
            "cutoffs_um": {
                "thin_below": cutoffs.thin_below_um,
                "vellus_max": cutoffs.vellus_max_um,
                "terminal_min": cutoffs.terminal_min_um,
            }
        },
        inputs=[
            {
                "role": f"{v.label}: {f.role}",
                "path": f.name,
                "sha256": f.sha256,
                "digest_of": "file",
            }
            for v in visits
            for f in v.inputs
        ],
        created=created,
        cutoffs_um={
            "thin_below": cutoffs.thin_below_um,
            "vellus_max": cutoffs.vellus_max_um,
            "terminal_min": cutoffs.terminal_min_um,
        },
        visits=[_visit_provenance(v) for v in visits],
    )


def share_se_percent(count: int, total: int) -> float:
    """Binomial standard error of a share, in percent points (as ``measure`` does)."""
    if not total:
        return math.nan
    p = count / total
    return 100.0 * math.sqrt(p * (1 - p) / total)


def _is_table(path: Path) -> bool:
    return Path(path).suffix.lower() in (".csv", ".parquet", ".json")


def visit_report_from_files(
    inputs: Sequence[str | Path],
    *,
    um_per_px: float | None = None,
    device: str | None = None,
    micrometer: str | Path | None = None,
    line_spacing_um: float = 10.0,
    circle_radius_mm: float | None = None,
    area_cm2: float | None = None,
    yellow_dots: int | None = None,
    region: str | None = None,
    date: str | dt.date | None = None,
    label: str = "this visit",
    previous: Sequence[str | Path] | None = None,
    previous_label: str = "previous visit",
    previous_date: str | dt.date | None = None,
    previous_area_cm2: float | None = None,
    occipital: Sequence[str | Path] | None = None,
    occipital_area_cm2: float | None = None,
    frontal_image_count: int | None = None,
    discoloration_ratio: float | None = None,
    patient: str | None = None,
    polarity: str = "auto",
    corrections: str | Path | None = None,
) -> VisitReport:
    """The verb behind ``follicle report visit``: the visits from their files, then
    :func:`build_visit_report`.

    ``inputs``, ``previous``, ``occipital``: images of one site (the scale from exactly
    one of ``um_per_px``, ``device``, ``micrometer``; with a device, an image's own
    measuring circle, radius ``circle_radius_mm``, or scale bar wins, as in
    ``follicle analyze``) or one hairs table (with
    ``area_cm2``; ``previous_area_cm2`` and ``occipital_area_cm2`` default to it). Images
    are labelled with the site (``region``, frontal when an occipital site is given); a
    hairs table keeps its own region column and is filtered only by an explicit ``region``.
    ``corrections``: a corrections file (``measure.corrections``) for images of any of
    the visits and sites, by file name.
    """
    from follicle.measure.analyze import AnalysisSettings
    from follicle.report.visit_data import ScaleSpec, load_visit

    inputs = list(inputs)
    scale = None
    if not all(_is_table(p) for p in (*inputs, *(previous or ()), *(occipital or ()))):
        scale = ScaleSpec(
            um_per_px=um_per_px,
            device=device,
            micrometer=micrometer,
            line_spacing_um=line_spacing_um,
            circle_radius_mm=circle_radius_mm,
        )
    by_name = {}
    if corrections is not None:
        from follicle.measure.corrections import corrections_by_image, read_corrections

        images = [Path(p).name for p in (*inputs, *(previous or ()), *(occipital or ()))]
        images = [name for name in images if not _is_table(name)]
        by_name = corrections_by_image(read_corrections(corrections), images)
    common = dict(scale=scale, settings=AnalysisSettings(polarity=polarity), corrections=by_name)
    site = region or ("frontal" if occipital else None)
    current = load_visit(
        inputs,
        area_cm2=area_cm2,
        yellow_dots=yellow_dots,
        region=region if _is_table(inputs[0]) else site,
        label=label,
        date=date,
        **common,
    )
    before = None
    if previous:
        before = load_visit(
            list(previous),
            area_cm2=previous_area_cm2 if previous_area_cm2 is not None else area_cm2,
            region=region if _is_table(previous[0]) else site,
            label=previous_label,
            date=previous_date,
            **common,
        )
    back = None
    if occipital:
        back = load_visit(
            list(occipital),
            area_cm2=occipital_area_cm2 if occipital_area_cm2 is not None else area_cm2,
            region=None if _is_table(occipital[0]) else "occipital",
            label="occipital site",
            date=date,
            **common,
        )
    return build_visit_report(
        current,
        previous=before,
        occipital=back,
        patient=patient,
        frontal_image_count=frontal_image_count,
        discoloration_ratio=discoloration_ratio,
    )
