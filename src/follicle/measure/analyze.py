"""Trichoscopy image analysis: hair shafts, widths in um, follicular units, yellow dots.

Pipeline (classical, CPU, no learned model):
1. mask what the device printed over the image (caption bars, measuring circle, scale
   bar, labels: ``burnt_in``); pick polarity (dark hair on light skin, or light on dark);
2. contrast = relative difference from a skin background (closing wider than any shaft),
   in the colour channel that ignores blue dye (max of R, G, B for dark hair);
3. hysteresis threshold -> hair mask; skeleton -> branches -> hairs chained straight
   through junctions (crossing hairs stay two hairs, hairs sharing an opening split,
   side by side or in a narrow V: ``pairs``, ``v_pairs``; a thin hair running on past a
   thick one's end cut off: ``thin_tails``); faint thin straight hairs below the seeds
   found by a line filter (``faint_hairs``);
4. width of each hair = median full width at half maximum of perpendicular profiles;
5. exit points and follicular units from the shaft ends; yellow dots from yellowness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import ndimage

from follicle.errors import FollicleInputError
from follicle.measure.background import robust_sd, skin_background, wide_level
from follicle.measure.binary_ops import dilate_square, mask_at
from follicle.measure.burnt_in import BurntIn, caption_rows, find_burnt_in, paint_over
from follicle.measure.calibration import (
    TERMINAL_RANGE_UM,
    check_um_per_px,
    resolution_warnings,
    width_scale_check,
)
from follicle.measure.cores import core_shafts
from follicle.measure.correcting import apply_corrections
from follicle.measure.corrections import ImageCorrections, corrections_record
from follicle.measure.end_marks import marks_at_hair_ends
from follicle.measure.faint_hairs import (
    faint_line_shafts,
    shrunk_line_strength,
    side_darkening,
)
from follicle.measure.focus import THICK_HAIR_UM, edge_blur_px, focus_warnings
from follicle.measure.hairs_table import DEFAULT_CUTOFFS, DiameterCutoffs, empty_hairs_table
from follicle.measure.image_io import check_image, load_image
from follicle.measure.metrics import Metrics, measure
from follicle.measure.pairs import split_side_by_side
from follicle.measure.provenance import provenance
from follicle.measure.second_hairs import second_hairs
from follicle.measure.shafts import (
    Shaft,
    bridge_gaps,
    hair_mask,
    mask_objects,
    object_distance,
    trace_shafts,
)
from follicle.measure.stubs import stub_shafts
from follicle.measure.thin_tails import thin_tail
from follicle.measure.units import group_units, shaft_ends
from follicle.measure.v_pairs import split_v_pair
from follicle.measure.widths import (
    WidthEstimate,
    centred_branches,
    shaft_samples,
    shaft_width,
    shoulder_reach_px,
)
from follicle.measure.yellow_dots import find_yellow_dots

Polarity = Literal["auto", "dark", "light"]
PIPELINES = ("classical", "learned")  # how the shaft mask is made (``segmenter``: learned)
# A shaft reaching this close (um) to the frame or a masked area is cut by it: 3 px at the
# 70x device's 2.76 um/px, in um so that the same hair is flagged at any magnification
# (in px, at half resolution 13% more dev hairs touched the border: docs/measure.md).
EDGE_BAND_UM = 8.28
# Hairs are counted by their exit, inside a counting frame: the field minus a guard zone
# this wide (um) along the frame and masked areas. A shaft's centre line stops about a
# half-width short of a frame it runs into (up to ~80 um for the widest, 160 um), so an
# entering hair's end at the frame lies inside the guard zone; the density divides by
# the counting frame's area, so hairs leaving from the guard zone are not missed either
# (the guard-zone rule of stereology; docs/measure.md, "Hairs cut by the frame").
GUARD_ZONE_UM = 90.0
# How far past a shaft's end its exit's shadow is read (um, at least 4 half-widths): the
# shaft under the skin shows as a haze over about this length on the dev images.
END_SHADOW_UM = 150.0


@dataclass(frozen=True, kw_only=True)
class AnalysisSettings:
    """Tunable thresholds of the analyser (defaults suit 2-10 um/px trichoscopy)."""

    polarity: Polarity = "auto"
    low_contrast: float = 0.10  # hysteresis: weak shaft pixels (relative to skin)
    high_contrast: float = 0.20  # hysteresis: seeds; every hair has some pixels above
    min_shaft_contrast: float = 0.2  # median peak contrast of a kept shaft (texture is fainter)
    # Dye halos and opening shadows are wider than any shaft: their level (a grey opening
    # this wide) is taken off the contrast before thresholding (0: off).
    halo_width_um: float = 120.0
    # ... but at most this level: halos and shadows are fainter than hair, so a darker
    # wide level is two or three hairs of one opening side by side, kept in the mask.
    halo_max_contrast: float = 0.4
    min_diameter_um: float = 8.0
    max_diameter_um: float = 160.0
    min_length_um: float = 80.0  # shorter dark marks are debris, not hairs
    min_aspect: float = 2.5  # length / width: rounder blobs are not shafts
    # Dark short stubs: a shaft this dark (median peak contrast) needs only this aspect.
    # Calibrated on a third of the dev images (docs/measure.md): short marks this dark
    # matched boxes as often as long shafts, fainter ones almost never.
    dark_stub_contrast: float = 0.6
    dark_stub_aspect: float = 2.0
    # Faint short marks: a shaft fainter than this (median peak contrast) and away from
    # the border must be at least this long. Calibrated on the dev images (docs/measure.md):
    # such marks (skin folds, edges of dye halos) matched no box 10 times as often as one.
    faint_contrast: float = 0.3
    faint_min_length_um: float = 150.0
    # Marks at a hair's end (its opening's rim and shadow, a frayed tip): a shaft shorter
    # than this, at most ``end_mark_width_ratio`` times as wide as a longer hair and
    # within one of its widths of that hair's end, is dropped (``end_marks``; 0: off).
    # Calibrated on the dev images (docs/measure.md).
    end_mark_length_um: float = 150.0
    end_mark_width_ratio: float = 0.7
    unit_radius_um: float = 200.0  # exits closer than this may share one opening
    max_turn_deg: float = 40.0  # a shaft bends less than this through a junction
    text_bar: Literal["auto", "none"] = "auto"
    find_yellow_dots: bool = True
    # A yellow dot's pixels and its peak stand this many robust SDs of the image's own
    # yellowness texture above the skin (``yellow_dots``; 0 and 0: the fixed 0.07 alone).
    # On the real dev images the fixed threshold reported 67 skin blotches as dots, a
    # peak of 4 / 5 / 6 SDs 33 / 13 / 1 (docs/measure.md, "Yellow dots on real images").
    yellow_dot_weak_sds: float = 3.0
    yellow_dot_seed_sds: float = 6.0
    # Bar-shaped mask objects whose skeleton fell into short pieces: one shaft along the
    # object's axis (thick clipped stubs; ``stubs``).
    whole_stubs: bool = True
    # Objects the skeleton spans poorly (hairs of one opening in a dye halo: a wedge)
    # thresholded again at this share of their own darkest level; each bar-shaped dark
    # core is a shaft (``cores``; 0: off).
    core_share: float = 0.6
    # A shaft this many times wider than the image's single hairs (or wider than
    # max_diameter_um) is two hairs side by side: split in two (``pairs``; 0: off).
    pair_width_ratio: float = 1.7
    # Centre lines moved to the middle of the shaft's half-height edges (a halo or shadow
    # on one side pulls the mask's skeleton towards one edge).
    recentre: bool = True
    # Each edge read at half height above the level just outside it: a halo or shadow
    # beside a shaft (a shoulder) would otherwise widen the width at half maximum. Off:
    # on the real dev images it narrowed shafts enough to over-count (docs/measure.md).
    halo_shoulder: bool = False
    # The reported diameter of a shaft measured below this (um) is read again with the
    # shoulders (as ``halo_shoulder``), for the diameter only: the rules that decide what
    # is a hair keep the plain width (0: off).
    shoulder_below_um: float = 50.0
    # Faint thin hairs (``faint_hairs``): long straight ridges too faint for the mask's
    # seeds, found by a line filter, kept as hairs when measured at most this wide (um)
    # and at least ``faint_min_length_um`` long (0: off).
    faint_hair_max_um: float = 40.0
    faint_line_sd: float = 5.0  # seed level of the line filter, robust SDs over skin
    # ... and kept only when darker than the skin on each side by at least this share
    # (mean of R, G, B; ``faint_hairs.side_darkening``). Calibrated on the dev images
    # (docs/measure.md): fainter lines were mostly skin folds and rims of dye stains,
    # lines darker than one side only the edges of yellow dots and of dark hairs.
    faint_min_darkening: float = 0.15
    # ... or, for a line longer than ``faint_min_length_um``, that share times
    # sqrt(faint_min_length_um / length) (the darkening is a mean along the line: its
    # skin-texture noise falls with the square root of the length), not below this floor
    # (the level of skin folds and rims of dye stains; at ``faint_min_darkening``: off).
    faint_long_min_darkening: float = 0.12
    # Thin hairs continuing a thick one in line (``thin_tails``): a stretch at least this
    # long (um) at a thick shaft's end where the mask is at most ``thin_tail_mask_um``
    # wide, beyond a step from at least twice that width, becomes a hair of its own when
    # measured at most ``faint_hair_max_um`` wide (0: off).
    thin_tail_length_um: float = 150.0
    thin_tail_mask_um: float = 50.0
    # Two hairs of one opening in a narrow V (``v_pairs``): a shaft widening steadily to
    # at least this many single hairs at one end, with two ridges there, split in two
    # (0: off).
    v_pair_ratio: float = 1.4
    v_pair_min_single: float = 0.9  # ... among shafts at least this many single hairs wide
    # ... whose widths scatter about their line by at most this many single hairs (SD; a
    # thick hair ending in a thin tip steps rather than grows; 0: no limit)
    v_pair_max_scatter: float = 0.15
    # A second hair lying along a kept thick one in the same mask object
    # (``second_hairs``): a line of the faint-line filter at least this long (um) in the
    # object outside the kept hairs' bands, the object at least 1.2 single hairs wide
    # across it (0: off).
    second_hair_length_um: float = 150.0

    def __post_init__(self):
        checks = (
            ("polarity", self.polarity in ("auto", "dark", "light"), "'auto', 'dark' or 'light'"),
            ("low_contrast", 0 < self.low_contrast < 1, "a number in (0, 1)"),
            (
                "high_contrast",
                self.low_contrast <= self.high_contrast < 1,
                "a number in [low_contrast, 1)",
            ),
            ("min_shaft_contrast", 0 <= self.min_shaft_contrast < 1, "a number in [0, 1)"),
            ("halo_width_um", self.halo_width_um >= 0, "a number >= 0"),
            ("halo_max_contrast", 0 < self.halo_max_contrast <= 1, "a number in (0, 1]"),
            (
                "min_diameter_um",
                0 < self.min_diameter_um < self.max_diameter_um,
                "a number in (0, max_diameter_um)",
            ),
            ("max_diameter_um", 0 < self.max_diameter_um <= 500, "a number in (0, 500]"),
            ("min_length_um", self.min_length_um >= 0, "a number >= 0"),
            ("unit_radius_um", self.unit_radius_um > 0, "a positive number"),
            ("dark_stub_contrast", 0 < self.dark_stub_contrast <= 1, "a number in (0, 1]"),
            ("faint_contrast", 0 <= self.faint_contrast < 1, "a number in [0, 1) (0: off)"),
            ("faint_min_length_um", self.faint_min_length_um >= 0, "a number >= 0"),
            ("end_mark_length_um", self.end_mark_length_um >= 0, "a number >= 0 (0: off)"),
            ("end_mark_width_ratio", 0 < self.end_mark_width_ratio <= 1, "a number in (0, 1]"),
            (
                "dark_stub_aspect",
                0 < self.dark_stub_aspect <= self.min_aspect,
                "a number in (0, min_aspect]",
            ),
            ("max_turn_deg", 0 < self.max_turn_deg < 90, "a number in (0, 90)"),
            ("core_share", 0 <= self.core_share < 1, "0 (off) or a number in (0, 1)"),
            ("shoulder_below_um", self.shoulder_below_um >= 0, "a number >= 0 (0: off)"),
            ("faint_hair_max_um", self.faint_hair_max_um >= 0, "a number >= 0 (0: off)"),
            ("faint_line_sd", self.faint_line_sd > 0, "a positive number"),
            ("yellow_dot_weak_sds", self.yellow_dot_weak_sds >= 0, "a number >= 0"),
            (
                "yellow_dot_seed_sds",
                self.yellow_dot_seed_sds >= self.yellow_dot_weak_sds,
                "a number >= yellow_dot_weak_sds",
            ),
            ("faint_min_darkening", 0 <= self.faint_min_darkening < 1, "a number in [0, 1)"),
            (
                "faint_long_min_darkening",
                0 <= self.faint_long_min_darkening < 1,
                "a number in [0, 1)",
            ),
            ("thin_tail_length_um", self.thin_tail_length_um >= 0, "a number >= 0 (0: off)"),
            ("thin_tail_mask_um", self.thin_tail_mask_um > 0, "a positive number"),
            (
                "v_pair_ratio",
                self.v_pair_ratio == 0 or 1 < self.v_pair_ratio <= 3,
                "0 (off) or a number in (1, 3]",
            ),
            ("v_pair_min_single", self.v_pair_min_single > 0, "a positive number"),
            ("v_pair_max_scatter", self.v_pair_max_scatter >= 0, "a number >= 0 (0: no limit)"),
            ("second_hair_length_um", self.second_hair_length_um >= 0, "a number >= 0 (0: off)"),
            (
                "pair_width_ratio",
                self.pair_width_ratio == 0 or 1 < self.pair_width_ratio <= 3,
                "0 (off) or a number in (1, 3]",
            ),
            ("text_bar", self.text_bar in ("auto", "none"), "'auto' or 'none'"),
        )
        for name, ok, allowed in checks:
            if not ok:
                raise FollicleInputError(name, getattr(self, name), allowed)


@dataclass(frozen=True, kw_only=True)
class ImageAnalysis:
    """What the analyser found in one image."""

    hairs: pd.DataFrame  # hairs table (docs/hairs-table.md) plus analyser columns
    yellow_dots_um: np.ndarray  # (k, 2) x_um, y_um
    um_per_px: float
    area_cm2: float  # counting frame: image minus masked areas and the guard zone
    polarity: str
    excluded_rows: tuple[int, int]  # rows masked at the top and bottom (text bars)
    centerlines_px: dict[int, tuple[np.ndarray, ...]]  # hair_id -> (row, col) branch runs
    image_shape: tuple[int, int]
    source: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict, compare=False)
    burnt_in: dict[str, Any] = field(default_factory=dict, compare=False)  # masked graphics
    warnings: tuple[str, ...] = ()  # e.g. the scale disagrees with the shaft widths
    edge_blur_um: float = math.nan  # blur SD read on the thick hairs' edges (``focus``)
    # Where exits are counted (``area_cm2``): the field minus masks and the guard zone.
    counting_frame: np.ndarray | None = field(default=None, compare=False, repr=False)

    def metrics(self, *, cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS) -> Metrics:
        """``measure`` over this image's hairs, area and yellow dots."""
        return measure(
            self.hairs,
            area_cm2=self.area_cm2,
            cutoffs=cutoffs,
            yellow_dots=len(self.yellow_dots_um),
        )

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "um_per_px": self.um_per_px,
            "area_cm2": self.area_cm2,
            "polarity": self.polarity,
            "hair_count": len(self.hairs),
            "unit_count": int(self.hairs["unit_id"].nunique()) if len(self.hairs) else 0,
            "yellow_dots": len(self.yellow_dots_um),
            "median_diameter_um": float(self.hairs["diameter_um"].median())
            if len(self.hairs)
            else math.nan,
            "excluded_rows": list(self.excluded_rows),
            "burnt_in": self.burnt_in,
            "warnings": list(self.warnings),
            "edge_blur_um": self.edge_blur_um,
            "provenance": self.provenance,
        }


