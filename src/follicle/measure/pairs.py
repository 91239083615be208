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

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from follicle.measure.shafts import Shaft
from follicle.measure.widths import STEP_PX, _tangents, pixel_path, shaft_samples


@dataclass(frozen=True, kw_only=True)
class PairSplit:
    shafts: tuple[Shaft, ...]  # two or more hairs side by side
    widths_px: tuple[float, ...]


def _normals(path: np.ndarray, hw: float, reference: np.ndarray) -> np.ndarray:
    tangent = _tangents(path, window=int(np.clip(2 * hw, 5, 15)))
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    return np.where((normal @ reference)[:, None] < 0, -normal, normal)


def shifted_shaft(
    shaft: Shaft,
    half_width: np.ndarray,
    reference: np.ndarray,
    shape: tuple[int, ...],
    offset_px: Callable[[np.ndarray], float | np.ndarray],
) -> Shaft | None:
    """The shaft moved across itself: each point of each branch by ``offset_px(path)``
    pixels (one number, or one per point) along its normal turned towards ``reference``,
    kept on the image (``shape``), repeated points dropped; None when no branch has two
    points. One hair of a split pair is its shaft moved to that hair's centre."""
    branches = []
    for path in shaft.branches:
        if len(path) < 2:
            continue
        hw = float(np.median(half_width[path[:, 0], path[:, 1]]))
        step = np.broadcast_to(np.asarray(offset_px(path), float), (len(path),))
        branches.append(pixel_path(path + step[:, None] * _normals(path, hw, reference), shape))
    if not branches:
        return None
    return Shaft(branches=tuple(branches), junctions_rc=shaft.junctions_rc)


