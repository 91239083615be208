"""One visit of one scalp site, ready for a report: hairs, area, images, scale, inputs.

A visit comes from trichoscopy images (analysed here, with a scale given as um/px, a
device preset or a stage micrometer image) or from a hairs table with its area. Each
input is fingerprinted (SHA-256) so a report says exactly what it was made from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from follicle.errors import FollicleInputError
from follicle.measure.analyze import AnalysisSettings, ImageAnalysis, analyze_image
from follicle.measure.calibration import (
    DEVICE_PRESETS,
    resolve_image_scale,
    um_per_px_from_micrometer,
)
from follicle.measure.image_io import load_image
from follicle.measure.metrics import parse_area_cm2
from follicle.measure.table_io import TABLE_SUFFIXES, read_hairs_table
from follicle.provenance import sha256_file

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")


@dataclass(frozen=True, kw_only=True)
class InputFile:
    """A file a report was made from, with its fingerprint."""

    name: str
    sha256: str
    role: str  # "image", "hairs table", "stage micrometer"


@dataclass(frozen=True, kw_only=True)
class ScaleSpec:
    """How to get micrometres per pixel: exactly one of the three ways."""

    um_per_px: float | None = None
    device: str | None = None
    micrometer: Path | None = None
    line_spacing_um: float = 10.0
    circle_radius_mm: float | None = None  # with device: the image's measuring circle

    def __post_init__(self):
        given = sum(v is not None for v in (self.um_per_px, self.device, self.micrometer))
        if given != 1:
            raise FollicleInputError(
                "calibration",
                f"{given} options given",
                "exactly one of um_per_px (--um-per-px), device (--device) or "
                "micrometer (--micrometer)",
            )


@dataclass(frozen=True, kw_only=True)
class Scale:
    """The scale used and, in words, how it was set."""

    um_per_px: float
    how: str  # short, for captions
    detail: str = ""  # the derivation, for the provenance


@dataclass(frozen=True, kw_only=True, eq=False)  # holds arrays and tables
class VisitImage:
    """One analysed image: the pixels (for overlays) and what the analyser found."""

    name: str
    rgb: np.ndarray
    analysis: ImageAnalysis


@dataclass(frozen=True, kw_only=True, eq=False)  # holds arrays and tables
class Visit:
    """Hairs of one site at one visit, with the area they were counted in."""

    label: str
    date: dt.date | None
    region: str
    hairs: pd.DataFrame  # hairs table; from images it has an ``image`` column
    area_cm2: float
    yellow_dots: int | None
    images: tuple[VisitImage, ...]  # empty when the visit came from a hairs table
    scales: tuple[Scale, ...]  # one per image (empty for a hairs table)
    inputs: tuple[InputFile, ...]

    @property
    def image_count(self) -> int:
        return len(self.images)


def parse_date(value: str | dt.date | None, *, field: str) -> dt.date | None:
    """An ISO date (YYYY-MM-DD), or a FollicleInputError naming the field."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise FollicleInputError(field, value, "a date as YYYY-MM-DD") from None


def resolve_scale(
    spec: ScaleSpec,
    *,
    image_width_px: int,
    rgb: np.ndarray | None = None,
    burnt_in=None,
    micrometer_um_per_px: float | None = None,
) -> tuple[Scale, InputFile | None]:
    """The scale for one image and the micrometer file it came from (if any), set as
    ``follicle analyze`` sets it (``calibration.resolve_image_scale``): with a device,
    the image's own measuring circle or scale bar wins over the preset. ``rgb``: the
    image (without it a device gives its preset); ``burnt_in``: its device graphics
    when already found; ``micrometer_um_per_px``: the micrometer already measured."""
    micrometer = None
    if spec.micrometer is not None:
        path = Path(spec.micrometer)
        if micrometer_um_per_px is None:
            micrometer_um_per_px = um_per_px_from_micrometer(
                load_image(path), line_spacing_um=spec.line_spacing_um
            )
        micrometer = InputFile(name=path.name, sha256=sha256_file(path), role="stage micrometer")
    if rgb is None:  # no image to look at: a blank one of that width gives the preset
        rgb = np.zeros((1, image_width_px, 3), np.uint8)
        burnt_in = None if spec.device is None else _nothing_burnt_in(rgb)
    found = resolve_image_scale(
        rgb,
        um_per_px=spec.um_per_px,
        device=spec.device,
        micrometer_um_per_px=micrometer_um_per_px if micrometer else None,
        circle_radius_mm=spec.circle_radius_mm,
        burnt_in=burnt_in,
    )
    value = found.um_per_px
    if found.source == "given":
        return Scale(um_per_px=value, how=f"given: {value:g} um/px"), None
    if found.source == "micrometer":
        how = f"stage micrometer image {micrometer.name}"
        detail = f"{spec.line_spacing_um:g} um rulings, strongest spatial frequency"
        return Scale(um_per_px=value, how=how, detail=detail), micrometer
    if found.source == "preset":
        preset = DEVICE_PRESETS[spec.device]
        detail = (
            f"{preset.field_width_mm:g} mm field / {rgb.shape[1]} px ({preset.note}; "
            "verify with a stage micrometer)"
        )
        return Scale(um_per_px=value, how=f"device preset {spec.device}", detail=detail), None
    how = f"{found.source} in the image ({spec.device})"
    return Scale(um_per_px=value, how=how, detail=found.detail), None


def _nothing_burnt_in(rgb: np.ndarray):
    from follicle.measure.burnt_in import BurntIn

    empty = np.zeros(rgb.shape[:2], bool)
    return BurntIn(top_rows=0, bottom_rows=0, paint=empty, blocked=empty)


