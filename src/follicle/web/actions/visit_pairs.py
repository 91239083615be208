"""Every image pair of a visit comparison, for the page: image k of the earlier visit
beside image k of the later one (their overlays), each hair's exit point marked with its
fate (kept, thinned, thickened, lost, new, out of view) and a hair found at both visits numbered the
same in both panels, as the report's matched-hairs figure, but drawn by the browser over
the stored overlays (no figure to render on the server)."""

from __future__ import annotations

import math

#: As the report's figure (follicle.report.visit_figures.FATE_COLOURS).
FATES = ("kept", "thinned", "thickened", "lost", "new", "out of view")


def image_pairs(saved_pair, report, before, after) -> list[dict]:
    """One entry per image position k (the longer visit's count): both overlays (or
    None where a visit has no image k), their sizes in pixels, and when the pair's hairs
    were matched their counts and marks (``previous_marks``/``current_marks``: x, y in
    the image's pixels, fate, number, diameter)."""
    earlier, later = saved_pair
    matched = {m.image_index: m.comparison for m in report.matched}
    pairs = []
    for k in range(max(len(earlier.overlays), len(later.overlays))):
        entry = {
            "index": k,
            "previous": _panel(earlier, before, k),
            "current": _panel(later, after, k),
            "matched": None,
        }
        comparison = matched.get(k)
        if comparison is not None and comparison.hairs is not None:
            entry["matched"] = {f: getattr(comparison, f) for f in _COUNTS}
            entry["matched"]["same_spot"] = bool(comparison.same_spot)
            previous_marks, current_marks = _marks(comparison.hairs, before, after, k)
            entry["previous"]["marks"] = previous_marks
            entry["current"]["marks"] = current_marks
        pairs.append(entry)
    return pairs


_COUNTS = (
    "persisting", "thinned", "thickened", "lost", "new",
    "outside_after_frame", "outside_before_frame", "out_of_view",
)  # fmt: skip


def _panel(saved, visit, k: int) -> dict | None:
    if k >= len(saved.overlays):
        return None
    rows, cols = visit.images[k].rgb.shape[:2]
    return {
        "overlay": f"/files/{saved.overlays[k]}",
        "width_px": int(cols),
        "height_px": int(rows),
        "marks": [],
    }


def _marks(pairs, before, after, k: int) -> tuple[list[dict], list[dict]]:
    """Each hair of the pair once per panel it appears in: lost hairs on the earlier
    image, new ones on the later, matched ones on both with the same number."""
    sides = []
    for visit in (before, after):
        image = visit.images[k]
        table = visit.hairs[visit.hairs["image"] == image.name]
        scale = image.analysis.um_per_px
        sides.append(
            {
                int(h): (float(x) / scale, float(y) / scale)
                for h, x, y in table[["hair_id", "x_um", "y_um"]].itertuples(index=False)
            }
        )
    previous, current, number = [], [], 0
    for row in pairs.itertuples(index=False):
        both = _present(row.hair_id_before) and _present(row.hair_id_after)
        number += both
        for present, hair, where, out, diameter in (
            (_present(row.hair_id_before), row.hair_id_before, sides[0], previous,
             row.diameter_before_um),
            (_present(row.hair_id_after), row.hair_id_after, sides[1], current,
             row.diameter_after_um),
        ):  # fmt: skip
            if present and int(hair) in where:
                x, y = where[int(hair)]
                out.append(
                    {
                        "x_px": round(x, 1),
                        "y_px": round(y, 1),
                        "fate": row.fate,
                        "number": number if both else None,
                        "diameter_um": _finite(diameter),
                    }
                )
    return previous, current


def _present(value) -> bool:
    try:
        return value is not None and not math.isnan(float(value))
    except (TypeError, ValueError):
        return False  # pandas' NA


def _finite(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number, 1) if math.isfinite(number) else None