def detect_text_bars(rgb: np.ndarray, *, max_rows: int = 120) -> tuple[int, int]:
    """Rows of a burnt-in caption bar at the top and the bottom (0 if none); see
    ``burnt_in.caption_rows`` (light grey strips and dark grey boxes with text)."""
    return caption_rows(rgb, max_rows=max_rows)


def _valid_values(image: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """``image[valid]``, as a view when the valid pixels are a band of whole rows (no
    device graphics, or only text bars): no gather over the frame."""
    rows = np.flatnonzero(valid.any(axis=1))
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows) and valid[rows[0] : rows[-1] + 1].all():
        return image[rows[0] : rows[-1] + 1].reshape(-1)
    return image[valid]


def _channel_mean(rgb: np.ndarray) -> np.ndarray:
    """``rgb.mean(axis=2, dtype=np.float32)`` of an 8-bit image, without the reduction's
    call per pixel: the sum of three 8-bit values is exact in float32 in any order, and
    the division is numpy's own (by the count, rounded to float32)."""
    total = rgb[..., 0].astype(np.float32)
    total += rgb[..., 1]
    total += rgb[..., 2]
    return np.true_divide(total, np.intp(3), out=total, casting="unsafe")


def _polarity(rgb: np.ndarray, valid: np.ndarray) -> str:
    """Dark hair on light skin or light hair on dark skin: which tail is heavier."""
    luminance = _channel_mean(rgb[::4, ::4])[valid[::4, ::4]] / 255.0
    if luminance.size == 0:
        return "dark"
    median = float(np.median(luminance))
    dark = np.clip(median - luminance, 0, None)
    light = np.clip(luminance - median, 0, None)
    return "dark" if np.sum(dark[dark > 0.12]) >= np.sum(light[light > 0.12]) else "light"


