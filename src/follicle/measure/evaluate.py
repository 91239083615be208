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
