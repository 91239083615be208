"""Test scenes: straight dark shafts on plain noisy skin, drawn in um so that one scene can
be taken at several magnifications (the lens blur in um too). Not a test module."""

import numpy as np
from scipy import ndimage

from follicle.measure.raster import polyline_coverage

SKIN_RGB = (205.0, 190.0, 185.0)


def straight_shafts_image(
    lines_xy_um: list[tuple[tuple[float, float], tuple[float, float]]],
    *,
    width_um: float,
    um_per_px: float,
    field_um: tuple[float, float],
    blur_um: float,
    contrast: float = 0.6,
    noise: float = 2.0,
    seed: int = 0,
) -> np.ndarray:
    """Shafts ``width_um`` wide from (x, y) to (x, y) um (image frame, y down) darkening
    the skin by ``contrast``, in a field of (rows, cols) ``field_um``; Gaussian blur of SD
    ``blur_um``, then sensor noise of SD ``noise`` levels per pixel."""
    shape = tuple(np.round(np.asarray(field_um) / um_per_px).astype(int))
    level = np.zeros(shape)
    for start, end in lines_xy_um:
        points = np.array([start, end], float) / um_per_px
        stroke = polyline_coverage(points, width_um / um_per_px, shape)
        assert stroke is not None, "a line misses the field"
        (rows, cols), cover = stroke
        layer = np.zeros(shape)
        layer[rows, cols] = cover * contrast
        level = np.maximum(level, layer)
    image = np.array(SKIN_RGB) * (1 - level[..., None])
    sigma = blur_um / um_per_px
    image = ndimage.gaussian_filter(image, (sigma, sigma, 0))
    image += np.random.default_rng(seed).normal(0, noise, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)
