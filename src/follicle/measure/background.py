"""Smooth background estimates, computed at reduced resolution for speed."""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage


def _shrink(image: np.ndarray, factor: int) -> np.ndarray:
    rows, cols = (image.shape[0] // factor) * factor, (image.shape[1] // factor) * factor
    return image[:rows, :cols].reshape(rows // factor, factor, cols // factor, factor).mean((1, 3))


def _factor(window_px: float, shape: tuple[int, ...]) -> int:
    """Shrink factor keeping the filter window near 12 px (rank filters cost window^2) and
    the shrunk image at least 16 px per side."""
    return int(np.clip(window_px // 8, 1, max(min(shape[:2]) // 16, 1)))


def _grow(small: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear upsampling to ``shape`` (Pillow's float resize: fast, pixel-centre aligned)."""
    image = Image.fromarray(np.ascontiguousarray(small, dtype=np.float32), mode="F")
    return np.asarray(image.resize((shape[1], shape[0]), Image.Resampling.BILINEAR))


def skin_background(value: np.ndarray, *, structure_px: float, dark_objects: bool) -> np.ndarray:
    """Skin brightness under the hairs: a high percentile (dark hairs) or low percentile
    (light hairs) over a window wider than any shaft, then smoothed. Done at 1/8
    resolution: the background is smooth."""
    factor = _factor(structure_px, value.shape)
    small = _shrink(value, factor)
    size = max(int(np.ceil(structure_px / factor)) | 1, 3)
    # A high (low) percentile rather than a closing (opening): bright flakes of scale and
    # specular glints would lift a closing's upper envelope above the skin around them.
    bg = ndimage.percentile_filter(small, 80 if dark_objects else 20, size=(size, size))
    bg = ndimage.uniform_filter(bg, size=max(size // 2, 3))
    return _grow(bg.astype(np.float32), value.shape)


def smooth_background(image: np.ndarray, *, size_px: float) -> np.ndarray:
    """A median background at reduced resolution (for colour excess maps)."""
    factor = _factor(size_px, image.shape)
    small = _shrink(image, factor)
    size = max(int(np.ceil(size_px / factor)) | 1, 3)
    return _grow(ndimage.median_filter(small, size=size).astype(np.float32), image.shape)


def wide_level(image: np.ndarray, *, size_px: float) -> np.ndarray:
    """Level of structures wider than ``size_px`` (a grey opening: minimum then maximum
    filter), at reduced resolution: narrow bright ridges (shafts in a contrast image)
    vanish from it, a wide halo around them stays."""
    factor = int(np.clip(size_px // 8, 1, max(min(image.shape[:2]) // 16, 1)))
    rows, cols = (image.shape[0] // factor) * factor, (image.shape[1] // factor) * factor
    small = _shrink(image, factor)
    size = max(int(np.ceil(size_px / factor)) | 1, 3)
    level = ndimage.grey_opening(small, size=(size, size))
    level = ndimage.uniform_filter(level, size=3)
    grown = _grow(level.astype(np.float32), (rows, cols))
    if (rows, cols) != image.shape[:2]:
        grown = np.pad(grown, ((0, image.shape[0] - rows), (0, image.shape[1] - cols)), "edge")
    return grown
