"""Yellow dots against the skin's own yellowness texture (``yellow_dots.find_yellow_dots``).

Warm skin in real JPEG images is blotchy in yellowness (mottling, chroma blocks): on the
70x dev images the excess yellowness over its local background has a robust SD of
0.023-0.038, and its blotches 2-5 SD high were reported as dots by the fixed threshold
of 0.07. A dot must stand out from the texture as a hair must from the skin's contrast
(3 SD for its pixels, 6 SD at its peak)."""

import math

import numpy as np
import pytest
from scipy import ndimage

from follicle.errors import FollicleInputError
from follicle.measure.analyze import (
    GUARD_ZONE_UM,
    AnalysisSettings,
    analyze_image,
    edge_band_px,
)
from follicle.measure.background import robust_sd, smooth_background
from follicle.measure.yellow_dots import find_yellow_dots

UM_PER_PX = 2.76
SKIN_RGB = np.array([200.0, 172.0, 140.0])  # warm skin: yellowness 0.2 already
CENTRES_PX = [(120.0, 130.0), (400.0, 300.0), (560.0, 90.0)]


def skin(*, texture_sd: float, seed: int = 0, shape=(512, 640)) -> np.ndarray:
    """Warm skin whose yellowness varies in blotches (Gaussian texture of 17 um
    correlation length, some blotches dot-sized) with SD about ``texture_sd`` ((R + G)/2
    - B on a 0-1 scale), plus 1.5 levels of sensor noise. Float RGB."""
    rng = np.random.default_rng(seed)
    grain = ndimage.gaussian_filter(rng.normal(size=shape), 6.0)
    grain *= texture_sd / grain.std()
    image = np.broadcast_to(SKIN_RGB, (*shape, 3)).copy()
    image[..., 2] -= 255.0 * grain  # less blue: yellower
    return image + rng.normal(0, 1.5, image.shape)


def with_blotches(image: np.ndarray, excess: float, *, radius_um: float = 60.0) -> np.ndarray:
    """Round patches ``excess`` yellower than the skin (blue lowered), soft 20 um rims, at
    ``CENTRES_PX``: a blotch of the texture, or a dot, depending on how high it stands."""
    rows, cols = np.mgrid[: image.shape[0], : image.shape[1]]
    out = image.copy()
    for x, y in CENTRES_PX:
        distance = np.hypot(cols - x, rows - y) * UM_PER_PX
        cover = np.clip((radius_um - distance) / 20.0 + 0.5, 0, 1)
        out[..., 2] -= 255.0 * excess * cover
    return out


def as_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def texture_sd(rgb: np.ndarray) -> float:
    """The robust SD of the excess yellowness, as ``find_yellow_dots`` measures it."""
    f = rgb.astype(np.float32) / 255
    yellowness = (f[..., 0] + f[..., 1]) / 2 - f[..., 2]
    return robust_sd(yellowness - smooth_background(yellowness, size_px=700 / UM_PER_PX))


def dots_px(image: np.ndarray, **options) -> np.ndarray:
    rgb = as_uint8(image)
    nowhere = np.zeros(rgb.shape[:2], bool)
    return find_yellow_dots(rgb, um_per_px=UM_PER_PX, exclude=nowhere, **options) / UM_PER_PX


def _at_centres(found: np.ndarray) -> bool:
    return len(found) == len(CENTRES_PX) and all(
        np.min(np.hypot(found[:, 0] - x, found[:, 1] - y)) < 5 for x, y in CENTRES_PX
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_blotches_of_the_skin_texture_are_not_dots(seed):
    textured = skin(texture_sd=0.03, seed=seed)
    assert 0.023 <= texture_sd(as_uint8(textured)) <= 0.038  # as blotchy as the dev images
    assert len(dots_px(textured)) == 0
    # the fixed threshold alone (0.07, 2-3 SD here) took some blotches for dots
    assert len(dots_px(textured, weak_sds=0.0, seed_sds=0.0)) >= 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_dot_eight_texture_sds_high_is_found_on_textured_skin(seed):
    textured = skin(texture_sd=0.03, seed=seed)
    sd = texture_sd(as_uint8(textured))
    assert _at_centres(dots_px(with_blotches(textured, 8 * sd)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_faint_dot_on_smooth_skin_is_found(seed):
    """0.09 yellower than the skin: 3 SD on the textured skin, far more on smooth skin,
    where the fixed floor (0.07) is the limit again."""
    smooth = skin(texture_sd=0.003, seed=seed)
    assert texture_sd(as_uint8(smooth)) < 0.01
    assert _at_centres(dots_px(with_blotches(smooth, 0.09)))


@pytest.mark.parametrize(
    ("settings", "name"),
    [
        ({"yellow_dot_weak_sds": -1.0}, "yellow_dot_weak_sds"),
        ({"yellow_dot_weak_sds": 4.0, "yellow_dot_seed_sds": 3.0}, "yellow_dot_seed_sds"),
    ],
)
def test_yellow_dot_settings_are_checked(settings, name):
    with pytest.raises(FollicleInputError, match=name):
        AnalysisSettings(**settings)


def test_the_analyser_passes_its_settings_to_the_dot_finder():
    rgb = as_uint8(skin(texture_sd=0.03, seed=0))
    assert len(analyze_image(rgb, um_per_px=UM_PER_PX).yellow_dots_um) == 0
    fixed = AnalysisSettings(yellow_dot_weak_sds=0.0, yellow_dot_seed_sds=0.0)
    found = analyze_image(rgb, um_per_px=UM_PER_PX, settings=fixed).yellow_dots_um
    # The analyser counts dots in its counting frame only (inside the guard zone).
    inset = edge_band_px(UM_PER_PX) + math.ceil(GUARD_ZONE_UM / UM_PER_PX)
    rows, cols = rgb.shape[:2]
    inside = [
        (x, y)
        for x, y in dots_px(rgb, weak_sds=0.0, seed_sds=0.0)
        if inset <= round(x) < cols - inset and inset <= round(y) < rows - inset
    ]
    assert len(found) == len(inside) >= 2
