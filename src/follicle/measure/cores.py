"""Dark cores of poorly traced mask objects: hairs inside a dye halo or a shared opening.

The hair mask is thresholded low enough to keep faint hairs, so two or three hairs
leaving one opening, with the dye halo or opening shadow around them, make one wide
blob (a wedge or a fan). Its skeleton is no single line: it falls into short spurs and
bridges, none long enough to pass the length and aspect rules, and the hairs are lost.
Inside such a blob the shafts are much darker than the halo joining them. When the
longest traced shaft covers little of an object, the object is thresholded again at a
share of its own darkest level (``core_share`` of the 95th percentile of its contrast):
each bar-shaped piece left (a core) becomes one shaft along its principal axis, and its
width is later read with that level as the skin floor, so the halo beside it does not
count as shaft.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from follicle.measure.shafts import EIGHT, Shaft
from follicle.measure.stubs import bar_axis


@dataclass(frozen=True, kw_only=True)
class Cores:
    """Shafts after the re-threshold, and for each core shaft (by ``id``) the level its
    width is read above (``floors``); ``mask``: the hair mask with each re-thresholded
    object replaced by its cores (for the width profiles)."""

    shafts: list[Shaft]
    floors: dict[int, float]
    mask: np.ndarray


def core_shafts(
    mask: np.ndarray,
    contrast: np.ndarray,
    shafts: list[Shaft],
    objects: tuple[np.ndarray, list],
    *,
    min_length_px: float,
    min_width_px: float,
    max_width_px: float,
    min_aspect: float,
    min_level: float,
    core_share: float = 0.6,
    max_covered: float = 0.6,
    min_fill: float = 0.6,
) -> Cores:
    """``shafts`` with the pieces of poorly traced objects replaced by their cores.

    An object is re-thresholded when its longest traced shaft spans less than
    ``max_covered`` of the object's moment length (``stubs.bar_axis``) and the object is
    at least ``min_length_px`` long. Its cores are its pixels above ``core_share`` of its
    95th-percentile contrast (and above ``min_level``); a core becomes a shaft when it is
    bar-shaped (fills ``min_fill`` of its moment rectangle, ``min_aspect`` times longer
    than wide, width in [min_width_px, max_width_px], length >= ``min_length_px``); of
    two levels, the one giving more cores is used. The cores replace the object's traced
    pieces only when they are longer in all than the pieces long enough to be kept."""
    labels, windows = objects
    if not windows:
        return Cores(shafts=shafts, floors={}, mask=mask)
    longest = np.zeros(len(windows) + 1)
    useful = np.zeros(len(windows) + 1)  # total length of the pieces long enough to keep
    owner = []
    for shaft in shafts:
        label = int(np.bincount(labels[shaft.pixels[:, 0], shaft.pixels[:, 1]]).argmax())
        owner.append(label)
        longest[label] = max(longest[label], shaft.length_px)
        if shaft.length_px >= min_length_px:
            useful[label] += shaft.length_px
    replaced: set[int] = set()
    new: list[Shaft] = []
    floors: dict[int, float] = {}
    core_mask = mask
    min_area = min_length_px * min_width_px
    for label, window in enumerate(windows, start=1):
        if window is None:
            continue
        diagonal = np.hypot(window[0].stop - window[0].start, window[1].stop - window[1].start)
        if diagonal < min_length_px or longest[label] >= max_covered * diagonal:
            continue  # too small to hold a hair, or its skeleton already spans it
        local = labels[window] == label
        if local.sum() < min_area:
            continue
        rows, cols = np.nonzero(local)
        _, _, length, _ = bar_axis(rows, cols)
        if length < min_length_px or longest[label] >= max_covered * length:
            continue
        values = contrast[window][local]
        top = float(np.percentile(values, 95))
        found, level, core = [], 0.0, local
        # Hairs side by side may stay joined at one level: the level giving most bars.
        for share in (core_share, (1 + core_share) / 2):
            trial_level = max(share * top, min_level)
            trial_core = local & (contrast[window] > trial_level)
            bars = _core_bars(
                trial_core,
                min_area=min_area,
                min_length_px=min_length_px,
                min_width_px=min_width_px,
                max_width_px=max_width_px,
                min_aspect=min_aspect,
                min_fill=min_fill,
            )
            if len(bars) > len(found):
                found, level, core = bars, trial_level, trial_core
        if sum(_length(line) for line, _ in found) <= useful[label]:
            continue  # the cores explain less of the object than the traced pieces
        offset = np.array([window[0].start, window[1].start])
        found = [
            Shaft(branches=(line + offset,), junctions_rc=np.zeros((0, 2))) for line, _ in found
        ]
        if core_mask is mask:
            core_mask = mask.copy()
        core_mask[window][local] = core[local]
        replaced.add(label)
        for shaft in found:
            floors[id(shaft)] = level
        new += found
    if not replaced:
        return Cores(shafts=shafts, floors={}, mask=mask)
    kept = [s for s, label in zip(shafts, owner, strict=True) if label not in replaced]
    return Cores(shafts=kept + new, floors=floors, mask=core_mask)


def _length(line: np.ndarray) -> float:
    return float(np.hypot(*(line[-1] - line[0])))


def _core_bars(
    core: np.ndarray,
    *,
    min_area: float,
    min_length_px: float,
    min_width_px: float,
    max_width_px: float,
    min_aspect: float,
    min_fill: float,
) -> list[tuple[np.ndarray, int]]:
    """The principal axis (pixels of ``core``'s frame) of each bar-shaped piece, and the
    hairs it holds (2 when wider than ``max_width_px``)."""
    parts, _ = ndimage.label(core, structure=EIGHT)
    lines = []
    for index, part_window in enumerate(ndimage.find_objects(parts), start=1):
        piece = parts[part_window] == index
        area = int(piece.sum())
        if area < min_area:
            continue
        rows, cols = np.nonzero(piece)
        centre, axis, length, width = bar_axis(rows, cols)
        # Up to two hairs' widths: stubs side by side in one core, each as long as the
        # aspect asks of one hair (the pair rule splits them later, as for traced shafts).
        hairs = 2 if width > max_width_px else 1
        if not (min_width_px <= width <= 2 * max_width_px and length >= min_length_px):
            continue
        if length < min_aspect * width / hairs or area < min_fill * length * width:
            continue
        steps = np.arange(-length / 2, length / 2 + 0.5)
        line = np.round(centre + steps[:, None] * axis).astype(int)
        inside = (
            (line[:, 0] >= 0)
            & (line[:, 0] < piece.shape[0])
            & (line[:, 1] >= 0)
            & (line[:, 1] < piece.shape[1])
        )
        line = line[inside]
        line = line[piece[line[:, 0], line[:, 1]]]
        if len(line) >= 2:
            lines.append((line + np.array([part_window[0].start, part_window[1].start]), hairs))
    return lines