def contrast_image(
    rgb: np.ndarray, *, polarity: str, max_width_px: float, valid: np.ndarray
) -> np.ndarray:
    """Relative shaft contrast against the skin background (0 = skin, 1 = black hair).

    Each colour channel is divided by its own skin background, so the skin is 1 in all
    three. A hair darkens (or, light hair, brightens) every channel; blue dye darkens red
    but not blue, so taking the channel that changed least (max for dark hair, min for
    light) makes dye, yellow dots and reddening nearly invisible.
    """
    rows = np.flatnonzero(valid.any(axis=1))
    dark = polarity == "dark"
    contrast = None
    for k in range(3):  # one contiguous channel at a time: strided views are slower
        channel = rgb[..., k].astype(np.float32) / 255.0
        if len(rows) and (rows[0] > 0 or rows[-1] < channel.shape[0] - 1):
            channel[: rows[0]] = channel[rows[0]]  # repeat the first valid row into the bar
            channel[rows[-1] + 1 :] = channel[rows[-1]]
        bg = skin_background(channel, structure_px=2.5 * max_width_px + 4, dark_objects=dark)
        if dark:  # 1 - channel / max(bg, 0.02), in place after the first step
            value = np.maximum(bg, 0.02)
            np.divide(channel, value, out=value)
            np.subtract(1.0, value, out=value)
        else:  # (channel - bg) / max(1 - bg, 0.05)
            value = np.subtract(1.0, bg)
            np.maximum(value, 0.05, out=value)
            np.subtract(channel, bg, out=channel)
            np.divide(channel, value, out=value)
        contrast = value if contrast is None else np.minimum(contrast, value, out=contrast)
    contrast[~valid] = 0
    return np.clip(contrast, 0, 1, out=contrast)


