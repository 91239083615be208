"""Smooth background estimates, computed at reduced resolution for speed."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image
from scipy import ndimage

# Above this many window elements (pixels x window area) the rank filters run in scipy:
# the sliding-window copy would grow too large.
MAX_WINDOW_ELEMENTS = 4_000_000


def robust_sd(values: np.ndarray) -> float:
    """SD of the skin's values from the median absolute deviation (hairs, dots and other
    structures are outliers); at most about 200,000 values are read."""
    sample = values[:: max(values.size // 200_000, 1)]
    if sample.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(sample - np.median(sample))))


def _shrink(image: np.ndarray, factor: int) -> np.ndarray:
    """Mean over factor x factor blocks: the values of ``blocks.mean((1, 3))``."""
    rows, cols = (image.shape[0] // factor) * factor, (image.shape[1] // factor) * factor
    blocks = image[:rows, :cols].reshape(rows // factor, factor, cols // factor, factor)
    if factor >= 16 or cols // factor < 2 or image.dtype.kind != "f":
        return blocks.mean((1, 3))
    # The same sums in the same order with whole-array additions: the reduction calls
    # its inner loop once per block row of ``factor`` values, slow for small factors.
    # numpy adds each block row pairwise (see _row_sums), then the rows in order, then
    # divides by the count (tests/measure/test_background_shrink.py checks the values).
    row_sums = _row_sums(blocks)  # (R, factor, C)
    total = row_sums[:, 0].copy()
    for k in range(1, factor):
        total += row_sums[:, k]
    return np.true_divide(total, np.intp(factor * factor), out=total, casting="unsafe")


def _row_sums(blocks: np.ndarray) -> np.ndarray:
    """Sums over the last axis in the order of numpy's pairwise summation for a run of
    n values: one by one below 8, else 8 partial sums striding by 8, added as a tree,
    then the n % 8 last values one by one."""
    n = blocks.shape[-1]
    if n < 8:
        total = blocks[..., 0].copy()
        for i in range(1, n):
            total += blocks[..., i]
        return total
    partial = [blocks[..., j].copy() for j in range(8)]
    stop = n - n % 8
    for i in range(8, stop, 8):
        for j in range(8):
            partial[j] += blocks[..., i + j]
    p = partial
    total = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]))
    for i in range(stop, n):
        total += blocks[..., i]
    return total


def _factor(window_px: float, shape: tuple[int, ...]) -> int:
    """Shrink factor keeping the filter window near 12 px (rank filters cost window^2) and
    the shrunk image at least 16 px per side."""
    return int(np.clip(window_px // 8, 1, max(min(shape[:2]) // 16, 1)))


def _grow(small: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear upsampling to ``shape`` (Pillow's float resize: fast, pixel-centre aligned).
    Read-only: the pixels stay Pillow's (``_float_pixels``)."""
    image = Image.fromarray(np.ascontiguousarray(small, dtype=np.float32), mode="F")
    return _float_pixels(image.resize((shape[1], shape[0]), Image.Resampling.BILINEAR))


def _float_pixels(image: Image.Image) -> np.ndarray:
    """A float ('F') image's pixels as a (rows, cols) float32 array, through its Arrow
    export when it has one (Pillow >= 11.2) and is one block of memory: no copy, where
    numpy's array interface copies through Pillow's encoder (1.4 ms for 1280 x 1024,
    five times per analysed image). Else (older Pillow, images Pillow keeps in several
    blocks) that copy."""
    if hasattr(image, "__arrow_c_array__"):
        import pyarrow as pa  # a dependency (pandas loads it anyway)

        try:
            flat = pa.array(image).to_numpy(zero_copy_only=True)
        except (ValueError, pa.ArrowException):  # "Image rows are not contiguous"
            pass
        else:
            if flat.dtype == np.float32 and flat.size == image.width * image.height:
                return flat.reshape(image.height, image.width)
    return np.asarray(image)


def rank_filter_square(image: np.ndarray, *, percentile: float, size: int) -> np.ndarray:
    """``ndimage.percentile_filter(image, percentile, size=size)`` (mode 'reflect') for an
    odd ``size``: the same element of each size x size window, picked by a partition of
    the windows side by side (about 3x faster on the small shrunk images, where scipy's
    rank filter spends its time per pixel). ``percentile`` 50 is ``median_filter``."""
    if size % 2 == 0:
        raise ValueError(f"size must be odd, got {size}")
    area = size * size
    rank = int(float(area) * percentile / 100.0)  # scipy's own rank for a percentile
    if image.ndim != 2 or image.size * area > MAX_WINDOW_ELEMENTS or not 0 <= rank < area:
        return ndimage.percentile_filter(image, percentile, size=(size, size))
    half = size // 2
    padded = np.pad(image, half, mode="symmetric")  # scipy's 'reflect': d c b a | a b c d
    windows = sliding_window_view(padded, (size, size)).reshape(*image.shape, area)
    return np.partition(windows, rank, axis=-1)[..., rank]


def skin_background(value: np.ndarray, *, structure_px: float, dark_objects: bool) -> np.ndarray:
    """Skin brightness under the hairs: a high percentile (dark hairs) or low percentile
    (light hairs) over a window wider than any shaft, then smoothed. Done at 1/8
    resolution: the background is smooth."""
    factor = _factor(structure_px, value.shape)
    small = _shrink(value, factor)
    size = max(int(np.ceil(structure_px / factor)) | 1, 3)
    # A high (low) percentile rather than a closing (opening): bright flakes of scale and
    # specular glints would lift a closing's upper envelope above the skin around them.
    bg = rank_filter_square(small, percentile=80 if dark_objects else 20, size=size)
    bg = ndimage.uniform_filter(bg, size=max(size // 2, 3))
    return _grow(bg.astype(np.float32), value.shape)


def smooth_background(image: np.ndarray, *, size_px: float) -> np.ndarray:
    """A median background at reduced resolution (for colour excess maps)."""
    factor = _factor(size_px, image.shape)
    small = _shrink(image, factor)
    size = max(int(np.ceil(size_px / factor)) | 1, 3)
    return _grow(
        rank_filter_square(small, percentile=50, size=size).astype(np.float32), image.shape
    )


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
