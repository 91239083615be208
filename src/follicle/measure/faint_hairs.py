"""Faint thin hairs: long straight lines too faint for the hair mask's seeds.

Vellus and miniaturized hairs are thin and often lightly pigmented: on the real 70x dev
images (docs/measure.md) the largest class of missed thin (`undersize`) hairs were
straight lines 15-35 um wide whose contrast (0.1-0.2) sits at three to five times the
skin's noise, below the seed level of the hysteresis mask. Pixel by pixel they are skin
texture; as lines they are not: a ridge filter at their width (the Hessian's strongest
curvature across, minus the curvature along, at half resolution) picks them out, and a
component of it is kept only when it is a long, narrow bar away from the hairs already
found. Each becomes one straight shaft; the caller measures its width on the contrast
image and keeps it only when thin.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from follicle.measure.binary_ops import dilate_square
from follicle.measure.shafts import EIGHT, Shaft
from follicle.measure.stubs import bar_axis

SHRINK = 2  # the ridge filter runs at half resolution (thin lines stay >= 2 px wide)


def _shrink(image: np.ndarray) -> np.ndarray:
    """Mean over 2 x 2 blocks (strided sums: far cheaper than a reshaped mean)."""
    rows, cols = (image.shape[0] // SHRINK) * SHRINK, (image.shape[1] // SHRINK) * SHRINK
    a = image[:rows, :cols].astype(np.float32, copy=False)
    return (a[0::2, 0::2] + a[1::2, 0::2] + a[0::2, 1::2] + a[1::2, 1::2]) * 0.25


def _shrink_any(mask: np.ndarray) -> np.ndarray:
    """True where any pixel of a 2 x 2 block is."""
    rows, cols = (mask.shape[0] // SHRINK) * SHRINK, (mask.shape[1] // SHRINK) * SHRINK
    m = mask[:rows, :cols]
    return m[0::2, 0::2] | m[1::2, 0::2] | m[0::2, 1::2] | m[1::2, 1::2]


def line_strength(image: np.ndarray, *, sigma_px: float) -> np.ndarray:
    """Ridge strength of bright lines about ``2 * sigma_px`` wide: minus the most negative
    Hessian eigenvalue (curvature across the line) minus the absolute other one (curvature
    along it: zero on a straight line, as large as the first on a round blob), times
    sigma^2 (scale-normalised). Second differences of the Gaussian-smoothed image."""
    g = ndimage.gaussian_filter(image, sigma_px, mode="nearest", truncate=3.0)
    hrr = np.zeros_like(g)
    hcc = np.zeros_like(g)
    hrc = np.zeros_like(g)
    hrr[1:-1] = g[2:] - 2 * g[1:-1] + g[:-2]
    hcc[:, 1:-1] = g[:, 2:] - 2 * g[:, 1:-1] + g[:, :-2]
    hrc[1:-1, 1:-1] = (g[2:, 2:] - g[2:, :-2] - g[:-2, 2:] + g[:-2, :-2]) / 4
    mean = (hrr + hcc) / 2
    root = np.sqrt(((hrr - hcc) / 2) ** 2 + hrc**2)
    across, along = mean - root, mean + root
    return (-across - np.abs(along)) * sigma_px**2


def shrunk_line_strength(ridge: np.ndarray, *, sigma_px: float) -> np.ndarray:
    """``line_strength`` of the half-resolution ``ridge`` at ``sigma_px`` (full-resolution
    px): the map ``faint_line_shafts`` reads, computed once for the steps that share it."""
    return line_strength(_shrink(ridge), sigma_px=max(sigma_px / SHRINK, 0.7))


def faint_line_shafts(
    ridge: np.ndarray,
    *,
    hair_mask: np.ndarray,
    valid: np.ndarray,
    sigma_px: float,
    min_length_px: float,
    max_width_px: float,
    low_sd: float = 3.0,
    high_sd: float = 5.0,
    min_aspect: float = 6.0,
    strength: np.ndarray | None = None,
) -> list[Shaft]:
    """Straight shafts along long, narrow ridges away from ``hair_mask``.

    ``ridge``: the contrast image (hair bright). ``sigma_px``: the ridge filter's scale in
    full-resolution px (about half a thin hair's width). A ridge pixel is weak above
    ``low_sd`` and a seed above ``high_sd`` robust SDs of the filter over the skin; a
    component (hysteresis) is kept when its moment rectangle is at least
    ``min_length_px`` long, at most ``max_width_px`` wide and ``min_aspect`` times longer
    than wide. Returns one straight shaft per component, along its axis. ``strength``:
    ``shrunk_line_strength(ridge, sigma_px=sigma_px)`` when already computed (not
    changed here)."""
    sigma = max(sigma_px / SHRINK, 0.7)
    if strength is None:
        strength = shrunk_line_strength(ridge, sigma_px=sigma_px)
    else:
        strength = strength.copy()
    rows, cols = strength.shape
    # Lines are sought on skin only: inside the mask (and one pixel beside it) the edges
    # of found hairs respond too; along the frame and masked graphics (caption bars,
    # measuring lines) the filter sees their straight edges, so a margin of three filter
    # scales is left there.
    blocked = dilate_square(_shrink_any(hair_mask), 1)
    margin = int(np.ceil(3 * sigma)) + 1
    outside = _shrink_any(~valid)
    if outside.any():
        outside = dilate_square(outside, margin)
    outside[:margin] = outside[-margin:] = True
    outside[:, :margin] = outside[:, -margin:] = True
    blocked |= outside
    sample = strength[::3, ::3][~blocked[::3, ::3]]  # a sparse grid is enough for the SD
    if sample.size < 100:
        return []
    centre = float(np.median(sample))
    sd = 1.4826 * float(np.median(np.abs(sample - centre)))
    if sd <= 0:
        return []
    strength[blocked] = centre
    weak = strength > centre + low_sd * sd
    labels, n = ndimage.label(weak, structure=EIGHT)
    if n == 0:
        return []
    seeded = np.zeros(n + 1, bool)
    seeded[labels[strength > centre + high_sd * sd]] = True
    seeded[0] = False
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    # A bar at least min_length long and one small pixel wide has at least this area.
    seeded &= sizes >= max(min_length_px / SHRINK, 4)
    shafts = []
    windows = ndimage.find_objects(labels)
    for index in np.flatnonzero(seeded):
        window = windows[index - 1]
        extent = float(np.hypot(window[0].stop - window[0].start, window[1].stop - window[1].start))
        # Cheap checks first: too short, or far more pixels than a narrow bar that long
        # holds (a web of skin texture).
        if extent * SHRINK < min_length_px or sizes[index] > extent * max_width_px / SHRINK:
            continue
        rr, cc = np.nonzero(labels[window] == index)
        centre_rc, axis, length, width = bar_axis(rr + window[0].start, cc + window[1].start)
        length, width = length * SHRINK, width * SHRINK
        if length < min_length_px or width > max_width_px or length < min_aspect * width:
            continue
        # Full-resolution axis through the component's centroid (pixel centres of the
        # shrunk image sit at SHRINK * i + (SHRINK - 1) / 2).
        middle = centre_rc * SHRINK + (SHRINK - 1) / 2
        path = straight_path(middle, axis, length, shape=(rows * SHRINK, cols * SHRINK))
        if len(path) >= 5:
            shafts.append(Shaft(branches=(path,), junctions_rc=np.zeros((0, 2))))
    return shafts


def straight_path(
    middle_rc: np.ndarray, axis: np.ndarray, length_px: float, *, shape: tuple[int, int]
) -> np.ndarray:
    """Pixels (row, col) of a straight line ``length_px`` long centred on ``middle_rc``
    along the unit ``axis``, those inside ``shape``, each pixel once."""
    steps = np.arange(-length_px / 2, length_px / 2 + 0.5)
    path = np.round(middle_rc + steps[:, None] * axis).astype(int)
    inside = (
        (path[:, 0] >= 0) & (path[:, 0] < shape[0]) & (path[:, 1] >= 0) & (path[:, 1] < shape[1])
    )
    path = path[inside]
    keep = np.ones(len(path), bool)
    keep[1:] = np.any(np.diff(path, axis=0) != 0, axis=1)
    return path[keep]


def side_darkening(rgb: np.ndarray, shaft: Shaft, *, width_px: float, dark: bool) -> float:
    """How much a straight shaft darkens the skin on either side of it: 1 - (mean R, G, B
    on its centre line) / (the same 1.5 widths + 3 px to one side), averaged over the
    three channels, on the side where it is least (brightening for light hair: ``dark``
    False). A pigmented hair is darker than the skin on both sides; a skin fold or the
    rim of a dye stain is much less dark, and an edge (a line beside a bright yellow dot
    or a dark hair) is darker than one side only."""
    path = shaft.branches[0]
    if len(path) < 2:
        return 0.0
    axis = (path[-1] - path[0]).astype(float)
    axis /= max(float(np.hypot(*axis)), 1e-9)
    normal = np.array([-axis[1], axis[0]])
    on = path[::2]
    rows, cols = rgb.shape[:2]
    reach = 1.5 * width_px + 3
    line = rgb[on[:, 0], on[:, 1]].reshape(-1, 3).mean(axis=0, dtype=np.float64)
    drops = []
    for sign in (-1.0, 1.0):
        q = np.round(on + sign * reach * normal).astype(int)
        ok = (q[:, 0] >= 0) & (q[:, 0] < rows) & (q[:, 1] >= 0) & (q[:, 1] < cols)
        if not ok.any():
            return 0.0  # one side outside the image: not measurable
        skin = np.maximum(rgb[q[ok, 0], q[ok, 1]].reshape(-1, 3).mean(axis=0, dtype=np.float64), 1)
        drops.append(float((1.0 - line / skin if dark else line / skin - 1.0).mean()))
    return min(drops)
