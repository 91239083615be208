"""Hair shafts from a contrast image: mask, skeleton graph, and hairs through crossings.

The skeleton of the hair mask is cut at its junctions into branches. At each junction,
branch ends are paired by direction: a straight continuation (ends pointing opposite
ways) is one hair passing through; branches that meet at a sharp angle (two hairs leaving
one opening, or a hair ending on another) stay separate hairs. Short spurs from thick
shaft ends and short bridges inside a crossing are absorbed first.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree
from skimage.morphology import skeletonize

from follicle.measure.binary_ops import drop_small_objects
from follicle.measure.small_median import median

EIGHT = np.ones((3, 3), bool)
NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


@dataclass(frozen=True, kw_only=True)
class Branch:
    """A skeleton branch: ordered pixels (row, col) and the junctions at its two ends."""

    pixels: np.ndarray  # (n, 2) int, ordered along the branch
    start_node: int  # junction id at pixels[0], or -1 for a free end
    end_node: int  # junction id at pixels[-1], or -1


@dataclass(frozen=True, kw_only=True)
class Shaft:
    """One hair: its branches (ordered pixel runs) and the junction points it passes."""

    branches: tuple[np.ndarray, ...]
    junctions_rc: np.ndarray  # (k, 2) junction centres along or at the ends of the shaft

    @property
    def pixels(self) -> np.ndarray:
        return np.concatenate(self.branches, axis=0)

    @cached_property  # asked for by several steps; the branches are never changed
    def length_px(self) -> float:
        return float(sum(_path_length(b) for b in self.branches))


def hair_mask(
    contrast: np.ndarray,
    *,
    low: float,
    high: float,
    min_area_px: int,
    max_hole_px: int,
    max_stripe_half_px: float = 3.0,
    solid: np.ndarray | None = None,
) -> np.ndarray:
    """Hysteresis threshold: weak pixels join only when connected to strong ones.

    Holes are filled when small, or when narrow (inscribed radius <= max_stripe_half_px):
    a specular stripe along a shaft leaves a long narrow hole, a patch of skin between
    crossing hairs a wide one. ``solid``: the contrast before a wide level was taken off
    it (``background.wide_level``); a hole whose mean there exceeds ``high`` is the dark
    inside of a group of hairs wider than that level's window (two or three hairs of one
    opening side by side), not skin, and is filled too."""
    strong = contrast > high
    weak = contrast > low
    labels, n = ndimage.label(weak, structure=EIGHT)
    keep = np.zeros(n + 1, bool)  # look-up table: is this weak region seeded?
    keep[labels[strong]] = True
    keep[0] = False
    mask = keep[labels]
    # Holes: background regions (4-connected) that do not reach the image border. Found
    # by labelling the background once (binary_fill_holes erodes the frame many times).
    background, n_background = ndimage.label(~mask)
    if n_background > 1:
        hole = np.ones(n_background + 1, bool)
        hole[0] = False
        hole[background[0]] = hole[background[-1]] = False
        hole[background[:, 0]] = hole[background[:, -1]] = False
        sizes = np.bincount(background.ravel(), minlength=n_background + 1)
        fill = hole & (sizes <= max_hole_px)
        large = np.flatnonzero(hole & ~fill)
        # Boxes up to the last large hole only (often none: no boxes at all).
        windows = ndimage.find_objects(background, max_label=int(large[-1])) if len(large) else []
        for index in large:
            window = windows[index - 1]
            region = background[window] == index
            if solid is not None and solid[window][region].mean(dtype=np.float64) > high:
                fill[index] = True
                continue
            region = np.pad(region, 1)
            fill[index] = ndimage.distance_transform_edt(region).max() <= max_stripe_half_px
        if fill.any():
            mask |= fill[background]
    return drop_small_objects(mask, max_size=min_area_px)  # remove_small_objects' pixels


def mask_objects(mask: np.ndarray) -> tuple[np.ndarray, list]:
    """8-connected labels of the mask and each object's bounding box (labelled once, shared
    by the skeleton, the distance transform and the stub check)."""
    labels, _ = ndimage.label(mask, structure=EIGHT)
    return labels, ndimage.find_objects(labels)


def object_skeletons(
    mask: np.ndarray, objects: tuple[np.ndarray, list] | None = None
) -> np.ndarray:
    """``skeletonize(mask)`` computed object by object on their bounding boxes: the same
    result (thinning looks at 8-neighbours only, and separate objects are not
    8-neighbours) without thinning the empty skin around them."""
    labels, windows = objects if objects is not None else mask_objects(mask)
    skeleton = np.zeros(mask.shape, bool)
    for index, window in enumerate(windows, start=1):
        if window is not None:
            skeleton[window] |= skeletonize(labels[window] == index)
    return skeleton


def object_distance(mask: np.ndarray, objects: tuple[np.ndarray, list] | None = None) -> np.ndarray:
    """``distance_transform_edt(mask)`` object by object on their bounding boxes grown by
    one pixel (the nearest skin pixel of an object's pixel borders that object)."""
    labels, windows = objects if objects is not None else mask_objects(mask)
    distance = np.zeros(mask.shape, np.float32)
    rows, cols = mask.shape
    for index, window in enumerate(windows, start=1):
        if window is None:
            continue
        grown = (
            slice(max(window[0].start - 1, 0), min(window[0].stop + 1, rows)),
            slice(max(window[1].start - 1, 0), min(window[1].stop + 1, cols)),
        )
        own = labels[grown] == index
        local = ndimage.distance_transform_edt(mask[grown])
        distance[grown][own] = local[own]
    return distance


def _path_length(pixels: np.ndarray) -> float:
    """Length of a pixel run; smoothing first removes the 8-connected staircase, which
    would otherwise add up to 8% on oblique shafts."""
    if len(pixels) < 2:
        return 0.0
    if len(pixels) >= 7:
        pixels = ndimage.uniform_filter1d(pixels.astype(float), size=7, axis=0, mode="nearest")
    return float(np.hypot(*np.diff(pixels, axis=0).T).sum())


def _order_pixels(coords: np.ndarray, start: tuple[int, int] | None) -> np.ndarray:
    """Walk a thin pixel run from one end to the other (4-neighbours preferred)."""
    remaining = {tuple(p) for p in coords}
    if start is None or start not in remaining:
        start = _run_end(remaining)
    path = [start]
    remaining.discard(start)
    current = start
    while remaining:
        r, c = current
        nxt = None
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)):
            if (r + dr, c + dc) in remaining:
                nxt = (r + dr, c + dc)
                break
        if nxt is None:
            break  # a stray pixel off the main run: ignore it
        path.append(nxt)
        remaining.discard(nxt)
        current = nxt
    return np.array(path, dtype=int)


