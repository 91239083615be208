"""How out of focus an image is (``measure.focus``): the half-height widening of a
blurred bar against a sampled profile, the blur read on an ideal bar and on rendered
images of known blur, and the warning where users see it (the installed command and the
visit report)."""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from follicle.measure.analyze import analyze_image
from follicle.measure.focus import edge_blur_px, focus_warnings, fwhm_widening
from follicle.measure.render import STYLES, render_trichoscopy
from follicle.measure.shafts import Shaft

UM_PER_PX = 2.76
FOLLICLE = Path(sys.executable).parent / "follicle"


def _sampled_widening(width_over_sigma: float) -> float:
    """Width at half height of a bar blurred on a fine grid, over its width."""
    step = 0.001  # in blur SDs
    x = np.arange(-8 - width_over_sigma, 8 + width_over_sigma, step)
    bar = (np.abs(x) <= width_over_sigma / 2).astype(float)
    blurred = ndimage.gaussian_filter1d(bar, 1 / step, mode="constant")
    above = np.flatnonzero(blurred >= blurred.max() / 2)
    return (above[-1] - above[0]) * step / width_over_sigma


@pytest.mark.parametrize("ratio", [1.5, 2.0, 2.5, 3.0, 5.0])
def test_fwhm_widening_matches_a_sampled_blurred_bar(ratio):
    assert fwhm_widening(ratio) == pytest.approx(_sampled_widening(ratio), rel=0.005)


def test_fwhm_widening_limits():
    assert fwhm_widening(20.0) == pytest.approx(1.0, abs=1e-6)  # a wide bar keeps its width
    # a narrow bar's blurred profile is the Gaussian's own: FWHM 2 sqrt(2 ln 2) SDs
    assert fwhm_widening(0.1) * 0.1 == pytest.approx(2 * np.sqrt(2 * np.log(2)), rel=0.01)
    with pytest.raises(ValueError, match="width_over_sigma"):
        fwhm_widening(0.0)


@pytest.mark.parametrize("sigma", [1.0, 2.0, 4.0])
def test_the_blur_of_an_ideal_bar_is_read_on_its_edges(sigma):
    image = np.zeros((300, 200), np.float32)
    image[:, 85:115] = 0.8  # a 30 px shaft, contrast 0.8
    contrast = ndimage.gaussian_filter(image, sigma)
    path = np.stack([np.arange(20, 280), np.full(260, 100)], axis=1)
    shaft = Shaft(branches=(path,), junctions_rc=np.zeros((0, 2)))
    half_width = np.full(image.shape, 15.0, np.float32)
    blur, edges = edge_blur_px(contrast, [(shaft, 30.0)], half_width, min_width_px=20)
    assert edges >= 40  # both edges at many samples
    assert blur == pytest.approx(sigma, rel=0.05)
    # too narrow to have a plateau: not read
    assert np.isnan(edge_blur_px(contrast, [(shaft, 30.0)], half_width, min_width_px=31)[0])


def _rendered(blur_px: float, *, sheen: bool, seed: int):
    style = dataclasses.replace(
        STYLES["easy"], blur_sigma_px=blur_px, shaft_sheen=STYLES["easy"].shaft_sheen * sheen
    )
    return render_trichoscopy(style=style, seed=seed, um_per_px=UM_PER_PX)


@pytest.mark.parametrize("blur", [1.5, 2.5, 4.0])
def test_the_blur_of_rendered_images_is_read_on_their_thick_hairs(blur):
    # Rendered edges add a pixel's coverage and the sampling's linear interpolation
    # (each the SD of a 1 px box, 1/sqrt(12)) to the optical blur. Shafts without a
    # specular stripe: within 8%; with it (a brighter middle lowers the plateau the
    # edge is read against), never read higher: the warning errs towards silence.
    expected_px = np.sqrt(blur**2 + 2 / 12)
    for seed in (0, 1):
        plain = analyze_image(_rendered(blur, sheen=False, seed=seed).image, um_per_px=UM_PER_PX)
        assert plain.edge_blur_um / UM_PER_PX == pytest.approx(expected_px, rel=0.08)
        shiny = analyze_image(_rendered(blur, sheen=True, seed=seed).image, um_per_px=UM_PER_PX)
        assert 0.75 * expected_px < shiny.edge_blur_um / UM_PER_PX < 1.05 * expected_px


def test_the_warning_names_the_widths_a_blur_affects():
    # 3.08 SDs widen by 10% at half height: at 14 um (SD) a 40 um hair reads 1.13x
    assert fwhm_widening(40 / 14) > 1.10 > fwhm_widening(40 / 12.5)
    (warning,) = focus_warnings(14 / UM_PER_PX, um_per_px=UM_PER_PX, vellus_max_um=40)
    assert "about 14 um" in warning and "under about 43 um" in warning
    assert focus_warnings(12.5 / UM_PER_PX, um_per_px=UM_PER_PX, vellus_max_um=40) == ()
    assert focus_warnings(float("nan"), um_per_px=UM_PER_PX, vellus_max_um=40) == ()


def test_a_blurred_image_is_flagged_where_users_look(tmp_path):
    """The installed command warns on stderr and exits 0, its JSON carries the blur, and
    the visit report lists the warning under the image; a sharp image has none."""
    sharp, blurred = tmp_path / "sharp.png", tmp_path / "blurred.png"
    Image.fromarray(_rendered(0.8, sheen=True, seed=3).image).save(sharp)
    Image.fromarray(_rendered(7.0, sheen=True, seed=3).image).save(blurred)
    done = subprocess.run(
        [str(FOLLICLE), "analyze", str(sharp), str(blurred), "--um-per-px", str(UM_PER_PX),
         "--json"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "blurred.png: focus: edges blurred over about" in done.stderr
    assert "sharp.png: focus" not in done.stderr
    images = {Path(i["source"]).name: i for i in json.loads(done.stdout)["images"]}
    assert images["sharp.png"]["edge_blur_um"] < 5.0  # 0.8 px = 2.2 um, plus sampling
    assert images["blurred.png"]["edge_blur_um"] > 14.0  # 7 px = 19 um, read low
    report = tmp_path / "visit.html"
    done = subprocess.run(
        [str(FOLLICLE), "report", "visit", str(blurred), "--um-per-px", str(UM_PER_PX),
         "-o", str(report)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "focus: edges blurred over about" in report.read_text()
