"""A second thick hair lying along a kept one inside the same mask object.

Two hairs of one opening often lie side by side over much of their length (dev images,
docs/measure.md): the mask holds them as one object, the skeleton traces one centre
line, and the pair split (``pairs``) does not act because the shaft, measured at half
height, is not wide enough over its whole length. The second hair still shows: outside
the kept hair's band (its centre line grown by half its width), the rest of the object
holds a line of the faint-line filter (``faint_hairs.line_strength`` at the thin scale:
the second hair's body or its outer edge). Such a line, at least ``min_length_px`` long,
becomes a hair of its own when

- no other kept hair lies within ``min_other_single`` single-hair widths of more than
  ``max_other_share`` of its points: there the second hair already has its own centre
  line (or the line runs along a crossing);
- the object, read across the line (mean profile, normals turned away from the kept
  hair, ``pairs.divided_run``'s run to the skin), is at least ``min_run_single`` single
  hairs wide at half height, or ``min_run_host`` times its host's own width and at
  least ``min_extra_px`` more: narrower, the line is the edge of the kept hair itself.
  (The host's own width matters where it is thinner than the image's single hairs: a
  thin hair beside an intermediate one, dev images, docs/measure.md.)

Touching hairs cannot be measured apart at half height: as the pair split does for a
pair with no line between them, the run across is shared in two; the new hair's width
is half of it and its centre line is moved to the middle of its half (a quarter run
inside the outer edge: the filter's line may sit on the edge). Where the kept hair's
centre line runs between the two hairs (recentred on the pair), lines appear on both
its sides; along a stretch less than ``max_pair_single`` single hairs wide only one of
them is a second hair: the one the kept hair does not continue in line with beyond its
ends (the other is the kept hair's own). Lines are taken longest first; the kept hair's
width is left as measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

from follicle.measure.faint_hairs import SHRINK, _shrink_any, straight_path
from follicle.measure.pairs import divided_run, mean_cross_profile
from follicle.measure.shafts import EIGHT, Shaft
from follicle.measure.stubs import bar_axis
from follicle.measure.widths import STEP_PX, pixel_path


@dataclass(frozen=True, kw_only=True)
class SecondHair:
    shaft: Shaft
    width_px: float  # half the object's run across the line at half height
    contrast: float  # peak of the mean profile across the line
    host: int  # index of the kept hair it lies beside


def kept_bands(
    shape: tuple[int, int], shafts: list[tuple[Shaft, float]], *, margin_px: float
) -> np.ndarray:
    """Pixels within ``width / 2 + margin_px`` of each (shaft, width px)'s centre line
    (a disk, from a distance transform in the shaft's own window)."""
    band = np.zeros(shape, bool)
    for shaft, width in shafts:
        reach = width / 2 + margin_px
        p = shaft.pixels
        pad = int(np.ceil(reach)) + 1
        r0, c0 = max(int(p[:, 0].min()) - pad, 0), max(int(p[:, 1].min()) - pad, 0)
        r1 = min(int(p[:, 0].max()) + pad + 1, shape[0])
        c1 = min(int(p[:, 1].max()) + pad + 1, shape[1])
        line = np.ones((r1 - r0, c1 - c0), bool)
        line[p[:, 0] - r0, p[:, 1] - c0] = False
        band[r0:r1, c0:c1] |= ndimage.distance_transform_edt(line) <= reach
    return band


def second_hairs(
    contrast: np.ndarray,
    *,
    objects_mask: np.ndarray,
    kept: list[tuple[Shaft, float]],
    hosts: list[int],
    single_px: float,
    sigma_px: float,
    min_length_px: float,
    high_sd: float,
    strength: np.ndarray,
    window: tuple[slice, slice],
    mask: np.ndarray | None = None,
    low_sd: float = 3.0,
    margin_px: float = 1.0,
    min_inside: float = 0.5,
    min_other_single: float = 1.5,
    min_run_single: float = 1.2,
    min_run_host: float = 1.2,
    min_extra_px: float = 0.0,
    max_pair_single: float = 2.5,
    max_other_share: float = 0.1,
) -> list[SecondHair]:
    """Second hairs beside the ``hosts`` (indices into ``kept``, every (shaft, width px)
    kept so far) in ``objects_mask`` (the mask objects holding the hosts): lines of the
    filter outside every kept hair's band, at least ``min_inside`` inside the objects,
    passing the tests of the module docstring. ``strength``: the filter over the whole
    frame (``faint_hairs.shrunk_line_strength`` at ``sigma_px``); ``window``: the part of
    the frame holding the objects (nothing is sought outside it)."""
    if not hosts:
        return []
    inside = [(s, w) for s, w in kept if objects_mask[s.pixels[:, 0], s.pixels[:, 1]].any()]
    band = kept_bands(contrast.shape, inside, margin_px=margin_px)
    beside = np.zeros(contrast.shape, bool)
    beside[window] = objects_mask[window] & ~band[window]
    if not beside[window].any():
        return []
    lines = _beside_lines(
        strength,
        beside,
        window,
        sigma_px=sigma_px,
        min_length_px=min_length_px,
        max_width_px=8 * sigma_px,
        low_sd=low_sd,
        high_sd=high_sd,
    )
    if not lines:
        return []
    pixels = [kept[i][0].pixels.astype(float) for i in hosts]
    owner = np.concatenate([np.full(len(kept[i][0].pixels), i) for i in hosts])
    host_tree = cKDTree(np.concatenate(pixels))
    all_pixels = np.concatenate([s.pixels for s, _ in kept]).astype(float)
    all_owner = np.concatenate([np.full(len(s.pixels), i) for i, (s, _) in enumerate(kept)])
    out: list[SecondHair | None] = []
    sides: list[np.ndarray] = []  # each line's normal, pointing away from its host
    # longest first: a shorter line beside one already found is the same hair's other edge
    for line in sorted(lines, key=lambda s: -len(s.branches[0])):
        path = line.branches[0]
        if beside[path[:, 0], path[:, 1]].mean() < min_inside:
            continue
        middle = path.mean(axis=0)
        _, j = host_tree.query(middle)
        host, nearest = int(owner[j]), host_tree.data[j]
        axis = (path[-1] - path[0]).astype(float)
        axis /= max(float(np.hypot(*axis)), 1e-9)
        normal = np.array([-axis[1], axis[0]])
        if np.dot(middle - nearest, normal) < 0:
            normal = -normal  # away from the host
        # lines found on the host's other side are weighed below, not here
        skip = [host] + [
            -(k + 1)
            for k, hair in enumerate(out)
            if hair is not None and hair.host == host and float(sides[k] @ normal) < 0
        ]
        others = all_pixels[~np.isin(all_owner, skip)]
        if len(others):  # there the second hair has a centre line of its own already
            d, _ = cKDTree(others).query(path.astype(float))
            if np.quantile(d, max_other_share) <= min_other_single * single_px:
                continue
        across = _run_across(contrast, path, normal, mask, reach_px=2.5 * single_px)
        if across is None:
            continue
        run_px, peak, outer_px = across
        host_px = kept[host][1]
        if run_px < min_run_single * single_px and run_px < max(
            min_run_host * host_px, host_px + min_extra_px
        ):
            continue
        # the run is shared in two: this hair's centre is a quarter run inside its outer
        # edge (the filter's line may sit on its edge)
        moved = pixel_path(path + normal * (outer_px - run_px / 4), contrast.shape)
        if len(moved) < 5:
            continue
        host_path = kept[host][0].pixels.astype(float)
        rival = _opposite_rival(out, sides, host, normal, moved, axis)
        if rival is not None and run_px < max_pair_single * single_px:
            # lines on both sides of the host along one stretch only two hairs wide: the
            # host's line runs between the two hairs, and one line is its own hair's
            # edge: the one the host runs on in line with beyond its ends goes
            mine = _in_line_beyond(moved, host_path, axis)
            theirs = _in_line_beyond(out[rival].shaft.pixels.astype(float), host_path, axis)
            if mine <= theirs:
                continue
            out[rival] = None
        shaft = Shaft(branches=(moved,), junctions_rc=np.zeros((0, 2)))
        out.append(SecondHair(shaft=shaft, width_px=run_px / 2, contrast=peak, host=host))
        sides.append(normal)
        all_pixels = np.concatenate([all_pixels, moved.astype(float)])
        all_owner = np.concatenate([all_owner, np.full(len(moved), -len(out))])
    return [hair for hair in out if hair is not None]


def _opposite_rival(
    found: list[SecondHair | None],
    sides: list[np.ndarray],
    host: int,
    normal: np.ndarray,
    path: np.ndarray,
    axis: np.ndarray,
) -> int | None:
    """Index of a line already found beside the same host, on its other side and
    overlapping ``path`` along the axis, or None."""
    lo, hi = float((path @ axis).min()), float((path @ axis).max())
    for k, (hair, side) in enumerate(zip(found, sides, strict=True)):
        if hair is None or hair.host != host or float(side @ normal) >= 0:
            continue
        along = hair.shaft.pixels @ axis
        if min(hi, float(along.max())) > max(lo, float(along.min())):
            return k
    return None


def _run_across(
    contrast: np.ndarray,
    path: np.ndarray,
    normal: np.ndarray,
    mask: np.ndarray | None,
    *,
    reach_px: float,
    samples: int = 16,
) -> tuple[float, float] | None:
    """The object's width at half height across a line (the run of its mean profile
    around the line, ``pairs.divided_run``) and the profile's peak; None: no run."""
    points = path[:: max(len(path) // samples, 1)].astype(float)
    profile, on_mask, _ = mean_cross_profile(contrast, points, normal, reach_px=reach_px, mask=mask)
    run = divided_run(profile, on_mask, single_px=1.0, min_part_single=1.0, min_dip=1.0)
    if run is None:
        return None
    left, right, _ = run
    centre = len(profile) // 2
    return float(right - left) * STEP_PX, float(profile.max()), float(right - centre) * STEP_PX


def _in_line_beyond(path: np.ndarray, host: np.ndarray, axis: np.ndarray) -> float:
    """Median distance from the straight line through ``path`` of the host's points
    beyond the path's ends (up to one path length on); inf when the host stops there."""
    middle = path.mean(axis=0)
    half = float(np.ptp(path @ axis)) / 2
    along = (host - middle) @ axis
    beyond = (np.abs(along) > half) & (np.abs(along) < 3 * half)
    if not beyond.any():
        return float("inf")
    normal = np.array([-axis[1], axis[0]])
    return float(np.median(np.abs((host[beyond] - middle) @ normal)))


def _beside_lines(
    strength: np.ndarray,
    beside: np.ndarray,
    window: tuple[slice, slice],
    *,
    sigma_px: float,
    min_length_px: float,
    max_width_px: float,
    low_sd: float,
    high_sd: float,
    min_aspect: float = 6.0,
) -> list[Shaft]:
    """Straight shafts along the components of the filter (``strength``, half
    resolution) inside ``beside`` (all within ``window``): hysteresis at ``low_sd`` /
    ``high_sd`` robust SDs of the filter over the window around it; long, narrow bars
    only, as ``faint_hairs.faint_line_shafts``."""
    rr, cc = np.nonzero(beside[window])
    rr, cc = rr + window[0].start, cc + window[1].start
    pad = int(np.ceil(4 * sigma_px)) + 2 * SHRINK
    r0 = max(int(rr.min()) - pad, 0) // SHRINK * SHRINK
    c0 = max(int(cc.min()) - pad, 0) // SHRINK * SHRINK
    r1, c1 = int(rr.max()) + pad + 1, int(cc.max()) + pad + 1
    rows, cols = beside.shape
    strength = strength[r0 // SHRINK : r1 // SHRINK, c0 // SHRINK : c1 // SHRINK]
    sample = strength[::2, ::2]  # the level and spread of the filter, read on a quarter
    centre = float(np.median(sample))
    sd = 1.4826 * float(np.median(np.abs(sample - centre)))
    if sd <= 0:
        return []
    inside = _shrink_any(beside[r0:r1, c0:c1])[: strength.shape[0], : strength.shape[1]]
    strength = strength[: inside.shape[0], : inside.shape[1]]
    z = np.where(inside, (strength - centre) / sd, 0.0)
    labels, n = ndimage.label(z > low_sd, structure=EIGHT)
    if n == 0:
        return []
    seeded = np.zeros(n + 1, bool)
    seeded[labels[z > high_sd]] = True
    seeded[0] = False
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    boxes = ndimage.find_objects(labels)
    shafts = []
    for index in np.flatnonzero(seeded & (sizes >= min_length_px / SHRINK)):
        window = boxes[index - 1]  # each component read in its own box, not the frame
        lr, lc = np.nonzero(labels[window] == index)
        lr, lc = lr + window[0].start, lc + window[1].start
        centre_rc, axis, length, width = bar_axis(lr, lc)
        length, width = length * SHRINK, width * SHRINK
        if length < min_length_px or width > max_width_px or length < min_aspect * width:
            continue
        middle = centre_rc * SHRINK + (SHRINK - 1) / 2 + np.array([r0, c0])
        path = straight_path(middle, axis, length, shape=(rows, cols))
        if len(path) >= 5:
            shafts.append(Shaft(branches=(path,), junctions_rc=np.zeros((0, 2))))
    return shafts