def _end_shadow(
    contrast: np.ndarray, end: np.ndarray, inward: np.ndarray, hw: float, *, reach_px: float
) -> float:
    """Mean contrast on the shaft's line beyond one end, from just past the end to
    ``reach_px`` further: at the exit the opening's shadow and the shaft under the skin
    (a bluish haze on 70x images) continue the hair; past a tip lies bare skin. NaN when
    less than half of the strip lies in the image."""
    rows, cols = contrast.shape
    normal = np.array([-inward[1], inward[0]])
    steps = np.arange(hw + 2, hw + 2 + reach_px, 2.0)
    offsets = np.array([-hw / 2, 0.0, hw / 2])
    points = (
        end[None, None, :]
        - steps[:, None, None] * inward[None, None, :]
        + offsets[None, :, None] * normal[None, None, :]
    ).reshape(-1, 2)
    r = np.rint(points[:, 0]).astype(int)
    c = np.rint(points[:, 1]).astype(int)
    inside = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
    if inside.mean() < 0.5:
        return math.nan
    return float(contrast[r[inside], c[inside]].mean())


def analyze_image(
    image: np.ndarray | str | Path,
    *,
    um_per_px: float,
    region: str = "unspecified",
    settings: AnalysisSettings | None = None,
    burnt_in: BurntIn | None = None,
    pipeline: str = "classical",
    corrections: ImageCorrections | None = None,
) -> ImageAnalysis:
    """Find hairs in a trichoscopy image and measure them.

    ``image``: an RGB array or a path. ``um_per_px``: the scale (see ``calibration`` for
    presets and stage micrometers). ``burnt_in``: the device graphics already found in
    this image (``burnt_in.find_burnt_in``; found here when None). ``pipeline``:
    'classical' (thresholded contrast) or 'learned' (the ONNX segmenter makes the shaft
    mask; centre lines and widths are measured as in 'classical'). ``corrections``:
    hairs removed, added or split by hand (``corrections``; the table then has a
    ``correction`` column: 'added', 'split' or empty). Returns the hairs
    table (one row per hair: diameter in um, visible length, exit point, follicular
    unit), yellow dots and what the overlay needs.

    >>> from follicle.measure.evaluate import score
    >>> from follicle.measure.render import render_trichoscopy
    >>> scene = render_trichoscopy(um_per_px=4.0, seed=1)
    >>> found = analyze_image(scene.image, um_per_px=4.0)
    >>> result = score(scene, found)  # found hairs matched to the true ones by position
    >>> result.matched >= 0.6 * result.true_count  # hairs that touch may merge into one
    True
    >>> result.diameter_abs_error_um < 0.5  # median error of matched diameters, um
    True
    """
    settings = settings or AnalysisSettings()
    if not isinstance(settings, AnalysisSettings):
        raise FollicleInputError("settings", type(settings).__name__, "AnalysisSettings")
    if pipeline not in PIPELINES:
        raise FollicleInputError("pipeline", pipeline, " or ".join(map(repr, PIPELINES)))
    scale = check_um_per_px(um_per_px)
    source = None
    if isinstance(image, str | Path):
        source = str(image)
        rgb = load_image(image)
    else:
        rgb = check_image(image)
    shape = rgb.shape[:2]
    if burnt_in is not None and burnt_in.paint.shape != shape:
        raise FollicleInputError("burnt_in", "a mask of another shape", f"shape {shape}")
    burnt = burnt_in or find_burnt_in(rgb, captions=settings.text_bar == "auto")
    top, bottom = burnt.top_rows, burnt.bottom_rows
    valid = ~burnt.blocked
    rgb = paint_over(rgb, burnt.paint)
    boxes = burnt.blocked.copy()
    boxes[:top] = False
    if bottom:
        boxes[shape[0] - bottom :] = False
    if boxes.any():  # label boxes: skin colour, so the background filter ignores them
        rgb = rgb.copy()
        skin = rgb[::4, ::4][valid[::4, ::4]]
        skin = skin if len(skin) else rgb.reshape(-1, 3)  # all masked: any colour will do
        rgb[boxes] = np.median(skin, axis=0).astype(rgb.dtype)
    polarity = settings.polarity if settings.polarity != "auto" else _polarity(rgb, valid)
    max_w = settings.max_diameter_um / scale
    min_w = max(settings.min_diameter_um / scale, 1.0)
    contrast = contrast_image(rgb, polarity=polarity, max_width_px=max_w, valid=valid)
    min_length_px = max(settings.min_length_um / scale, 6.0)
    # Noise-adaptive thresholds: textured skin (scales, pores, shadows) raises them.
    noise = robust_sd(_valid_values(contrast, valid))
    low = max(settings.low_contrast, 3.0 * noise)
    high = max(settings.high_contrast, 6.0 * noise)
    min_shaft_contrast = max(settings.min_shaft_contrast, 5.0 * noise)
    # Light smoothing before thresholding: ragged mask edges grow skeleton spurs.
    smooth = ndimage.gaussian_filter(contrast, 1.0)
    mask_options = dict(
        high=high,
        min_area_px=int(min_length_px * min_w),
        max_hole_px=int(max(4, (max_w / 3) ** 2)),
    )
    ridge = smooth
    if settings.halo_width_um > 0:
        level = wide_level(smooth, size_px=settings.halo_width_um / scale)
        ridge = smooth - np.minimum(level, settings.halo_max_contrast)
    if pipeline == "learned":
        from follicle.measure.segmenter import learned_mask

        mask = learned_mask(
            rgb, um_per_px=scale, valid=valid, contrast=ridge, low=low, **mask_options
        )
    else:
        mask = hair_mask(
            ridge, low=low, solid=smooth if ridge is not smooth else None, **mask_options
        )
    objects = mask_objects(mask)
    half_width = object_distance(mask, objects)
    shafts = trace_shafts(
        mask, half_width, max_turn_deg=settings.max_turn_deg, min_length_px=3, objects=objects
    )
    shafts = bridge_gaps(shafts, half_width, max_gap_px=max(100.0 / scale, 12.0))
    if settings.whole_stubs:
        shafts = stub_shafts(
            mask,
            shafts,
            half_width,
            min_width_px=min_w,
            max_width_px=max_w,
            min_length_px=min_length_px,
            min_aspect=settings.min_aspect,
            objects=objects,
        )
    floors: dict[int, float] = {}  # id(shaft) -> skin floor of its width profiles
    if settings.core_share > 0:
        cores = core_shafts(
            mask,
            smooth,
            shafts,
            objects,
            min_length_px=min_length_px,
            min_width_px=min_w,
            max_width_px=max_w,
            min_aspect=settings.dark_stub_aspect,
            min_level=high,
            core_share=settings.core_share,
        )
        shafts, floors, mask = cores.shafts, cores.floors, cores.mask
    shafts = [s for s in shafts if s.length_px >= min_length_px]

    # Near the image edge or a masked bar or label, a shaft may continue out of view.
    band = edge_band_px(scale)
    edge = _grow(~valid, band) if not valid.all() else np.zeros(shape, bool)
    edge[:band] = edge[-band:] = True
    edge[:, :band] = edge[:, -band:] = True
    measured = []  # (shaft, width px, spread px, contrast, cut by the edge)
    reach = shoulder_reach_px(scale)  # where a shoulder beside an edge is read, px
    offsets = {}  # id(shaft) -> its branches' offsets from the middle of the shaft
    reported = {}  # id(shaft) -> the width reported when it differs from the one judged
    for shaft in shafts:
        options = dict(
            min_contrast=floors.get(id(shaft), low),
            mask=mask,
            shoulder=settings.halo_shoulder,
            shoulder_reach=reach,
        )
        estimate = shaft_width(
            contrast, shaft.branches, shaft.junctions_rc, half_width, max_width_px=max_w, **options
        )
        w = estimate.width_px
        if settings.pair_width_ratio > 0 and not (np.isfinite(w) and w < 0.9 * max_w):
            # Perhaps two hairs side by side, wider than one: measure with a longer reach.
            estimate = shaft_width(
                contrast,
                shaft.branches,
                shaft.junctions_rc,
                half_width,
                max_width_px=2 * max_w,
                **options,
            )
            w = estimate.width_px
            if np.isfinite(w) and w <= 0.8 * max_w:
                continue  # only a shaft near max_w or wider may be measured at this reach
        if (
            not np.isfinite(w)
            or w < min_w * 0.5
            or w > (2 if settings.pair_width_ratio else 1) * max_w
        ):
            continue
        cut = bool(edge[shaft.pixels[:, 0], shaft.pixels[:, 1]].any())
        # A shaft cut by the border shows only part of its length: a looser aspect.
        # A dark short bar is a stub; fainter short marks are debris or skin.
        dark_stub = estimate.contrast >= settings.dark_stub_contrast
        aspect = settings.dark_stub_aspect if dark_stub else settings.min_aspect
        if shaft.length_px < aspect * w * (0.6 if cut else 1.0) / (2 if w > max_w else 1):
            continue
        if estimate.contrast < min_shaft_contrast:
            continue
        if (
            not cut
            and estimate.contrast < settings.faint_contrast
            and shaft.length_px * scale < settings.faint_min_length_um
        ):
            continue  # a faint short mark: a skin fold or the edge of a dye halo
        offsets[id(shaft)] = estimate.branch_offsets_px
        if w * scale < settings.shoulder_below_um and not settings.halo_shoulder:
            options["shoulder"] = True
            shouldered = shaft_width(
                contrast,
                shaft.branches,
                shaft.junctions_rc,
                half_width,
                max_width_px=max_w,
                **options,
            ).width_px
            if np.isfinite(shouldered) and 0.5 * min_w <= shouldered < w:
                reported[id(shaft)] = shouldered
        measured.append((shaft, w, estimate.spread_px, estimate.contrast, cut))
    whole = {id(m[0]) for m in measured}
    if settings.pair_width_ratio > 0:
        measured = _split_pairs(
            measured,
            contrast,
            half_width,
            ratio=settings.pair_width_ratio,
            max_width_px=max_w,
            fallback_single_px=TERMINAL_RANGE_UM[0] / scale,
            mask=mask,
        )
    if reported:  # whole shafts (not parts of a split) report their shouldered width
        measured = [(m[0], reported.get(id(m[0]), m[1]), *m[2:]) for m in measured]
    if settings.v_pair_ratio > 0:
        measured = _split_v_pairs(
            measured,
            whole,
            contrast,
            half_width,
            mask,
            settings,
            max_width_px=max_w,
            fallback_single_px=TERMINAL_RANGE_UM[0] / scale,
            low=low,
        )
    if settings.thin_tail_length_um > 0 and settings.faint_hair_max_um > 0:
        measured = _thin_tails(
            measured, whole, contrast, half_width, mask, edge, settings, scale=scale, low=low
        )
    if settings.recentre:  # centre lines beside the axis (halo on one side) moved onto it
        measured = [_recentred(m, offsets.get(id(m[0])), half_width) for m in measured]
    strength = None  # the line filter at the thin scale, shared by the two steps below
    if settings.faint_hair_max_um > 0 or settings.second_hair_length_um > 0:
        thin_um = settings.faint_hair_max_um or TERMINAL_RANGE_UM[0] / 2
        strength = shrunk_line_strength(ridge, sigma_px=thin_um / scale / 4)
    if settings.faint_hair_max_um > 0:
        # Lines are sought away from the hairs kept so far: mask objects none of them lies
        # in (faint hairs partly seeded, then dropped by the rules above) are searched too.
        labels = objects[0]
        holds_hair = np.zeros(len(objects[1]) + 1, bool)
        for m in measured:
            holds_hair[labels[m[0].pixels[:, 0], m[0].pixels[:, 1]]] = True
        holds_hair[0] = False
        measured += _faint_hairs(
            rgb,
            ridge,
            contrast,
            mask & holds_hair[labels],
            valid,
            edge,
            half_width,
            settings,
            scale=scale,
            low=low,
            dark=polarity == "dark",
            strength=strength,
        )
    if settings.second_hair_length_um > 0:
        measured += _second_hairs(
            measured, strength, contrast, mask, objects, edge, settings, scale=scale, max_w=max_w
        )
    if settings.end_mark_length_um > 0:
        marks = marks_at_hair_ends(
            [m[0] for m in measured],
            [m[1] for m in measured],
            [m[4] for m in measured],
            max_length_px=settings.end_mark_length_um / scale,
            width_ratio=settings.end_mark_width_ratio,
            reach_widths=1.0,
        )
        measured = [m for m, mark in zip(measured, marks, strict=True) if not mark]
    found_count = len(measured)
    # The image's focus, read on the edges of the thick hairs the analyser found whole.
    blur_px, _ = edge_blur_px(
        contrast,
        [(m[0], m[1]) for m in measured if not m[4]],
        half_width,
        min_width_px=THICK_HAIR_UM / scale,
    )
    blur_um = blur_px * scale
    hair_ids, edits = list(range(found_count)), [None] * found_count
    if corrections is not None:
        single_px = _single_width(measured, max_w, TERMINAL_RANGE_UM[0] / scale)

        def measure_drawn(shaft: Shaft) -> tuple[float, float, float]:
            return _drawn_width(
                shaft, contrast, half_width, mask, settings,
                low=low, max_w=max_w, single_px=single_px, scale=scale,
            )  # fmt: skip

        corrected = apply_corrections(
            measured, corrections, um_per_px=scale, shape=shape, measure=measure_drawn, edge=edge
        )
        measured, hair_ids, edits = corrected.measured, corrected.hair_ids, corrected.edits
    kept, widths, ends, shadows, spreads, contrasts, borders = [], [], [], [], [], [], []
    for shaft, w, spread, shaft_contrast, cut in measured:
        a, b, da, db = shaft_ends(shaft.pixels)
        kept.append(shaft)
        widths.append(w)
        spreads.append(spread)
        contrasts.append(shaft_contrast)
        ends.append((a, b, da, db))
        # A skeleton stops about a half-width short of the frame a shaft runs into.
        borders.append(cut or any(_at_edge(edge, e, reach_px=w / 2 + 2) for e in (a, b)))
        hw = w / 2 if np.isfinite(w) else 2.0
        haze_px = max(4 * hw, END_SHADOW_UM / scale)
        shadows.append(
            (
                _end_shadow(contrast, a, da, hw, reach_px=haze_px),
                _end_shadow(contrast, b, db, hw, reach_px=haze_px),
            )
        )

    counting = valid & ~_grow(edge, math.ceil(GUARD_ZONE_UM / scale))
    area_cm2 = float(counting.sum()) * scale**2 / 1e8
    warnings = (
        width_scale_check(np.asarray(widths), um_per_px=scale)
        + focus_warnings(blur_px, um_per_px=scale, vellus_max_um=DEFAULT_CUTOFFS.vellus_max_um)
        + burnt.notes  # device graphics that could not be read (a scale bar's hidden end)
        + resolution_warnings(scale)
    )
    dots = (
        find_yellow_dots(
            rgb,
            um_per_px=scale,
            exclude=_grow(mask, 3) | ~valid,
            weak_sds=settings.yellow_dot_weak_sds,
            seed_sds=settings.yellow_dot_seed_sds,
        )
        if settings.find_yellow_dots
        else np.zeros((0, 2))
    )
    # Empty openings are counted in the same counting frame as the hairs' exits.
    dots = dots[mask_at(counting, dots[:, 1] / scale, dots[:, 0] / scale)].reshape(-1, 2)
    params = dict(
        function="analyze_image",
        pipeline=pipeline,
        um_per_px=scale,
        region=region,
        polarity=polarity,
        settings=settings,
        skin_noise=noise,
        thresholds={"low": low, "high": high, "shaft": min_shaft_contrast},
        edge_blur_um=blur_um,
    )
    if corrections is not None:  # what was found, and what was corrected by hand
        params["hairs_found"] = found_count
        params["corrections"] = corrections_record(corrections)
    if not kept:
        return ImageAnalysis(
            hairs=empty_hairs_table(),
            yellow_dots_um=dots,
            um_per_px=scale,
            area_cm2=area_cm2,
            polarity=polarity,
            excluded_rows=(top, bottom),
            centerlines_px={},
            image_shape=shape,
            source=source,
            provenance=provenance(**params),
            burnt_in=burnt.summary(),
            warnings=warnings,
            edge_blur_um=blur_um,
            counting_frame=counting,
        )
    units, exit_end = group_units(
        ends, unit_radius_px=settings.unit_radius_um / scale, end_shadow=shadows
    )
    exits = np.array([ends[i][exit_end[i]] for i in range(len(kept))])
    tips = np.array([ends[i][1 - exit_end[i]] for i in range(len(kept))])
    border = np.array(borders)
    # A hair belongs to the field its exit lies in; one whose exit end lies in the guard
    # zone (an entering hair's end at the frame, too) is seen but not counted.
    exit_in_field = mask_at(counting, exits[:, 0], exits[:, 1]) if len(exits) else np.zeros(0, bool)
    widths_arr = np.array(widths)
    hairs = pd.DataFrame(
        {
            "hair_id": np.array(hair_ids, dtype="int64"),
            "unit_id": units,
            "region": region,
            "diameter_um": widths_arr * scale,
            "length_mm": np.array([s.length_px for s in kept]) * scale / 1000.0,
            "x_um": exits[:, 1] * scale,
            "y_um": exits[:, 0] * scale,
            "phase": pd.NA,
            "tip_x_um": tips[:, 1] * scale,
            "tip_y_um": tips[:, 0] * scale,
            "diameter_iqr_um": np.array(spreads) * scale,
            "contrast": contrasts,
            "touches_border": border,
            "exit_in_field": exit_in_field,
        }
    )
    hairs["region"] = hairs["region"].astype("string")
    hairs["phase"] = hairs["phase"].astype("string")
    if corrections is not None:
        hairs["correction"] = pd.array([e or "" for e in edits], dtype="string")
    return ImageAnalysis(
        hairs=hairs,
        yellow_dots_um=dots,
        um_per_px=scale,
        area_cm2=area_cm2,
        polarity=polarity,
        excluded_rows=(top, bottom),
        centerlines_px={i: s.branches for i, s in zip(hair_ids, kept, strict=True)},
        image_shape=shape,
        source=source,
        provenance=provenance(**params),
        burnt_in=burnt.summary(),
        warnings=warnings,
        edge_blur_um=blur_um,
        counting_frame=counting,
    )


