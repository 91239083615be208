"""Short thin marks at a hair's end (issue 10): on the real dev images, the rim and shadow
of a hair's opening and its frayed tip were traced as short thin "hairs" touching the
hair's end, which matched no annotated box. Such a mark is dropped; the same mark away
from any hair end, or a long thin hair leaving the same opening, is kept."""

import math

import numpy as np
import pytest
from test_analyze import CLEAN, hairs, scene_of

from follicle.errors import FollicleInputError
from follicle.measure.analyze import AnalysisSettings, analyze_image
from follicle.measure.end_marks import marks_at_hair_ends
from follicle.measure.render import RenderStyle
from follicle.measure.shafts import Shaft

STRAIGHT = RenderStyle(**{**CLEAN.__dict__, "angle_spread_deg": 0.0})
EXIT_UM = np.array([800.0, 600.0])  # the thick hair's exit (x, y), 4 um/px
AWAY = np.array([math.cos(math.radians(140)), math.sin(math.radians(140))])


def _thick_hair_and(*, offset_px, length_mm, diameter_um=25.0):
    """An 80 um hair leaving EXIT_UM at 20 degrees, and a second hair leaving
    ``offset_px`` from that exit at 140 degrees (away from it, a separate object)."""
    thick = scene_of(hairs([(1, 1, 80.0, 0.6, *EXIT_UM)]), style=STRAIGHT, angle=20.0)
    where = EXIT_UM + 4.0 * offset_px * AWAY
    other = scene_of(hairs([(2, 2, diameter_um, length_mm, *where)]), style=STRAIGHT, angle=140.0)
    return np.minimum(thick.image, other.image)


def test_a_short_thin_mark_at_a_hair_end_is_dropped():
    image = _thick_hair_and(offset_px=18, length_mm=0.1)  # within one width of the end
    found = analyze_image(image, um_per_px=4.0)
    assert found.hairs["diameter_um"].tolist() == pytest.approx([80.0], abs=2)
    off = analyze_image(image, um_per_px=4.0, settings=AnalysisSettings(end_mark_length_um=0))
    assert sorted(off.hairs["diameter_um"]) == pytest.approx([25.0, 80.0], abs=2)


@pytest.mark.parametrize(
    ("offset_px", "length_mm", "why"),
    [
        (60, 0.1, "farther than one width of the thick hair from its end"),
        (18, 0.4, "as long as a hair, not a mark"),
    ],
)
def test_other_thin_hairs_beside_a_thick_one_are_kept(offset_px, length_mm, why):
    found = analyze_image(_thick_hair_and(offset_px=offset_px, length_mm=length_mm), um_per_px=4.0)
    assert sorted(found.hairs["diameter_um"]) == pytest.approx([25.0, 80.0], abs=2), why


def _line(r0, c0, dr, dc, n):
    return Shaft(
        branches=(np.array([[r0 + k * dr, c0 + k * dc] for k in range(n)]),),
        junctions_rc=np.zeros((0, 2)),
    )


def test_marks_need_a_longer_wider_hair_and_ignore_the_border():
    hair = _line(100, 100, 0, 1, 150)  # ends at (100, 100) and (100, 249)
    mark = _line(95, 90, -1, -1, 20)  # starts 11 px from the first end
    widths = [20.0, 6.0]
    options = dict(max_length_px=37.5, width_ratio=0.7, reach_widths=1.0)
    assert marks_at_hair_ends([hair, mark], widths, [False, False], **options).tolist() == [
        False,
        True,
    ]
    # cut by the border: its length is unknown
    assert not marks_at_hair_ends([hair, mark], widths, [False, True], **options).any()
    # as wide as the hair: not a mark
    assert not marks_at_hair_ends([hair, mark], [20.0, 18.0], [False, False], **options).any()


@pytest.mark.parametrize(
    ("name", "value"), [("end_mark_length_um", -1), ("end_mark_width_ratio", 0.0)]
)
def test_end_mark_settings_are_checked(name, value):
    with pytest.raises(FollicleInputError, match=name):
        AnalysisSettings(**{name: value})
