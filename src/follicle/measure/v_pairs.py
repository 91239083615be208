"""Two hairs of one opening in a narrow V, found as one shaft.

Hairs of one follicular unit leave the opening together and part slowly: over the
visible length the two lie on each other at the opening and side by side at their tips.
The mask holds them as one shaft whose width grows steadily from one end (one hair's
width) to the other (two hairs' width), and whose cross profile at the wide end shows
two ridges with a dip between them (a notch of skin or a line of light). Averaged over
the whole length (``pairs.split_side_by_side``) the dip is smeared out, since the
parting grows along the shaft; here it is read at the wide end only, and the two hairs'
centre lines are drawn from the narrow end, where they meet, to the two ridges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from follicle.measure.pairs import divided_run, shifted_shaft
from follicle.measure.shafts import Shaft
from follicle.measure.widths import STEP_PX, profile_widths, shaft_samples


@dataclass(frozen=True, kw_only=True)
class VSplit:
    shafts: tuple[Shaft, Shaft]
    widths_px: tuple[float, float]  # each hair's width at the wide end


def _rank_correlation(x: np.ndarray, y: np.ndarray) -> float:
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    if np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return 0.0
    return float(np.corrcoef(rx, ry)[0, 1])


def split_v_pair(
    contrast: np.ndarray,
    shaft: Shaft,
    half_width: np.ndarray,
    *,
    single_px: float,
    mask: np.ndarray | None = None,
    min_wide_ratio: float = 1.4,
    min_growth: float = 1.15,
    min_trend: float = 0.6,
    max_scatter: float = 0.15,
    min_dip: float = 0.1,
    min_part_single: float = 0.5,
    min_part_share: float = 0.4,
    floor_contrast: float = 0.1,
) -> VSplit | None:
    """Split a shaft that widens steadily into two hairs parting at its wide end, or None.

    Per-sample widths (full width at half maximum) along the shaft are fitted by a line
    against the position along the shaft's axis: the fitted width at the wide end must
    be at least ``min_wide_ratio`` single hairs (``single_px``) and ``min_growth`` times
    the fitted width at the narrow end, with a rank correlation of at least
    ``min_trend``, and the widths may scatter about the line by at most ``max_scatter``
    single hairs (SD): a width that steps (a thick hair ending in a thin tip, or two
    hairs offset along their length) rather than grows is left whole (0: no limit). The
    mean cross profile of the wide third must then dip at least ``min_dip`` of its peak
    between two parts each at least ``min_part_single`` single hairs wide
    (``pairs._valleys``)."""
    pixels = shaft.pixels.astype(float)
    if len(pixels) < 10:
        return None
    mean = pixels.mean(axis=0)
    _, _, vt = np.linalg.svd(pixels - mean, full_matrices=False)
    axis = vt[0]
    reference = np.array([-axis[1], axis[0]])
    points, normals = shaft_samples(shaft.branches, shaft.junctions_rc, half_width)
    if len(points) < 8:
        return None
    normals = np.where((normals @ reference)[:, None] < 0, -normals, normals)
    reach = 1.3 * min_wide_ratio * single_px / 2 + 4
    widths, peak = profile_widths(
        contrast, points, normals, reach_px=reach, mask=mask, floor_contrast=floor_contrast
    )
    ok = np.isfinite(widths) & (peak > 0)
    if ok.sum() < 8:
        return None
    s = (points - mean) @ axis
    slope, intercept = np.polyfit(s[ok], widths[ok], 1)
    trend = _rank_correlation(s[ok], widths[ok])
    lo, hi = float(s.min()), float(s.max())
    w_lo, w_hi = slope * lo + intercept, slope * hi + intercept
    wide_end, narrow_end = (hi, lo) if w_hi >= w_lo else (lo, hi)
    w_wide, w_narrow = max(w_hi, w_lo), min(w_hi, w_lo)
    if abs(trend) < min_trend or w_wide < min_wide_ratio * single_px:
        return None
    scatter = float(np.std(widths[ok] - (slope * s[ok] + intercept)))
    if max_scatter > 0 and scatter > max_scatter * single_px:
        return None
    if w_wide < min_growth * max(w_narrow, 1e-9):
        return None
    # The wide third: its mean cross profile, normals turned one way.
    t = (s - narrow_end) / (wide_end - narrow_end)
    wide = t >= 2 / 3
    if wide.sum() < 3:
        return None
    offsets = np.arange(-reach, reach + STEP_PX / 2, STEP_PX)
    rr = points[wide, 0, None] + offsets[None, :] * normals[wide, 0, None]
    cc = points[wide, 1, None] + offsets[None, :] * normals[wide, 1, None]
    profile = ndimage.map_coordinates(contrast, [rr, cc], order=1, mode="constant").mean(axis=0)
    on_mask = np.zeros_like(profile)
    if mask is not None:
        on_mask = ndimage.map_coordinates(
            mask.view(np.uint8) if mask.dtype == bool else mask, [rr, cc], order=0
        ).mean(axis=0)
    run = divided_run(
        profile, on_mask, single_px=single_px, min_part_single=min_part_single, min_dip=min_dip
    )
    if run is None:
        return None
    left, right, cuts = run
    if len(cuts) > 1:
        return None  # three hairs: left to the other rules
    if cuts:
        cut = cuts[0]
    else:  # touching hairs may show no line between them: the lowest point of the middle
        span = right - left
        a, b = int(left + min_part_share * span), int(np.ceil(right - min_part_share * span))
        if b <= a:
            return None
        cut = a + int(np.argmin(profile[a : b + 1]))
    centre = len(offsets) // 2
    part_centres = (((left + cut) / 2 - centre) * STEP_PX, ((cut + right) / 2 - centre) * STEP_PX)
    part_widths = ((cut - left) * STEP_PX, (right - cut) * STEP_PX)
    # Each hair's centre line: moved from the narrow end (no offset: the hairs meet) to
    # its ridge at the wide end, in proportion to the position along the axis.
    wide_s = float(np.median(s[wide]))
    parts = []

    def share_along(path: np.ndarray) -> np.ndarray:
        along = (path.astype(float) - mean) @ axis
        return np.clip((along - narrow_end) / (wide_s - narrow_end), 0.0, 1.0)

    for offset in part_centres:
        part = shifted_shaft(
            shaft,
            half_width,
            reference,
            contrast.shape,
            lambda path, offset=offset: share_along(path) * offset,
        )
        if part is None:
            return None
        parts.append(part)
    return VSplit(shafts=(parts[0], parts[1]), widths_px=part_widths)
