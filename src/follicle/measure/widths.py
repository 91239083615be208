"""Shaft width along the shaft from perpendicular contrast profiles.

At sample points along the centre line, the contrast profile across the shaft is read
(bilinear interpolation). The width of one profile is its full width at half its peak:
a Gaussian-blurred edge crosses half height exactly at the true edge, so the estimate is
unbiased for shafts wider than ~2.5 blur SDs, whatever the contrast. Samples near
junctions (crossings, shared openings) and near the shaft ends are skipped; the hair's
width is the median of the remaining samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from follicle.measure.small_median import median

STEP_PX = 0.25
# The level beside an edge (a halo's or shadow's shoulder) is read this far outside it,
# in um so that a hair reads the same at any magnification: 2.5-4 px at the 70x device's
# 2.76 um/px (``calibration.SCALE_70X_UM_PER_PX``), where the shoulder rule was
# calibrated on the dev images (docs/measure.md). In px, a blurred thin hair's own tail
# was read as a shoulder at 2.76 um/px and not at 5.5: 15-30% wider at half resolution.
SHOULDER_REACH_UM = (6.9, 11.04)


def shoulder_reach_px(um_per_px: float) -> tuple[float, float]:
    """``SHOULDER_REACH_UM`` in px at this scale."""
    return SHOULDER_REACH_UM[0] / um_per_px, SHOULDER_REACH_UM[1] / um_per_px


@dataclass(frozen=True, kw_only=True)
class WidthEstimate:
    width_px: float  # median over samples (NaN if no usable sample)
    spread_px: float  # interquartile range over samples
    samples: int
    contrast: float  # median peak contrast
    # Per branch: median offset (px, along the branch's normal) of the middle between the
    # half-height edges from the centre line (NaN: no sample); see ``centred_branches``.
    branch_offsets_px: tuple[float, ...] = ()


def _tangents(path: np.ndarray, window: int) -> np.ndarray:
    """Unit tangents of an ordered (row, col) path, smoothed over ``window`` pixels."""
    smooth = ndimage.uniform_filter1d(path.astype(float), size=window, axis=0, mode="nearest")
    t = np.gradient(smooth, axis=0)
    norm = np.hypot(t[:, 0], t[:, 1])
    norm[norm == 0] = 1
    return t / norm[:, None]


def sample_points(
    branches: tuple[np.ndarray, ...],
    junctions_rc: np.ndarray,
    half_width: np.ndarray,
    *,
    every_px: int = 2,
    branch_ids: list | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Centre points and normals where the shaft is free of junctions and ends.
    ``branch_ids``: a list that receives, per branch sampled, an array of its index."""
    points, normals = [], []
    for index_of_branch, path in enumerate(branches):
        if len(path) < 5:
            continue
        local = half_width[path[:, 0], path[:, 1]]
        hw = median(local)
        tangent = _tangents(path, window=int(np.clip(2 * hw, 5, 15)))
        index = np.arange(len(path))
        margin = max(2.0 * hw, 4.0)  # round off the ends: blunt clipped tips, tapering
        keep = (index >= margin) & (index < len(path) - margin)
        if junctions_rc.size:
            d = np.min(
                np.hypot(
                    path[:, None, 0] - junctions_rc[None, :, 0],
                    path[:, None, 1] - junctions_rc[None, :, 1],
                ),
                axis=1,
            )
            keep &= d > 3.0 * hw + 3.0  # crossings and shared openings widen the profile
        keep &= index % every_px == 0
        points.append(path[keep].astype(float))
        normals.append(np.stack([-tangent[keep, 1], tangent[keep, 0]], axis=1))
        if branch_ids is not None:
            branch_ids.append(np.full(int(keep.sum()), index_of_branch))
    if not points:
        return np.zeros((0, 2)), np.zeros((0, 2))
    return np.concatenate(points), np.concatenate(normals)


