"""Scoring an analysis against known truth (synthetic scenes): hair matching by shaft
geometry, count error, diameter error, thin-share error and crossings resolved."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

from follicle.measure.analyze import ImageAnalysis
from follicle.measure.hairs_table import DEFAULT_CUTOFFS, DiameterCutoffs
from follicle.measure.render import SyntheticScene


@dataclass(frozen=True, kw_only=True)
class Score:
    true_count: int
    found_count: int
    matched: int
    count_error_percent: float  # (found - true) / true
    diameter_abs_error_um: float  # median |found - true| over matched hairs
    diameter_bias_um: float  # median (found - true)
    thin_share_true_percent: float
    thin_share_found_percent: float
    crossings: int
    crossings_resolved: int  # both hairs of a crossing pair found as separate hairs
    matched_pairs: tuple[tuple[int, int], ...] = ()  # (true hair_id, found hair_id)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("matched_pairs")
        return out


def match_hairs(
    scene: SyntheticScene, analysis: ImageAnalysis, *, tolerance_px: float = 4.0
) -> list[tuple[int, int]]:
    """One-to-one matches (true id, found id): a found shaft matches a true hair when its
    centre-line pixels lie on average within half the true width plus ``tolerance_px``
    of the true centre line, and it covers at least a third of the true visible length."""
    truth = scene.hairs.set_index("hair_id")
    true_ids = list(scene.centerlines_px)
    found_ids = list(analysis.centerlines_px)
    if not true_ids or not found_ids:
        return []
    trees = {h: cKDTree(scene.centerlines_px[h]) for h in true_ids}
    big = 1e9
    cost = np.full((len(true_ids), len(found_ids)), big)
    for j, f in enumerate(found_ids):
        rc = np.concatenate(analysis.centerlines_px[f])
        xy = rc[:, ::-1].astype(float)[:: max(len(rc) // 80, 1)]
        for i, h in enumerate(true_ids):
            limit = truth.loc[h, "diameter_um"] / scene.um_per_px / 2 + tolerance_px
            d, _ = trees[h].query(xy, distance_upper_bound=limit * 3)
            if np.mean(d) > limit:  # inf (far) points also fail here
                continue
            covered = np.unique(trees[h].query(xy)[1]).size
            if covered * max(len(rc) // 80, 1) < len(scene.centerlines_px[h]) / 3:
                continue
            cost[i, j] = float(np.mean(d))
    rows, cols = linear_sum_assignment(cost)
    return [
        (true_ids[i], found_ids[j]) for i, j in zip(rows, cols, strict=True) if cost[i, j] < big
    ]


def score(
    scene: SyntheticScene, analysis: ImageAnalysis, *, cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS
) -> Score:
    """Compare what was found with the scene's truth."""
    pairs = match_hairs(scene, analysis)
    true_d = scene.hairs.set_index("hair_id")["diameter_um"]
    found_d = analysis.hairs.set_index("hair_id")["diameter_um"] if len(analysis.hairs) else {}
    errors = np.array([found_d[f] - true_d[t] for t, f in pairs])
    n_true, n_found = len(scene.hairs), len(analysis.hairs)
    matched_true = {t for t, _ in pairs}
    resolved = sum(a in matched_true and b in matched_true for a, b in scene.crossings)

    def thin_share(d) -> float:
        d = np.asarray(d, float)
        return 100.0 * float(np.mean(d < cutoffs.thin_below_um)) if d.size else float("nan")

    return Score(
        true_count=n_true,
        found_count=n_found,
        matched=len(pairs),
        count_error_percent=100.0 * (n_found - n_true) / n_true if n_true else float("nan"),
        diameter_abs_error_um=float(np.median(np.abs(errors))) if errors.size else float("nan"),
        diameter_bias_um=float(np.median(errors)) if errors.size else float("nan"),
        thin_share_true_percent=thin_share(scene.hairs["diameter_um"]),
        thin_share_found_percent=thin_share(analysis.hairs["diameter_um"] if n_found else []),
        crossings=len(scene.crossings),
        crossings_resolved=resolved,
        matched_pairs=tuple(pairs),
    )


# --- Real images with hand-drawn boxes (Pascal VOC), one box per hair shaft -------------

THIN_MEASURED_UM = 40.0  # a hair measured at or below this counts as thin (issue 10)


@dataclass(frozen=True, kw_only=True)
class Box:
    """An annotated box (pixels, min <= max) and its class."""

    label: str
    x0: float
    y0: float
    x1: float
    y1: float


