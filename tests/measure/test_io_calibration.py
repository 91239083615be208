"""Safe image loading and calibration to um per pixel."""

import numpy as np
import pytest
from PIL import Image

from follicle.errors import FollicleFileError, FollicleInputError
from follicle.measure.calibration import (
    DEVICE_PRESETS,
    render_micrometer,
    um_per_px_from_micrometer,
    um_per_px_from_preset,
)
from follicle.measure.image_io import load_image


def test_png_round_trip(tmp_path):
    image = np.random.default_rng(0).integers(0, 255, (40, 50, 3), dtype=np.uint8)
    Image.fromarray(image).save(tmp_path / "a.png")
    assert np.array_equal(load_image(tmp_path / "a.png"), image)
    Image.fromarray(image[..., 0]).save(tmp_path / "grey.png")
    assert load_image(tmp_path / "grey.png").shape == (40, 50, 3)


def test_truncated_unreadable_missing_and_huge_images(tmp_path):
    image = np.random.default_rng(1).integers(0, 255, (200, 200, 3), dtype=np.uint8)
    Image.fromarray(image).save(tmp_path / "full.png")
    data = (tmp_path / "full.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(FollicleFileError, match="cannot decode"):
        load_image(tmp_path / "cut.png")
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(FollicleFileError, match="not an image"):
        load_image(tmp_path / "text.png")
    with pytest.raises(FollicleFileError, match="not found"):
        load_image(tmp_path / "absent.png")
    # The size guard reads the header only: the pixels are never decoded.
    with pytest.raises(FollicleInputError, match="image size = '200 x 200 px'"):
        load_image(tmp_path / "full.png", max_pixels=10_000)


@pytest.mark.parametrize(("um_per_px", "angle_deg"), [(1.0, 0.0), (1.37, 17.0), (2.6, 63.0)])
def test_stage_micrometer_gives_the_scale(um_per_px, angle_deg):
    image = render_micrometer(um_per_px=um_per_px, line_spacing_um=10.0, angle_deg=angle_deg)
    # 512 px cover ~100-200 periods; the peak centroid pins the period to well under 1%.
    assert um_per_px_from_micrometer(image, line_spacing_um=10.0) == pytest.approx(
        um_per_px, rel=0.01
    )


def test_device_presets_and_their_errors():
    assert um_per_px_from_preset("video-70x", image_width_px=1280) == pytest.approx(
        DEVICE_PRESETS["video-70x"].field_width_mm * 1000 / 1280
    )
    with pytest.raises(FollicleInputError, match="device preset = 'x'"):
        um_per_px_from_preset("x", image_width_px=1280)
    with pytest.raises(FollicleInputError, match="line_spacing_um"):
        um_per_px_from_micrometer(np.zeros((64, 64)), line_spacing_um=0)