def _run_end(pixels: set[tuple[int, int]]) -> tuple[int, int]:
    for r, c in pixels:
        count = sum((r + dr, c + dc) in pixels for dr, dc in NEIGHBOURS)
        if count <= 1:
            return (r, c)
    return next(iter(pixels))


def split_at_corners(
    path: np.ndarray, *, reach: int, min_turn_deg: float = 60.0
) -> list[np.ndarray]:
    """Cut an ordered run where it turns sharply: the skeleton of two hairs leaving one
    opening at a small angle is a single run with a hairpin at the opening."""
    n = len(path)
    if n < 2 * reach + 3:
        return [path]
    p = path.astype(float)
    back = p[: n - 2 * reach] - p[reach : n - reach]
    ahead = p[2 * reach :] - p[reach : n - reach]
    cosine = np.einsum("ij,ij->i", back, ahead) / (
        np.hypot(*back.T) * np.hypot(*ahead.T) + 1e-9
    )  # -1 on a straight run, +1 at a hairpin
    limit = np.cos(np.radians(180.0 - min_turn_deg))
    cuts = []
    index = 0
    while index < len(cosine):
        if cosine[index] > limit:
            end = index
            while end + 1 < len(cosine) and cosine[end + 1] > limit:
                end += 1
            cuts.append(reach + index + int(np.argmax(cosine[index : end + 1])))
            index = end + 1
        else:
            index += 1
    if not cuts:
        return [path]
    bounds = [0, *cuts, n]
    return [path[a:b] for a, b in itertools.pairwise(bounds) if b - a >= 2]


def _neighbour_lookup(
    image: np.ndarray, rows: np.ndarray, cols: np.ndarray, *, padded: bool = False
) -> np.ndarray:
    """Values of ``image`` at the 8 neighbours of each (row, col), zero outside the image:
    shape (n, 8), in the order of NEIGHBOURS. Only the given pixels are visited.
    ``padded``: ``image`` already has a one-pixel zero frame (rows, cols unpadded)."""
    frame = image if padded else np.pad(image, 1)
    return np.stack([frame[rows + 1 + dr, cols + 1 + dc] for dr, dc in NEIGHBOURS], axis=1)


