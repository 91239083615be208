"""Synthetic renderer: exact widths, reproducibility, truth bookkeeping."""

import numpy as np
import pandas as pd
import pytest

from follicle.errors import FollicleInputError
from follicle.measure.hairs_table import validate_hairs_table
from follicle.measure.raster import band_coverage, polyline_coverage
from follicle.measure.render import RenderStyle, render_trichoscopy


@pytest.mark.parametrize("width", [0.6, 1.0, 2.5, 5.7, 20.0])
@pytest.mark.parametrize("offset", [0.0, 0.3, 0.5, 0.77])
def test_band_coverage_integrates_to_the_width(width, offset):
    # Pixel centres at integer positions; the band centre sits at a sub-pixel offset.
    distance = np.abs(np.arange(-40, 41) - offset)
    assert band_coverage(distance, width).sum() == pytest.approx(width, abs=1e-12)


@pytest.mark.parametrize("angle_deg", [0.0, 17.0, 45.0])
def test_drawn_stroke_has_the_area_of_a_stadium(angle_deg):
    # A thick segment of length L and width w is a stadium: area w L + pi (w/2)^2.
    theta = np.radians(angle_deg)
    direction = np.array([np.cos(theta), np.sin(theta)])
    points = np.array([[100.3, 100.6], [100.3, 100.6]]) + np.outer([-60, 60], direction)
    _, coverage = polyline_coverage(points, 7.3, (200, 200))
    stadium = 7.3 * 120 + np.pi * (7.3 / 2) ** 2
    # Distance-based coverage is exact across axis-aligned edges, <1% off on diagonals.
    assert coverage.sum() == pytest.approx(stadium, rel=0.01)


def test_same_seed_same_image_and_truth():
    a = render_trichoscopy(style="medium", seed=5, shape_px=(256, 320), unit_count=5)
    b = render_trichoscopy(style="medium", seed=5, shape_px=(256, 320), unit_count=5)
    c = render_trichoscopy(style="medium", seed=6, shape_px=(256, 320), unit_count=5)
    assert np.array_equal(a.image, b.image)
    pd.testing.assert_frame_equal(a.hairs, b.hairs)
    assert not np.array_equal(a.image, c.image)
    assert a.provenance["parameters"]["seed"] == 5


def test_truth_is_a_valid_hairs_table_inside_the_image():
    scene = render_trichoscopy(style="hard", seed=3, yellow_dots=4)
    truth = validate_hairs_table(scene.hairs)
    assert len(truth) > 5
    assert set(truth["hair_id"]) == set(scene.centerlines_px)
    for line in scene.centerlines_px.values():
        assert (line[:, 0] >= 0).all() and (line[:, 0] <= 1279).all()
        assert (line[:, 1] >= scene.text_bar_px).all() and (line[:, 1] <= 1023).all()
    assert scene.yellow_dots_um.shape == (4, 2)
    assert scene.text_bar_px > 0


def test_hairs_table_positions_are_honoured_and_crossings_found():
    hairs = pd.DataFrame(
        {
            "hair_id": [1, 2],
            "unit_id": [1, 2],
            "region": "vertex",
            "diameter_um": [70.0, 50.0],
            "length_mm": [1.5, 1.5],
            "x_um": [200.0, 900.0],
            "y_um": [500.0, 300.0],
        }
    )
    # A straight stream at 0 deg: both hairs run to +x; no crossing.
    style = RenderStyle(angle_spread_deg=0.0, ostium_darkening=0.0)
    scene = render_trichoscopy(
        hairs, style=style, stream_angle_deg=0.0, shape_px=(256, 512), seed=1
    )
    assert scene.hairs["x_um"].tolist() == pytest.approx([200.0, 900.0])
    assert scene.centerlines_px[1][0] == pytest.approx([50.0, 125.0], abs=1e-6)
    assert scene.crossings == ()


def test_render_rejects_bad_scale():
    with pytest.raises(FollicleInputError, match="um_per_px = 0"):
        render_trichoscopy(um_per_px=0)
    with pytest.raises(FollicleInputError, match="difficulty"):
        render_trichoscopy(style="extreme")
