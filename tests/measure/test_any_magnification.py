"""The same scene at another magnification gives the same answers: what is judged near the
frame (``touches_border``) is a distance in um (``analyze.EDGE_BAND_UM``), not in px.
Diameters at any magnification: tests/measure/test_thin_widths.py."""

import numpy as np
import pytest
from straight_shafts import straight_shafts_image

from follicle.measure.analyze import EDGE_BAND_UM, AnalysisSettings, analyze_image, edge_band_px

FIELD_UM = (780.0, 900.0)  # rows, cols


def oblique_hair(end_x_um: float, *, width_um: float, um_per_px: float) -> np.ndarray:
    """A shaft 450 um long at 35 degrees, ending at x = ``end_x_um`` (beyond 900: cut by
    the frame's right edge), blur 3 um, noise 2 levels."""
    angle = np.radians(35.0)
    end = np.array([end_x_um, 390.0])
    start = end - 450.0 * np.array([np.cos(angle), np.sin(angle)])
    return straight_shafts_image(
        [(tuple(start), tuple(end))], width_um=width_um, um_per_px=um_per_px,
        field_um=FIELD_UM, blur_um=3.0,
    )  # fmt: skip


def test_edge_band_is_3_px_at_the_70x_scale_and_a_distance_in_um():
    assert edge_band_px(2.76) == 3  # where the analyser was calibrated
    assert edge_band_px(2.80) == 3  # the dev images' scale bars: 2.74-2.80 um/px
    assert edge_band_px(1.38) == 6
    assert edge_band_px(11.0) == 2  # never under 2 px (artefacts at the frame)
    assert pytest.approx(3.0) == EDGE_BAND_UM / 2.76


@pytest.mark.parametrize("um_per_px", [2.76, 4.14, 5.52])
@pytest.mark.parametrize(("end_x_um", "cut"), [(1000.0, True), (840.0, False)])
@pytest.mark.parametrize("width_um", [20.0, 40.0])
def test_a_hair_leaving_the_frame_is_cut_at_any_magnification(um_per_px, end_x_um, cut, width_um):
    """Cut: leaving the frame obliquely; not cut: ending 60 um inside it, at each scale.
    (A shaft running straight into the frame is not always flagged: its centre line
    stops about half a width short of the frame; docs/measure.md, Limits.)"""
    settings = AnalysisSettings(find_yellow_dots=False)
    image = oblique_hair(end_x_um, width_um=width_um, um_per_px=um_per_px)
    found = analyze_image(image, um_per_px=um_per_px, settings=settings)
    assert len(found.hairs) == 1
    assert bool(found.hairs["touches_border"].iloc[0]) is cut


def test_a_coarse_image_is_warned_that_its_thin_share_may_read_low():
    from follicle.measure.calibration import COARSE_UM_PER_PX, resolution_warnings

    assert resolution_warnings(2.76) == () and resolution_warnings(COARSE_UM_PER_PX) == ()
    (warning,) = resolution_warnings(5.52)
    assert warning.startswith("resolution: 5.52 um/px is coarser than the 4 um/px")
    assert "thin and vellus shares may be too low" in warning
    settings = AnalysisSettings(find_yellow_dots=False)
    for um_per_px, warned in ((2.76, False), (5.52, True)):
        image = oblique_hair(840.0, width_um=40.0, um_per_px=um_per_px)
        found = analyze_image(image, um_per_px=um_per_px, settings=settings)
        assert any(w.startswith("resolution:") for w in found.warnings) is warned
