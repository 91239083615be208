"""Faint thin hairs (issue 10: the largest class of missed thin `undersize` hairs on the real
dev images were straight lines 15-35 um wide, 0.1-0.2 darker than the skin, below the
seed level of the hair mask; ``faint_hairs``).

Scenes at the 70x scale (2.76 um/px): textured skin (smoothed noise, about the skin
texture of the real images) with one dark terminal hair and, depending on the test, a
faint thin hair, a fainter line, or a faint wide band (a skin fold). The faint thin hair
must be found only with the line filter on and measured thin; the fainter line only with
the darkening rule off; the band (measured wider than 40 um) and bare textured skin
never. The darkening is read against the lighter side: an edge (skin beside a yellow
dot, or beside a dark hair) is not a line.
"""

import numpy as np
import pytest
from scipy import ndimage

from follicle.errors import FollicleInputError
from follicle.measure.analyze import AnalysisSettings, analyze_image
from follicle.measure.faint_hairs import side_darkening
from follicle.measure.raster import polyline_coverage
from follicle.measure.render import render_trichoscopy
from follicle.measure.shafts import Shaft

UM_PER_PX = 2.76
SHAPE = (420, 520)
SKIN = np.array([200.0, 185.0, 180.0])
OFF = AnalysisSettings(faint_hair_max_um=0.0, find_yellow_dots=False)
ON = AnalysisSettings(find_yellow_dots=False)


def _stroke(level, points_xy, width_px, darkening, *, profile_sd=None):
    """Darken ``level`` along a polyline: a flat stroke of ``width_px`` (or, with
    ``profile_sd``, a Gaussian band of that SD) reaching ``darkening`` at its middle."""
    layer = np.zeros(SHAPE)
    if profile_sd is None:
        stroke = polyline_coverage(np.asarray(points_xy, float), width_px, SHAPE)
        assert stroke is not None
        (rows, cols), cover = stroke
        layer[rows, cols] = cover * darkening
    else:
        line = polyline_coverage(np.asarray(points_xy, float), 1.0, SHAPE)
        (rows, cols), cover = line
        layer[rows, cols] = cover
        layer = ndimage.gaussian_filter(layer, profile_sd)
        layer *= darkening / layer.max()
    return np.maximum(level, layer)