def _split_pairs(
    measured: list[tuple],
    contrast: np.ndarray,
    half_width: np.ndarray,
    *,
    ratio: float,
    max_width_px: float,
    fallback_single_px: float,
    mask: np.ndarray,
    dip_ratio: float = 1.5,
) -> list[tuple]:
    """Shafts wider than the image's single hairs split into the hairs lying side by
    side in them (``pairs``): at the clear dips of the cross profile when at least
    ``dip_ratio`` times a single hair wide, and blindly in two when at least ``ratio``
    times (or wider than any single hair). The single-hair width is the median of the
    thicker half of the shafts up to ``max_width_px`` (at least 6 of them), else
    ``fallback_single_px``."""
    reference = _single_width(measured, max_width_px, fallback_single_px)
    out = []
    blind_px = min(ratio * reference, max_width_px)
    for shaft, w, spread, shaft_contrast, cut in measured:
        if w < min(dip_ratio, ratio) * reference and w <= max_width_px:
            out.append((shaft, w, spread, shaft_contrast, cut))
            continue
        split = split_side_by_side(
            contrast,
            shaft,
            half_width,
            width_px=w,
            single_px=reference,
            blind_px=blind_px,
            mask=mask,
        )
        if split is None:
            if w <= max_width_px:
                out.append((shaft, w, spread, shaft_contrast, cut))
            continue
        for part, part_w in zip(split.shafts, split.widths_px, strict=True):
            out.append((part, part_w, spread, shaft_contrast, cut))
    return out


