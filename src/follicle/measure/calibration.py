"""Calibration to micrometres per pixel: given, from a device preset, or from an image of a
stage micrometer. Calibration matters: one device reported ~109 um for hairs a caliper
measured at ~77 um (trichoscopy.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from follicle.errors import FollicleInputError

MIN_UM_PER_PX = 0.2  # beyond any optical dermoscope's resolution
MAX_UM_PER_PX = 50.0  # a 1 mm hair-free field would be 20 px: useless for diameters


@dataclass(frozen=True, kw_only=True)
class DevicePreset:
    """Field of view of a dermoscope at one magnification; um/px = field / image width."""

    name: str
    magnification: float
    field_width_mm: float
    note: str


# 70x: the device's own measuring circles in trichoscopy-dev (docs/measure.md, Calibration).
# Circles labelled r = 2.519 mm fit 913.6-913.7 px, r = 2.522 mm fit 912.0-912.2 px:
# 2.757-2.765 um/px; 2.76 um/px x 1280 px = a 3.533 mm field. Other magnifications scale
# the field as 1/magnification from 70x; verify them with a stage micrometer.
SCALE_70X_UM_PER_PX = 2.76
FIELD_70X_MM = SCALE_70X_UM_PER_PX * 1280 / 1000.0
DEVICE_PRESETS: dict[str, DevicePreset] = {
    f"video-{m}x": DevicePreset(
        name=f"video-{m}x",
        magnification=m,
        field_width_mm=FIELD_70X_MM * 70 / m,
        note=(
            "video dermoscope, 70x: 3.533 mm field (2.76 um/px at 1280 px), fitted to the "
            "device's own measuring circles (r = 2.519 mm on 913.7 px)"
            if m == 70
            else "video dermoscope: field scales as 1/magnification from the 70x fit"
        ),
    )
    for m in (20, 50, 70, 140)
}


def check_um_per_px(um_per_px: object, *, field: str = "um_per_px") -> float:
    """A plausible scale, or a FollicleInputError naming the bad value."""
    allowed = f"a number in [{MIN_UM_PER_PX}, {MAX_UM_PER_PX}] micrometres per pixel"
    if um_per_px is None:
        raise FollicleInputError(field, None, allowed)
    try:
        value = float(um_per_px)
    except (TypeError, ValueError):
        raise FollicleInputError(field, um_per_px, allowed) from None
    if not (math.isfinite(value) and MIN_UM_PER_PX <= value <= MAX_UM_PER_PX):
        raise FollicleInputError(field, um_per_px, allowed)
    return value


def um_per_px_from_preset(preset: str, *, image_width_px: int) -> float:
    """Scale from a device preset and the image width in pixels."""
    if preset not in DEVICE_PRESETS:
        raise FollicleInputError("device preset", preset, f"one of {sorted(DEVICE_PRESETS)}")
    if not (isinstance(image_width_px, int | np.integer) and image_width_px > 0):
        raise FollicleInputError("image_width_px", image_width_px, "a positive integer")
    return check_um_per_px(DEVICE_PRESETS[preset].field_width_mm * 1000.0 / image_width_px)


def um_per_px_from_micrometer(image: np.ndarray, *, line_spacing_um: float = 10.0) -> float:
    """Scale from an image of a stage micrometer (parallel rulings ``line_spacing_um`` apart).

    The rulings make the strongest non-zero peak of the image's 2-D power spectrum; its
    distance from the origin is the ruling frequency, whatever the ruling orientation.
    Sub-bin accuracy comes from a parabolic fit of the peak along the radial direction.
    """
    if not (math.isfinite(line_spacing_um) and line_spacing_um > 0):
        raise FollicleInputError("line_spacing_um", line_spacing_um, "a positive number")
    gray = np.asarray(image, dtype=float)
    if gray.ndim == 3:
        gray = gray.mean(axis=2)
    rows, cols = gray.shape
    side = min(rows, cols)
    gray = gray[(rows - side) // 2 : (rows - side) // 2 + side, (cols - side) // 2 :][:, :side]
    window = np.hanning(side)[:, None] * np.hanning(side)[None, :]
    power = np.abs(np.fft.fftshift(np.fft.fft2((gray - gray.mean()) * window))) ** 2
    c = side // 2
    yy, xx = np.mgrid[0:side, 0:side]
    radius = np.hypot(yy - c, xx - c)
    power[radius < 3] = 0  # illumination gradients live near the origin
    peak = np.unravel_index(np.argmax(power), power.shape)
    if power[peak] <= 0:
        raise FollicleInputError("micrometer image", "no periodic rulings", "an image of rulings")
    # Thin rulings put much power in harmonics: step down to the fundamental while a
    # clear peak sits at half the frequency.
    for _ in range(3):
        hy, hx = c + (peak[0] - c) / 2, c + (peak[1] - c) / 2
        if math.hypot(hy - c, hx - c) < 3:
            break
        y0, x0 = int(np.floor(hy)), int(np.floor(hx))
        window = power[y0 - 1 : y0 + 3, x0 - 1 : x0 + 3]
        if window.size == 0 or window.max() < 0.05 * power[peak]:
            break
        local = np.unravel_index(np.argmax(window), window.shape)
        peak = (y0 - 1 + local[0], x0 - 1 + local[1])
    # Refine the peak position to sub-pixel with a 2-D centroid of the 3 x 3 neighbourhood.
    py, px = peak
    patch = power[py - 1 : py + 2, px - 1 : px + 2]
    oy, ox = np.mgrid[-1:2, -1:2]
    fy = py + float((patch * oy).sum() / patch.sum()) - c
    fx = px + float((patch * ox).sum() / patch.sum()) - c
    period_px = side / math.hypot(fy, fx)
    return check_um_per_px(line_spacing_um / period_px, field="micrometer scale")


def render_micrometer(
    *,
    um_per_px: float,
    line_spacing_um: float = 10.0,
    angle_deg: float = 0.0,
    shape_px: tuple[int, int] = (512, 512),
    line_width_um: float = 2.0,
) -> np.ndarray:
    """A synthetic stage-micrometer image (dark rulings on a bright field), for tests."""
    rows, cols = shape_px
    y, x = np.mgrid[0:rows, 0:cols].astype(float)
    theta = math.radians(angle_deg)
    s = (x * math.cos(theta) + y * math.sin(theta)) * um_per_px  # um across the rulings
    phase = np.abs(((s / line_spacing_um) + 0.5) % 1.0 - 0.5) * line_spacing_um
    ink = np.clip(line_width_um / 2 - phase + um_per_px / 2, 0, um_per_px) / um_per_px
    return np.clip(230 - 180 * ink, 0, 255).astype(np.uint8)


@dataclass(frozen=True, kw_only=True)
class ScaleEstimate:
    """The scale used for one image and where it came from."""

    um_per_px: float
    source: str  # "preset", "measuring circle", "ruler" or "given"
    detail: str = ""


def image_scale(
    rgb: np.ndarray,
    *,
    device: str,
    circle_radius_mm: float | None = None,
    scale_bar_mm: float | None = 1.0,
    burnt_in=None,
) -> ScaleEstimate:
    """The scale of one image: from the device's measuring circle printed in it (when its
    radius in mm is given: the label is not read), else from its L-shaped scale bar
    (``scale_bar_mm``: the 70x software prints a 1.0 mm bar), else the device preset.

    ``burnt_in``: a ``burnt_in.BurntIn`` already found for this image (else found here).
    """
    from follicle.measure.burnt_in import find_burnt_in

    preset = um_per_px_from_preset(device, image_width_px=int(rgb.shape[1]))
    found = burnt_in if burnt_in is not None else find_burnt_in(rgb)
    if circle_radius_mm is not None:
        if not (math.isfinite(circle_radius_mm) and circle_radius_mm > 0):
            raise FollicleInputError("circle_radius_mm", circle_radius_mm, "a positive number")
        if found.circles:
            circle = max(found.circles, key=lambda c: c.points)
            return ScaleEstimate(
                um_per_px=check_um_per_px(circle_radius_mm * 1000.0 / circle.radius_px),
                source="measuring circle",
                detail=f"r = {circle_radius_mm:g} mm on {circle.radius_px:.1f} px",
            )
    if scale_bar_mm is not None and found.ruler_px:
        if not (math.isfinite(scale_bar_mm) and scale_bar_mm > 0):
            raise FollicleInputError("scale_bar_mm", scale_bar_mm, "a positive number")
        return ScaleEstimate(
            um_per_px=check_um_per_px(scale_bar_mm * 1000.0 / found.ruler_px),
            source="scale bar",
            detail=f"{scale_bar_mm:g} mm on {found.ruler_px:.0f} px",
        )
    # Why a scale bar in the image was not used (its end hidden under a hair).
    detail = "; ".join((device, *(n for n in found.notes if n.startswith("scale bar"))))
    return ScaleEstimate(um_per_px=preset, source="preset", detail=detail)


def resolve_image_scale(
    rgb: np.ndarray,
    *,
    um_per_px: float | None = None,
    device: str | None = None,
    micrometer_um_per_px: float | None = None,
    circle_radius_mm: float | None = None,
    burnt_in=None,
) -> ScaleEstimate:
    """The scale of one image from exactly one of: a given ``um_per_px``, a ``device``
    preset (which yields to the image's own measuring circle or scale bar, see
    :func:`image_scale`) or a stage micrometer already measured
    (``micrometer_um_per_px``). Every face that analyses images (``follicle analyze``,
    ``follicle report visit``, the web app) sets its scale here, so they agree."""
    given = sum(v is not None for v in (um_per_px, device, micrometer_um_per_px))
    if given != 1:
        raise FollicleInputError(
            "calibration",
            f"{given} options given",
            "exactly one of um_per_px (--um-per-px), device (--device) or "
            "micrometer (--micrometer)",
        )
    if um_per_px is not None:
        return ScaleEstimate(um_per_px=check_um_per_px(um_per_px), source="given")
    if device is not None:
        return image_scale(rgb, device=device, circle_radius_mm=circle_radius_mm, burnt_in=burnt_in)
    return ScaleEstimate(
        um_per_px=check_um_per_px(micrometer_um_per_px, field="micrometer scale"),
        source="micrometer",
    )


def scale_label(found: ScaleEstimate) -> str:
    """Where a scale came from, as ``follicle analyze --json`` reports it
    (``scale_source``): "given", "micrometer", or e.g. "scale bar (1 mm on 355 px)"."""
    return f"{found.source} ({found.detail})" if found.detail else found.source


# The thicker half of the shafts in a scalp image is terminal hair: 75 um typical (60-90,
# physiology.md: > 60, ~60-140; bench/measure.py) and, calibrated on the trichoscopy-dev
# dev subset at the circle-derived 2.76 um/px, a median of 88 um (35 images with >= 10
# hairs, IQR 85-93). A scale is consistent with the widths when it puts that median in
# 70-100 um; the check warns beyond 15% outside that range.
TERMINAL_RANGE_UM = (70.0, 100.0)
TERMINAL_UM = 88.0  # the dev-subset median (for tests and examples)
SCALE_TOLERANCE = 0.15


# Thin hairs are found less often in coarser images: the dev images resampled from 2.76
# to 3.68 and 5.52 um/px (``bench/real_images.py --resample``) kept 69 and 63 of the 77
# thin boxes found at full resolution, mostly losing thin hairs lying beside thick ones
# (docs/measure.md, "12-05, night"); matching as a whole held (F1 0.847 -> 0.838-0.843).
COARSE_UM_PER_PX = 4.0


def resolution_warnings(um_per_px: float) -> tuple[str, ...]:
    """A warning when the image is coarser than ``COARSE_UM_PER_PX``: the thin share
    may read low there."""
    if um_per_px <= COARSE_UM_PER_PX:
        return ()
    return (
        f"resolution: {um_per_px:.2f} um/px is coarser than the {COARSE_UM_PER_PX:g} um/px "
        "the analyser was checked at on real images; thin hairs lying beside thick ones "
        "are often missed there (resampled to 5.5 um/px, real images kept 63 of their "
        "77 thin hairs found at 2.76 um/px), so the thin and vellus shares may be too low",
    )


def width_scale_check(
    widths_px: np.ndarray,
    *,
    um_per_px: float,
    terminal_range_um: tuple[float, float] = TERMINAL_RANGE_UM,
    min_hairs: int = 10,
) -> tuple[str, ...]:
    """A warning when the scale disagrees with the shaft widths by more than 15%: the
    median of the thicker half of the shafts, at this scale, lies more than 15% outside
    the terminal range (70-100 um). Rough: terminal shafts vary between people and
    populations, so this catches a wrong preset or magnification, not a few percent."""
    w = np.asarray(widths_px, float)
    w = w[np.isfinite(w)]
    if len(w) < min_hairs:
        return ()
    thick = float(np.median(w[w >= np.median(w)]))
    low, high = terminal_range_um
    thick_um = thick * um_per_px
    nearest = min(max(thick_um, low), high)
    ratio = thick_um / nearest
    if abs(ratio - 1) <= SCALE_TOLERANCE:
        return ()
    implied = nearest / thick
    return (
        f"scale check: the shaft widths suggest about {implied:.2f} um/px or "
        f"{'less' if ratio > 1 else 'more'} (thicker half of the shafts {thick:.1f} px = "
        f"{thick_um:.0f} um at the given {um_per_px:g} um/px; terminal hair "
        f"{low:g}-{high:g} um), {100 * (ratio - 1):+.0f}%; check the calibration",
    )
