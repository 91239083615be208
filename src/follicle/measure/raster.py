"""Exact anti-aliased drawing of thick polylines and discs (coverage in [0, 1]).

Coverage of a pixel by a band of width ``w`` around a centre line is the overlap of the
pixel's unit interval [d - 1/2, d + 1/2] (d = distance of the pixel centre to the line)
with [-w/2, w/2]. Its integral across a straight band is exactly ``w``, so a rendered
hair has exactly the width it was given, whatever its sub-pixel position.
"""

from __future__ import annotations

import itertools

import numpy as np


def band_coverage(distance: np.ndarray, width: float) -> np.ndarray:
    """Fraction of each pixel covered by a band of ``width`` px at ``distance`` px."""
    half = width / 2.0
    return np.clip(np.minimum(distance + 0.5, half) - np.maximum(distance - 0.5, -half), 0.0, 1.0)


def polyline_coverage(
    points_xy: np.ndarray, width_px: float, shape: tuple[int, int]
) -> tuple[tuple[slice, slice], np.ndarray] | None:
    """Coverage of a thick polyline, cropped to its bounding box inside the image.

    Returns ``((rows, cols), coverage)`` or None when the stroke misses the image.
    """
    height, width = shape
    pad = width_px / 2.0 + 1.5
    x0 = max(int(np.floor(points_xy[:, 0].min() - pad)), 0)
    x1 = min(int(np.ceil(points_xy[:, 0].max() + pad)) + 1, width)
    y0 = max(int(np.floor(points_xy[:, 1].min() - pad)), 0)
    y1 = min(int(np.ceil(points_xy[:, 1].max() + pad)) + 1, height)
    if x0 >= x1 or y0 >= y1:
        return None
    box = np.full((y1 - y0, x1 - x0), np.inf)
    for a, b in itertools.pairwise(points_xy):
        sx0 = max(int(np.floor(min(a[0], b[0]) - pad)), x0)
        sx1 = min(int(np.ceil(max(a[0], b[0]) + pad)) + 1, x1)
        sy0 = max(int(np.floor(min(a[1], b[1]) - pad)), y0)
        sy1 = min(int(np.ceil(max(a[1], b[1]) + pad)) + 1, y1)
        if sx0 >= sx1 or sy0 >= sy1:
            continue
        xs = np.arange(sx0, sx1, dtype=float)[None, :]
        ys = np.arange(sy0, sy1, dtype=float)[:, None]
        d = _segment_distance(xs, ys, a, b)
        sub = box[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0]
        np.minimum(sub, d, out=sub)
    coverage = band_coverage(box, width_px)
    return (slice(y0, y1), slice(x0, x1)), coverage


def _segment_distance(xs: np.ndarray, ys: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    length2 = float(ab @ ab)
    px, py = xs - a[0], ys - a[1]
    if length2 == 0:
        return np.hypot(px, py)
    t = np.clip((px * ab[0] + py * ab[1]) / length2, 0.0, 1.0)
    return np.hypot(px - t * ab[0], py - t * ab[1])


def disc_coverage(
    center_xy: tuple[float, float], radius_px: float, shape: tuple[int, int], *, soft_px=1.0
) -> tuple[tuple[slice, slice], np.ndarray] | None:
    """Coverage of a disc with a soft edge of ``soft_px``."""
    cx, cy = center_xy
    pad = radius_px + soft_px + 1
    x0, x1 = max(int(cx - pad), 0), min(int(cx + pad) + 2, shape[1])
    y0, y1 = max(int(cy - pad), 0), min(int(cy + pad) + 2, shape[0])
    if x0 >= x1 or y0 >= y1:
        return None
    xs = np.arange(x0, x1, dtype=float)[None, :]
    ys = np.arange(y0, y1, dtype=float)[:, None]
    d = np.hypot(xs - cx, ys - cy)
    coverage = np.clip((radius_px - d) / max(soft_px, 1e-6) + 0.5, 0.0, 1.0)
    return (slice(y0, y1), slice(x0, x1)), coverage
