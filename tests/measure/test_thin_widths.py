"""Thin hairs inside a dye halo (issue 10: thin `undersize` hairs on the real images
were measured 40-60 um).

A halo beside a shaft is a shoulder its edges stand on: the full width at half maximum
then reads the halo as shaft wherever the halo is above half the peak's height. The
diameter of a shaft measured below ``shoulder_below_um`` is read again with each edge at
half height above the level just outside it (``widths.profile_widths(shoulder=True)``).
Scene: one straight shaft of 0.6 contrast, at 3 um/px, blurred 1.2 px, in a halo 3
times as wide at 0.3 of the skin level (half the shaft's contrast) or without a halo.
Tolerance: the half-height rule is exact for a blurred box wider than ~2.5 blur SDs
(docs: ~1 um); the shoulder read just outside a blurred edge still holds a little of
the edge, so 2 um is allowed.
"""

import numpy as np
import pytest
from scipy import ndimage
from straight_shafts import straight_shafts_image

from follicle.measure.analyze import AnalysisSettings, analyze_image
from follicle.measure.raster import polyline_coverage

UM_PER_PX = 3.0


def thin_hair(width_px: float, *, halo: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (260, 300)
    axis = np.array([[60.0, 60.0], [240.0, 200.0]])
    level = np.zeros(shape)
    for width, value in ((3 * width_px, halo), (width_px, 0.6)):
        stroke = polyline_coverage(axis, width, shape)
        assert stroke is not None
        (rows, cols), cover = stroke
        layer = np.zeros(shape)
        layer[rows, cols] = cover * value
        if value == halo:
            layer = ndimage.gaussian_filter(layer, 2.0)
        level = np.maximum(level, layer)
    image = np.array([205.0, 190.0, 185.0]) * (1 - level[..., None])
    image = ndimage.gaussian_filter(image, (1.2, 1.2, 0)) + rng.normal(0, 2.0, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def _diameter(image, shoulder_below_um):
    settings = AnalysisSettings(shoulder_below_um=shoulder_below_um, find_yellow_dots=False)
    found = analyze_image(image, um_per_px=UM_PER_PX, settings=settings)
    assert len(found.hairs) == 1
    return float(found.hairs["diameter_um"].iloc[0])


@pytest.mark.parametrize("width_px", [8.0, 10.0])
def test_thin_hair_in_a_halo_is_measured_thin(width_px):
    image = thin_hair(width_px, halo=0.3)
    truth = width_px * UM_PER_PX
    assert _diameter(image, 0.0) > truth + 8  # the halo read as shaft: no longer thin
    assert _diameter(image, 50.0) == pytest.approx(truth, abs=2.0)


@pytest.mark.parametrize("width_px", [8.0, 12.0, 30.0])
def test_hairs_without_a_halo_keep_their_width(width_px):
    image = thin_hair(width_px, halo=0.0)
    plain = _diameter(image, 0.0)
    assert plain == pytest.approx(width_px * UM_PER_PX, abs=1.0)
    assert _diameter(image, 50.0) == pytest.approx(plain, abs=1.0)


def test_shoulder_below_um_is_checked():
    with pytest.raises(Exception, match="shoulder_below_um"):
        AnalysisSettings(shoulder_below_um=-1.0)


def blurred_hair(width_um: float, *, um_per_px: float, blur_um: float) -> np.ndarray:
    """One straight shaft of 0.6 contrast in a 780 x 900 um field, the optical blur given
    in um (the same lens at any magnification), sensor noise 2 levels per pixel."""
    return straight_shafts_image(
        [((180.0, 180.0), (720.0, 600.0))],
        width_um=width_um, um_per_px=um_per_px, field_um=(780.0, 900.0), blur_um=blur_um,
    )  # fmt: skip


def _fwhm_um(width_um: float, blur_um: float) -> float:
    """Full width at half maximum of a box of this width blurred by a Gaussian."""
    from scipy.optimize import brentq
    from scipy.stats import norm

    def profile(x):
        return norm.cdf((x + width_um / 2) / blur_um) - norm.cdf((x - width_um / 2) / blur_um)

    return 2 * brentq(lambda x: profile(x) - profile(0) / 2, 0, 10 * (width_um + blur_um))


@pytest.mark.parametrize("width_um", [20.0, 25.0, 30.0])
def test_a_blurred_thin_hair_reads_the_same_at_any_magnification(width_um):
    """The shoulder is read a fixed distance in um outside each edge
    (``widths.SHOULDER_REACH_UM``). Read a fixed distance in px, a hair under the dev
    images' median blur (11 um SD) was reported 3-5 um wider at 4-5.5 um/px than at the
    70x device's 2.76 um/px. Bounds: the plain half-height width of the blurred box
    (theory) from above, the shoulder read taking off at most 3 um more than the blur
    added from below; the three scales within 1.5 um of each other."""
    settings = AnalysisSettings(find_yellow_dots=False)
    diameters = []
    for um_per_px in (2.76, 4.0, 5.52):
        image = blurred_hair(width_um, um_per_px=um_per_px, blur_um=11.0)
        found = analyze_image(image, um_per_px=um_per_px, settings=settings)
        assert len(found.hairs) == 1
        diameters.append(float(found.hairs["diameter_um"].iloc[0]))
    assert max(diameters) - min(diameters) <= 1.5, diameters
    assert all(width_um - 3.0 <= d <= _fwhm_um(width_um, 11.0) + 1.0 for d in diameters)
