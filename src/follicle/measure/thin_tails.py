"""Thin hairs continuing a thick one in line: a long thin tail at a thick shaft's end.

On the real 70x dev images (docs/measure.md) a class of missed thin (`undersize`) hairs
lies along a thick hair and runs on past its end, or leaves the opening with it and
goes on alone: the hair mask holds both as one object, the skeleton traces one shaft,
and its median width is the thick hair's. Along the shaft the mask's width then drops
in one step, from the thick hair's to the thin one's, and stays there for a long
stretch to the end. A hair's own tip tapers over a short distance (or is clipped
blunt); a stretch at least ``min_length_px`` long at a steady thin width beyond such a
step is a second hair. Such a tail is cut off as a shaft of its own; the caller measures
it and keeps it when thin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from follicle.measure.shafts import Shaft


@dataclass(frozen=True, kw_only=True)
class TailSplit:
    rest: Shaft  # the thick hair, without the tail
    tail: Shaft  # the thin hair's visible stretch beyond the step


def _cut(shaft: Shaft, along: list[np.ndarray], keep_lo: float, keep_hi: float) -> Shaft | None:
    """The shaft's pixels whose position along its axis lies in [keep_lo, keep_hi]."""
    branches = []
    for path, s in zip(shaft.branches, along, strict=True):
        part = path[(s >= keep_lo) & (s <= keep_hi)]
        if len(part) >= 2:
            branches.append(part)
    if not branches:
        return None
    return Shaft(branches=tuple(branches), junctions_rc=shaft.junctions_rc)


def thin_tail(
    shaft: Shaft,
    half_width: np.ndarray,
    *,
    max_tail_width_px: float,
    min_length_px: float,
    width_ratio: float = 2.0,
) -> TailSplit | None:
    """Cut a long thin tail off one end of a thick shaft, or None.

    The mask's width along the shaft (twice the distance to the background at each
    centre-line pixel, median over a window of a few pixels) is read from each end: the
    tail is the stretch from the end up to the first pixel wider than
    ``max_tail_width_px``. It is cut off when at least ``min_length_px`` long (along the
    shaft's axis) and the rest of the shaft is at least ``width_ratio`` times as wide
    (median widths) and itself at least ``min_length_px`` long."""
    pixels = shaft.pixels
    if len(pixels) < 2 * min_length_px:
        return None
    local = 2.0 * half_width[pixels[:, 0], pixels[:, 1]].astype(float)
    if np.any(local <= 0):
        return None  # centre line off the mask (a moved part of a split pair)
    p = pixels.astype(float)
    mean = p.mean(axis=0)
    _, _, vt = np.linalg.svd(p - mean, full_matrices=False)
    s = (p - mean) @ vt[0]
    order = np.argsort(s, kind="stable")
    s_sorted = s[order]
    window = max(round(max_tail_width_px), 3)
    w_sorted = ndimage.median_filter(local[order], size=window, mode="nearest")
    wide = w_sorted > max_tail_width_px
    if not wide.any():
        return None
    along, start = [], 0
    for path in shaft.branches:
        along.append(s[start : start + len(path)])
        start += len(path)
    for from_low in (True, False):
        if from_low:
            first = int(np.argmax(wide))
            step_s = s_sorted[first]
            tail_len = step_s - s_sorted[0]
            tail_w = w_sorted[:first]
            rest_w = w_sorted[first:]
            rest_len = s_sorted[-1] - step_s
        else:
            last = len(wide) - 1 - int(np.argmax(wide[::-1]))
            step_s = s_sorted[last]
            tail_len = s_sorted[-1] - step_s
            tail_w = w_sorted[last + 1 :]
            rest_w = w_sorted[: last + 1]
            rest_len = step_s - s_sorted[0]
        if tail_len < min_length_px or rest_len < min_length_px or len(tail_w) == 0:
            continue
        if np.median(rest_w) < width_ratio * np.median(tail_w):
            continue
        lo, hi = (s_sorted[0], step_s) if from_low else (step_s, s_sorted[-1])
        tail = _cut(shaft, along, lo, hi)
        rest = _cut(shaft, along, *((step_s, s_sorted[-1]) if from_low else (s_sorted[0], step_s)))
        if tail is None or rest is None:
            continue
        return TailSplit(rest=rest, tail=tail)
    return None
