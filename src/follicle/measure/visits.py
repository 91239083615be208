"""Change between two visits of the same site: differences with counting noise, and
matching of individual hairs (registration) to separate lost, new and thinned hairs.

Matching beats re-counting (trichoscopy.md: counts off by ~7-12%, matching by ~0.6%),
but only when both images show the same spot. Registration always finds some shift that
pairs a few hairs, so the pairs found are compared with what chance gives: the same
second visit turned about its centre by random angles keeps its layout (hairs cluster in
follicular units) and loses its correspondence; when the real pairing does not beat
every turned one, the hair-by-hair fates are flagged as unreliable.

A reframed image shows a slightly different piece of scalp: a hair whose exit, moved by
the registration, falls outside the other visit's counting frame (its image, minus masks
and the guard zone) was not looked for there. Given the counting frames, such a hair is
"out of view", not lost or new.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from follicle.errors import FollicleInputError
from follicle.measure.binary_ops import mask_at
from follicle.measure.calibration import check_um_per_px
from follicle.measure.hairs_table import DEFAULT_CUTOFFS, DiameterCutoffs
from follicle.measure.metrics import Metrics, counted_hairs, measure, parse_area_cm2
from follicle.measure.provenance import provenance

Z95 = 1.959964
OUT_OF_VIEW = "out of view"  # the fate of a hair the other visit's frame did not show


@dataclass(frozen=True, kw_only=True)
class Change:
    """after - before, its standard error (counting noise) and a 95% interval."""

    name: str
    before: float
    after: float
    difference: float
    se: float
    ci95_low: float
    ci95_high: float


@dataclass(frozen=True, kw_only=True, eq=False)  # holds an array
class CountingFrame:
    """Where an image's hairs were counted (``ImageAnalysis.counting_frame``: True in
    the frame) and the image's scale, so exit points in um can be looked up."""

    mask: np.ndarray
    um_per_px: float

    def __post_init__(self) -> None:
        mask = np.asarray(self.mask)
        if mask.ndim != 2 or mask.dtype != bool:
            shape = f"a {mask.dtype} array of shape {mask.shape}"
            raise FollicleInputError("counting frame mask", shape, "a 2-D boolean array")
        object.__setattr__(self, "mask", mask)
        object.__setattr__(self, "um_per_px", check_um_per_px(self.um_per_px))

    def contains(self, xy_um: np.ndarray) -> np.ndarray:
        """Whether each exit point (rows of x_um, y_um) lies in the frame (False outside
        the image)."""
        xy = np.asarray(xy_um, float).reshape(-1, 2)
        return mask_at(self.mask, xy[:, 1] / self.um_per_px, xy[:, 0] / self.um_per_px)


@dataclass(frozen=True, kw_only=True)
class VisitComparison:
    """Differences of the main metrics and, when positions exist, hair-by-hair matching."""

    changes: tuple[Change, ...]
    matched: bool
    shift_um: tuple[float, float] | None
    persisting: int | None
    lost: int | None
    new: int | None
    thinned: int | None
    thickened: int | None
    hairs: pd.DataFrame | None  # one row per hair of either visit, with its fate
    before: Metrics
    after: Metrics
    # Most hairs paired when the second visit is turned by random angles (chance), and
    # whether the real pairing beats it (None: not matched).
    chance_persisting: int | None = None
    same_spot: bool | None = None
    # Hairs not matched whose exit, moved by the registration, lies outside the other
    # image's counting frame: the earlier visit's hairs outside the later frame, and the
    # later visit's outside the earlier one (None: no counting frames given).
    outside_after_frame: int | None = None
    outside_before_frame: int | None = None
    provenance: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def out_of_view(self) -> int | None:
        """Hairs of either visit the other image did not show: neither lost nor new."""
        if self.outside_after_frame is None and self.outside_before_frame is None:
            return None
        return (self.outside_after_frame or 0) + (self.outside_before_frame or 0)

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k not in ("hairs", "before", "after")}
        out["before"], out["after"] = self.before.to_dict(), self.after.to_dict()
        return out


