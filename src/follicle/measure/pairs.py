"""Two hairs lying side by side along their length, found as one wide shaft.

Hairs of one follicular unit often leave the opening together and touch along their
whole visible length; the mask holds them as one shaft about twice as wide as the
image's other hairs (or wider than any single hair, and then the shaft was dropped).
Such a shaft is split in two along its centre line: the mean perpendicular profile
(normals turned one way) gives the two outer edges at half height, and the division
between the hairs is the lowest point of the profile between its quarter points (a
faint line of skin or of light between two cylinders). Each half becomes a hair whose
centre line is the original one moved to the middle of its part, and whose width is
that part's width: touching hairs cannot be measured apart at half height.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from follicle.measure.shafts import Shaft
from follicle.measure.widths import STEP_PX, _tangents, sample_points


@dataclass(frozen=True, kw_only=True)
class PairSplit:
    shafts: tuple[Shaft, Shaft]
    widths_px: tuple[float, float]


def _normals(path: np.ndarray, hw: float, reference: np.ndarray) -> np.ndarray:
    tangent = _tangents(path, window=int(np.clip(2 * hw, 5, 15)))
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    return np.where((normal @ reference)[:, None] < 0, -normal, normal)


def split_pair(
    contrast: np.ndarray,
    shaft: Shaft,
    half_width: np.ndarray,
    *,
    width_px: float,
    min_part_share: float = 0.3,
) -> PairSplit | None:
    """Split a wide shaft into two side-by-side hairs, or None when its profile does not
    show two parts (one edge missing, or the division too close to an edge)."""
    pixels = shaft.pixels.astype(float)
    centred = pixels - pixels.mean(axis=0)
    if len(pixels) < 3:
        return None
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reference = np.array([-vt[0, 1], vt[0, 0]])
    points, normals = sample_points(shaft.branches, shaft.junctions_rc, half_width)
    if len(points) < 3:
        return None
    normals = np.where((normals @ reference)[:, None] < 0, -normals, normals)
    reach = 0.8 * width_px + 4
    offsets = np.arange(-reach, reach + STEP_PX / 2, STEP_PX)
    rr = points[:, 0, None] + offsets[None, :] * normals[:, 0, None]
    cc = points[:, 1, None] + offsets[None, :] * normals[:, 1, None]
    profile = ndimage.map_coordinates(contrast, [rr, cc], order=1, mode="constant").mean(axis=0)
    centre = len(offsets) // 2
    half = profile.max() / 2
    below = profile < half
    left_side = np.flatnonzero(below[:centre])
    right_side = np.flatnonzero(below[centre:])
    if not len(left_side) or not len(right_side):
        return None
    left, right = left_side[-1] + 0.5, centre + right_side[0] - 0.5
    span = right - left
    lo, hi = int(left + min_part_share * span), int(np.ceil(right - min_part_share * span))
    if hi <= lo:
        return None
    divide = lo + int(np.argmin(profile[lo : hi + 1]))
    if not left < divide < right:  # rounding can put it on or past an edge: no 2 parts
        return None
    parts = []
    for a, b in ((left, divide), (divide, right)):
        shift = ((a + b) / 2 - centre) * STEP_PX
        branches = []
        for path in shaft.branches:
            if len(path) < 2:
                continue
            hw = float(np.median(half_width[path[:, 0], path[:, 1]]))
            moved = np.round(path + shift * _normals(path, hw, reference)).astype(int)
            moved[:, 0] = np.clip(moved[:, 0], 0, contrast.shape[0] - 1)
            moved[:, 1] = np.clip(moved[:, 1], 0, contrast.shape[1] - 1)
            keep = np.ones(len(moved), bool)
            keep[1:] = np.any(np.diff(moved, axis=0) != 0, axis=1)
            branches.append(moved[keep])
        if not branches:
            return None
        parts.append(Shaft(branches=tuple(branches), junctions_rc=shaft.junctions_rc))
    return PairSplit(
        shafts=(parts[0], parts[1]),
        widths_px=((divide - left) * STEP_PX, (right - divide) * STEP_PX),
    )
