"""Saved visits from the web: save one (``report visit`` on this visit's images), list
them, compare two (``report visit`` with the earlier as the previous visit: changes with
95% intervals and hairs matched one by one), each with its report to download.

The HTML reports embed every figure and take seconds to draw (most of a comparison's
time), so they are written when first downloaded, then kept in ``reports/``."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from follicle.errors import FollicleInputError
from follicle.web.actions.measure import MAX_IMAGES
from follicle.web.config import WebConfig
from follicle.web.uploads import UploadStore, sniff_image
from follicle.web.visits import SavedVisit, SQLiteVisitStore

if TYPE_CHECKING:
    from follicle.measure.corrections import CorrectionsFile

VISIT_ID_LENGTH = 32
MAX_LABEL = 200


def _store(config: WebConfig) -> SQLiteVisitStore:
    return SQLiteVisitStore(config.visits_path)


def save_visit(
    config: WebConfig,
    blobs: list[bytes],
    *,
    um_per_px: float | None = None,
    device: str | None = None,
    region: str = "unspecified",
    visit_date: str | None = None,
    label: str | None = None,
    file_names: list[str] | None = None,
    corrections: CorrectionsFile | None = None,
) -> dict:
    """Store this visit's images under generated names, measure them (as ``follicle
    report visit`` does), draw each overlay, write the visit's report, and keep the visit
    in the store. ``corrections``: hairs removed, added or split by hand, by the images'
    own ``file_names`` (as ``follicle analyze --corrections`` takes them; each checked
    against its image and scale). Returns the saved visit's payload."""
    from follicle.measure.corrections import corrections_by_image

    if not 1 <= len(blobs) <= MAX_IMAGES:
        raise FollicleInputError("images", len(blobs), f"1 to {MAX_IMAGES} per visit")
    if corrections is not None and (file_names is None or len(file_names) != len(blobs)):
        raise FollicleInputError("images", "without file names", "each image's file name")
    by_name = corrections_by_image(corrections, list(file_names or []))
    day, label = _visit_day_and_label(region, visit_date, label)
    store = UploadStore(config.uploads_dir)
    names = [store.save(blob, sniff_image(blob)) for blob in blobs]
    own_names = dict(zip(names, file_names or names, strict=True))
    edits = {
        stored: by_name[own].model_dump(exclude_none=True)
        for stored, own in own_names.items()
        if own in by_name
    }
    try:
        scale = {"um_per_px": um_per_px, "device": device}
        return _save(config, names, edits, **scale, region=region, day=day, label=label)
    except FollicleInputError as error:
        _forget(store, names)
        message = str(error)
        for stored, own in own_names.items():  # errors name the user's files
            message = message.replace(stored, own)
        raise FollicleInputError.from_message(message) from None
    except Exception:
        _forget(store, names)
        raise


def _forget(store: UploadStore, names: list[str]) -> None:
    """A refused visit keeps no files."""
    for name in names:
        store.path(name).unlink(missing_ok=True)


def save_analysed_visit(
    config: WebConfig,
    images: list[tuple[str, object]],
    *,
    um_per_px: float | None = None,
    device: str | None = None,
    circle_radius_mm: float | None = None,
    region: str = "unspecified",
    visit_date: str | None = None,
    label: str | None = None,
) -> dict:
    """Images already analysed on the Measure page (``(image URL, ImageCorrections or
    None)`` pairs: the corrections by hand made there) saved as a visit, at the scale
    they were analysed at; measured with the corrections whenever the visit is."""
    from follicle.web.actions.measure import stored_image_name

    if not 1 <= len(images) <= MAX_IMAGES:
        raise FollicleInputError("images", len(images), f"1 to {MAX_IMAGES} per visit")
    store = UploadStore(config.uploads_dir)
    names = [store.path(stored_image_name(image)).name for image, _ in images]
    if len(set(names)) < len(names):
        raise FollicleInputError("images", "one image twice", "each image once")
    corrections = {
        name: c.model_dump(exclude_none=True)
        for name, (_, c) in zip(names, images, strict=True)
        if c is not None
    }
    day, label = _visit_day_and_label(region, visit_date, label)
    scale = {"um_per_px": um_per_px, "device": device, "circle_radius_mm": circle_radius_mm}
    return _save(config, names, corrections, **scale, region=region, day=day, label=label)