def _change(name: str, before: float, after: float, se: float) -> Change:
    diff = after - before
    return Change(
        name=name,
        before=before,
        after=after,
        difference=diff,
        se=se,
        ci95_low=diff - Z95 * se,
        ci95_high=diff + Z95 * se,
    )


def _has_positions(table: pd.DataFrame) -> bool:
    return bool(
        {"x_um", "y_um"} <= set(table.columns)
        and table[["x_um", "y_um"]].notna().all(axis=None)
        and len(table)
    )


def estimate_shift_um(
    before_xy: np.ndarray, after_xy: np.ndarray, *, max_shift_um: float, match_radius_um: float
) -> np.ndarray:
    """Translation that best maps ``before`` onto ``after`` (registration).

    Votes over all pairwise offsets up to ``max_shift_um`` (the mode of the offsets is the
    shift: most hairs persist), then refines by the median offset of nearest neighbours.
    """
    tree = cKDTree(after_xy)
    pairs = tree.query_ball_point(before_xy, r=max_shift_um)
    offsets = np.array(
        [after_xy[j] - before_xy[i] for i, js in enumerate(pairs) for j in js], dtype=float
    ).reshape(-1, 2)
    if offsets.size == 0:
        return np.zeros(2)
    # Vote: the offset with most other offsets within the matching radius.
    votes = cKDTree(offsets).query_ball_point(offsets, r=match_radius_um / 2, return_length=True)
    shift = offsets[int(np.argmax(votes))]
    for _ in range(3):  # refine: median offset of mutual nearest neighbours
        distance, index = tree.query(before_xy + shift, distance_upper_bound=match_radius_um)
        ok = np.isfinite(distance)
        if not ok.any():
            break
        shift = np.median(after_xy[index[ok]] - before_xy[ok], axis=0)
    return shift


