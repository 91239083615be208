"""Image analysis on synthetic images with known truth.

Tolerances: the full width at half maximum of a Gaussian-blurred box profile equals the
box width when the width exceeds ~2.5 blur SDs; bilinear profile sampling and the
half-height interpolation add well under 0.3 px. At 4 um/px that is ~1 um; we allow
2 um for a clean image and 3 um with blur and noise.
"""

import math

import numpy as np
import pandas as pd
import pytest

from follicle.errors import FollicleInputError
from follicle.measure.analyze import (
    GUARD_ZONE_UM,
    AnalysisSettings,
    analyze_image,
    detect_text_bars,
)
from follicle.measure.evaluate import score
from follicle.measure.hairs_table import validate_hairs_table
from follicle.measure.render import RenderStyle, render_trichoscopy

CLEAN = RenderStyle(
    blur_sigma_px=0.0,
    noise_sd=0.0,
    skin_texture=0.0,
    light_falloff=0.0,
    light_gradient=0.0,
    shaft_sheen=0.0,
    ostium_darkening=0.0,
)
BLURRED = RenderStyle(blur_sigma_px=1.0, noise_sd=3.0, skin_texture=0.03)


def hairs(rows):
    """rows: (hair_id, unit_id, diameter_um, length_mm, x_um, y_um)."""
    frame = pd.DataFrame(
        rows, columns=["hair_id", "unit_id", "diameter_um", "length_mm", "x_um", "y_um"]
    )
    frame.insert(2, "region", "vertex")
    return frame


def scene_of(table, *, style=CLEAN, angle=0.0, shape=(400, 600), seed=1):
    return render_trichoscopy(
        table,
        style=style,
        stream_angle_deg=angle,
        shape_px=shape,
        um_per_px=4.0,
        seed=seed,
    )


@pytest.mark.parametrize(
    ("diameter_um", "style", "tolerance_um"),
    [
        (20.0, CLEAN, 2.0),
        (45.0, CLEAN, 2.0),
        (85.0, CLEAN, 2.0),
        (20.0, BLURRED, 3.0),
        (45.0, BLURRED, 3.0),
        (85.0, BLURRED, 3.0),
    ],
)
def test_single_hair_measures_its_width(diameter_um, style, tolerance_um):
    style = RenderStyle(**{**style.__dict__, "angle_spread_deg": 0.0})
    scene = scene_of(hairs([(1, 1, diameter_um, 1.4, 500.0, 800.0)]), style=style, angle=20.0)
    found = analyze_image(scene.image, um_per_px=4.0)
    assert len(found.hairs) == 1
    assert found.hairs["diameter_um"].iloc[0] == pytest.approx(diameter_um, abs=tolerance_um)
    # Visible length: the centre line from exit to tip (round caps add ~width/2 at most).
    assert found.hairs["length_mm"].iloc[0] == pytest.approx(1.4, abs=0.1)


def test_crossing_hairs_are_two_hairs_with_their_own_widths():
    table = hairs([(1, 1, 70.0, 1.6, 300.0, 700.0), (2, 2, 40.0, 1.4, 1000.0, 150.0)])
    scene = _cross(table)
    assert len(scene.crossings) == 1
    found = analyze_image(scene.image, um_per_px=4.0)
    result = score(scene, found)
    assert result.found_count == 2 and result.matched == 2
    assert result.crossings_resolved == 1
    assert sorted(found.hairs["diameter_um"]) == pytest.approx([40.0, 70.0], abs=2.5)


def _cross(table):
    """Two hairs crossing near the centre of a 400 x 600 image at ~90 degrees."""
    style = RenderStyle(**{**CLEAN.__dict__, "angle_spread_deg": 0.0, "cross_share": 0.0})
    first = scene_of(table.iloc[[0]], style=style, angle=0.0)
    second = scene_of(table.iloc[[1]], style=style, angle=90.0)
    # Compose: darker of the two images = both hairs (dark hair on identical skin).
    image = np.minimum(first.image, second.image)
    lines = {**first.centerlines_px, **second.centerlines_px}
    truth = pd.concat([first.hairs, second.hairs], ignore_index=True)
    from follicle.measure.render import SyntheticScene, _crossings

    return SyntheticScene(
        image=image,
        um_per_px=4.0,
        hairs=truth,
        centerlines_px=lines,
        yellow_dots_um=np.zeros((0, 2)),
        crossings=_crossings(lines),
        text_bar_px=0,
    )