def _drawn_width(
    shaft: Shaft,
    contrast: np.ndarray,
    half_width: np.ndarray,
    mask: np.ndarray,
    settings: AnalysisSettings,
    *,
    low: float,
    max_w: float,
    single_px: float,
    scale: float,
) -> tuple[float, float, float]:
    """(width px, spread px, contrast) of a hair drawn or cut by hand, measured as the
    analyser measures its own: across the mask (a faint hair off it: down to half the
    weak level), a hair lying against another (the pair twice a single hair wide) split
    from it (``pairs``: the part nearest the drawn line), a thin one read again with the
    shoulders (``shoulder_below_um``)."""
    branches, joints = shaft.branches, shaft.junctions_rc

    def width(**options) -> WidthEstimate:
        return shaft_width(
            contrast, branches, joints, half_width, max_width_px=max_w,
            shoulder_reach=shoulder_reach_px(scale), **options,
        )  # fmt: skip

    # A line drawn along a hair reads it in most of its profiles; one on bare skin only
    # where it crosses another hair, whose width it must not take.
    needed = 0.5 * len(shaft_samples(branches, joints, half_width)[0])
    estimate = width(min_contrast=low, mask=mask, shoulder=settings.halo_shoulder)
    if not estimate.samples >= needed:  # off the mask: a faint hair
        estimate = width(min_contrast=low / 2, shoulder=settings.halo_shoulder)
    if not estimate.samples >= needed:
        return float("nan"), float("nan"), float("nan")
    w, spread, peak = estimate.width_px, estimate.spread_px, estimate.contrast
    ratio = settings.pair_width_ratio
    if ratio > 0 and np.isfinite(w) and w >= min(1.5, ratio) * single_px:
        split = split_side_by_side(
            contrast, shaft, half_width, width_px=w, single_px=single_px,
            blind_px=min(ratio * single_px, max_w), mask=mask,
        )  # fmt: skip
        if split is not None:
            drawn = shaft.pixels.astype(float)
            gaps = [
                float(np.median(np.min(np.hypot(*(drawn[:, None] - part.pixels[None]).T), axis=0)))
                for part in split.shafts
            ]
            w = split.widths_px[int(np.argmin(gaps))]
    if np.isfinite(w) and w * scale < settings.shoulder_below_um and not settings.halo_shoulder:
        shouldered = width(min_contrast=low, mask=mask, shoulder=True).width_px
        if np.isfinite(shouldered) and shouldered < w:
            w = shouldered
    return w, spread, peak


