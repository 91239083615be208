"""Yellow dots: round yellowish spots (keratin-plugged empty follicle openings).

Yellowness is (R + G)/2 - B relative to its local background; candidates are compact,
round blobs of follicle-opening size away from hair shafts, and yellow in absolute terms
too: on bluish skin a white flake of scale is "yellower" than the skin around it, but
not yellow (its blue is as high as its red and green).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from skimage.measure import regionprops

from follicle.measure.background import smooth_background


def find_yellow_dots(
    rgb: np.ndarray,
    *,
    um_per_px: float,
    exclude: np.ndarray,
    min_diameter_um: float = 50.0,
    max_diameter_um: float = 350.0,
    min_yellowness: float = 0.07,
) -> np.ndarray:
    """Centres (x_um, y_um) of yellow dots."""
    # (R + G) / 2 - B on channels / 255, in float32, in place (the same operations).
    yellowness, green, blue = (rgb[..., k].astype(np.float32) for k in range(3))
    for channel in (yellowness, green, blue):
        channel /= 255.0
    yellowness += green
    yellowness /= 2
    yellowness -= blue
    excess = yellowness - smooth_background(yellowness, size_px=max_diameter_um / um_per_px * 2)
    candidate = (excess > min_yellowness) & (yellowness > min_yellowness) & ~exclude
    labels, n = ndimage.label(candidate)
    if n == 0:
        return np.zeros((0, 2))
    min_area = np.pi * (min_diameter_um / 2 / um_per_px) ** 2 * 0.5
    max_area = np.pi * (max_diameter_um / 2 / um_per_px) ** 2 * 1.5
    # Shape measures (a convex hull each) only for blobs of the right size.
    # Areas and the relabelled image from the candidate pixels only (few of the frame).
    inside = labels[candidate]
    areas = np.bincount(inside, minlength=n + 1)
    sized = (areas >= min_area) & (areas <= max_area)
    sized[0] = False
    if not sized.any():
        return np.zeros((0, 2))
    keep = np.zeros(n + 1, np.int32)
    keep[sized] = np.arange(1, int(sized.sum()) + 1)
    relabelled = np.zeros_like(labels)
    relabelled[candidate] = keep[inside]
    centres = []
    for region in regionprops(relabelled):
        if region.eccentricity > 0.85 or region.solidity < 0.8:
            continue
        r, c = region.centroid
        centres.append((c * um_per_px, r * um_per_px))
    return np.array(centres, float).reshape(-1, 2)
