"""``analyze_images``: several trichoscopy images of one site, one merged hairs table.

The verb behind ``follicle analyze``. Each image is loaded, its device graphics found
(masked, and usable for calibration), its scale set by exactly one of three ways (a
given um/px, a device preset that yields to the image's own measuring circle or scale
bar, or a stage micrometer image), then analysed; the hairs of all images are merged
into one table whose ``hair_id`` run on and whose follicular units never span images.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from follicle.errors import FollicleInputError
from follicle.measure.calibration import (
    resolve_image_scale,
    scale_label,
    um_per_px_from_micrometer,
)
from follicle.measure.corrections import (
    CorrectionsFile,
    check_made_for,
    corrections_by_image,
    naming_the_image,
    read_corrections,
)
from follicle.provenance import envelope, input_record

#: Follicular-unit ids of image i are offset by i times this, so units never span images.
UNIT_ID_STRIDE = 1_000_000


@dataclass(frozen=True, kw_only=True)
class ScaleOptions:
    """How to set the scale of each image: exactly one of ``um_per_px``, ``device`` or
    ``micrometer`` (with ``line_spacing_um``). With ``device``, an image carrying the
    device's measuring circle (radius ``circle_radius_mm``) or scale bar is calibrated
    from it; otherwise the preset is used."""

    um_per_px: float | None = None
    device: str | None = None
    micrometer: Path | None = None
    line_spacing_um: float = 10.0
    circle_radius_mm: float | None = None

    def __post_init__(self):
        given = sum(v is not None for v in (self.um_per_px, self.device, self.micrometer))
        if given != 1:
            raise FollicleInputError(
                "calibration",
                f"{given} options given",
                "exactly one of --um-per-px, --device or --micrometer",
            )

    def scale_for(self, rgb, *, burnt_in=None, micrometer_scale: float | None = None):
        """``(um_per_px, where it came from)`` for one image
        (``calibration.resolve_image_scale``)."""
        found = resolve_image_scale(
            rgb,
            um_per_px=self.um_per_px,
            device=self.device,
            micrometer_um_per_px=micrometer_scale if self.micrometer is not None else None,
            circle_radius_mm=self.circle_radius_mm,
            burnt_in=burnt_in,
        )
        return found.um_per_px, scale_label(found)


@dataclass(frozen=True, kw_only=True, eq=False)  # holds a table
class ImagesAnalysis:
    """Per image: a summary (counts, scale, metrics); all images: one hairs table."""

    images: tuple[dict[str, Any], ...]
    hairs: pd.DataFrame
    warnings: tuple[tuple[str, str], ...]  # (image file name, warning)
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``follicle analyze --json`` (schema: schemas/analyze.json)."""
        return {"provenance": self.provenance, "images": list(self.images)}