def _across_profile(
    contrast: np.ndarray,
    shaft: Shaft,
    half_width: np.ndarray,
    *,
    reach_px: float,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Mean contrast profile across the shaft (normals turned one way), the share of its
    samples on the hair mask, the offsets (px) and that one way (the reference normal),
    or None for a shaft too short to sample."""
    pixels = shaft.pixels.astype(float)
    if len(pixels) < 3:
        return None
    _, _, vt = np.linalg.svd(pixels - pixels.mean(axis=0), full_matrices=False)
    reference = np.array([-vt[0, 1], vt[0, 0]])
    points, normals = shaft_samples(shaft.branches, shaft.junctions_rc, half_width)
    if len(points) < 3:
        return None
    normals = np.where((normals @ reference)[:, None] < 0, -normals, normals)
    profile, on_mask, offsets = mean_cross_profile(
        contrast, points, normals, reach_px=reach_px, mask=mask
    )
    return profile, on_mask, offsets, reference


def mean_cross_profile(
    contrast: np.ndarray,
    points: np.ndarray,
    normals: np.ndarray,
    *,
    reach_px: float,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean contrast profile read from ``points`` along their ``normals`` (one per point,
    or one for all), every ``STEP_PX`` up to ``reach_px`` on each side; the share of its
    samples on the hair ``mask`` (zeros without one); the offsets (px)."""
    normals = np.broadcast_to(normals, points.shape)
    offsets = np.arange(-reach_px, reach_px + STEP_PX / 2, STEP_PX)
    rr = points[:, 0, None] + offsets[None, :] * normals[:, 0, None]
    cc = points[:, 1, None] + offsets[None, :] * normals[:, 1, None]
    profile = ndimage.map_coordinates(contrast, [rr, cc], order=1, mode="constant").mean(axis=0)
    on_mask = np.zeros_like(profile)
    if mask is not None:
        on_mask = ndimage.map_coordinates(
            mask.view(np.uint8), [rr, cc], order=0, mode="constant"
        ).mean(axis=0)
    return profile, on_mask, offsets


def _outer_edges(profile: np.ndarray, on_mask: np.ndarray) -> tuple[float, float] | None:
    """Half-height edges of the run of shaft around the centre. The run ends where the
    profile falls to a quarter of its peak (skin) off the hair mask, so neither a dip
    between touching hairs nor a thin line of skin the mask bridged ends it; it falls back
    to the run above half height when skin is not reached on both sides."""
    centre = len(profile) // 2
    peak = profile.max()
    if peak <= 0:
        return None
    skin = (profile < 0.25 * peak) & (on_mask < 0.5)
    left_skin = np.flatnonzero(skin[:centre])
    right_skin = np.flatnonzero(skin[centre:])
    if len(left_skin) and len(right_skin):
        a, b = left_skin[-1] + 1, centre + right_skin[0]
        above = np.flatnonzero(profile[a:b] >= peak / 2)
        if len(above):
            return a + above[0] - 0.5, a + above[-1] + 0.5
    below = profile < peak / 2
    left_side = np.flatnonzero(below[:centre])
    right_side = np.flatnonzero(below[centre:])
    if not len(left_side) or not len(right_side):
        return None
    return left_side[-1] + 0.5, centre + right_side[0] - 0.5


def divided_run(
    profile: np.ndarray,
    on_mask: np.ndarray,
    *,
    single_px: float,
    min_part_single: float,
    min_dip: float,
) -> tuple[float, float, list[int]] | None:
    """The shaft's run across a mean profile (``_outer_edges``) and its clear dips
    (``_valleys``, parts at least ``min_part_single`` single hairs and 2 px wide), or None
    when the profile has no run."""
    edges = _outer_edges(profile, on_mask)
    if edges is None:
        return None
    left, right = edges
    min_part = max(min_part_single * single_px, 2.0) / STEP_PX
    return left, right, _valleys(profile, left, right, min_dip=min_dip, min_part=min_part)


def _valleys(
    profile: np.ndarray, left: float, right: float, *, min_dip: float, min_part: float
) -> list[int]:
    """Divisions between hairs lying side by side: local minima of the profile between
    its edges that dip at least ``min_dip`` (share of the peak) below the lower of the
    highest points on either side; the shallowest go first while a part would be
    narrower than ``min_part`` samples."""
    smooth = ndimage.gaussian_filter1d(profile, 2.0)
    lo, hi = int(np.ceil(left)), int(np.floor(right))
    if hi - lo < 3:
        return []
    inner = smooth[lo : hi + 1]
    minima = np.flatnonzero((inner[1:-1] < inner[:-2]) & (inner[1:-1] <= inner[2:])) + 1 + lo
    peak = float(smooth[lo : hi + 1].max())
    cuts = []
    for v in minima:
        dip = min(smooth[lo : v + 1].max(), smooth[v : hi + 1].max()) - smooth[v]
        if dip >= min_dip * peak:
            cuts.append((int(v), float(dip)))
    while cuts:
        bounds = [left, *(v for v, _ in cuts), right]
        parts = np.diff(bounds)
        narrow = int(np.argmin(parts))
        if parts[narrow] >= min_part:
            break
        # Drop the shallower of the divisions beside the narrowest part.
        beside = [k for k in (narrow - 1, narrow) if 0 <= k < len(cuts)]
        cuts.pop(min(beside, key=lambda k: cuts[k][1]))
    return [v for v, _ in cuts]


def split_side_by_side(
    contrast: np.ndarray,
    shaft: Shaft,
    half_width: np.ndarray,
    *,
    width_px: float,
    single_px: float,
    blind_px: float | None,
    mask: np.ndarray | None = None,
    min_dip: float = 0.1,
    min_part_single: float = 0.65,
    min_part_share: float = 0.3,
) -> PairSplit | None:
    """Split a wide shaft into the hairs lying side by side in it, or None.

    The divisions are the clear dips of its mean cross profile (two or three hairs of one
    opening, a line of light or skin between them); each part must be at least
    ``min_part_single`` times a single hair (``single_px``) wide (a specular stripe along
    one hair dips too, halving it). A part at least ``blind_px`` wide (far wider than one
    hair; None: never) is then split in two at the lowest point between its
    ``min_part_share`` points: touching hairs may show no line between them.
    ``mask``: the hair mask, whose bridged lines of skin do not end the shaft."""
    found = _across_profile(contrast, shaft, half_width, reach_px=0.8 * width_px + 4, mask=mask)
    if found is None:
        return None
    profile, on_mask, offsets, reference = found
    run = divided_run(
        profile, on_mask, single_px=single_px, min_part_single=min_part_single, min_dip=min_dip
    )
    if run is None:
        return None
    left, right, cuts = run
    for _ in range(3 if blind_px is not None else 0):
        bounds = [left, *cuts, right]
        spans = np.diff(bounds)
        widest = int(np.argmax(spans))
        if spans[widest] * STEP_PX < blind_px:
            break
        a, span = bounds[widest], spans[widest]
        lo, hi = int(a + min_part_share * span), int(np.ceil(a + span - min_part_share * span))
        if hi <= lo:
            break
        cuts = sorted([*cuts, lo + int(np.argmin(profile[lo : hi + 1]))])
    # rounding can put a division on or past an edge: such a part would have no width
    cuts = sorted({c for c in cuts if left < c < right})
    if not cuts:
        return None
    centre = len(offsets) // 2
    bounds = [left, *cuts, right]
    parts, widths = [], []
    for a, b in itertools.pairwise(bounds):
        shift = ((a + b) / 2 - centre) * STEP_PX
        part = shifted_shaft(
            shaft, half_width, reference, contrast.shape, lambda _, shift=shift: shift
        )
        if part is None:
            return None
        parts.append(part)
        widths.append(float(b - a) * STEP_PX)
    return PairSplit(shafts=tuple(parts), widths_px=tuple(widths))
