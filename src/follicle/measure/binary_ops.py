"""Whole-frame boolean operations, exact and cheaper than their scipy/scikit-image forms.

``dilate_square`` gives the pixels of ``ndimage.maximum_filter(mask, size=2 r + 1)``
(border modes 'reflect', 'nearest' or 'constant' 0) with a few shifted ``|=`` per axis
instead of a running maximum over bytes (``erode_square`` and ``close_square`` likewise);
``drop_small_objects`` gives the pixels of ``skimage.morphology.remove_small_objects(mask,
max_size=...)`` (4-connected) without its copies. Used on full 1280 x 1024 frames in
every image analysed; tests/measure/test_binary_ops.py checks them against the originals.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def _dilate_axis(mask: np.ndarray, radius_px: int, axis: int, outside: bool) -> np.ndarray:
    """OR over the window [i - r, i + r] along ``axis``, with ``outside`` beyond the
    array. False: the maximum filter's window under 'reflect', 'nearest' or 'constant'
    0 (their extra values repeat pixels already in the window, or add nothing)."""
    n = mask.shape[axis]
    size = 2 * radius_px + 1
    shape = list(mask.shape)
    shape[axis] = n + 2 * radius_px
    padded = np.full(shape, outside)
    inside = [slice(None)] * mask.ndim
    inside[axis] = slice(radius_px, radius_px + n)
    padded[tuple(inside)] = mask

    def part(start: int, stop: int) -> tuple[slice, ...]:
        index = [slice(None)] * mask.ndim
        index[axis] = slice(start, stop)
        return tuple(index)

    # Forward windows by doubling: after a step of ``span``, padded[i] = OR of the next
    # 2 * span values; a last step with an overlap completes the window.
    total = shape[axis]
    span = 1
    while 2 * span <= size:
        padded[part(0, total - span)] |= padded[part(span, total)]
        span *= 2
    if span < size:
        rest = size - span
        padded[part(0, total - rest)] |= padded[part(rest, total)]
    return padded[part(0, n)]


def dilate_square(mask: np.ndarray, radius_px: int, *, outside: bool = False) -> np.ndarray:
    """Binary dilation of a 2-D mask by a (2 r + 1) x (2 r + 1) square; ``outside``: the
    value assumed beyond the frame."""
    if radius_px < 0:
        raise ValueError(f"radius_px must be >= 0, got {radius_px}")
    grown = np.asarray(mask, bool)
    if radius_px == 0:
        return grown.copy()
    for axis in (0, 1):
        grown = _dilate_axis(grown, radius_px, axis, outside)
    return grown


def erode_square(mask: np.ndarray, radius_px: int) -> np.ndarray:
    """Binary erosion by a (2 r + 1) square with False beyond the frame (the pixels of
    ``ndimage.minimum_filter(mask, size=2 r + 1, mode='constant', cval=0)``)."""
    return ~dilate_square(~np.asarray(mask, bool), radius_px, outside=True)


def close_square(mask: np.ndarray, size: int) -> np.ndarray:
    """``binary_closing`` by a size x size square (odd size) with a border of 0."""
    if size % 2 == 0:
        raise ValueError(f"size must be odd, got {size}")
    return erode_square(dilate_square(mask, size // 2), size // 2)


CROSS = ndimage.generate_binary_structure(2, 1)


def drop_small_objects(mask: np.ndarray, *, max_size: int) -> np.ndarray:
    """The mask without its 4-connected objects of at most ``max_size`` pixels. Sizes
    and the result from the object pixels only (a mask is mostly empty): the pixels of
    ``bincount(labels)`` over the frame and its look-up, a third faster."""
    labels, n = ndimage.label(mask, structure=CROSS)
    if n == 0:
        return np.asarray(mask, bool).copy()
    where = np.flatnonzero(labels)
    which = labels.ravel()[where]
    keep = np.bincount(which, minlength=n + 1) > max_size
    out = np.zeros(labels.size, bool)
    out[where[keep[which]]] = True
    return out.reshape(labels.shape)


def mask_at(mask: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The mask's value at each point (row, col; rounded to the nearest pixel), False at
    points off the image: where an exit or a dot lies, in one gather."""
    r = np.rint(np.asarray(rows, float)).reshape(-1)
    c = np.rint(np.asarray(cols, float)).reshape(-1)
    on = (r >= 0) & (r < mask.shape[0]) & (c >= 0) & (c < mask.shape[1])
    out = np.zeros(len(r), bool)
    out[on] = mask[r[on].astype(int), c[on].astype(int)]
    return out