def _visit_day_and_label(region: str, visit_date: str | None, label: str | None):
    """The visit's checked region, day and label (words joined by single spaces)."""
    from follicle.model.regions import REGIONS
    from follicle.report.visit_data import parse_date

    if region not in (*REGIONS, "unspecified"):
        raise FollicleInputError("region", region[:40], f"one of {[*REGIONS, 'unspecified']}")
    label = " ".join((label or "").split())
    if len(label) > MAX_LABEL:
        raise FollicleInputError("label", label[:20] + "...", f"at most {MAX_LABEL} characters")
    day = parse_date(visit_date or dt.date.today().isoformat(), field="visit date")
    if day > dt.date.today():
        raise FollicleInputError("visit date", day.isoformat(), "today or a day before")
    return day, label


def _save(
    config: WebConfig,
    names: list[str],
    corrections: dict,
    *,
    um_per_px: float | None,
    device: str | None,
    region: str,
    day: dt.date,
    label: str,
    circle_radius_mm: float | None = None,
) -> dict:
    """Measure stored images as a visit (``report visit``), draw their overlays and
    keep the visit in the store; returns its payload."""
    from follicle.report.visit_report import build_visit_report

    saved = SavedVisit(
        id=uuid.uuid4().hex,
        created=time.time(),
        date=day.isoformat(),
        label=label or day.isoformat(),
        region=region,
        um_per_px=um_per_px,
        device=device,
        images=tuple(names),
        overlays=(),
        metrics={},
        corrections=corrections,
        circle_radius_mm=circle_radius_mm,
    )
    visit = _rebuilt(config, saved, saved.label)
    metrics = build_visit_report(visit).metrics
    pairs = zip(names, visit.images, strict=True)
    overlays = [_write_overlay(config, name, image) for name, image in pairs]
    saved = replace(saved, overlays=tuple(overlays), metrics=metrics.to_dict())
    store_ = _store(config)
    try:
        store_.add(saved)
    finally:
        store_.close()
    return saved.to_dict()


def list_visits(config: WebConfig) -> list[dict]:
    """The saved visits, newest first."""
    if not config.visits_path.exists():
        return []
    store = _store(config)
    try:
        return [v.to_dict() for v in store.list()]
    finally:
        store.close()


def saved_visit(config: WebConfig, visit_id: str) -> SavedVisit:
    """A saved visit by id (only ids this store made: 32 hex digits)."""
    visit = None
    if len(visit_id) == VISIT_ID_LENGTH and config.visits_path.exists():
        store = _store(config)
        try:
            visit = store.get(visit_id)
        finally:
            store.close()
    if visit is None:
        raise FollicleInputError("visit", visit_id[:40], "the id of a saved visit")
    return visit


def visit_to_correct(config: WebConfig, visit_id: str) -> dict:
    """A saved visit's images analysed again with its corrections by hand, as the
    Measure page shows a result to correct: ``{"results": [summary, ...], "form": the
    fields of the corrections form}`` (scale, region, date, label). Saving the result
    makes a new visit; the saved one is kept as it was."""
    from follicle.measure.correction_text import corrections_text
    from follicle.measure.corrections import ImageCorrections
    from follicle.web.actions.measure import analyze_stored

    saved = saved_visit(config, visit_id)
    scale = {"um_per_px": saved.um_per_px, "device": saved.device}
    if saved.device is not None:
        scale["circle_radius_mm"] = saved.circle_radius_mm
    results = []
    for name in saved.images:
        data = saved.corrections.get(name)
        corrections = ImageCorrections.model_validate(data) if data else None
        summary = analyze_stored(
            config, image=f"/files/{name}", corrections=corrections, region=saved.region, **scale
        )
        if corrections is not None:  # the fields echo the saved corrections
            summary["corrections_text"] = corrections_text(corrections)
        results.append(summary)
    form = {
        "scale": "um_per_px" if saved.um_per_px is not None else "device",
        "um_per_px": "" if saved.um_per_px is None else repr(saved.um_per_px),
        "device": saved.device or "",
        "circle_radius_mm": "" if saved.circle_radius_mm is None else repr(saved.circle_radius_mm),
        "region": "" if saved.region == "unspecified" else saved.region,
        "visit_date": saved.date,
        "label": saved.label,
    }
    return {"results": results, "form": form}