def read_voc_boxes(xml_path) -> list[Box]:
    """Boxes of a Pascal VOC file; min and max are swapped in some files, so sorted."""
    import xml.etree.ElementTree as ET

    boxes = []
    for obj in ET.parse(xml_path).findall("object"):
        b = obj.find("bndbox")
        label = obj.find("class") if obj.find("class") is not None else obj.find("name")
        xs = sorted(float(b.find(k).text) for k in ("xmin", "xmax"))
        ys = sorted(float(b.find(k).text) for k in ("ymin", "ymax"))
        boxes.append(Box(label=label.text.strip(), x0=xs[0], y0=ys[0], x1=xs[1], y1=ys[1]))
    return boxes


def box_overlap(centreline_rc: np.ndarray, box: Box, *, pad_px: float = 8.0) -> float:
    """How well a hair's centre line fills a box, in [0, 1]: the share of its points inside
    the (padded) box times the share of the box's long side they span. Boxes of nearly
    horizontal or vertical hairs are only a few pixels thick, hence the padding."""
    if len(centreline_rc) == 0:
        return 0.0
    r, c = centreline_rc[:, 0].astype(float), centreline_rc[:, 1].astype(float)
    inside = (
        (c >= box.x0 - pad_px)
        & (c <= box.x1 + pad_px)
        & (r >= box.y0 - pad_px)
        & (r <= box.y1 + pad_px)
    )
    if not inside.any():
        return 0.0
    width, height = box.x1 - box.x0, box.y1 - box.y0
    along = c[inside] if width >= height else r[inside]
    span = float(along.max() - along.min())
    coverage = min(span / max(width, height, 1.0), 1.0)
    return float(inside.mean()) * coverage


@dataclass(frozen=True, kw_only=True)
class BoxScore:
    """One image scored against its boxes."""

    boxes: int
    hairs: int  # hairs found away from the image border
    border_hairs: int  # hairs touching the border (annotators mostly skipped them)
    matched: int  # boxes matched one to one to a hair (border hairs included)
    matched_border: int
    thin_boxes: int
    thin_boxes_touched_thin: int  # `undersize` boxes touched by a hair <= 40 um
    premium_measured: int  # `premium` boxes with a hair measured in them
    premium_thin: int  # ... of which the box's hair measured <= 40 um
    pairs: tuple[tuple[int, int], ...] = ()  # (box index, hair_id)


def match_boxes(
    boxes: list[Box],
    centerlines_px: dict[int, tuple[np.ndarray, ...]],
    *,
    min_overlap: float = 0.25,
    pad_px: float = 8.0,
) -> tuple[list[tuple[int, int]], np.ndarray, list[int]]:
    """One-to-one matches (box index, hair id) maximising the total overlap (Hungarian),
    refusing pairs below ``min_overlap``; also the overlap matrix and the hair ids."""
    hair_ids = list(centerlines_px)
    overlap = np.zeros((len(boxes), len(hair_ids)))
    for j, h in enumerate(hair_ids):
        runs = [np.asarray(run) for run in centerlines_px[h] if len(run)]
        rc = np.concatenate(runs) if runs else np.zeros((0, 2))
        for i, box in enumerate(boxes):
            overlap[i, j] = box_overlap(rc, box, pad_px=pad_px)
    if not boxes or not hair_ids:
        return [], overlap, hair_ids
    rows, cols = linear_sum_assignment(-overlap)
    pairs = [
        (int(i), hair_ids[j])
        for i, j in zip(rows, cols, strict=True)
        if overlap[i, j] >= min_overlap
    ]
    return pairs, overlap, hair_ids


def score_boxes(
    boxes: list[Box],
    centerlines_px: dict[int, tuple[np.ndarray, ...]],
    diameters_um: dict[int, float],
    touches_border: dict[int, bool],
    *,
    thin_um: float = THIN_MEASURED_UM,
    min_overlap: float = 0.25,
) -> BoxScore:
    """Score found hairs against boxes: matching, thin boxes, false-thin premium boxes."""
    pairs, overlap, hair_ids = match_boxes(boxes, centerlines_px, min_overlap=min_overlap)
    box_hair = dict(pairs)
    thin_boxes = touched_thin = premium_measured = premium_thin = 0
    for i, box in enumerate(boxes):
        touching = [h for j, h in enumerate(hair_ids) if overlap[i, j] > 0]
        if box.label == "undersize":
            thin_boxes += 1
            touched_thin += any(diameters_um[h] <= thin_um for h in touching)
        elif box.label == "premium":
            hair = box_hair.get(i)
            if hair is None and touching:  # unmatched: the hair filling the box best
                hair = hair_ids[int(np.argmax(overlap[i]))]
            if hair is not None:
                premium_measured += 1
                premium_thin += diameters_um[hair] <= thin_um
    border = sum(bool(touches_border[h]) for h in hair_ids)
    return BoxScore(
        boxes=len(boxes),
        hairs=len(hair_ids) - border,
        border_hairs=border,
        matched=len(pairs),
        matched_border=sum(bool(touches_border[h]) for _, h in pairs),
        thin_boxes=thin_boxes,
        thin_boxes_touched_thin=int(touched_thin),
        premium_measured=premium_measured,
        premium_thin=int(premium_thin),
        pairs=tuple(pairs),
    )