def _single_width(measured: list[tuple], max_width_px: float, fallback_px: float) -> float:
    """The image's single-hair width: the median of the thicker half of the shafts up to
    ``max_width_px`` (at least 6 of them), else ``fallback_px``."""
    singles = np.array([m[1] for m in measured if m[1] <= max_width_px])
    if len(singles) < 6:
        return fallback_px
    return float(np.median(singles[singles >= np.median(singles)]))


def _split_v_pairs(
    measured: list[tuple],
    whole: set[int],
    contrast: np.ndarray,
    half_width: np.ndarray,
    mask: np.ndarray,
    settings: AnalysisSettings,
    *,
    max_width_px: float,
    fallback_single_px: float,
    low: float,
) -> list[tuple]:
    """Whole shafts (not parts of a split) at least ``v_pair_min_single`` single hairs
    wide that widen steadily into two ridges (``v_pairs``) split into the two hairs."""
    reference = _single_width(measured, max_width_px, fallback_single_px)
    out = []
    for m in measured:
        shaft, w = m[0], m[1]
        split = None
        if id(shaft) in whole and w >= settings.v_pair_min_single * reference:
            split = split_v_pair(
                contrast,
                shaft,
                half_width,
                single_px=reference,
                mask=mask,
                min_wide_ratio=settings.v_pair_ratio,
                max_scatter=settings.v_pair_max_scatter,
                floor_contrast=low,
            )
        if split is None:
            out.append(m)
            continue
        for part, part_w in zip(split.shafts, split.widths_px, strict=True):
            out.append((part, part_w, *m[2:]))
    return out


def _faint_hairs(
    rgb: np.ndarray,
    ridge: np.ndarray,
    contrast: np.ndarray,
    mask: np.ndarray,
    valid: np.ndarray,
    edge: np.ndarray,
    half_width: np.ndarray,
    settings: AnalysisSettings,
    *,
    scale: float,
    low: float,
    dark: bool,
    strength: np.ndarray | None = None,
) -> list[tuple]:
    """Faint thin hairs beside the hairs kept (``faint_hairs``), measured like the others
    and kept when at most ``faint_hair_max_um`` wide and darker than the skin on each
    side by ``faint_min_darkening``: (shaft, width px, spread px, contrast, cut by the
    edge) per hair."""
    max_px = settings.faint_hair_max_um / scale
    shafts = faint_line_shafts(
        ridge,
        hair_mask=mask,
        valid=valid,
        sigma_px=max_px / 4,
        min_length_px=settings.faint_min_length_um / scale,
        max_width_px=2 * max_px,
        high_sd=settings.faint_line_sd,
        strength=strength,
    )
    out = []
    min_w = max(settings.min_diameter_um / scale, 1.0)
    reach = shoulder_reach_px(scale)
    for shaft in shafts:

        def width(shaft=shaft, **options) -> WidthEstimate:
            return shaft_width(
                contrast, shaft.branches, shaft.junctions_rc, half_width,
                max_width_px=2 * max_px, min_contrast=low / 2, shoulder_reach=reach, **options,
            )  # fmt: skip

        estimate = width()
        w = estimate.width_px
        if not np.isfinite(w) or w < 0.5 * min_w or w > max_px:
            continue
        if side_darkening(rgb, shaft, width_px=w, dark=dark) < _darkening_needed(
            len(shaft.branches[0]) * scale, settings
        ):
            continue
        cut = bool(edge[shaft.pixels[:, 0], shaft.pixels[:, 1]].any())
        if w * scale < settings.shoulder_below_um:
            # reported as the mask's thin shafts are: read at the shoulders too (a halo,
            # or blur on a raised skin level, widens the plain half height); judged above
            # on the plain width, as they are
            shouldered = width(shoulder=True).width_px
            if np.isfinite(shouldered) and 0.5 * min_w <= shouldered < w:
                w = shouldered
        out.append((shaft, w, estimate.spread_px, estimate.contrast, cut))
    return out


