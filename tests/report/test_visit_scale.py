"""`follicle report visit` sets each image's scale exactly as `follicle analyze` does
(one library function, ``calibration.resolve_image_scale``): with a device preset, the
image's own scale bar or measuring circle wins over the preset."""

import pytest
from PIL import Image

from follicle.measure.calibration import resolve_image_scale, um_per_px_from_preset
from follicle.measure.images import ScaleOptions, analyze_images
from follicle.measure.render import RenderStyle, render_trichoscopy
from follicle.report.visit_data import ScaleSpec, visit_from_images

# Rendered at 3.3 um/px with the device's 1 mm scale bar: the 70x preset says 2.76.
TRUE_SCALE = 3.3
GRAPHICS = RenderStyle(
    text_bar=True, text_bar_style="dark", measuring_circle=True, scale_bar_mm=1.0, noise_sd=3.0
)


@pytest.fixture(scope="module")
def image_with_scale_bar(tmp_path_factory):
    scene = render_trichoscopy(style=GRAPHICS, um_per_px=TRUE_SCALE, unit_count=6, seed=7)
    path = tmp_path_factory.mktemp("scale") / "bar.png"
    Image.fromarray(scene.image).save(path)
    return path


def test_report_and_analyze_take_the_scale_bar_over_the_preset(image_with_scale_bar):
    preset = um_per_px_from_preset("video-70x", image_width_px=1280)
    analyzed = analyze_images([image_with_scale_bar], scale=ScaleOptions(device="video-70x"))
    visit = visit_from_images([image_with_scale_bar], scale=ScaleSpec(device="video-70x"))
    analyze_scale = analyzed.images[0]["um_per_px"]
    assert analyze_scale == pytest.approx(TRUE_SCALE, rel=0.07)
    assert abs(analyze_scale - preset) > 0.3  # far from the preset: the bar was used
    assert visit.scales[0].um_per_px == analyze_scale
    assert visit.scales[0].how.startswith("scale bar")
    assert analyzed.images[0]["scale_source"].startswith("scale bar")
    # Same scale, same hairs.
    assert len(visit.hairs) == len(analyzed.hairs)
    assert visit.area_cm2 == pytest.approx(analyzed.images[0]["area_cm2"])


def test_measuring_circle_radius_reaches_the_report(image_with_scale_bar):
    visit = visit_from_images(
        [image_with_scale_bar],
        scale=ScaleSpec(device="video-70x", circle_radius_mm=2.519),
    )
    assert visit.scales[0].how.startswith("measuring circle")
    assert "2.519 mm" in visit.scales[0].detail


def test_exactly_one_way_to_set_the_scale():
    from follicle.errors import FollicleInputError

    with pytest.raises(FollicleInputError, match="calibration"):
        resolve_image_scale(None, um_per_px=2.0, device="video-70x")
    with pytest.raises(FollicleInputError, match="calibration"):
        resolve_image_scale(None)
    assert resolve_image_scale(None, um_per_px=2.0).source == "given"
    assert resolve_image_scale(None, micrometer_um_per_px=2.5).um_per_px == 2.5