def scene(*, faint=None, seed=0):
    """Textured skin, one terminal hair (90 um, 0.6 darker) and ``faint``: a list of
    (points_xy, width_px, darkening, profile_sd or None) strokes."""
    rng = np.random.default_rng(seed)
    level = _stroke(np.zeros(SHAPE), [(60, 380), (200, 60)], 90 / UM_PER_PX, 0.6)
    for points, width, darkening, profile_sd in faint or []:
        level = _stroke(level, points, width, darkening, profile_sd=profile_sd)
    texture = ndimage.gaussian_filter(rng.normal(0, 1, SHAPE), 2.0)
    texture *= 0.03 / texture.std()  # skin texture: 3% of the skin level, smooth
    image = SKIN * (1 - level[..., None]) * (1 + texture[..., None])
    image = ndimage.gaussian_filter(image, (1.2, 1.2, 0)) + rng.normal(0, 2.0, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


THIN = [(300, 60), (420, 380)]  # 340 px (940 um) long, away from the terminal hair


def _hairs(image, settings):
    return analyze_image(image, um_per_px=UM_PER_PX, settings=settings).hairs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_faint_thin_hair_is_found_only_by_the_line_filter(seed):
    image = scene(faint=[(THIN, 9.0, 0.18, None)], seed=seed)  # 25 um, 0.18 darker
    assert len(_hairs(image, OFF)) == 1  # below the seeds: the terminal hair only
    found = _hairs(image, ON)
    assert len(found) == 2
    thin = found.loc[found["diameter_um"].idxmin()]
    # FWHM of a blurred flat stroke: exact to ~1 px for strokes wider than 2.5 blur SDs
    assert thin["diameter_um"] == pytest.approx(9.0 * UM_PER_PX, abs=2 * UM_PER_PX)
    assert thin["diameter_um"] <= 40.0
    length_um = np.hypot(120, 320) * UM_PER_PX
    assert thin["length_mm"] * 1000 == pytest.approx(length_um, rel=0.15)
    assert found["diameter_um"].max() == pytest.approx(90.0, abs=6.0)


def _haloed_scene(seed):
    """The terminal hair and a faint thin hair 12 px (33 um) wide, 0.14 darker, on a
    faint halo (a Gaussian band, SD 12 px, 0.05 darker, added), blurred more (SD 3 px)
    than ``scene``: below the mask's seeds, found by the line filter."""
    rng = np.random.default_rng(seed)
    level = _stroke(np.zeros(SHAPE), [(60, 380), (200, 60)], 90 / UM_PER_PX, 0.6)
    line = _stroke(np.zeros(SHAPE), THIN, 12.0, 0.14)
    halo = _stroke(np.zeros(SHAPE), THIN, 0.0, 0.05, profile_sd=12.0)
    level = np.maximum(level, line + halo)
    texture = ndimage.gaussian_filter(rng.normal(0, 1, SHAPE), 2.0)
    texture *= 0.03 / texture.std()
    image = SKIN * (1 - level[..., None]) * (1 + texture[..., None])
    image = ndimage.gaussian_filter(image, (3.0, 3.0, 0)) + rng.normal(0, 2.0, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_faint_line_on_a_halo_is_reported_at_its_shoulders(seed):
    # As the mask's thin shafts: plain half height sits low on the blurred flanks over
    # the halo's raised level (measured 7-14% wide); read at half height above the level
    # beside each edge, within 5% of the true 33 um.
    image = _haloed_scene(seed)
    plain = _hairs(image, AnalysisSettings(find_yellow_dots=False, shoulder_below_um=0.0))
    shouldered = _hairs(image, ON)
    assert len(plain) == len(shouldered) == 2  # the same hairs: only the diameter moves
    true_um = 12.0 * UM_PER_PX
    assert plain["diameter_um"].min() > 1.05 * true_um
    assert shouldered["diameter_um"].min() == pytest.approx(true_um, rel=0.05)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_line_fainter_than_the_darkening_rule_is_not_a_hair(seed):
    image = scene(faint=[(THIN, 9.0, 0.11, None)], seed=seed)
    assert len(_hairs(image, ON)) == 1
    assert len(_hairs(image, AnalysisSettings(faint_min_darkening=0.0))) == 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_long_faint_line_needs_less_darkening_than_a_short_one(seed):
    # 940 um long, 0.135 darker (measured 0.128-0.143 against the lighter side): under the
    # 0.15 a line of the minimum length (150 um) needs, above the 0.12 floor a line this
    # long needs (0.15 * sqrt(150 / 940) = 0.06, raised to the floor).
    image = scene(faint=[(THIN, 9.0, 0.135, None)], seed=seed)
    flat = AnalysisSettings(find_yellow_dots=False, faint_long_min_darkening=0.15)
    assert len(_hairs(image, flat)) == 1
    found = _hairs(image, ON)
    assert len(found) == 2
    assert found["diameter_um"].min() <= 40.0


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_bare_textured_skin_and_a_wide_fold_give_no_faint_hairs(seed):
    assert len(_hairs(scene(seed=seed), ON)) == 1
    fold = scene(faint=[(THIN, 0.0, 0.18, 10.0)], seed=seed)  # Gaussian band, FWHM 65 um
    assert len(_hairs(fold, ON)) == 1


def test_side_darkening_is_the_darkening_against_the_lighter_side():
    image = np.full((60, 80, 3), 200.0)
    image[:, 40:] = 120.0  # a step: the skin right of column 40 is darker
    image[:, 30:33] = 160.0  # a line 0.2 darker than the skin on its left
    vertical = Shaft(
        branches=(np.stack([np.arange(5, 55), np.full(50, 31)], 1),), junctions_rc=np.zeros((0, 2))
    )
    on_line = side_darkening(image.astype(np.uint8), vertical, width_px=3.0, dark=True)
    assert on_line == pytest.approx(0.2, abs=0.01)  # the skin beside is 200 on both sides
    # Along the step's dark side, one side is as dark as the line and the other lighter:
    # an edge, not a line (the mean of the two sides would read 0.2).
    at_edge = Shaft(
        branches=(np.stack([np.arange(5, 55), np.full(50, 45)], 1),), junctions_rc=np.zeros((0, 2))
    )
    assert side_darkening(
        image.astype(np.uint8), at_edge, width_px=2.0, dark=True
    ) == pytest.approx(0.0)


@pytest.mark.parametrize("seed", [20_261_122 + 1005, 20_261_122 + 1009])
def test_the_rim_of_a_yellow_dot_is_not_a_faint_hair(seed):
    """Two scenes of bench/measure.py (medium, one yellow dot each) where a line along a
    yellow dot's rim, darker than the dot but not than the skin on its other side, was
    taken for a faint hair while the darkening was averaged over both sides."""
    scene = render_trichoscopy(style="medium", seed=seed, yellow_dots=1)
    found = analyze_image(scene.image, um_per_px=scene.um_per_px)
    without = analyze_image(
        scene.image, um_per_px=scene.um_per_px, settings=AnalysisSettings(faint_hair_max_um=0)
    )
    assert len(found.hairs) == len(without.hairs)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("faint_hair_max_um", -1.0),
        ("faint_line_sd", 0.0),
        ("faint_min_darkening", 1.0),
        ("faint_long_min_darkening", -0.1),
    ],
)
def test_faint_hair_settings_are_checked(name, value):
    with pytest.raises(FollicleInputError, match=name):
        AnalysisSettings(**{name: value})


def test_a_shared_filter_map_gives_the_same_lines_and_is_left_unchanged():
    # the map is computed once for the faint-line and second-hair steps
    from follicle.measure.faint_hairs import faint_line_shafts, shrunk_line_strength

    image = scene(faint=[(THIN, 9.0, 0.18, None)], seed=0)
    ridge = 1 - image.mean(axis=2).astype(np.float32) / 255
    valid = np.ones(SHAPE, bool)
    mask = np.zeros(SHAPE, bool)
    options = dict(
        hair_mask=mask,
        valid=valid,
        sigma_px=40 / UM_PER_PX / 4,
        min_length_px=55,
        max_width_px=30,
    )
    strength = shrunk_line_strength(ridge, sigma_px=options["sigma_px"])
    before = strength.copy()
    alone = faint_line_shafts(ridge, **options)
    shared = faint_line_shafts(ridge, strength=strength, **options)
    assert len(alone) >= 1
    assert [s.branches[0].tolist() for s in alone] == [s.branches[0].tolist() for s in shared]
    assert np.array_equal(strength, before)