def compare_visits(
    before: pd.DataFrame,
    after: pd.DataFrame,
    *,
    area_cm2: float,
    before_area_cm2: float | None = None,
    cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS,
    match_radius_um: float = 60.0,
    max_shift_um: float = 500.0,
    thinning_um: float = 10.0,
    before_frame: CountingFrame | None = None,
    after_frame: CountingFrame | None = None,
) -> VisitComparison:
    """Compare two visits of the same site (``area_cm2``; ``before_area_cm2`` when the
    earlier visit's counting area differs, e.g. other device graphics were masked).

    Always: density, mean diameter, thin share and cumulative thickness differences with
    standard errors from counting noise. When both tables carry ``x_um``/``y_um`` exit
    points: a registration (global shift) and a one-to-one matching of hairs within
    ``match_radius_um`` (Hungarian algorithm), so each hair is persisting, lost or new,
    and persisting hairs whose diameter fell by more than ``thinning_um`` are thinned.
    With the two images' counting frames (``before_frame``, ``after_frame``), a hair not
    matched whose exit moved by the registration lies outside the other frame is "out of
    view" instead of lost or new.
    """
    area = parse_area_cm2(area_cm2)
    area0 = (
        area
        if before_area_cm2 is None
        else parse_area_cm2(before_area_cm2, field_name="before_area_cm2")
    )
    for name, value, low in (
        ("match_radius_um", match_radius_um, 0),
        ("max_shift_um", max_shift_um, 0),
        ("thinning_um", thinning_um, 0),
    ):
        if not (math.isfinite(value) and value > low):
            raise FollicleInputError(name, value, "a positive number of micrometres")
    m0 = measure(before, area_cm2=area0, cutoffs=cutoffs)
    m1 = measure(after, area_cm2=area, cutoffs=cutoffs)
    # Hairs that entered the field from outside have no exit here to match.
    before, after = counted_hairs(before), counted_hairs(after)
    changes = (
        _change(
            "density_per_cm2",
            m0.density_per_cm2,
            m1.density_per_cm2,
            math.hypot(m0.density_se_per_cm2, m1.density_se_per_cm2),
        ),
        _change(
            "mean_diameter_um",
            m0.mean_diameter_um,
            m1.mean_diameter_um,
            math.hypot(_nan0(m0.mean_diameter_se_um), _nan0(m1.mean_diameter_se_um)),
        ),
        _change(
            "thin_share_percent",
            m0.thin_share_percent,
            m1.thin_share_percent,
            math.hypot(_nan0(m0.thin_share_se_percent), _nan0(m1.thin_share_se_percent)),
        ),
        _change(
            "cumulative_thickness_mm_per_cm2",
            m0.cumulative_thickness_mm_per_cm2,
            m1.cumulative_thickness_mm_per_cm2,
            # Poisson noise of a compound sum: SE = sqrt(sum d^2) / area
            math.hypot(_sum_sq_mm(before) / area0, _sum_sq_mm(after) / area),
        ),
    )
    params = dict(
        function="compare_visits",
        area_cm2=area,
        before_area_cm2=area0,
        match_radius_um=match_radius_um,
        max_shift_um=max_shift_um,
        thinning_um=thinning_um,
    )
    if not (_has_positions(before) and _has_positions(after)):
        return VisitComparison(
            changes=changes,
            matched=False,
            shift_um=None,
            persisting=None,
            lost=None,
            new=None,
            thinned=None,
            thickened=None,
            hairs=None,
            before=m0,
            after=m1,
            provenance=provenance(**params),
        )
    xy0 = before[["x_um", "y_um"]].to_numpy(float)
    xy1 = after[["x_um", "y_um"]].to_numpy(float)
    shift = estimate_shift_um(xy0, xy1, max_shift_um=max_shift_um, match_radius_um=match_radius_um)
    pairs = _match(xy0 + shift, xy1, match_radius_um)
    chance = chance_pairs(xy0, xy1, max_shift_um=max_shift_um, match_radius_um=match_radius_um)
    d0 = before["diameter_um"].to_numpy(float)
    d1 = after["diameter_um"].to_numpy(float)
    rows = []
    matched0 = {i for i, _ in pairs}
    matched1 = {j for _, j in pairs}
    for i, j in pairs:
        delta = d1[j] - d0[i]
        fate = "thinned" if delta < -thinning_um else "thickened" if delta > thinning_um else "kept"
        rows.append((before["hair_id"].iloc[i], after["hair_id"].iloc[j], d0[i], d1[j], fate))
    # Where each hair would lie in the other image: out of its frame, it was not looked for.
    seen0 = after_frame.contains(xy0 + shift) if after_frame is not None else np.ones(len(d0), bool)
    seen1 = (
        before_frame.contains(xy1 - shift) if before_frame is not None else np.ones(len(d1), bool)
    )
    unmatched0 = [i for i in range(len(d0)) if i not in matched0]
    unmatched1 = [j for j in range(len(d1)) if j not in matched1]
    rows += [
        (before["hair_id"].iloc[i], None, d0[i], math.nan, "lost" if seen0[i] else OUT_OF_VIEW)
        for i in unmatched0
    ]
    rows += [
        (None, after["hair_id"].iloc[j], math.nan, d1[j], "new" if seen1[j] else OUT_OF_VIEW)
        for j in unmatched1
    ]
    hairs = pd.DataFrame(
        rows,
        columns=[
            "hair_id_before",
            "hair_id_after",
            "diameter_before_um",
            "diameter_after_um",
            "fate",
        ],
    )
    hairs["hair_id_before"] = hairs["hair_id_before"].astype("Int64")
    hairs["hair_id_after"] = hairs["hair_id_after"].astype("Int64")
    counts = hairs["fate"].value_counts()
    return VisitComparison(
        changes=changes,
        matched=True,
        shift_um=(float(shift[0]), float(shift[1])),
        persisting=len(pairs),
        lost=int(counts.get("lost", 0)),
        new=int(counts.get("new", 0)),
        thinned=int(counts.get("thinned", 0)),
        thickened=int(counts.get("thickened", 0)),
        hairs=hairs,
        before=m0,
        after=m1,
        chance_persisting=chance,
        same_spot=len(pairs) > chance,
        outside_after_frame=int(np.count_nonzero(~seen0[unmatched0]))
        if after_frame is not None
        else None,
        outside_before_frame=int(np.count_nonzero(~seen1[unmatched1]))
        if before_frame is not None
        else None,
        provenance=provenance(**params, chance_turns=CHANCE_TURNS),
    )


