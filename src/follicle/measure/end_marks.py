"""Short thin marks at the end of a hair: the rim and shadow of its opening, dye caught in
it, or a frayed cut tip, traced as a hair of their own.

On the real dev images (docs/measure.md), shafts shorter than 150 um, at most 0.7 times
as wide as a longer hair and touching that hair's end (within one of its widths) matched
no annotated box 24 times for once that they did. Such a mark is dropped; a hair cut by
the border (whose length is unknown) is kept.
"""

from __future__ import annotations

import numpy as np

from follicle.measure.shafts import Shaft
from follicle.measure.units import shaft_ends


def marks_at_hair_ends(
    shafts: list[Shaft],
    widths_px: list[float],
    cut: list[bool],
    *,
    max_length_px: float,
    width_ratio: float,
    reach_widths: float,
) -> np.ndarray:
    """Which shafts are marks at another hair's end (True: drop). A shaft is one when it
    is shorter than ``max_length_px``, not cut by the border, at most ``width_ratio``
    times as wide as a longer shaft, and comes within ``reach_widths`` of that shaft's
    widths of one of its ends."""
    n = len(shafts)
    drop = np.zeros(n, bool)
    if n < 2 or max_length_px <= 0:
        return drop
    lengths = np.array([s.length_px for s in shafts])
    ends = [shaft_ends(s.pixels)[:2] for s in shafts]
    for i in range(n):
        if cut[i] or lengths[i] >= max_length_px:
            continue
        pixels = shafts[i].pixels.astype(float)
        for j in range(n):
            if j == i or lengths[j] <= lengths[i] or widths_px[i] > width_ratio * widths_px[j]:
                continue
            gap = min(float(np.min(np.hypot(*(pixels - end).T))) for end in ends[j])
            if gap <= reach_widths * widths_px[j]:
                drop[i] = True
                break
    return drop