# Order in which the pixel walk prefers a next pixel: 4-neighbours first (index in NEIGHBOURS).
WALK_PREFERENCE = [1, 6, 3, 4, 0, 2, 5, 7]


def _order_runs(
    coords: np.ndarray,
    run_of: np.ndarray,
    n_runs: int,
    starts: np.ndarray,
    shape: tuple,
    *,
    pixel_walk: bool = False,
) -> list[np.ndarray]:
    """Each run's pixels ordered from one end to the other, all runs at once.

    Runs are skeleton pieces between junctions, so no pixel has more than two neighbours:
    a run is a simple path (or, rarely, a closed loop). A path is ordered by the graph
    distance of its pixels from one end (one compiled shortest-path call for all runs).
    ``starts[k]`` is the index (into ``coords``) of the pixel the walk of run k starts
    from (a pixel touching a junction), or -1: then it starts at the end met first in
    raster order. Starting inside a path (a junction touching two pixels of a staircase),
    the walk goes to the preferred neighbour's side and stops at that end, as the pixel
    walk does. Loops fall back to the pixel walk. ``pixel_walk``: walk every run pixel by
    pixel in Python (the readable reference, kept for the benchmark; free runs may come
    out reversed, since it starts at whichever end it meets first).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    n = len(coords)
    index = np.zeros((shape[0] + 2, shape[1] + 2), np.int32)  # run pixel index + 1, framed
    index[coords[:, 0] + 1, coords[:, 1] + 1] = np.arange(1, n + 1)
    neighbours = _neighbour_lookup(index, coords[:, 0], coords[:, 1], padded=True) - 1  # -1: none
    degree = (neighbours >= 0).sum(axis=1)
    node_count = np.bincount(run_of, minlength=n_runs)
    edge_count = np.bincount(run_of, weights=degree, minlength=n_runs) / 2
    is_path = edge_count == node_count - 1
    # First end (degree <= 1) of each run in raster order (coords are in raster order).
    end_idx = np.flatnonzero(degree <= 1)
    first_end = np.full(n_runs, -1)
    runs_with_end, first = np.unique(run_of[end_idx], return_index=True)
    first_end[runs_with_end] = end_idx[first]
    origin = np.where((starts >= 0) & (degree[np.maximum(starts, 0)] <= 1), starts, first_end)
    src, dst = np.nonzero(neighbours >= 0)
    graph = coo_matrix((np.ones(len(src)), (src, neighbours[src, dst])), shape=(n, n)).tocsr()
    sources = origin[is_path & (origin >= 0)]
    distance = (
        dijkstra(graph, indices=sources, min_only=True, unweighted=True)
        if len(sources)
        else np.full(n, np.inf)
    )
    # By run, then along each path (lexsort is stable: loops keep their raster order).
    by_run = np.lexsort((distance, run_of))
    bounds = np.concatenate([[0], np.cumsum(node_count)])
    ordered_runs = []
    for k in range(n_runs):
        path = by_run[bounds[k] : bounds[k + 1]]
        if pixel_walk or not is_path[k]:
            start = tuple(coords[starts[k]]) if starts[k] >= 0 else None
            ordered_runs.append(_order_pixels(coords[path], start))
            continue
        start = starts[k]
        if start >= 0 and degree[start] == 2:  # inside the path: walk to the preferred side
            at = int(np.flatnonzero(path == start)[0])
            for slot in WALK_PREFERENCE:
                step = neighbours[start, slot]
                if step >= 0:
                    break
            path = path[at:] if path[at + 1] == step else path[at::-1]
        ordered_runs.append(coords[path])
    return ordered_runs


def skeleton_branches(
    mask: np.ndarray,
    *,
    corner_reach_px: int = 8,
    objects: tuple[np.ndarray, list] | None = None,
    pixel_walk: bool = False,
) -> tuple[list[Branch], np.ndarray, np.ndarray]:
    """Branches of the mask's skeleton, junction centres (row, col), and the skeleton.
    ``objects``: ``mask_objects(mask)`` when already computed; ``pixel_walk``: order runs
    with the Python pixel walk (reference for the benchmark, see ``_order_runs``)."""
    skeleton = object_skeletons(mask, objects)
    sr, sc = np.nonzero(skeleton)
    counts = _neighbour_lookup(skeleton, sr, sc).sum(axis=1)
    # Junction and run pixels in raster order, as np.nonzero of each would give them.
    at_junction = counts >= 3
    jr, jc = sr[at_junction], sc[at_junction]
    junction_px = np.zeros_like(skeleton)
    junction_px[jr, jc] = True
    # Junction labels in a one-pixel zero frame (for the neighbour lookup), labelled in
    # the junctions' bounding box only: the same labels with less of the frame.
    framed_labels = np.zeros((skeleton.shape[0] + 2, skeleton.shape[1] + 2), np.int32)
    n_junctions = 0
    if len(jr):
        box = (slice(jr.min(), jr.max() + 1), slice(jc.min(), jc.max() + 1))
        framed = (
            slice(box[0].start + 1, box[0].stop + 1),
            slice(box[1].start + 1, box[1].stop + 1),
        )
        framed_labels[framed], n_junctions = ndimage.label(junction_px[box], structure=EIGHT)
    if n_junctions:  # centroid per junction label, from the few junction pixels only
        lab = framed_labels[jr + 1, jc + 1]
        count = np.bincount(lab, minlength=n_junctions + 1)[1:]
        centres = np.stack(
            [
                np.bincount(lab, weights=jr, minlength=n_junctions + 1)[1:] / count,
                np.bincount(lab, weights=jc, minlength=n_junctions + 1)[1:] / count,
            ],
            axis=1,
        )
    else:
        centres = np.zeros((0, 2))
    runs = skeleton & ~junction_px
    run_labels, n_runs = ndimage.label(runs, structure=EIGHT)
    rr, rc = sr[~at_junction], sc[~at_junction]  # raster order
    coords = np.stack([rr, rc], axis=1)
    run_of = run_labels[rr, rc] - 1
    # Which junction touches each run pixel (the largest label among its 8 neighbours).
    touching = _neighbour_lookup(framed_labels, rr, rc, padded=True).max(axis=1)
    starts = np.full(n_runs, -1)
    touching_idx = np.flatnonzero(touching > 0)
    runs_touching, first = np.unique(run_of[touching_idx], return_index=True)
    starts[runs_touching] = touching_idx[first]  # first touching pixel in raster order
    near_junction = np.zeros(skeleton.shape, framed_labels.dtype)
    near_junction[rr, rc] = touching
    branches = []
    for k, ordered in enumerate(
        _order_runs(coords, run_of, n_runs, starts, skeleton.shape, pixel_walk=pixel_walk)
    ):
        first = near_junction[ordered[0, 0], ordered[0, 1]]
        last = near_junction[ordered[-1, 0], ordered[-1, 1]]
        if len(ordered) == 1:
            first = touching[starts[k]] if starts[k] >= 0 else 0
            last = 0
        pieces = split_at_corners(ordered, reach=corner_reach_px)
        for j, piece in enumerate(pieces):
            branches.append(
                Branch(
                    pixels=piece,
                    start_node=int(first) - 1 if j == 0 else -1,
                    end_node=int(last) - 1 if j == len(pieces) - 1 else -1,
                )
            )
    return branches, centres, skeleton


def _end_direction(pixels: np.ndarray, at_start: bool, reach: int, skip: int = 0) -> np.ndarray:
    """Unit vector from a branch end into the branch, over ``reach`` pixels after the first
    ``skip`` (near a junction the skeleton bends towards it for about a half-width)."""
    run = pixels if at_start else pixels[::-1]
    k = min(len(run) - 1, skip + reach)
    j = min(skip, max(k - reach // 2, 0))
    if k - j < 1:
        return np.zeros(2)
    v = run[k].astype(float) - run[j]
    norm = np.hypot(*v)
    return v / norm if norm else np.zeros(2)


def _junction_end(
    pixels: np.ndarray, at_start: bool, half_width: float
) -> tuple[np.ndarray, np.ndarray]:
    """A branch's end at a junction: the unit vector into the branch (``_end_direction``
    over 3 half-widths, 6-25 px, after skipping one half-width where the skeleton bends
    towards the junction) and the point (row, col) where that reading starts."""
    reach = int(np.clip(3 * half_width, 6, 25))
    skip = int(half_width)
    run = pixels if at_start else pixels[::-1]
    direction = _end_direction(pixels, at_start, reach, skip=skip)
    return direction, run[min(skip, len(run) - 1)].astype(float)


def _collinearity(u: np.ndarray, at_u: np.ndarray, v: np.ndarray, at_v: np.ndarray) -> float:
    """How well two branch ends meeting at a junction lie on one line: the mean cosine
    between the chord from one end to the other and each end's direction (``u``, ``v``
    point into their branches, away from the junction; ``at_u``, ``at_v``: where the
    directions were measured). 1 when the one branch's line runs into the other; a hair
    switching to a parallel neighbour that touches it is as straight in angle but offset
    sideways by about a width, which this sees. Ends closer than 3 px: 1 (no chord)."""
    chord = at_v - at_u
    span = float(np.hypot(*chord))
    if span < 3.0:
        return 1.0
    chord /= span
    return 0.5 * (float(-u @ chord) + float(v @ chord))


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)


def trace_shafts(
    mask: np.ndarray,
    half_width: np.ndarray,
    *,
    max_turn_deg: float = 40.0,
    min_length_px: float = 10.0,
    max_width_ratio: float = 2.0,
    objects: tuple[np.ndarray, list] | None = None,
    crossing_bridge_widths: float = 3.0,
) -> list[Shaft]:
    """Hairs from the mask: skeleton branches chained straight through junctions.

    ``half_width`` is the distance transform of the mask (local half-width in px); it sets
    how short a spur or a bridge is (relative to the local shaft width). ``objects``:
    ``mask_objects(mask)`` when already computed. ``crossing_bridge_widths``: bridges up
    to this many half-widths long are merged when the hairs cross straight through them
    (``_merge_crossing_bridges``; 0: off). Two straight 40-70 um hairs crossing at 40
    degrees come out whole at 3 (at 50 degrees and more without; 35 at 4, 25 at 6); on the
    synthetic benchmark 3 resolved 8 more of 306 crossings (`--quick`) and took the hard
    renders' over-count from +7.1% to +4.3%, on the real dev images it changed 7 of 102
    (larger values changed more real tight groups for the worse: docs/measure.md,
    "12-05, night").

    At each junction the branch ends are paired, straightest first: ranked by the angle
    between them and by how well one end's line runs into the other (``_collinearity``),
    so a hair is traced on past a neighbour that starts touching its side instead of
    jogging into it. On the synthetic benchmark (120 renders, 12-05) the ranking took the
    one-to-one F1 from 0.865 / 0.843 / 0.803 to 0.869 / 0.855 / 0.815 (easy / medium /
    hard) and resolved 28 more crossings (678 -> 706); 14 of the 102 real dev images changed,
    as many for the better as for the worse (F1 0.8458 -> 0.8457).
    """
    typical = float(np.median(half_width[half_width > 0])) if mask.any() else 2.0
    branches, centres, _ = skeleton_branches(
        mask, corner_reach_px=int(np.clip(3 * typical, 6, 30)), objects=objects
    )
    if not branches:
        return []
    n_nodes = len(centres)
    node_uf = _UnionFind(max(n_nodes, 1))
    lengths = np.array([_path_length(b.pixels) + 1 for b in branches])
    widths = np.array([median(half_width[b.pixels[:, 0], b.pixels[:, 1]]) for b in branches])
    alive = np.ones(len(branches), bool)
    # 1) Bridges: short branches between two junctions (thick crossings give two nearby
    #    junctions): merge the junctions, drop the bridge.
    for i, b in enumerate(branches):
        if b.start_node >= 0 and b.end_node >= 0 and lengths[i] < 2.2 * max(widths[i], 1.5):
            node_uf.union(b.start_node, b.end_node)
            alive[i] = False
    if crossing_bridge_widths > 0:
        _merge_crossing_bridges(
            branches, alive, node_uf, lengths, widths,
            max_widths=crossing_bridge_widths, max_turn_deg=max_turn_deg,
        )  # fmt: skip
    # 2) Spurs: short branches with a free end hanging off a junction (skeleton artefacts
    #    at blunt shaft ends and at shaft corners). Repeat: removing one can expose another.
    for _ in range(2):
        degree = np.zeros(max(n_nodes, 1), int)
        for i, b in enumerate(branches):
            if alive[i]:
                for node in (b.start_node, b.end_node):
                    if node >= 0:
                        degree[node_uf.find(node)] += 1
        for i, b in enumerate(branches):
            if not alive[i]:
                continue
            nodes = [n for n in (b.start_node, b.end_node) if n >= 0]
            if len(nodes) == 1 and degree[node_uf.find(nodes[0])] >= 3:
                local = half_width[b.pixels[:, 0], b.pixels[:, 1]]
                host = float(half_width[tuple(np.round(centres[nodes[0]]).astype(int))])
                if lengths[i] < 1.6 * max(host, float(local.max()), 2.0):
                    alive[i] = False
                    degree[node_uf.find(nodes[0])] -= 1
    # 3) Pair branch ends at each (merged) junction by straightness.
    ends_at: dict[int, list[tuple[int, np.ndarray, np.ndarray]]] = {}
    for i, b in enumerate(branches):
        if not alive[i]:
            continue
        for node, at_start in ((b.start_node, True), (b.end_node, False)):
            if node >= 0:
                ends_at.setdefault(node_uf.find(node), []).append(
                    (i, *_junction_end(b.pixels, at_start, widths[i]))
                )
    hair_uf = _UnionFind(len(branches))
    cos_limit = np.cos(np.radians(max_turn_deg))
    for ends in ends_at.values():
        candidates = []
        for a in range(len(ends)):
            for b in range(a + 1, len(ends)):
                i, u, at_a = ends[a]
                j, v, at_b = ends[b]
                if i == j:
                    continue
                ratio = max(widths[i], widths[j]) / max(min(widths[i], widths[j]), 0.75)
                if ratio > max_width_ratio:
                    continue  # a thin hair does not continue as a thick one
                straightness = -float(u @ v)  # 1 when the two ends point opposite ways
                if straightness >= cos_limit:
                    rank = (straightness + _collinearity(u, at_a, v, at_b)) / 2
                    candidates.append((rank, a, b))
        used: set[int] = set()
        for _, a, b in sorted(candidates, reverse=True):
            if a in used or b in used:
                continue
            used.update((a, b))
            hair_uf.union(ends[a][0], ends[b][0])
    groups: dict[int, list[int]] = {}
    for i in np.flatnonzero(alive):
        groups.setdefault(hair_uf.find(int(i)), []).append(int(i))
    node_members: dict[int, list[int]] = {}
    for node in range(n_nodes):
        node_members.setdefault(node_uf.find(node), []).append(node)
    shafts = []
    for members in groups.values():
        nodes = {
            node_uf.find(n)
            for i in members
            for n in (branches[i].start_node, branches[i].end_node)
            if n >= 0
        }
        junctions = np.array([centres[node_members[n]].mean(axis=0) for n in nodes]).reshape(-1, 2)
        shaft = Shaft(branches=tuple(branches[i].pixels for i in members), junctions_rc=junctions)
        if shaft.length_px >= min_length_px:
            shafts.append(shaft)
    return shafts


def _merge_crossing_bridges(
    branches: list,
    alive: np.ndarray,
    node_uf: _UnionFind,
    lengths: np.ndarray,
    widths: np.ndarray,
    *,
    max_widths: float,
    max_turn_deg: float,
) -> None:
    """Bridges up to ``max_widths`` half-widths long between two 3-way junctions, merged
    (in ``node_uf``; the bridge no longer ``alive``) when the two other branches at one
    junction continue within ``max_turn_deg`` into the two at the other, one each: two
    hairs crossing at a shallow angle overlap over about their width / sin(angle), so
    their skeleton holds a bridge longer than the short ones merged first; left in, each
    junction pairs one hair with the bridge and the trace turns into the other hair."""
    ends_of: dict[int, list[tuple[int, bool]]] = {}
    for i, b in enumerate(branches):
        if not alive[i]:
            continue
        for node, at_start in ((b.start_node, True), (b.end_node, False)):
            if node >= 0:
                ends_of.setdefault(node_uf.find(node), []).append((i, at_start))
    cos_limit = np.cos(np.radians(max_turn_deg))
    for i, b in enumerate(branches):
        if not alive[i] or b.start_node < 0 or b.end_node < 0:
            continue
        if lengths[i] >= max_widths * max(widths[i], 1.5):
            continue
        n1, n2 = node_uf.find(b.start_node), node_uf.find(b.end_node)
        if n1 == n2:
            continue
        others1 = [e for e in ends_of.get(n1, []) if e[0] != i]
        others2 = [e for e in ends_of.get(n2, []) if e[0] != i]
        if len(others1) != 2 or len(others2) != 2:
            continue

        d1 = [_junction_end(branches[j].pixels, at, widths[j])[0] for j, at in others1]
        d2 = [_junction_end(branches[j].pixels, at, widths[j])[0] for j, at in others2]
        best = max(
            min(-float(d1[0] @ d2[0]), -float(d1[1] @ d2[1])),
            min(-float(d1[0] @ d2[1]), -float(d1[1] @ d2[0])),
        )
        if best >= cos_limit:
            node_uf.union(n1, n2)
            alive[i] = False
            merged = others1 + others2
            ends_of[node_uf.find(n1)] = merged


def _shaft_end_vectors(shaft: Shaft) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two ends of a shaft and, for each, the unit vector pointing out of the shaft."""
    p = shaft.pixels.astype(float)
    mean = p.mean(axis=0)
    if len(p) < 2:
        return [(mean, np.zeros(2)), (mean, np.zeros(2))]
    _, _, vt = np.linalg.svd(p - mean, full_matrices=False)
    s = (p - mean) @ vt[0]
    a, b = p[np.argmin(s)], p[np.argmax(s)]
    # Local end directions (the shaft may curve): from points a few widths inside.
    out = []
    for end in (a, b):
        d = np.hypot(*(p - end).T)
        near = p[(d > 2) & (d < 20)]
        inward = (near.mean(axis=0) - end) if len(near) else (mean - end)
        norm = np.hypot(*inward)
        out.append((end, -inward / norm if norm else np.zeros(2)))
    return out


