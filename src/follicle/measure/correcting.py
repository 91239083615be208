"""Corrections by hand applied to the analyser's hairs (``corrections``): removed hairs
dropped, split hairs cut and measured again, added hairs measured along their lines.
``analyze_image`` calls ``apply_corrections`` where its own decisions end."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from follicle.errors import FollicleInputError
from follicle.measure.corrections import AddedHair, ImageCorrections, Point

if TYPE_CHECKING:  # the image modules load only when corrections are applied
    from follicle.measure.shafts import Shaft

Edit = Literal["added", "split"]  # the ``correction`` column of a corrected hairs table


@dataclass(frozen=True, kw_only=True)
class Corrected:
    """What the corrections made of the analyser's hairs: one entry per hair kept or
    made, ``(shaft, width px, spread px, contrast, cut by the edge)`` as the analyser
    measures them, with each hair's number and edit (None: as found)."""

    measured: list[tuple]
    hair_ids: list[int]
    edits: list[Edit | None]


#: Measures a shaft drawn or cut by hand: (width px, spread px, contrast); NaN width
#: when no profile across it could be read.
Measure = Callable[["Shaft"], tuple[float, float, float]]


def apply_corrections(
    measured: list[tuple],
    corrections: ImageCorrections,
    *,
    um_per_px: float,
    shape: tuple[int, int],
    measure: Measure,
    edge: np.ndarray,
) -> Corrected:
    """The analyser's hairs (``measured``, numbered by position) with ``corrections``
    applied: removed hairs dropped, split hairs cut in two (each part measured again;
    a part that cannot be measured keeps the hair's width), added hairs measured along
    their lines. ``edge``: pixels where a hair may continue out of view."""
    n = len(measured)
    for k, hair_id in enumerate(corrections.remove):
        if hair_id >= n:
            raise FollicleInputError(f"remove[{k}]", hair_id, _numbers(n))
    entries = {i: (m, None) for i, m in enumerate(measured)}
    next_id = n
    for k, cut in enumerate(corrections.split):
        if cut.hair_id not in entries or cut.hair_id >= n:
            raise FollicleInputError(f"split[{k}].hair_id", cut.hair_id, _numbers(n))
        at_rc = _to_rc(cut.at_px, cut.at_um, um_per_px)
        # A hair split before may be cut again: the part nearest the point is cut.
        candidates = [i for i in entries if i == cut.hair_id or _origin(entries[i]) == cut.hair_id]
        target = min(candidates, key=lambda i: _distance(entries[i][0][0], at_rc))
        m = entries[target][0]
        first, second = _cut(m[0], at_rc, where=f"split[{k}]", width_px=m[1])
        for part_id, part in ((target, first), (next_id, second)):
            w, spread, contrast = measure(part)
            if not np.isfinite(w):
                w, spread, contrast = m[1], m[2], m[3]
            cut_by_edge = bool(edge[part.pixels[:, 0], part.pixels[:, 1]].any())
            entries[part_id] = ((part, w, spread, contrast, cut_by_edge), ("split", cut.hair_id))
        next_id += 1
    for k, hair in enumerate(corrections.add):
        shaft = _drawn_shaft(hair, um_per_px=um_per_px, shape=shape, where=f"add[{k}]")
        w, spread, contrast = measure(shaft)
        if hair.diameter_um is not None:
            w, spread = hair.diameter_um / um_per_px, float("nan")
        elif not np.isfinite(w):
            raise FollicleInputError(
                f"add[{k}]",
                "a line with no shaft across most of it",
                "a line along a hair darker (or lighter) than the skin, read in at least "
                "half of the profiles across it (not on bare skin, nor where it touches "
                "other hairs all along), or a diameter_um given with it",
            )
        cut_by_edge = bool(edge[shaft.pixels[:, 0], shaft.pixels[:, 1]].any())
        entries[next_id] = ((shaft, w, spread, contrast, cut_by_edge), ("added", None))
        next_id += 1
    removed = set(corrections.remove)
    kept = sorted(i for i in entries if i not in removed)
    return Corrected(
        measured=[entries[i][0] for i in kept],
        hair_ids=kept,
        edits=[entries[i][1][0] if entries[i][1] else None for i in kept],
    )


