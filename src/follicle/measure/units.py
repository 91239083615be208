"""Exit points and follicular units.

Hairs leaving one opening touch at one end and diverge at small angles. Which end of a
hair is its exit is read from three things:

1. the hair stream: hairs of one small field lie the same way. Its direction is voted by
   every hair's end shadows (the opening's shadow and the shaft under the skin continue
   the hair past its exit; past a tip lies bare skin), each capped so that no hair
   outvotes many, and by the V's of step 2 whose own shadows agree with them; a hair
   along the stream exits upstream;
2. two hairs whose ends lie within ``unit_radius_px`` of each other, leaving them in
   similar directions, with their other ends clearly farther apart (a V from one
   opening): those ends are the exits of hairs across the stream. A V does not decide
   alone: on real 70x images clipped hairs of one opening often spread at the opening
   and lie together at their cut ends, a V the wrong way round (on 16 dev images the
   V's vertex was the exit for 55 of 92 hairs along the stream, the darker end shadow
   for 125 of 176);
3. any other hair across the stream exits at its end with the darker surroundings.

Then hairs whose exits lie within ``unit_radius_px`` and leave in similar directions
(parallel clipped hairs of one opening too) are put in one unit.
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
    clear_divergence: float = 0.6,
    shadow_cap: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """Unit label per hair and which end (0 or 1) is its exit point.

    ``ends``: per hair (end a, end b, direction into the shaft from a, from b).
    ``end_shadow``: per hair the contrast past end a and past end b (NaN: unknown).
    A V is clear when its ends lie at most ``clear_divergence`` times as far apart as
    its other ends; a hair's shadow vote is capped at ``shadow_cap`` (contrast).
    """
    n = len(ends)
    uf = _UnionFind(max(n, 1))
    exit_end = np.full(n, -1)
    cos_fan = np.cos(np.radians(max_fan_deg))
    # gap[i, ei, j, ej]: distance between end ei of hair i and end ej of hair j; fan:
    # the cosine between the directions the two shafts leave those ends in.
    points = np.array([(e[0], e[1]) for e in ends], float).reshape(n, 2, 2)
    directions = np.array([(e[2], e[3]) for e in ends], float).reshape(n, 2, 2)
    gap = np.linalg.norm(points[:, :, None, None, :] - points[None, None, :, :, :], axis=-1)
    fan = np.einsum("iak,jbk->iajb", directions, directions)
    other = gap[:, ::-1, :, ::-1]  # the same pair's other ends
    near = (gap <= unit_radius_px) & (fan >= cos_fan)
    i_, ei_, j_, ej_ = np.nonzero(near & (gap <= clear_divergence * other))
    links = sorted(
        (gap[i, ei, j, ej], i, ei, j, ej)
        for i, ei, j, ej in zip(i_, ei_, j_, ej_, strict=True)
        if i < j
    )
    v_exit = np.full(n, -1)  # the exit a clear V gives each of its hairs
    for _d, i, ei, j, ej in links:
        # One exit per hair: a link must agree with an exit already chosen.
        if v_exit[i] not in (-1, ei) or v_exit[j] not in (-1, ej):
            continue
        v_exit[i], v_exit[j] = ei, ej
        uf.union(i, j)
    # Shadow evidence per hair: positive when end a looks like the exit.
    evidence = np.clip(
        [sa - sb if np.isfinite(sa - sb) else 0.0 for sa, sb in end_shadow], -shadow_cap, shadow_cap
    ).reshape(-1)
    stream = np.zeros(2)
    for i in range(n):
        # A V whose own shadows agree votes as strongly as the strongest shadow.
        if v_exit[i] >= 0 and (evidence[i] if v_exit[i] == 0 else -evidence[i]) > 0:
            stream += shadow_cap * ends[i][2 + v_exit[i]]
        stream += evidence[i] * ends[i][2]  # ends[i][2] runs from end a to end b
    norm = float(np.hypot(*stream))
    for i in range(n):
        along = float(ends[i][2] @ stream) / norm if norm > 0 else 0.0
        if abs(along) >= 0.5:
            exit_end[i] = 0 if along > 0 else 1
        elif v_exit[i] >= 0:
            exit_end[i] = v_exit[i]
        else:
            exit_end[i] = 0 if evidence[i] >= 0 else 1
    # Hairs leaving one opening side by side (parallel clipped hairs): exits together,
    # not converging.
    i_, j_ = np.triu_indices(n, k=1)
    at_exits = (i_, exit_end[i_], j_, exit_end[j_])
    together = near[at_exits] & (gap[at_exits] <= 1.25 * other[at_exits])
    for i, j in zip(i_[together], j_[together], strict=True):
        uf.union(int(i), int(j))
    roots = np.array([uf.find(i) for i in range(n)])
    _, labels = np.unique(roots, return_inverse=True)
    return labels.astype(np.int64), exit_end
