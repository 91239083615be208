"""Short thick stubs as whole objects: one straight axis per compact mask object.

The skeleton of a short, thick, ragged stub (clipped hair, often in a dye halo) is a
tangle of short branches; chained through its junctions it falls into pieces each
shorter than the aspect rule allows, so the whole stub is lost. A stub is simple,
though: one convex bar. When a mask object is bar-shaped (second moments of a filled
rectangle: length / width >= min_aspect, and it fills that rectangle) and the skeleton
pieces found in it cover little of its length, the object is taken as one shaft along
its principal axis.
"""

from __future__ import annotations

import numpy as np

from follicle.measure.shafts import Shaft, mask_objects


def bar_axis(rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Centroid, unit axis, length and width of the rectangle with the same second
    moments as the pixel set (variance of a uniform bar of length L is L^2 / 12)."""
    r, c = rows.astype(float), cols.astype(float)
    centre = np.array([r.mean(), c.mean()])
    r -= centre[0]
    c -= centre[1]
    cov = np.array([[r @ r, r @ c], [r @ c, c @ c]]) / max(len(r) - 1, 1)
    values, vectors = np.linalg.eigh(cov)
    length = float(np.sqrt(12.0 * max(values[1], 0.0)))
    width = float(np.sqrt(12.0 * max(values[0], 0.0)))
    return centre, vectors[:, 1], length, width


def stub_shafts(
    mask: np.ndarray,
    shafts: list[Shaft],
    half_width: np.ndarray,
    *,
    min_width_px: float,
    max_width_px: float,
    min_length_px: float,
    min_aspect: float,
    min_fill: float = 0.75,
    max_covered: float = 0.6,
    objects: tuple[np.ndarray, list] | None = None,
) -> list[Shaft]:
    """``shafts`` with the pieces inside bar-shaped objects replaced by the bar's axis.

    An object qualifies when its moment rectangle is at least ``min_aspect`` times longer
    than wide, its width lies in [min_width_px, max_width_px], its length is at least
    ``min_length_px``, its area fills at least ``min_fill`` of the rectangle (a V of two
    hairs or a crossing fills far less), and the longest skeleton piece inside it spans
    less than ``max_covered`` of its length (otherwise the skeleton already did well).
    Pieces much thinner than the bar (a fine hair touching the stub: median half-width
    under a quarter of the bar's width) are kept as they are.
    ``objects``: ``shafts.mask_objects(mask)`` when already computed."""
    labels, windows = objects if objects is not None else mask_objects(mask)
    n = len(windows)
    if n == 0 or not shafts:
        return shafts
    owner = np.array([np.bincount(labels[s.pixels[:, 0], s.pixels[:, 1]]).argmax() for s in shafts])
    longest = np.zeros(n + 1)
    for shaft, label in zip(shafts, owner, strict=True):
        longest[label] = max(longest[label], shaft.length_px)
    replaced: dict[int, Shaft] = {}
    widths: dict[int, float] = {}
    for label in np.unique(owner[owner > 0]):
        window = windows[label - 1]
        diagonal = np.hypot(window[0].stop - window[0].start, window[1].stop - window[1].start)
        if longest[label] >= max_covered * diagonal:
            continue  # the bar's length is at most its box's diagonal: covered well
        local = labels[window] == label
        rows, cols = np.nonzero(local)
        centre, axis, length, width = bar_axis(rows, cols)
        if not (min_width_px <= width <= max_width_px and length >= min_length_px):
            continue
        if length < min_aspect * width or local.sum() < min_fill * length * width:
            continue
        if longest[label] >= max_covered * length:
            continue
        steps = np.arange(-length / 2, length / 2 + 0.5)
        line = np.round(centre + steps[:, None] * axis).astype(int)
        inside = (
            (line[:, 0] >= 0)
            & (line[:, 0] < local.shape[0])
            & (line[:, 1] >= 0)
            & (line[:, 1] < local.shape[1])
        )
        line = line[inside]
        line = line[local[line[:, 0], line[:, 1]]]
        if len(line) < 2:
            continue
        line = line + np.array([window[0].start, window[1].start])
        widths[int(label)] = width
        replaced[int(label)] = Shaft(branches=(line,), junctions_rc=np.zeros((0, 2)))
    if not replaced:
        return shafts
    kept = [
        s
        for s, label in zip(shafts, owner, strict=True)
        if int(label) not in replaced
        or np.median(half_width[s.pixels[:, 0], s.pixels[:, 1]]) < widths[int(label)] / 4
    ]
    return kept + list(replaced.values())
