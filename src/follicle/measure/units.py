"""Exit points and follicular units.

Hairs leaving one opening touch at one end and diverge at small angles. Two hairs are put
in one unit when one end of each lies within ``unit_radius_px`` of the other, the shafts
leave those ends in similar directions and their other ends lie farther apart (they
diverge from the opening); those ends are the exit points. A hair in
no such pair is oriented along the hair stream (mean exit-to-tip direction of the paired
hairs); with no stream to follow, the end with the darker surroundings (the shadow of
the opening) is taken as the exit.
"""

from __future__ import annotations

import numpy as np

from follicle.measure.shafts import _UnionFind


def shaft_ends(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The two extreme pixels along the principal axis, and outward-from-end directions."""
    p = pixels.astype(float)
    mean = p.mean(axis=0)
    _, _, vt = np.linalg.svd(p - mean, full_matrices=False)
    axis = vt[0]
    s = (p - mean) @ axis
    a, b = p[np.argmin(s)], p[np.argmax(s)]
    return a, b, axis, -axis  # from end a the shaft runs along +axis, from end b along -axis


def group_units(
    ends: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    *,
    unit_radius_px: float,
    end_shadow: list[tuple[float, float]],
    max_fan_deg: float = 50.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Unit label per hair and which end (0 or 1) is its exit point."""
    n = len(ends)
    uf = _UnionFind(max(n, 1))
    exit_end = np.full(n, -1)
    cos_fan = np.cos(np.radians(max_fan_deg))
    links = []
    for i in range(n):
        for j in range(i + 1, n):
            for ei in (0, 1):
                for ej in (0, 1):
                    d = np.hypot(*(ends[i][ei] - ends[j][ej]))
                    # Hairs of one opening diverge from it: their other ends lie
                    # farther apart than these.
                    if d <= unit_radius_px and d < np.hypot(*(ends[i][1 - ei] - ends[j][1 - ej])):
                        di, dj = ends[i][2 + ei], ends[j][2 + ej]
                        if float(di @ dj) >= cos_fan:
                            links.append((d, i, ei, j, ej))
    for _d, i, ei, j, ej in sorted(links):
        # One exit per hair: a link must agree with an exit already chosen.
        if exit_end[i] not in (-1, ei) or exit_end[j] not in (-1, ej):
            continue
        exit_end[i], exit_end[j] = ei, ej
        uf.union(i, j)
    paired = exit_end >= 0
    if paired.any():
        stream = np.sum([ends[i][2 + exit_end[i]] for i in np.flatnonzero(paired)], axis=0)
    else:
        stream = np.zeros(2)
    for i in np.flatnonzero(~paired):
        if np.hypot(*stream) > 1e-6 * max(paired.sum(), 1) and paired.sum() >= 2:
            exit_end[i] = 0 if float(ends[i][2] @ stream) >= 0 else 1
        else:
            exit_end[i] = 0 if end_shadow[i][0] >= end_shadow[i][1] else 1
    roots = np.array([uf.find(i) for i in range(n)])
    _, labels = np.unique(roots, return_inverse=True)
    return labels.astype(np.int64), exit_end
