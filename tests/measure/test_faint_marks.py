"""Faint short marks are not hairs (issue 10): on the real dev images, short shafts of low
contrast were skin folds and the edges of dye halos far more often than hairs, so a shaft
fainter than ``faint_contrast`` must be at least ``faint_min_length_um`` long. Dark short
stubs and faint long hairs are kept."""

import numpy as np
import pytest
from test_analyze import CLEAN, hairs, scene_of

from follicle.errors import FollicleInputError
from follicle.measure.analyze import AnalysisSettings, analyze_image
from follicle.measure.render import RenderStyle

STRAIGHT = RenderStyle(**{**CLEAN.__dict__, "angle_spread_deg": 0.0})
PEAK = 0.25  # between the shaft floor (0.2) and faint_contrast (0.3)


def _two_hairs():
    """A short (120 um) and a long (400 um) hair of 30 um, far apart, on plain skin."""
    table = hairs([(1, 1, 30.0, 0.12, 400.0, 500.0), (2, 2, 30.0, 0.40, 1500.0, 500.0)])
    return scene_of(table, style=STRAIGHT, angle=90.0, shape=(300, 600)).image


def _faded(image, peak):
    """The image with every hair's contrast scaled so that its darkest point is ``peak``."""
    skin = np.median(image.reshape(-1, 3), axis=0)
    contrast = 1 - image / skin  # per channel, 0 on skin
    factor = peak / contrast.max()
    return np.round(skin * (1 - factor * contrast)).astype(np.uint8)


def test_a_faint_short_mark_is_dropped_and_a_faint_long_hair_kept():
    image = _two_hairs()
    dark = analyze_image(image, um_per_px=4.0)
    assert sorted(dark.hairs["length_mm"].round(1)) == [0.1, 0.4]  # both found when dark
    assert dark.hairs["contrast"].min() > 0.5

    faint = analyze_image(_faded(image, PEAK), um_per_px=4.0)
    assert len(faint.hairs) == 1
    assert faint.hairs["length_mm"].iloc[0] == pytest.approx(0.4, abs=0.06)
    assert 0.2 <= faint.hairs["contrast"].iloc[0] < 0.3
    # without the rule the faint short mark passes every other test of a shaft
    off = AnalysisSettings(faint_contrast=0.0)
    assert len(analyze_image(_faded(image, PEAK), um_per_px=4.0, settings=off).hairs) == 2


@pytest.mark.parametrize(("name", "value"), [("faint_contrast", 1.0), ("faint_min_length_um", -1)])
def test_faint_settings_are_checked(name, value):
    with pytest.raises(FollicleInputError, match=name):
        AnalysisSettings(**{name: value})