def test_two_hairs_leaving_one_opening_are_two_hairs_in_one_unit():
    style = RenderStyle(**{**CLEAN.__dict__, "angle_spread_deg": 0.0})
    table = hairs([(1, 7, 70.0, 1.2, 500.0, 700.0), (2, 7, 65.0, 1.0, 500.0, 700.0)])
    scene = scene_of(table, style=style, angle=10.0, seed=4)
    found = analyze_image(scene.image, um_per_px=4.0)
    assert len(found.hairs) == 2
    assert found.hairs["unit_id"].nunique() == 1
    assert sorted(found.hairs["diameter_um"]) == pytest.approx([65.0, 70.0], abs=3.0)


def test_light_hair_on_dark_skin():
    style = RenderStyle(
        **{**CLEAN.__dict__, "skin_rgb": (110.0, 78.0, 62.0), "hair_rgb": (235.0, 232.0, 228.0)}
    )
    scene = scene_of(hairs([(1, 1, 60.0, 1.3, 600.0, 800.0)]), style=style, angle=-30.0)
    found = analyze_image(scene.image, um_per_px=4.0)
    assert found.polarity == "light"
    assert len(found.hairs) == 1
    assert found.hairs["diameter_um"].iloc[0] == pytest.approx(60.0, abs=2.0)


def test_dye_highlights_and_text_bar_are_not_hairs():
    style = RenderStyle(dye_blobs=6, highlights=80, text_bar=True, noise_sd=2.0)
    scene = render_trichoscopy(
        hairs([(1, 1, 70.0, 1.0, 2000.0, 2000.0)])
        .iloc[:0]
        .assign(hair_id=pd.Series(dtype="int64")),
        style=style,
        seed=8,
        shape_px=(512, 640),
    )
    found = analyze_image(scene.image, um_per_px=4.0)
    assert len(found.hairs) == 0
    assert found.excluded_rows[0] == pytest.approx(scene.text_bar_px, abs=3)
    assert detect_text_bars(np.full((300, 300, 3), (220, 190, 170), np.uint8)) == (0, 0)


def test_yellow_dots_are_found():
    dots = np.array([[400.0, 400.0], [1400.0, 900.0], [2000.0, 300.0]])
    scene = render_trichoscopy(
        hairs([(1, 1, 70.0, 1.0, 300.0, 1400.0)]),
        style="easy",
        yellow_dots=dots,
        shape_px=(400, 600),
        seed=3,
    )
    found = analyze_image(scene.image, um_per_px=4.0)
    assert len(found.yellow_dots_um) == 3
    distance = np.linalg.norm(np.sort(found.yellow_dots_um, 0) - np.sort(dots, 0), axis=1)
    assert (distance < 20).all()


def test_synthetic_scene_counts_and_diameters_within_aims():
    totals = np.zeros(2)
    errors = []
    for seed in range(3):
        scene = render_trichoscopy(style="easy", seed=100 + seed)
        found = analyze_image(scene.image, um_per_px=scene.um_per_px)
        result = score(scene, found)
        totals += (result.true_count, result.found_count)
        errors.append(result.diameter_abs_error_um)
        validate_hairs_table(found.hairs)
        assert found.provenance["parameters"]["um_per_px"] == 4.0
    assert abs(totals[1] - totals[0]) / totals[0] <= 0.15
    assert np.median(errors) <= 3.0


@pytest.mark.parametrize("bad", [None, 0, -1, float("nan"), 1000, "x"])
def test_missing_or_absurd_scale_is_refused(bad):
    with pytest.raises(FollicleInputError, match="um_per_px"):
        analyze_image(np.zeros((64, 64, 3), np.uint8), um_per_px=bad)


def test_bad_images_and_settings_are_refused():
    with pytest.raises(FollicleInputError, match="image size"):
        analyze_image(np.zeros((8, 8, 3), np.uint8), um_per_px=4)
    with pytest.raises(FollicleInputError, match="image shape"):
        analyze_image(np.zeros((64, 64, 2), np.uint8), um_per_px=4)
    with pytest.raises(FollicleInputError, match="polarity"):
        AnalysisSettings(polarity="grey")


def test_blank_skin_gives_an_empty_but_valid_table():
    found = analyze_image(np.full((200, 300, 3), (215, 185, 170), np.uint8), um_per_px=4)
    assert len(found.hairs) == 0
    validate_hairs_table(found.hairs)
    # The counting frame: the field minus the 2 px edge band and the guard zone inside it.
    inset = 2 + math.ceil(GUARD_ZONE_UM / 4)
    assert found.area_cm2 == pytest.approx((200 - 2 * inset) * (300 - 2 * inset) * 16 / 1e8)