def _rebuilt(config: WebConfig, saved: SavedVisit, label: str):
    """The saved visit measured again from its stored images (the analysis is
    deterministic: the same hairs as when it was saved)."""
    from follicle.measure.corrections import ImageCorrections
    from follicle.report.visit_data import ScaleSpec, visit_from_images

    store = UploadStore(config.uploads_dir)
    scale = ScaleSpec(
        um_per_px=saved.um_per_px, device=saved.device, circle_radius_mm=saved.circle_radius_mm
    )
    corrections = {
        name: ImageCorrections.model_validate(data) for name, data in saved.corrections.items()
    }
    return visit_from_images(
        [store.path(name) for name in saved.images],
        scale=scale,
        region=saved.region,
        label=label,
        date=saved.date,
        corrections=corrections,
    )


def _ordered(config: WebConfig, first_id: str, second_id: str) -> list[SavedVisit]:
    """The two visits, the earlier (by date, then by when it was saved) first."""
    if first_id == second_id:
        raise FollicleInputError("visits", first_id[:40], "two different saved visits")
    return sorted(
        (saved_visit(config, first_id), saved_visit(config, second_id)),
        key=lambda v: (v.date, v.created),
    )


def _comparison(config: WebConfig, pair: list[SavedVisit], *, with_visits: bool = False):
    """The ``report visit --previous`` report of the pair (and the two rebuilt visits)."""
    from follicle.report.visit_report import build_visit_report

    before, after = (
        _rebuilt(config, saved, f"{role} ({saved.label})")
        for saved, role in zip(pair, ("previous visit", "this visit"), strict=True)
    )
    report = build_visit_report(after, previous=before)
    return (report, before, after) if with_visits else report


def compare_saved_visits(config: WebConfig, first_id: str, second_id: str) -> dict:
    """The two visits side by side: the earlier one is the previous visit. Returns
    ``{"previous", "current", "report", "image_pairs", **report visit --json}``, where
    ``image_pairs`` has every image pair's overlays and its hairs matched one by one
    (``actions.visit_pairs``)."""
    from follicle.web.actions.visit_pairs import image_pairs

    pair = _ordered(config, first_id, second_id)
    report, before, after = _comparison(config, pair, with_visits=True)
    return {
        "previous": pair[0].to_dict(),
        "current": pair[1].to_dict(),
        "report": f"/visits/compare/{pair[0].id}/{pair[1].id}/report",
        "image_pairs": image_pairs(pair, report, before, after),
        **report.to_dict(),
    }


def visit_report_file(config: WebConfig, visit_id: str) -> Path:
    """The saved visit's HTML report (``report visit``), written on first request."""
    from follicle.report.visit_report import build_visit_report

    saved = saved_visit(config, visit_id)
    path = _reports(config) / f"visit-{saved.id}.html"
    if not path.is_file():
        report = build_visit_report(_rebuilt(config, saved, saved.label))
        _write_atomically(path, report.to_html())
    return path


def comparison_report_file(config: WebConfig, first_id: str, second_id: str) -> Path:
    """The comparison's HTML report (``report visit --previous``), written on first
    request; either order of the ids gives the same report."""
    pair = _ordered(config, first_id, second_id)
    path = _reports(config) / f"compare-{pair[0].id}-{pair[1].id}.html"
    if not path.is_file():
        _write_atomically(path, _comparison(config, pair).to_html())
    return path


def _write_atomically(path: Path, text: str) -> None:
    """Two requests for the same report never leave a half-written file."""
    temporary = path.with_name(f".{uuid.uuid4().hex}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _reports(config: WebConfig) -> Path:
    reports = config.data_dir / "reports"
    reports.mkdir(exist_ok=True, mode=0o700)
    return reports


def _write_overlay(config: WebConfig, name: str, image) -> str:
    """The image's overlay (hairs by class, scale bar) beside it, as the Measure page
    draws it."""
    import numpy as np
    from PIL import Image

    from follicle.measure.overlay import render_overlay
    from follicle.measure.scale_bar import draw_scale_bar

    picture = draw_scale_bar(
        render_overlay(image.rgb, image.analysis), um_per_px=image.analysis.um_per_px
    )
    # A name of its own: an image analysed on the Measure page has an overlay already.
    overlay_name = f"{uuid.uuid4().hex}.overlay.png"
    with open(config.uploads_dir / overlay_name, "xb") as handle:
        Image.fromarray(np.asarray(picture)).save(handle, format="PNG")
    return overlay_name