def bridge_gaps(
    shafts: list[Shaft],
    half_width: np.ndarray,
    *,
    max_gap_px: float,
    max_angle_deg: float = 25.0,
    max_width_ratio: float = 1.8,
) -> list[Shaft]:
    """Join shaft pieces lying end to end on one line: a faint hair broken by the
    threshold, or a hair cut in two where it crosses another. Two pieces join when the
    gap between their ends is short, both ends point at each other, and widths agree."""
    if len(shafts) < 2:
        return shafts
    ends = [_shaft_end_vectors(s) for s in shafts]
    widths = np.array([median(half_width[s.pixels[:, 0], s.pixels[:, 1]]) for s in shafts])
    cos_limit = np.cos(np.radians(max_angle_deg))
    points = np.array([e[k][0] for e in ends for k in (0, 1)])
    reach = max(max_gap_px, 4 * float(widths.max()))
    candidates = []
    for a, b in cKDTree(points).query_pairs(reach):
        i, ei, j, ej = a // 2, a % 2, b // 2, b % 2
        if i == j:
            continue
        ratio = max(widths[i], widths[j]) / max(min(widths[i], widths[j]), 0.5)
        if ratio > max_width_ratio:
            continue
        (pi, ui), (pj, uj) = ends[i][ei], ends[j][ej]
        gap = pj - pi
        distance = float(np.hypot(*gap))
        if distance > max(max_gap_px, 4 * max(widths[i], widths[j])):
            continue
        if float(ui @ uj) > -cos_limit:
            continue  # ends must point opposite ways (one line)
        if distance > 2:
            g = gap / distance
            if float(ui @ g) < cos_limit or float(-uj @ g) < cos_limit:
                continue  # the gap must lie on that line
        candidates.append((distance, i, ei, j, ej))
    uf = _UnionFind(len(shafts))
    used: set[tuple[int, int]] = set()
    for _, i, ei, j, ej in sorted(candidates):
        if (i, ei) in used or (j, ej) in used or uf.find(i) == uf.find(j):
            continue
        used.update(((i, ei), (j, ej)))
        uf.union(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(len(shafts)):
        groups.setdefault(uf.find(i), []).append(i)
    merged = []
    for members in groups.values():
        merged.append(
            Shaft(
                branches=tuple(b for i in members for b in shafts[i].branches),
                junctions_rc=np.concatenate([shafts[i].junctions_rc for i in members]).reshape(
                    -1, 2
                ),
            )
        )
    return merged