def analyze_images(
    images: Sequence[str | Path],
    *,
    scale: ScaleOptions,
    region: str = "unspecified",
    polarity: str = "auto",
    pipeline: str = "classical",
    overlay_dir: str | Path | None = None,
    progress: Callable[[Sequence], Any] | None = None,
    corrections: str | Path | CorrectionsFile | None = None,
) -> ImagesAnalysis:
    """Analyse each image of ``images`` (paths) and merge their hairs.

    ``overlay_dir``: write ``IMAGE.overlay.png`` there for each image (what was found,
    for a person to check). ``progress``: wraps the list of paths (e.g. a progress bar).
    ``pipeline``: 'classical' or 'learned' (``analyze_image``). ``corrections``: a
    corrections file (or its contents) with hairs removed, added or split by hand, per
    image file name (``corrections``); the merged table then has a ``correction``
    column, and each corrected image's summary counts its corrections.
    """
    from follicle.measure.analyze import PIPELINES, AnalysisSettings, analyze_image
    from follicle.measure.burnt_in import find_burnt_in
    from follicle.measure.hairs_table import empty_hairs_table
    from follicle.measure.image_io import load_image

    settings = AnalysisSettings(polarity=polarity)
    if pipeline not in PIPELINES:
        raise FollicleInputError("pipeline", pipeline, " or ".join(map(repr, PIPELINES)))
    paths = [Path(p) for p in images]
    if not paths:
        raise FollicleInputError("images", "[]", "at least one image")
    micrometer_scale = None
    if scale.micrometer is not None:
        micrometer_scale = um_per_px_from_micrometer(
            load_image(scale.micrometer), line_spacing_um=scale.line_spacing_um
        )
    if corrections is not None and not isinstance(corrections, CorrectionsFile):
        corrections = read_corrections(corrections)
    by_name = corrections_by_image(corrections, [path.name for path in paths])
    if overlay_dir is not None:
        overlay_dir = Path(overlay_dir)
        overlay_dir.mkdir(parents=True, exist_ok=True)
    summaries, tables, warnings = [], [], []
    next_id = 0
    for index, path in enumerate(progress(paths) if progress else paths):
        rgb = load_image(path)
        burnt = find_burnt_in(rgb)  # device graphics: masked, and they may calibrate
        um_per_px, scale_source = scale.scale_for(
            rgb, burnt_in=burnt, micrometer_scale=micrometer_scale
        )
        edits = by_name.get(path.name)
        if edits is not None:
            check_made_for(edits, path=path, um_per_px=um_per_px)
        with naming_the_image(path.name):
            analysis = analyze_image(
                rgb,
                um_per_px=um_per_px,
                region=region,
                settings=settings,
                burnt_in=burnt,
                pipeline=pipeline,
                corrections=edits,
            )
        summary = analysis.summary() | {"source": str(path), "scale_source": scale_source}
        if edits is not None:
            summary["corrections"] = edits.counts()
        warnings += [(path.name, warning) for warning in analysis.warnings]
        if len(analysis.hairs):
            summary["metrics"] = analysis.metrics().to_dict()
            table = analysis.hairs.copy()
            # Numbers run on across images (after corrections by hand they may have gaps).
            table["hair_id"] += next_id
            next_id = int(table["hair_id"].max()) + 1
            table["unit_id"] += UNIT_ID_STRIDE * index
            table.insert(2, "image", path.name)
            tables.append(table)
        if overlay_dir is not None:
            target = overlay_dir / f"{path.stem}.overlay.png"
            _write_overlay(target, rgb, analysis)
            summary["overlay"] = str(target)
        summaries.append(summary)
    hairs = pd.concat(tables, ignore_index=True) if tables else empty_hairs_table()
    if by_name and "correction" in hairs:  # images without corrections: as found
        hairs["correction"] = hairs["correction"].fillna("")
    inputs = [input_record("image", path) for path in paths]
    if scale.micrometer is not None:
        inputs.append(input_record("stage micrometer", scale.micrometer))
    parameters_extra = {}
    if corrections is not None:
        parameters_extra["corrections"] = corrections.model_dump(exclude_none=True)
    provenance = envelope(
        "measure.analyze_images",
        parameters={
            "scale": scale,
            "region": region,
            "polarity": polarity,
            "pipeline": pipeline,
            "settings": settings,
        }
        | parameters_extra,
        inputs=inputs,
    )
    return ImagesAnalysis(
        images=tuple(summaries), hairs=hairs, warnings=tuple(warnings), provenance=provenance
    )


def _write_overlay(target: Path, rgb, analysis) -> None:
    """The overlay PNG, written whole or not at all (a temporary file moved into place)."""
    from PIL import Image

    from follicle.measure.overlay import render_overlay

    if target.exists() and not target.is_file():
        raise FollicleInputError("overlay", str(target), "a regular file or a new path")
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    try:
        Image.fromarray(render_overlay(rgb, analysis)).save(temporary, format="PNG")
        os.chmod(temporary, 0o644)
        try:
            os.replace(temporary, target)
        except OSError as error:
            raise FollicleInputError("overlay", str(target), f"a writable path ({error})") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