def summarise_box_scores(scores: list[BoxScore]) -> dict[str, float]:
    """The issue-10 table over many images.

    Box recall = matched boxes / boxes. Hair precision = matched hairs / (interior hairs +
    matched border hairs): an unmatched hair touching the border is not counted against
    the analyser, since annotators mostly skipped border hairs. Per-image count = interior
    hairs + border hairs, compared with the number of boxes (Spearman and median absolute
    relative error); the same without border hairs is given too.
    """
    from scipy.stats import spearmanr

    if not scores:
        return {}
    boxes = np.array([s.boxes for s in scores], float)
    matched = np.array([s.matched for s in scores], float)
    interior = np.array([s.hairs for s in scores], float)
    border = np.array([s.border_hairs for s in scores], float)
    matched_border = np.array([s.matched_border for s in scores], float)
    recall = matched.sum() / max(boxes.sum(), 1)
    precision = matched.sum() / max(interior.sum() + matched_border.sum(), 1)
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    counted = interior + border
    ok = boxes > 0

    def spearman(found: np.ndarray) -> float:
        if ok.sum() < 3 or np.ptp(found[ok]) == 0 or np.ptp(boxes[ok]) == 0:
            return float("nan")
        return float(spearmanr(found[ok], boxes[ok]).statistic)

    def rel_error(found: np.ndarray) -> float:
        return float(np.median(np.abs(found[ok] - boxes[ok]) / boxes[ok])) if ok.any() else 0.0

    thin = sum(s.thin_boxes for s in scores)
    premium = sum(s.premium_measured for s in scores)
    return {
        "images": len(scores),
        "boxes": int(boxes.sum()),
        "hairs_interior": int(interior.sum()),
        "hairs_border": int(border.sum()),
        "matched": int(matched.sum()),
        "matched_border": int(matched_border.sum()),
        "box_recall": float(recall),
        "hair_precision": float(precision),
        "f1": float(f1),
        "count_spearman": spearman(counted),
        "count_median_abs_rel_error": rel_error(counted),
        "count_median_signed_rel_error": float(np.median((counted[ok] - boxes[ok]) / boxes[ok]))
        if ok.any()
        else 0.0,
        "count_interior_spearman": spearman(interior),
        "count_interior_median_abs_rel_error": rel_error(interior),
        "thin_boxes": int(thin),
        "thin_boxes_touched_thin": int(sum(s.thin_boxes_touched_thin for s in scores)),
        "thin_boxes_touched_thin_share": sum(s.thin_boxes_touched_thin for s in scores)
        / max(thin, 1),
        "premium_measured": int(premium),
        "premium_thin": int(sum(s.premium_thin for s in scores)),
        "premium_false_thin_share": sum(s.premium_thin for s in scores) / max(premium, 1),
    }


BOOTSTRAPPED = (
    "f1",
    "count_spearman",
    "count_median_abs_rel_error",
    "thin_boxes_touched_thin_share",
    "premium_false_thin_share",
)


def bootstrap_box_intervals(
    scores: list[BoxScore], *, draws: int = 1000, level: float = 0.95, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of the ``summarise_box_scores`` figures in ``BOOTSTRAPPED``
    over images drawn with replacement (``draws`` times, seeded).

    What they include: which images happened to be annotated (images are the unit:
    hairs in one image share its focus, skin and annotator). What they do not: the
    annotators' own misses and label choices, or the analyser's sensitivity to the
    images' resolution (docs/measure.md). Fewer than 3 images: no intervals."""
    if not 0 < level < 1:
        raise ValueError(f"level: {level!r} is not in (0, 1)")
    if draws < 1:
        raise ValueError(f"draws: {draws!r} is not >= 1")
    if len(scores) < 3:
        return {}
    rng = np.random.default_rng(seed)
    samples: dict[str, list[float]] = {name: [] for name in BOOTSTRAPPED}
    for _ in range(draws):
        drawn = [scores[i] for i in rng.integers(0, len(scores), len(scores))]
        summary = summarise_box_scores(drawn)
        for name in BOOTSTRAPPED:
            samples[name].append(summary[name])
    tail = 100 * (1 - level) / 2
    out = {}
    for name, values in samples.items():
        finite = np.asarray(values, float)
        finite = finite[np.isfinite(finite)]
        if finite.size:
            low, high = np.percentile(finite, [tail, 100 - tail])
            out[name] = (float(low), float(high))
    return out
