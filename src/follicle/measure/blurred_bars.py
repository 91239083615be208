"""How wide a blurred thin hair can be: the blurred-bar model fitted to its profile.

Out of focus, a hair's cross profile is its true profile convolved with the blur. For a
bar of width w blurred by a Gaussian of SD s (the usual model of a defocused optical
system's line spread), the profile is

    base + a * (Phi((x - c + w/2) / s) - Phi((x - c - w/2) / s))

whose full width at half maximum is about w when w >> s but tends to 2.355 s, whatever w,
when w << s (and its peak falls with w / s). So a thin hair blurred by a few pixels is
measured far wider than it is, and its width cannot be read off at half maximum. Fitted
to the hair's mean cross profile with a, w, s, base and c free, the model does not pin w
down when w is below what s lets one resolve, but it bounds it: a wider bar would need
less blur and give a flatter top and steeper flanks than the profile shows. The upper
bound is the largest w whose best fit (the other four free) is still within a chi-square
margin of the best fit overall (Delta chi2 = 4, about a two-sided 95% bound for one
parameter; the residual SD of the best fit is taken as the noise, one independent value
per pixel across the profile). The peak contrast a is at most 1 (a black hair), which
keeps the fit from trading width for an impossible height.

Used for faint lines (``faint_hairs``) measured just over the thin limit at half maximum:
when the bound says the line is at most that wide, it is kept and reported at the bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.optimize import least_squares
from scipy.special import erf

from follicle.measure.widths import _tangents

STEP_PX = 0.25  # sampling step across the profile
MARGIN_PX = 14.0  # skin read on each side beyond the measured width
SQRT2 = float(np.sqrt(2.0))


@dataclass(frozen=True, kw_only=True)
class BarBound:
    """Blurred-bar fit of one mean cross profile (px; NaN where not bounded)."""

    width_px: float  # best-fitting bar width (ill-determined when below ~sigma_px)
    sigma_px: float  # best-fitting blur SD
    upper_px: float  # largest bar width within the chi-square margin


def blurred_bar(
    offsets_px: np.ndarray,
    *,
    amplitude: float,
    width_px: float,
    sigma_px: float,
    base: float = 0.0,
    centre_px: float = 0.0,
) -> np.ndarray:
    """A bar of ``width_px`` and height ``amplitude`` convolved with a Gaussian of SD
    ``sigma_px``, on ``base``, at ``offsets_px``."""
    s = max(abs(sigma_px), 1e-6) * SQRT2
    x = np.asarray(offsets_px, float) - centre_px
    return base + amplitude * 0.5 * (erf((x + width_px / 2) / s) - erf((x - width_px / 2) / s))


def mean_cross_profile(
    contrast: np.ndarray,
    branches: tuple[np.ndarray, ...],
    *,
    width_px: float,
    every_px: int = 2,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Offsets and median cross profile of a shaft: profiles every ``every_px`` along its
    branches (ends left out by a width), each centred on its part above half height
    before the median. None when fewer than three profiles are usable."""
    reach = width_px + MARGIN_PX
    offsets = np.arange(-reach, reach + STEP_PX / 2, STEP_PX)
    points, normals = [], []
    margin = max(width_px, 4.0)
    for path in branches:
        path = np.asarray(path)
        if len(path) < 5:
            continue
        tangent = _tangents(path, window=int(np.clip(width_px, 5, 15)))
        index = np.arange(len(path))
        keep = (index >= margin) & (index < len(path) - margin) & (index % every_px == 0)
        points.append(path[keep].astype(float))
        normals.append(np.stack([-tangent[keep, 1], tangent[keep, 0]], axis=1))
    if not points:
        return None
    pts, nrm = np.concatenate(points), np.concatenate(normals)
    if len(pts) < 3:
        return None
    rr = pts[:, 0, None] + offsets[None, :] * nrm[:, 0, None]
    cc = pts[:, 1, None] + offsets[None, :] * nrm[:, 1, None]
    profiles = ndimage.map_coordinates(contrast, [rr, cc], order=1, mode="nearest")
    # Centre each profile on the centroid of its part above half height near the middle
    # (the straight axis of a faint line may run a pixel or two beside the hair).
    near = np.abs(offsets) <= width_px
    lifted = profiles - np.percentile(profiles, 10, axis=1, keepdims=True)
    lifted[:, ~near] = 0
    top = np.clip(lifted - lifted.max(axis=1, keepdims=True) / 2, 0, None)
    weight = top.sum(axis=1)
    ok = weight > 0
    if ok.sum() < 3:
        return None
    shifts = (top[ok] @ offsets) / weight[ok]
    aligned = [
        np.interp(offsets, offsets - c, p) for p, c in zip(profiles[ok], shifts, strict=True)
    ]
    return offsets, np.median(np.asarray(aligned), axis=0)


def bar_width_bound(
    offsets_px: np.ndarray,
    profile: np.ndarray,
    *,
    guess_px: float,
    tolerance_px: float = 0.05,
    delta_chi2: float = 4.0,
) -> BarBound:
    """Fit the blurred bar to ``profile`` and bound its width (module docstring): the
    largest width up to ``guess_px`` (the measured width at half maximum, which a blurred
    bar's is never narrower than) whose best fit stays within ``delta_chi2``, to
    ``tolerance_px``."""
    x = np.asarray(offsets_px, float)
    y = np.asarray(profile, float)
    base0 = float(np.percentile(y, 10))
    amp0 = float(min(max(y.max() - base0, 1e-3), 1.0))
    reach = float(x[-1])

    def residual(p, width=None):
        w = p[1] if width is None else width
        a, s, b, c = (p[0], p[2], p[3], p[4]) if width is None else p
        return blurred_bar(x, amplitude=a, width_px=w, sigma_px=s, base=b, centre_px=c) - y

    low = [0.0, 0.0, 0.3, -1.0, -5.0]
    high = [1.0, 2.0 * reach, 3.0 * reach, 1.0, 5.0]
    # Two starts: a sharp bar as wide as measured, and a line blurred to that width.
    starts = ([amp0, guess_px, 1.0, base0, 0.0], [amp0, guess_px / 4, guess_px / 2.6, base0, 0.0])
    fits = [least_squares(residual, p0, bounds=(low, high)) for p0 in starts]
    best = min(fits, key=lambda fit: float(np.mean(fit.fun**2)))
    chi0 = float(np.mean(best.fun**2))
    if chi0 <= 0:
        return BarBound(width_px=float(best.x[1]), sigma_px=float(best.x[2]), upper_px=float("nan"))
    n_independent = 2.0 * reach  # one independent value per pixel across
    start = [best.x[0], best.x[2], best.x[3], best.x[4]]

    def excess(width: float) -> float:  # Delta chi2 of the best fit at this width
        fit = least_squares(
            residual,
            start,
            bounds=([0.0, 0.3, -1.0, -5.0], [1.0, 3.0 * reach, 1.0, 5.0]),
            kwargs={"width": width},
        )
        return n_independent * (float(np.mean(fit.fun**2)) / chi0 - 1.0)

    # The profile chi-square grows away from the best width: bisect for the crossing
    # between the best width and the measured one (a blurred bar is never wider than
    # its width at half maximum).
    lo, hi = float(best.x[1]), float(guess_px)
    if hi <= lo or excess(hi) <= delta_chi2:
        upper = max(hi, lo)
    else:
        while hi - lo > tolerance_px:
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if excess(mid) <= delta_chi2 else (lo, mid)
        upper = lo
    return BarBound(width_px=float(best.x[1]), sigma_px=float(best.x[2]), upper_px=upper)
