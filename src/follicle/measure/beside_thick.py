"""Thin hairs lying along a thick one inside one mask object.

On the real 70x dev images (docs/measure.md) about ten missed thin (`undersize`) hairs
lie beside a thick hair and touch it: the hair mask holds both as one object, the
skeleton traces the thick hair, and the thin one is never a shaft of its own. Inside
such an object, away from the thick hair's own band (its centre line grown by its half
width), a thin hair is still a line: the faint-line filter (``faint_hairs``) at the
thin scale finds it there. The thick hair's own edges respond to that filter too, but
inside its band, which is left out. A line found is kept only when, read from the
side away from the thick hair (the other side is the thick hair), it is thin and darker
than the skin; the caller measures nothing more.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from follicle.measure.faint_hairs import SHRINK, _shrink, _shrink_any, line_strength
from follicle.measure.shafts import EIGHT, Shaft
from follicle.measure.stubs import bar_axis


def thick_bands(
    shape: tuple[int, int], shafts: list[tuple[Shaft, float]], *, margin_px: float
) -> np.ndarray:
    """Pixels within ``width / 2 + margin_px`` of each (shaft, width px)'s centre line
    (a disk, from a distance transform in the shaft's own window)."""
    band = np.zeros(shape, bool)
    for shaft, width in shafts:
        reach = width / 2 + margin_px
        p = shaft.pixels
        pad = int(np.ceil(reach)) + 1
        r0, c0 = max(int(p[:, 0].min()) - pad, 0), max(int(p[:, 1].min()) - pad, 0)
        r1 = min(int(p[:, 0].max()) + pad + 1, shape[0])
        c1 = min(int(p[:, 1].max()) + pad + 1, shape[1])
        line = np.ones((r1 - r0, c1 - c0), bool)
        line[p[:, 0] - r0, p[:, 1] - c0] = False
        band[r0:r1, c0:c1] |= ndimage.distance_transform_edt(line) <= reach
    return band


def far_side_profile(
    contrast: np.ndarray, path: np.ndarray, away: np.ndarray, *, reach_px: float
) -> tuple[float, float]:
    """Width (twice the half width at half maximum read on the side ``away`` from the
    thick hair) and peak contrast of a line, medians over profiles along ``path``."""
    steps = np.arange(-2.0, reach_px + 0.5)
    widths, peaks = [], []
    for point in path[:: max(len(path) // 24, 1)]:
        q = point[None, :] + steps[:, None] * away[None, :]
        values = ndimage.map_coordinates(contrast, q.T, order=1, mode="nearest")
        centre = int(np.argmax(values[:5]))  # the peak within 2 px of the line
        peak = float(values[centre])
        floor = float(values[centre:].min())
        if peak <= floor:
            continue
        below = np.flatnonzero(values[centre:] < (peak + floor) / 2)
        if len(below) == 0:
            continue
        widths.append(2.0 * (steps[centre + below[0]] - steps[centre] - 0.5))
        peaks.append(peak - floor)
    if not widths:
        return float("nan"), 0.0
    return float(np.median(widths)), float(np.median(peaks))


def beside_thickness(
    beside: np.ndarray, path: np.ndarray, away: np.ndarray, *, reach_px: float
) -> float:
    """How far the mask reaches beyond the thick hair's band across a line: the run of
    ``beside`` pixels through each point of ``path`` along ``away`` (median, px). A thin
    hair beside a thick one widens the object by its own width; a second thick hair (or
    a halo) by more."""
    steps = np.arange(-reach_px, reach_px + 0.5)
    runs = []
    for point in path[:: max(len(path) // 24, 1)]:
        q = np.round(point[None, :] + steps[:, None] * away[None, :]).astype(int)
        ok = (
            (q[:, 0] >= 0)
            & (q[:, 0] < beside.shape[0])
            & (q[:, 1] >= 0)
            & (q[:, 1] < beside.shape[1])
        )
        on = np.zeros(len(q), bool)
        on[ok] = beside[q[ok, 0], q[ok, 1]]
        middle = len(steps) // 2
        if not on[middle]:
            continue
        off = np.flatnonzero(~on)
        after = off[off > middle]
        before = off[off < middle]
        hi = after[0] if len(after) else len(on)
        lo = before[-1] if len(before) else -1
        runs.append(hi - lo - 1)
    return float(np.median(runs)) if runs else float("inf")


def thin_beside_thick(
    ridge: np.ndarray,
    contrast: np.ndarray,
    *,
    objects_mask: np.ndarray,
    thick: list[tuple[Shaft, float]],
    valid: np.ndarray,
    sigma_px: float,
    min_length_px: float,
    max_width_px: float,
    high_sd: float,
    low_sd: float = 3.0,
    margin_px: float = 1.0,
    min_inside: float = 0.5,
    max_peak: float = 0.5,
) -> list[tuple[Shaft, float, float]]:
    """Thin lines inside ``objects_mask`` (the mask objects holding the ``thick``
    (shaft, width px) hairs) and outside the thick hairs' bands: (shaft, width px, peak
    contrast) for each line at least ``min_inside`` inside the objects and at most
    ``max_width_px`` wide read on its far side."""
    if not thick:
        return []
    band = thick_bands(ridge.shape, thick, margin_px=margin_px)
    beside = objects_mask & ~band
    if not beside.any():
        return []
    lines = _beside_lines(
        ridge,
        beside,
        sigma_px=sigma_px,
        min_length_px=min_length_px,
        max_width_px=2 * max_width_px,
        low_sd=low_sd,
        high_sd=high_sd,
    )
    on_thick = np.concatenate([s.pixels for s, _ in thick]).astype(float)
    out = []
    for line in lines:
        path = line.branches[0]
        if beside[path[:, 0], path[:, 1]].mean() < min_inside:
            continue
        middle = path.mean(axis=0)
        nearest = on_thick[int(np.argmin(np.hypot(*(on_thick - middle).T)))]
        axis = (path[-1] - path[0]).astype(float)
        axis /= max(float(np.hypot(*axis)), 1e-9)
        normal = np.array([-axis[1], axis[0]])
        if np.dot(middle - nearest, normal) < 0:
            normal = -normal  # point away from the thick hair
        width, peak = far_side_profile(contrast, path, normal, reach_px=2 * max_width_px)
        extra = beside_thickness(beside, path, normal, reach_px=3 * max_width_px)
        if (
            np.isfinite(width)
            and 1.0 <= width <= max_width_px
            and extra <= max_width_px
            and peak < max_peak
        ):
            out.append((line, width, peak))
    return out


def _beside_lines(
    ridge: np.ndarray,
    beside: np.ndarray,
    *,
    sigma_px: float,
    min_length_px: float,
    max_width_px: float,
    low_sd: float,
    high_sd: float,
    min_aspect: float = 6.0,
) -> list[Shaft]:
    """Straight shafts along the ridge components inside ``beside`` (hysteresis at
    ``low_sd`` / ``high_sd`` robust SDs of the filter over the window around it; long,
    narrow bars only, as ``faint_hairs.faint_line_shafts``)."""
    rr, cc = np.nonzero(beside)
    pad = int(np.ceil(4 * sigma_px)) + 2 * SHRINK
    r0, c0 = (
        max(int(rr.min()) - pad, 0) // SHRINK * SHRINK,
        max(int(cc.min()) - pad, 0) // SHRINK * SHRINK,
    )
    r1, c1 = int(rr.max()) + pad + 1, int(cc.max()) + pad + 1
    small = _shrink(ridge[r0:r1, c0:c1])
    strength = line_strength(small, sigma_px=max(sigma_px / SHRINK, 0.7))
    centre = float(np.median(strength))
    sd = 1.4826 * float(np.median(np.abs(strength - centre)))
    if sd <= 0:
        return []
    inside = _shrink_any(beside[r0:r1, c0:c1])[: strength.shape[0], : strength.shape[1]]
    z = np.where(inside, (strength - centre) / sd, 0.0)
    labels, n = ndimage.label(z > low_sd, structure=EIGHT)
    if n == 0:
        return []
    seeded = np.zeros(n + 1, bool)
    seeded[labels[z > high_sd]] = True
    seeded[0] = False
    shafts = []
    for index in np.flatnonzero(seeded):
        lr, lc = np.nonzero(labels == index)
        if len(lr) < min_length_px / SHRINK:
            continue
        centre_rc, axis, length, width = bar_axis(lr, lc)
        length, width = length * SHRINK, width * SHRINK
        if length < min_length_px or width > max_width_px or length < min_aspect * width:
            continue
        middle = centre_rc * SHRINK + (SHRINK - 1) / 2 + np.array([r0, c0])
        steps = np.arange(-length / 2, length / 2 + 0.5)
        path = np.round(middle + steps[:, None] * axis).astype(int)
        ok = (
            (path[:, 0] >= 0)
            & (path[:, 0] < ridge.shape[0])
            & (path[:, 1] >= 0)
            & (path[:, 1] < ridge.shape[1])
        )
        path = path[ok]
        keep = np.ones(len(path), bool)
        keep[1:] = np.any(np.diff(path, axis=0) != 0, axis=1)
        path = path[keep]
        if len(path) >= 5:
            shafts.append(Shaft(branches=(path,), junctions_rc=np.zeros((0, 2))))
    return shafts