def shaft_samples(
    branches: tuple[np.ndarray, ...],
    junctions_rc: np.ndarray,
    half_width: np.ndarray,
    *,
    branch_ids: list | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``sample_points``, or for a shaft left with none (short, or crowded by junctions:
    a wide stub of two hairs has margins of two widths) every skeleton point but a
    quarter of those margins."""
    ids: list = []
    points, normals = sample_points(branches, junctions_rc, half_width, branch_ids=ids)
    if len(points) == 0:
        ids = []
        points, normals = sample_points(
            branches, np.zeros((0, 2)), half_width * 0.25, branch_ids=ids
        )
    if branch_ids is not None:
        branch_ids.extend(ids)
    return points, normals


def _as_uint8(mask: np.ndarray) -> np.ndarray:
    """A boolean mask as 0/1 bytes without copying the frame (a view), once per call."""
    return mask.view(np.uint8) if mask.dtype == bool else mask.astype(np.uint8)


def profile_widths(
    contrast: np.ndarray,
    points: np.ndarray,
    normals: np.ndarray,
    *,
    reach_px: float,
    mask: np.ndarray | None = None,
    floor_contrast: float = 0.1,
    centres_out: list | None = None,
    shoulder: bool = False,
    shoulder_reach: tuple[float, float] = (2.5, 4.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Full width at half maximum (px) and peak of each perpendicular profile.
    ``shoulder``: read each edge at half height above the level ``shoulder_reach`` px
    outside it when that level is at least a sixth of the peak (``shoulder_reach_px``
    gives the reach at an image's scale).

    The peak is returned negative where the profile runs off the image (truncated)."""
    if len(points) == 0:
        return np.zeros(0), np.zeros(0)
    offsets = np.arange(-reach_px, reach_px + STEP_PX / 2, STEP_PX)
    rr = points[:, 0, None] + offsets[None, :] * normals[:, 0, None]
    cc = points[:, 1, None] + offsets[None, :] * normals[:, 1, None]
    # Outside the image the contrast is 0, so a shaft cut by the border ends there; such
    # truncated profiles are flagged and used only when nothing better exists.
    profiles = ndimage.map_coordinates(contrast, [rr, cc], order=1, mode="constant", cval=0.0)
    centre = len(offsets) // 2
    # Peak near the centre line (the skeleton may sit a pixel or two off the true axis).
    core = max(round(reach_px / 2 / STEP_PX), 2)
    peak = profiles[:, centre - core : centre + core + 1].max(axis=1)
    half = peak / 2
    # The shaft is the contiguous run above ``floor`` (skin level) around the centre line;
    # its width runs between the outermost half-height crossings inside that run, so a
    # specular stripe along the shaft (a dip in the middle) does not split it.
    floor = np.minimum(np.maximum(floor_contrast, 0.25 * peak), half)
    inside = profiles > floor[:, None]
    if mask is not None:  # the (hole-filled) hair mask bridges stripes darker than floor
        on_mask = ndimage.map_coordinates(
            _as_uint8(mask), [rr, cc], order=0, mode="constant", cval=0
        ).astype(bool)
        inside |= on_mask
    n_off = len(offsets)
    index = np.arange(n_off)
    centre_in = inside[:, centre - core : centre + core + 1].any(axis=1)
    left_gap = np.where(~inside[:, :centre], index[:centre], -1).max(axis=1)
    right_gap = np.where(~inside[:, centre + 1 :], index[centre + 1 :], n_off).min(axis=1)
    above = (profiles >= half[:, None]) & (index > left_gap[:, None]) & (index < right_gap[:, None])
    has = above.any(axis=1)
    left = np.argmax(above, axis=1)
    right = n_off - 1 - np.argmax(above[:, ::-1], axis=1)
    valid = has & centre_in & (left_gap >= 0) & (right_gap < n_off)
    # Where skin never returns within reach (a dark dye halo beside a stub), fall back to
    # the plain full width at half maximum: the run above half height around the centre.
    below = profiles < half[:, None]
    left_half = np.where(below[:, :centre], index[:centre], -1).max(axis=1)
    right_half = np.where(below[:, centre + 1 :], index[centre + 1 :], n_off).min(axis=1)
    plain = ~valid & (left_half >= 0) & (right_half < n_off) & (profiles[:, centre] >= half)
    left = np.where(plain, left_half + 1, left)
    right = np.where(plain, right_half - 1, right)
    left_gap = np.where(plain, left_half, left_gap)
    right_gap = np.where(plain, right_half, right_gap)
    valid |= plain
    rows = np.arange(len(points))
    half_left = half_right = half
    if shoulder:
        # A halo or shadow beside an edge (a shoulder: the level ``shoulder_reach``
        # outside it is at least a sixth of the peak) lifts the base that edge stands on;
        # its half height is then half-way between the shoulder and the peak, found
        # inwards.
        near = round(shoulder_reach[0] / STEP_PX)
        far = max(round(shoulder_reach[1] / STEP_PX), near + 1)
        base_l = profiles[
            rows[:, None], np.clip(left[:, None] - np.arange(near, far), 0, n_off - 1)
        ]
        base_r = profiles[
            rows[:, None], np.clip(right[:, None] + np.arange(near, far), 0, n_off - 1)
        ]
        base_l, base_r = np.median(base_l, axis=1), np.median(base_r, axis=1)
        base_l = np.where(base_l >= peak / 6, np.minimum(base_l, peak), 0.0)
        base_r = np.where(base_r >= peak / 6, np.minimum(base_r, peak), 0.0)
        half_left, half_right = (peak + base_l) / 2, (peak + base_r) / 2
        inward = (index >= left[:, None]) & (index <= right[:, None])
        above_l = (profiles >= half_left[:, None]) & inward
        above_r = (profiles >= half_right[:, None]) & inward
        # No crossing inwards (the peak lies outside the edges found): keep that edge.
        base_l = np.where(above_l.any(axis=1), base_l, 0.0)
        base_r = np.where(above_r.any(axis=1), base_r, 0.0)
        half_left = np.where(base_l > 0, half_left, half)
        half_right = np.where(base_r > 0, half_right, half)
        left = np.where(base_l > 0, np.argmax(above_l, axis=1), left)
        right = np.where(base_r > 0, n_off - 1 - np.argmax(above_r[:, ::-1], axis=1), right)
    li, ri = np.clip(left, 1, n_off - 1), np.clip(right, 0, n_off - 2)
    # Linear interpolation of the half-height crossings between samples.
    pl, pl0 = profiles[rows, li], profiles[rows, li - 1]
    pr, pr1 = profiles[rows, ri], profiles[rows, ri + 1]
    xl = li - (pl - half_left) / np.maximum(pl - pl0, 1e-9)
    xr = ri + (pr - half_right) / np.maximum(pr - pr1, 1e-9)
    widths = np.where(valid, (xr - xl) * STEP_PX, np.nan)
    if centres_out is not None:  # middle of the edges, px from the centre line
        centres_out.append(np.where(valid, ((xl + xr) / 2 - centre) * STEP_PX, np.nan))
    rows_n, cols_n = contrast.shape
    run_r = rr[rows, np.clip(left_gap, 0, n_off - 1)], rr[rows, np.clip(right_gap, 0, n_off - 1)]
    run_c = cc[rows, np.clip(left_gap, 0, n_off - 1)], cc[rows, np.clip(right_gap, 0, n_off - 1)]
    truncated = np.zeros(len(points), bool)
    for r_, c_ in zip(run_r, run_c, strict=True):
        truncated |= (r_ < 0) | (r_ > rows_n - 1) | (c_ < 0) | (c_ > cols_n - 1)
    # Negative peak marks truncation for the caller without another return value.
    peak = np.where(truncated, -peak, peak)
    return widths, peak


def shaft_width(
    contrast: np.ndarray,
    branches: tuple[np.ndarray, ...],
    junctions_rc: np.ndarray,
    half_width: np.ndarray,
    *,
    max_width_px: float,
    min_contrast: float,
    mask: np.ndarray | None = None,
    shoulder: bool = False,
    shoulder_reach: tuple[float, float] = (2.5, 4.0),
) -> WidthEstimate:
    """Median width of one shaft, from profiles away from junctions and ends.
    ``shoulder``: read each edge at half height above the level beside it (halos),
    ``shoulder_reach`` px outside it (``profile_widths``)."""
    ids: list = []
    points, normals = shaft_samples(branches, junctions_rc, half_width, branch_ids=ids)
    centres: list = []
    widths, peak = profile_widths(
        contrast,
        points,
        normals,
        reach_px=max_width_px / 2 + 4,
        mask=mask,
        floor_contrast=min_contrast,
        centres_out=centres,
        shoulder=shoulder,
        shoulder_reach=shoulder_reach,
    )
    # Profiles cut by the image border give only the visible part of the width: a shaft
    # running along the border has no measurable diameter and is not reported.
    ok = np.isfinite(widths) & (peak >= min_contrast)
    if not ok.any():
        return WidthEstimate(width_px=np.nan, spread_px=np.nan, samples=0, contrast=np.nan)
    w = widths[ok]
    q1, q3 = np.percentile(w, [25, 75])
    branch_of = np.concatenate(ids) if ids else np.zeros(0, int)
    offsets = tuple(
        median(centres[0][ok & (branch_of == k)]) if (ok & (branch_of == k)).any() else float("nan")
        for k in range(len(branches))
    )
    return WidthEstimate(
        width_px=median(w),
        spread_px=float(q3 - q1),
        samples=int(ok.sum()),
        contrast=median(peak[ok]),
        branch_offsets_px=offsets,
    )


def centred_branches(
    branches: tuple[np.ndarray, ...],
    offsets_px: tuple[float, ...],
    half_width: np.ndarray,
    *,
    min_offset_px: float = 1.0,
) -> tuple[np.ndarray, ...]:
    """Branches moved along their normals by their median offset from the middle of the
    shaft (``WidthEstimate.branch_offsets_px``) when at least ``min_offset_px``: where a
    halo or a shadow on one side widened the mask, its skeleton (the centre line) runs
    beside the shaft's axis, along one edge."""
    out = []
    for path, offset in zip(branches, offsets_px, strict=True):
        if len(path) < 2 or not np.isfinite(offset) or abs(offset) < min_offset_px:
            out.append(path)
            continue
        hw = median(half_width[path[:, 0], path[:, 1]])
        tangent = _tangents(path, window=int(np.clip(2 * hw, 5, 15)))
        normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
        out.append(pixel_path(path + offset * normal, half_width.shape))
    return tuple(out)


def pixel_path(points_rc: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Points (row, col, float) as a path of pixels: rounded, kept on the image (clipped
    to ``shape``), a pixel repeated in a row dropped."""
    path = np.round(points_rc).astype(int)
    path[:, 0] = np.clip(path[:, 0], 0, shape[0] - 1)
    path[:, 1] = np.clip(path[:, 1], 0, shape[1] - 1)
    keep = np.ones(len(path), bool)
    keep[1:] = np.any(np.diff(path, axis=0) != 0, axis=1)
    return path[keep]