def _numbers(n: int) -> str:
    return f"a hair number of this image (0 to {n - 1})" if n else "none: no hairs were found"


def _origin(entry: tuple) -> int | None:
    edit = entry[1]
    return edit[1] if edit and edit[0] == "split" else None


def _to_rc(at_px: Point | None, at_um: Point | None, um_per_px: float) -> np.ndarray:
    x, y = at_px if at_px is not None else (at_um[0] / um_per_px, at_um[1] / um_per_px)
    return np.array([y, x], float)


def _distance(shaft: Shaft, at_rc: np.ndarray) -> float:
    return float(np.min(np.hypot(*(shaft.pixels - at_rc).T)))


def _cut(shaft: Shaft, at_rc: np.ndarray, *, where: str, width_px: float) -> tuple[Shaft, Shaft]:
    """The shaft cut at the centre-line pixel nearest ``at_rc`` into the part before and
    the part after it (branches in order); the point must lie on or beside the line,
    and each part keep at least 3 pixels."""
    from follicle.measure.shafts import Shaft

    reach = max(width_px, 4.0) + 3.0
    distance = _distance(shaft, at_rc)
    if distance > reach:
        raise FollicleInputError(
            f"{where}.at",
            f"{distance:.0f} px from the hair's centre line",
            f"a point on the hair, at most {reach:.0f} px (its width + 3 px) from its line",
        )
    best = None
    for b, path in enumerate(shaft.branches):
        d = np.hypot(*(path - at_rc).T)
        i = int(np.argmin(d))
        if best is None or d[i] < best[0]:
            best = (float(d[i]), b, i)
    _, b, i = best
    path = shaft.branches[b]
    head = (*shaft.branches[:b], path[: i + 1])
    tail = (path[i:], *shaft.branches[b + 1 :])
    if sum(len(p) for p in head) < 3 or sum(len(p) for p in tail) < 3:
        raise FollicleInputError(
            f"{where}.at", "at the hair's end", "a point at least 3 px inside the hair"
        )
    joints = shaft.junctions_rc
    return (
        Shaft(branches=tuple(p for p in head if len(p)), junctions_rc=joints),
        Shaft(branches=tuple(p for p in tail if len(p)), junctions_rc=joints),
    )


def _drawn_shaft(hair: AddedHair, *, um_per_px: float, shape: tuple[int, int], where: str) -> Shaft:
    """A shaft along the straight segments between the drawn points (on the image)."""
    from follicle.measure.shafts import Shaft
    from follicle.measure.widths import pixel_path

    if hair.points_px is not None:
        xy, unit = np.asarray(hair.points_px, float), "points_px"
    else:
        xy, unit = np.asarray(hair.points_um, float) / um_per_px, "points_um"
    rows, cols = shape
    outside = (xy[:, 0] < 0) | (xy[:, 0] > cols - 1) | (xy[:, 1] < 0) | (xy[:, 1] > rows - 1)
    if outside.any():
        k = int(np.argmax(outside))
        given = (hair.points_px or hair.points_um)[k]
        limit = f"x 0-{cols - 1}, y 0-{rows - 1} px"
        if unit == "points_um":
            limit = f"x 0-{(cols - 1) * um_per_px:.0f}, y 0-{(rows - 1) * um_per_px:.0f} um"
        raise FollicleInputError(
            f"{where}.{unit}[{k}]", list(given), f"a point on the image ({limit})"
        )
    rc = xy[:, ::-1]
    pieces = []
    for a, b in itertools.pairwise(rc):
        steps = max(int(np.ceil(np.hypot(*(b - a)) * 2)), 1)
        pieces.append(a + np.linspace(0, 1, steps + 1)[:, None] * (b - a))
    path = pixel_path(np.concatenate(pieces), shape)
    if len(path) < 5:
        raise FollicleInputError(
            f"{where}.{unit}", "a line shorter than 5 px", "a line along the shaft, 5 px or longer"
        )
    return Shaft(branches=(path,), junctions_rc=np.zeros((0, 2)))
