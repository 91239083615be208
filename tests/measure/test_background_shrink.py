"""``background._shrink`` adds block rows with whole-array additions instead of numpy's
reduction: it must give exactly ``blocks.mean((1, 3))`` (the form it replaced) for every
shrink factor the analyser uses (2-15 take the fast path), in float32 and float64, on
frames of the analyser's shapes and on awkward ones. Also ``analyze._valid_values``
(the skin-noise sample without a gather) against the boolean gather it replaced, and
``analyze._channel_mean`` against the float32 mean over channels."""

import numpy as np
import pytest

from follicle.measure.background import _shrink


def _reference(image, factor):
    rows, cols = (image.shape[0] // factor) * factor, (image.shape[1] // factor) * factor
    return image[:rows, :cols].reshape(rows // factor, factor, cols // factor, factor).mean((1, 3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 15, 16, 17, 18, 31])
def test_shrink_equals_the_mean_over_reshaped_blocks(factor, dtype):
    rng = np.random.default_rng(factor)
    for shape in [(1024, 1280), (97, 203), (factor * 2 + 1, factor * 3 - 1 if factor > 1 else 5)]:
        # Values like the analyser's: channels in [0, 1], contrast with a long tail.
        image = (rng.random(shape) ** rng.uniform(0.5, 4)).astype(dtype)
        expected = _reference(image, factor)
        shrunk = _shrink(image, factor)
        assert shrunk.dtype == expected.dtype
        np.testing.assert_array_equal(shrunk, expected)


def test_shrink_of_a_strided_view_equals_the_reference():
    rgb = np.random.default_rng(5).random((300, 400, 3)).astype(np.float32)
    channel = rgb[..., 1]  # not contiguous
    np.testing.assert_array_equal(_shrink(channel, 5), _reference(channel, 5))


def test_valid_values_equal_the_boolean_gather():
    from follicle.measure.analyze import _valid_values

    image = np.random.default_rng(6).random((40, 50)).astype(np.float32)
    valid = np.ones((40, 50), bool)
    cases = [valid.copy(), valid.copy(), valid.copy(), valid.copy(), ~valid]
    cases[1][:7] = cases[1][-3:] = False  # text bars: a band of rows
    cases[2][:7] = False
    cases[2][20, 5:9] = False  # a label box too: not a band
    cases[3][10:12] = False  # two bands
    for mask in cases:
        np.testing.assert_array_equal(_valid_values(image, mask), image[mask])


def test_channel_mean_equals_the_float32_mean_over_channels():
    from follicle.measure.analyze import _channel_mean

    rgb = np.random.default_rng(7).integers(0, 256, (301, 411, 3), dtype=np.uint8)
    rgb[0, :3] = [[255, 255, 255], [0, 0, 1], [254, 255, 255]]
    for view in (rgb, rgb[::4, ::4], rgb[1::3, 2::5]):
        expected = view.mean(axis=2, dtype=np.float32)
        mean = _channel_mean(view)
        assert mean.dtype == expected.dtype
        np.testing.assert_array_equal(mean, expected)


@pytest.mark.parametrize("size", [3, 5, 9, 11, 15])
@pytest.mark.parametrize("percentile", [20, 50, 80])
def test_rank_filter_square_picks_scipys_element(size, percentile):
    """``background.rank_filter_square`` partitions the windows side by side instead of
    running scipy's rank filter: the same element of every window (reflected borders
    too, also when the window is wider than the image), ties included."""
    from scipy import ndimage

    from follicle.measure.background import rank_filter_square

    rng = np.random.default_rng(size * 100 + percentile)
    for shape in [(60, 75), (33, 41), (7, 5), (2, 9), (1, 1)]:
        image = rng.random(shape).astype(np.float32)
        image[rng.random(shape) < 0.2] = 0.5  # ties
        expected = ndimage.percentile_filter(image, percentile, size=(size, size))
        np.testing.assert_array_equal(
            rank_filter_square(image, percentile=percentile, size=size), expected
        )
        if percentile == 50:
            np.testing.assert_array_equal(expected, ndimage.median_filter(image, size=size))


def test_rank_filter_square_hands_large_frames_to_scipy(monkeypatch):
    from scipy import ndimage

    from follicle.measure import background

    image = np.random.default_rng(0).random((40, 50)).astype(np.float32)
    expected = ndimage.percentile_filter(image, 80, size=(9, 9))
    monkeypatch.setattr(background, "MAX_WINDOW_ELEMENTS", 100)  # everything is large
    np.testing.assert_array_equal(
        background.rank_filter_square(image, percentile=80, size=9), expected
    )
    with pytest.raises(ValueError, match="odd"):
        background.rank_filter_square(image, percentile=80, size=4)


@pytest.mark.parametrize("shape", [(1024, 1280), (7, 5), (3000, 4000)])
def test_float_pixels_are_pillows_own(shape):
    """``background._float_pixels`` reads a grown background without the copy numpy's
    array interface makes (through Pillow's Arrow export), and falls back to that copy
    where Pillow keeps the image in several blocks (the large frame here): the same
    values either way."""
    from PIL import Image

    from follicle.measure.background import _float_pixels

    small = np.random.default_rng(0).random((60, 75)).astype(np.float32)
    image = Image.fromarray(small, mode="F").resize(shape[::-1], Image.Resampling.BILINEAR)
    pixels = _float_pixels(image)
    assert pixels.shape == shape and pixels.dtype == np.float32
    np.testing.assert_array_equal(pixels, np.asarray(image))