def _kind(paths: list[Path], field: str) -> str:
    suffixes = {p.suffix.lower() for p in paths}
    if suffixes <= set(IMAGE_SUFFIXES):
        return "images"
    if len(paths) == 1 and suffixes <= set(TABLE_SUFFIXES):
        return "table"
    allowed = (
        f"images ({', '.join(IMAGE_SUFFIXES)}) or one hairs table ({', '.join(TABLE_SUFFIXES)})"
    )
    raise FollicleInputError(field, ", ".join(p.name for p in paths), allowed)


def visit_from_images(
    paths: list[Path],
    *,
    scale: ScaleSpec,
    region: str = "unspecified",
    label: str = "this visit",
    date: str | dt.date | None = None,
    settings: AnalysisSettings | None = None,
    corrections: dict | None = None,
) -> Visit:
    """Analyse each image; the visit's hairs are all images' hairs, its area their sum.
    ``corrections``: image file name -> ``ImageCorrections`` (hairs removed, added or
    split by hand; ``measure.corrections``)."""
    from follicle.measure.burnt_in import find_burnt_in
    from follicle.measure.corrections import check_made_for, naming_the_image

    images, scales, tables, inputs = [], [], [], []
    next_id = 0
    area = 0.0
    dots = 0
    micrometer_um_per_px = None
    for index, path in enumerate(paths):
        path = Path(path)
        rgb = load_image(path)
        # Device graphics found once: masked by the analysis, and they may calibrate.
        burnt = find_burnt_in(rgb, captions=settings is None or settings.text_bar == "auto")
        image_scale, micrometer = resolve_scale(
            scale,
            image_width_px=rgb.shape[1],
            rgb=rgb,
            burnt_in=burnt,
            micrometer_um_per_px=micrometer_um_per_px,
        )
        if micrometer is not None:
            micrometer_um_per_px = image_scale.um_per_px  # measured once for all images
            if micrometer not in inputs:
                inputs.append(micrometer)
        edits = (corrections or {}).get(path.name)
        if edits is not None:
            check_made_for(edits, path=path, um_per_px=image_scale.um_per_px)
        with naming_the_image(path.name):
            analysis = analyze_image(
                rgb,
                um_per_px=image_scale.um_per_px,
                region=region,
                settings=settings,
                burnt_in=burnt,
                corrections=edits,
            )
        role = "image"
        if edits is not None:
            counts = edits.counts()
            role = (
                f"image corrected by hand ({counts['removed']} removed, {counts['added']} "
                f"added, {counts['split']} split)"
            )
        inputs.append(InputFile(name=path.name, sha256=sha256_file(path), role=role))
        images.append(VisitImage(name=path.name, rgb=rgb, analysis=analysis))
        scales.append(image_scale)
        area += analysis.area_cm2
        dots += len(analysis.yellow_dots_um)
        table = analysis.hairs.copy()
        table["hair_id"] += next_id  # unique across images (corrections may leave gaps)
        next_id = int(table["hair_id"].max()) + 1 if len(table) else next_id
        table["unit_id"] += 1_000_000 * index  # units never span images
        table.insert(2, "image", path.name)
        tables.append(table)
    hairs = pd.concat(tables, ignore_index=True)
    return Visit(
        label=label,
        date=parse_date(date, field=f"{label} date"),
        region=region,
        hairs=hairs,
        area_cm2=area,
        yellow_dots=dots,
        images=tuple(images),
        scales=tuple(scales),
        inputs=tuple(inputs),
    )


def visit_from_table(
    path: Path,
    *,
    area_cm2: float | None,
    yellow_dots: int | None = None,
    region: str | None = None,
    label: str = "this visit",
    date: str | dt.date | None = None,
) -> Visit:
    """A visit from a hairs table counted in ``area_cm2`` (rows of ``region`` only, if given)."""
    path = Path(path)
    if area_cm2 is None:
        raise FollicleInputError(
            f"{label} area_cm2", None, "the area the hairs table was counted in (--area-cm2)"
        )
    area = parse_area_cm2(area_cm2, field_name=f"{label} area_cm2")
    hairs = read_hairs_table(path)
    if region is not None:
        hairs = hairs[hairs["region"] == region].reset_index(drop=True)
    regions = sorted(set(hairs["region"].dropna().astype(str)))
    shown = region or (regions[0] if len(regions) == 1 else "mixed")
    return Visit(
        label=label,
        date=parse_date(date, field=f"{label} date"),
        region=shown,
        hairs=hairs,
        area_cm2=area,
        yellow_dots=yellow_dots,
        images=(),
        scales=(),
        inputs=(InputFile(name=path.name, sha256=sha256_file(path), role="hairs table"),),
    )


def load_visit(
    paths: list[Path],
    *,
    scale: ScaleSpec | None = None,
    area_cm2: float | None = None,
    yellow_dots: int | None = None,
    region: str | None = None,
    label: str = "this visit",
    date: str | dt.date | None = None,
    settings: AnalysisSettings | None = None,
    corrections: dict | None = None,
) -> Visit:
    """Images (analysed with ``scale``, corrected by hand with ``corrections``: image
    file name -> ``ImageCorrections``) or one hairs table (counted in ``area_cm2``)."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise FollicleInputError(f"{label} inputs", "none", "at least one image or hairs table")
    if _kind(paths, f"{label} inputs") == "table":
        return visit_from_table(
            paths[0],
            area_cm2=area_cm2,
            yellow_dots=yellow_dots,
            region=region,
            label=label,
            date=date,
        )
    if scale is None:
        raise FollicleInputError(
            "calibration", "none", "--um-per-px, --device or --micrometer for images"
        )
    return visit_from_images(
        paths,
        scale=scale,
        region=region or "unspecified",
        label=label,
        date=date,
        settings=settings,
        corrections=corrections,
    )