def _darkening_needed(length_um: float, settings: AnalysisSettings) -> float:
    """The darkening a faint line must reach: ``faint_min_darkening`` up to
    ``faint_min_length_um``, falling with the square root of a longer line's length to no
    less than ``faint_long_min_darkening`` (and never above ``faint_min_darkening``)."""
    need = settings.faint_min_darkening
    if length_um <= settings.faint_min_length_um or length_um <= 0:
        return need
    scaled = need * float(np.sqrt(settings.faint_min_length_um / length_um))
    return min(need, max(settings.faint_long_min_darkening, scaled))


def _thin_tails(
    measured: list[tuple],
    whole: set[int],
    contrast: np.ndarray,
    half_width: np.ndarray,
    mask: np.ndarray,
    edge: np.ndarray,
    settings: AnalysisSettings,
    *,
    scale: float,
    low: float,
) -> list[tuple]:
    """Thick whole shafts (not parts of a split: a thin part beside a thick one would be
    counted twice) whose end is a long thin tail (``thin_tails``) split in two: the
    thick hair without the tail, and the tail as a thin hair when measured at most
    ``faint_hair_max_um`` wide (else the shaft is kept whole)."""
    max_px = settings.faint_hair_max_um / scale
    min_w = max(settings.min_diameter_um / scale, 1.0)
    out = []
    for m in measured:
        shaft, w = m[0], m[1]
        split = None
        if w > max_px and id(shaft) in whole:
            split = thin_tail(
                shaft,
                half_width,
                max_tail_width_px=settings.thin_tail_mask_um / scale,
                min_length_px=settings.thin_tail_length_um / scale,
            )
        if split is None:
            out.append(m)
            continue
        estimate = shaft_width(
            contrast,
            split.tail.branches,
            np.zeros((0, 2)),
            half_width,
            max_width_px=2 * max_px,
            min_contrast=low / 2,
            mask=mask,
        )
        tw = estimate.width_px
        if not np.isfinite(tw) or tw < 0.5 * min_w or tw > max_px:
            out.append(m)
            continue
        tail_cut = bool(edge[split.tail.pixels[:, 0], split.tail.pixels[:, 1]].any())
        rest_cut = bool(edge[split.rest.pixels[:, 0], split.rest.pixels[:, 1]].any())
        out.append((split.rest, w, m[2], m[3], rest_cut))
        out.append((split.tail, tw, estimate.spread_px, estimate.contrast, tail_cut))
    return out


def _second_hairs(
    measured: list[tuple],
    strength: np.ndarray,
    contrast: np.ndarray,
    mask: np.ndarray,
    objects: tuple[np.ndarray, list],
    edge: np.ndarray,
    settings: AnalysisSettings,
    *,
    scale: float,
    max_w: float,
) -> list[tuple]:
    """Second hairs lying along the thick kept ones in their mask objects
    (``second_hairs``): (shaft, width px, spread px, contrast, cut by the edge) each."""
    thin_um = settings.faint_hair_max_um or TERMINAL_RANGE_UM[0] / 2
    thin_px = thin_um / scale
    hosts = [i for i, m in enumerate(measured) if m[1] > thin_px]
    if not hosts:
        return []
    labels, boxes = objects
    holds = np.zeros(len(boxes) + 1, bool)
    for i in hosts:
        pixels = measured[i][0].pixels
        holds[labels[pixels[:, 0], pixels[:, 1]]] = True
    holds[0] = False
    held = [boxes[k - 1] for k in np.flatnonzero(holds) if boxes[k - 1] is not None]
    if not held:
        return []
    window = (
        slice(min(b[0].start for b in held), max(b[0].stop for b in held)),
        slice(min(b[1].start for b in held), max(b[1].stop for b in held)),
    )
    objects_mask = np.zeros(mask.shape, bool)
    objects_mask[window] = mask[window] & holds[labels[window]]
    found = second_hairs(
        contrast,
        objects_mask=objects_mask,
        kept=[(m[0], m[1]) for m in measured],
        hosts=hosts,
        single_px=_single_width(measured, max_w, TERMINAL_RANGE_UM[0] / scale),
        sigma_px=thin_px / 4,
        min_length_px=settings.second_hair_length_um / scale,
        high_sd=settings.faint_line_sd,
        strength=strength,
        window=window,
        mask=mask,
        min_extra_px=max(settings.min_diameter_um / scale, 1.0),
    )
    out = []
    for hair in found:
        if hair.width_px > max_w:
            continue
        cut = bool(edge[hair.shaft.pixels[:, 0], hair.shaft.pixels[:, 1]].any())
        out.append((hair.shaft, hair.width_px, np.nan, hair.contrast, cut))
    return out


def _recentred(measured: tuple, offsets: tuple | None, half_width: np.ndarray) -> tuple:
    """One measured shaft with its centre line moved onto the middle of its half-height
    edges; shafts made by a split (no offsets of their own) are already centred."""
    shaft = measured[0]
    if offsets is None:
        return measured
    branches = centred_branches(shaft.branches, offsets, half_width)
    if all(a is b for a, b in zip(branches, shaft.branches, strict=True)):
        return measured
    return (Shaft(branches=branches, junctions_rc=shaft.junctions_rc), *measured[1:])


def _at_edge(edge: np.ndarray, point_rc: np.ndarray, *, reach_px: float) -> bool:
    """Whether the edge band lies within ``reach_px`` (a square window) of a point."""
    r, c = round(float(point_rc[0])), round(float(point_rc[1]))
    k = max(1, math.ceil(reach_px)) if math.isfinite(reach_px) else 2
    window = edge[max(r - k, 0) : r + k + 1, max(c - k, 0) : c + k + 1]
    return bool(window.any())


def edge_band_px(um_per_px: float) -> int:
    """Width (px) of the band along the frame and masked areas where a shaft counts as
    cut (``touches_border``): ``EDGE_BAND_UM``, at least 2 px (JPEG and lens artefacts
    at the frame are a pixel or two whatever the scale)."""
    return max(2, round(EDGE_BAND_UM / um_per_px))


def _grow(mask: np.ndarray, radius_px: int) -> np.ndarray:
    """Dilation by a (2 r + 1) square (``binary_ops.dilate_square``: shifted ORs, far
    cheaper than iterated binary dilation or a maximum filter on a whole frame)."""
    return dilate_square(mask, radius_px)
