"""The boolean helpers give exactly the pixels of the scipy / scikit-image operations
they replace (random masks of many shapes, densities and radii), so swapping them in
cannot change an analysis."""

import numpy as np
import pytest
from scipy import ndimage
from skimage.morphology import remove_small_objects

from follicle.measure.binary_ops import (
    close_square,
    dilate_square,
    drop_small_objects,
    erode_square,
)


def _masks(seed: int, count: int = 120):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        shape = tuple(int(n) for n in rng.integers(1, 45, 2))
        density = rng.choice([0.002, 0.03, 0.2, 0.6, 0.95])
        yield rng.random(shape) < density


@pytest.mark.parametrize("radius", [0, 1, 2, 3, 4, 6])
def test_dilate_square_equals_the_maximum_filter(radius):
    for mask in _masks(radius):
        for mode in ("reflect", "nearest", "constant"):
            expected = ndimage.maximum_filter(mask.view(np.uint8), size=2 * radius + 1, mode=mode)
            np.testing.assert_array_equal(dilate_square(mask, radius), expected.view(bool))


@pytest.mark.parametrize("radius", [1, 2, 3])
def test_erode_square_equals_the_minimum_filter_with_zero_border(radius):
    for mask in _masks(10 + radius):
        expected = ndimage.minimum_filter(
            mask.view(np.uint8), size=2 * radius + 1, mode="constant", cval=0
        )
        np.testing.assert_array_equal(erode_square(mask, radius), expected.view(bool))


@pytest.mark.parametrize("size", [3, 5, 7])
def test_close_square_equals_binary_closing_with_zero_border(size):
    # binary_closing pads with 0 for the erosion when border_value=0: the old
    # maximum-then-minimum filters of burnt_in._close_square gave these pixels.
    for mask in _masks(20 + size):
        grown = ndimage.maximum_filter(mask.view(np.uint8), size=size, mode="constant", cval=0)
        expected = ndimage.minimum_filter(grown, size=size, mode="constant", cval=0)
        np.testing.assert_array_equal(close_square(mask, size), expected.view(bool))


def test_dilation_grows_a_single_pixel_into_a_clipped_square():
    mask = np.zeros((9, 9), bool)
    mask[1, 7] = True
    grown = dilate_square(mask, 2)
    assert grown.sum() == 4 * 4  # rows 0-3, columns 5-8: clipped at the top and right
    assert grown[0:4, 5:9].all()


@pytest.mark.parametrize("max_size", [0, 1, 4, 15])
def test_drop_small_objects_equals_remove_small_objects(max_size):
    for mask in _masks(30 + max_size):
        np.testing.assert_array_equal(
            drop_small_objects(mask, max_size=max_size),
            remove_small_objects(mask, max_size=max_size),
        )


def test_drop_small_objects_counts_four_connected_objects():
    # Two diagonal pixels are two objects of one pixel each (4-connectivity), not one of two.
    mask = np.zeros((4, 4), bool)
    mask[1, 1] = mask[2, 2] = True
    assert not drop_small_objects(mask, max_size=1).any()
    mask[1, 2] = True  # now one L-shaped object of three
    assert drop_small_objects(mask, max_size=2).sum() == 3


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="radius_px"):
        dilate_square(np.zeros((3, 3), bool), -1)
    with pytest.raises(ValueError, match="odd"):
        close_square(np.zeros((3, 3), bool), 4)


@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5])
def test_block_share_equals_the_mean_over_reshaped_blocks(factor):
    from follicle.measure.burnt_in import _block_share

    for mask in _masks(40 + factor, count=60):
        rows, cols = (mask.shape[0] // factor) * factor, (mask.shape[1] // factor) * factor
        blocks = mask[:rows, :cols].reshape(rows // factor, factor, cols // factor, factor)
        expected = blocks.sum(axis=(1, 3), dtype=np.uint16) / factor**2
        share = _block_share(mask, factor)
        assert share.dtype == expected.dtype
        np.testing.assert_array_equal(share, expected)


def test_mask_at_reads_the_nearest_pixel_and_false_off_the_image():
    from follicle.measure.binary_ops import mask_at

    mask = np.zeros((3, 4), bool)
    mask[1, 2] = True
    rows = np.array([1.0, 1.4, 0.6, -0.6, 3.0, 1.0])
    cols = np.array([2.0, 2.4, 1.6, 2.0, 2.0, 4.0])
    assert list(mask_at(mask, rows, cols)) == [True, True, True, False, False, False]
    assert mask_at(mask, np.zeros(0), np.zeros(0)).shape == (0,)
