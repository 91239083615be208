"""One image, scale and analysis together: what ``follicle analyze --json`` reports per
image, for front ends that hold the image in memory (the web app) rather than a path."""

from __future__ import annotations

from typing import Any

import numpy as np

from follicle.errors import FollicleInputError
from follicle.measure.analyze import AnalysisSettings, ImageAnalysis, analyze_image
from follicle.measure.burnt_in import BurntIn, find_burnt_in
from follicle.measure.calibration import resolve_image_scale, scale_label
from follicle.measure.corrections import ImageCorrections


def scale_for_image(
    rgb: np.ndarray,
    *,
    um_per_px: float | None = None,
    device: str | None = None,
    circle_radius_mm: float | None = None,
    burnt_in: BurntIn | None = None,
) -> tuple[float, str]:
    """The scale (um per pixel) and where it came from: exactly one of ``um_per_px`` or
    ``device`` (a preset, which yields to the image's own measuring circle, given its
    printed ``circle_radius_mm``, or to its scale bar)."""
    given = sum(v is not None for v in (um_per_px, device))
    if given != 1:
        raise FollicleInputError(
            "calibration", f"{given} options given", "exactly one of um_per_px or device"
        )
    found = resolve_image_scale(
        rgb,
        um_per_px=um_per_px,
        device=device,
        circle_radius_mm=circle_radius_mm,
        burnt_in=burnt_in,
    )
    return found.um_per_px, scale_label(found)


def analyze_scaled(
    rgb: np.ndarray,
    *,
    um_per_px: float | None = None,
    device: str | None = None,
    circle_radius_mm: float | None = None,
    region: str = "unspecified",
    polarity: str = "auto",
    pipeline: str = "classical",
    source: str | None = None,
    corrections: ImageCorrections | None = None,
) -> tuple[ImageAnalysis, dict[str, Any]]:
    """Analyse ``rgb`` at the scale :func:`scale_for_image` finds. Returns the analysis and
    its summary as ``follicle analyze --json`` prints it for one image (``source``,
    ``scale_source`` and, when hairs were found, ``metrics``). ``pipeline``: 'classical'
    or 'learned' (``analyze_image``); ``corrections``: hairs removed, added or split by
    hand (``corrections``; the summary then counts them)."""
    settings = AnalysisSettings(polarity=polarity)
    burnt = find_burnt_in(rgb)  # device graphics: masked, and they may calibrate
    scale, scale_source = scale_for_image(
        rgb,
        um_per_px=um_per_px,
        device=device,
        circle_radius_mm=circle_radius_mm,
        burnt_in=burnt,
    )
    analysis = analyze_image(
        rgb,
        um_per_px=scale,
        region=region,
        settings=settings,
        burnt_in=burnt,
        pipeline=pipeline,
        corrections=corrections,
    )
    summary = analysis.summary() | {"source": source, "scale_source": scale_source}
    if corrections is not None:
        summary["corrections"] = corrections.counts()
    if len(analysis.hairs):
        summary["metrics"] = analysis.metrics().to_dict()
    return analysis, summary
