"""Yellow dots: round yellowish spots (keratin-plugged empty follicle openings).

Yellowness is (R + G)/2 - B relative to its local background; candidates are compact,
round blobs of follicle-opening size away from hair shafts.
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
    f = rgb.astype(np.float32) / 255.0
    yellowness = (f[..., 0] + f[..., 1]) / 2 - f[..., 2]
    excess = yellowness - smooth_background(yellowness, size_px=max_diameter_um / um_per_px * 2)
    candidate = (excess > min_yellowness) & ~exclude
    labels, n = ndimage.label(candidate)
    if n == 0:
        return np.zeros((0, 2))
    min_area = np.pi * (min_diameter_um / 2 / um_per_px) ** 2 * 0.5
    max_area = np.pi * (max_diameter_um / 2 / um_per_px) ** 2 * 1.5
    centres = []
    for region in regionprops(labels):
        if not (min_area <= region.area <= max_area):
            continue
        if region.eccentricity > 0.85 or region.solidity < 0.8:
            continue
        r, c = region.centroid
        centres.append((c * um_per_px, r * um_per_px))
    return np.array(centres, float).reshape(-1, 2)
