"""How out of focus an image is, read on the edges of its thick hairs.

Shaft widths are read at half their peak contrast (``widths``). Blur by a Gaussian of
SD sigma leaves a wide shaft's half-height edges in place but widens a narrow one: a
flat bar ``w`` wide reads ``fwhm_widening(w / sigma)`` times ``w`` at half height, 1.11 at
``w = 3 sigma``, 1.21 at 2.5 sigma, 1.39 at 2 sigma. Thin and vellus hairs (30-40 um)
are the narrow ones, so in a blurred image they read too wide and the thin and vellus
shares come out too low.

The image's sigma is read across the edges of its thick hairs (at least
``THICK_HAIR_UM`` wide: a plateau between two edges): a Gaussian-blurred step falls
from 90% to 50% of its height over 1.28 sigma (the upper half of the edge: halos,
shadows and dye lift the lower half). The median over all the edges of the image
resists the few a neighbouring hair widens. On an ideal blurred bar the estimate is
within 5%; on rendered images of known blur within 8% up to 4 px, and about 15% low
from 2.5 px when the shafts carry a specular stripe (a brighter middle lowers the
plateau the edge is read against), so the warning below errs towards silence
(tests/measure/test_focus.py). On the real 70x dev images it reads 9-16 um
(10th-90th percentile, median 11 um; docs/measure.md).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import ndimage
from scipy.optimize import brentq
from scipy.stats import norm

from follicle.measure.shafts import Shaft
from follicle.measure.small_median import median
from follicle.measure.widths import STEP_PX, shaft_samples

THICK_HAIR_UM = 50.0  # edges are read on hairs at least this wide
# The upper half of each edge, from 90% down to 50% of the plateau: 1.28 sigma for a
# blurred step. Its lower half is where halos, shadows and dye lift the skin level.
LOW, HIGH = 0.5, 0.9
RISE_SDS = norm.ppf(HIGH) - norm.ppf(LOW)
MIN_EDGES = 20  # fewer edges than this: no estimate
WIDENING_LIMIT = 1.10  # warn when a hair at the vellus cutoff reads 10% wider or more


@lru_cache(maxsize=256)
def _widening(width_over_sigma: float) -> float:
    w = width_over_sigma
    half = (2 * norm.cdf(w / 2) - 1) / 2  # half the blurred bar's peak
    x = brentq(lambda x: norm.cdf(x + w / 2) - norm.cdf(x - w / 2) - half, 0.0, w + 10.0)
    return 2 * x / w


def fwhm_widening(width_over_sigma: float) -> float:
    """Width at half height of a flat bar blurred by a Gaussian, over the bar's width,
    for a bar ``width_over_sigma`` blur SDs wide (1 for a wide bar; 2.355 / w for a
    narrow one, whose blurred profile is the Gaussian's own)."""
    if not width_over_sigma > 0:
        raise ValueError(f"width_over_sigma = {width_over_sigma} must be positive")
    return _widening(round(float(width_over_sigma), 3))


def edge_blur_px(
    contrast: np.ndarray,
    shafts: list[tuple[Shaft, float]],
    half_width: np.ndarray,
    *,
    min_width_px: float,
    every: int = 3,
) -> tuple[float, int]:
    """The median blur SD (px) over the edges of the (shaft, width px) pairs at least
    ``min_width_px`` wide, read on ``contrast`` (0 skin, 1 black hair) at every
    ``every``-th width sample; and the number of edges read. NaN below ``MIN_EDGES``."""
    sigmas = []
    no_junctions = np.zeros((0, 2))
    for shaft, width in shafts:
        if not width >= min_width_px:
            continue
        points, normals = shaft_samples(shaft.branches, no_junctions, half_width)
        points, normals = points[::every], normals[::every]
        if len(points) == 0:
            continue
        reach = width / 2 + 3 * width / 4 + 4  # beyond the edge by more than any blur
        offsets = np.arange(-reach, reach + STEP_PX / 2, STEP_PX)
        rr = points[:, 0, None] + offsets[None, :] * normals[:, 0, None]
        cc = points[:, 1, None] + offsets[None, :] * normals[:, 1, None]
        profiles = ndimage.map_coordinates(contrast, [rr, cc], order=1, mode="nearest")
        centre = len(offsets) // 2
        # The plateau: the upper quartile of the middle half (a specular stripe along the
        # shaft lowers its middle, not its dark sides).
        core = max(int(width / 4 / STEP_PX), 1)
        plateau = np.percentile(profiles[:, centre - core : centre + core + 1], 75, axis=1)
        for outward in (profiles[:, centre:], profiles[:, centre::-1]):
            level = outward / np.maximum(plateau[:, None], 1e-6)
            index = np.arange(level.shape[1])
            # the edge: from the last point at HIGH of the plateau before the first one
            # under LOW (the stripe may dip under HIGH inside the shaft)
            low = np.argmax(level < LOW, axis=1)
            high = np.where((level >= HIGH) & (index < low[:, None]), index, -1).max(axis=1)
            ok = (level < LOW).any(axis=1) & (high >= 0) & (low > high + 1) & (plateau > 0.2)
            rows = np.flatnonzero(ok)
            rise = _crossing(level[rows], low[rows], LOW) - _crossing(
                level[rows], high[rows] + 1, HIGH
            )
            sigmas.append(rise[rise > 0] * STEP_PX / RISE_SDS)
    values = np.concatenate(sigmas) if sigmas else np.zeros(0)
    if len(values) < MIN_EDGES:
        return float("nan"), len(values)
    return median(values), len(values)


def _crossing(level: np.ndarray, first_below: np.ndarray, threshold: float) -> np.ndarray:
    """Where each row of ``level`` falls through ``threshold`` between samples
    ``first_below - 1`` and ``first_below`` (linear interpolation), in samples."""
    rows = np.arange(len(level))
    before, after = level[rows, first_below - 1], level[rows, first_below]
    return first_below - 1 + (before - threshold) / np.maximum(before - after, 1e-9)


@lru_cache(maxsize=1)
def _limit_sds() -> float:
    """The bar width, in blur SDs, that reads ``WIDENING_LIMIT`` times too wide (3.08)."""
    return brentq(lambda r: fwhm_widening(r) - WIDENING_LIMIT, 1.0, 10.0)


def focus_warnings(blur_px: float, *, um_per_px: float, vellus_max_um: float) -> tuple[str, ...]:
    """A warning when a hair at the vellus cutoff would read ``WIDENING_LIMIT`` times its
    width or wider at half height at this blur (none when the blur could not be read).
    (The analyser reads hairs under ``shoulder_below_um`` at the shoulders too, which
    takes back about half of the widening on rendered images: the warning says only
    which widths are affected.)"""
    if not np.isfinite(blur_px) or blur_px <= 0:
        return ()
    sigma_um = blur_px * um_per_px
    if fwhm_widening(vellus_max_um / sigma_um) < WIDENING_LIMIT:
        return ()
    affected_um = _limit_sds() * sigma_um
    return (
        f"focus: edges blurred over about {sigma_um:.0f} um (SD, read on the thick hairs): "
        f"hairs under about {affected_um:.0f} um are measured wider than they are, so the "
        "thin and vellus shares may be too low; retake the image in focus if you can",
    )