CHANCE_TURNS = 19  # beating all 19 turns: p <= 1/20 that chance did as well


def chance_pairs(
    before_xy: np.ndarray,
    after_xy: np.ndarray,
    *,
    max_shift_um: float,
    match_radius_um: float,
    turns: int = CHANCE_TURNS,
    seed: int = 0,
) -> int:
    """The most hairs registration and matching pair when ``after_xy`` is turned about
    the centre of its frame by ``turns`` random angles (45-315 degrees, fixed ``seed``)
    and wrapped back into that frame: the same density and clustering, no true pairs.

    If both images show one spot, the real pairing beats every turn; if not, it is one
    more draw of the same chance and beats them all with probability 1 / (turns + 1) for
    a layout that looks alike in every direction (simulated clustered scalps: less
    often, tests/measure/test_criteria_visits.py)."""
    if len(before_xy) == 0 or len(after_xy) == 0:
        return 0
    low = after_xy.min(axis=0)
    extent = np.maximum(after_xy.max(axis=0) - low, match_radius_um)
    centre = low + extent / 2
    rng = np.random.default_rng(seed)
    best = 0
    for angle in np.deg2rad(rng.uniform(45.0, 315.0, size=turns)):
        c, s = np.cos(angle), np.sin(angle)
        turned = (after_xy - centre) @ np.array([[c, s], [-s, c]]) + centre
        turned = low + np.mod(turned - low, extent)
        shift = estimate_shift_um(
            before_xy, turned, max_shift_um=max_shift_um, match_radius_um=match_radius_um
        )
        best = max(best, len(_match(before_xy + shift, turned, match_radius_um)))
    return best


def _nan0(value: float) -> float:
    return 0.0 if math.isnan(value) else value


def _sum_sq_mm(table: pd.DataFrame) -> float:
    return math.sqrt(float(np.sum((table["diameter_um"].to_numpy(float) / 1000.0) ** 2)))


def _match(xy0: np.ndarray, xy1: np.ndarray, radius: float) -> list[tuple[int, int]]:
    """One-to-one matching: the most pairs within ``radius``, then the least total
    distance. Pairs farther apart are refused, so the problem splits into the connected
    groups of hairs within ``radius`` of each other, each solved on its own (Hungarian
    algorithm): the same optimum as one n x n assignment, in memory and time that grow
    with the pairs within reach rather than n^2 (whole-scalp tables)."""
    if len(xy0) == 0 or len(xy1) == 0:
        return []
    near = cKDTree(xy0).sparse_distance_matrix(cKDTree(xy1), radius, output_type="ndarray")
    if len(near) == 0:
        return []
    i, j, distance = near["i"], near["j"], near["v"]
    n0 = len(xy0)
    graph = coo_matrix((np.ones(len(i)), (i, j + n0)), shape=(n0 + len(xy1),) * 2)
    _, group = connected_components(graph, directed=False)
    order = np.argsort(group[i], kind="stable")
    bounds = np.flatnonzero(np.diff(group[i][order])) + 1
    big = 1e9
    pairs = []
    for edges in np.split(order, bounds):
        rows, row_at = np.unique(i[edges], return_inverse=True)
        cols, col_at = np.unique(j[edges], return_inverse=True)
        cost = np.full((len(rows), len(cols)), big)
        cost[row_at, col_at] = distance[edges]
        chosen = zip(*linear_sum_assignment(cost), strict=True)
        pairs += [(int(rows[a]), int(cols[b])) for a, b in chosen if cost[a, b] < big]
    return sorted(pairs)
