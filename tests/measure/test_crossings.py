"""Two hairs crossing at a shallow angle overlap over a stretch about their width /
sin(angle) long: the skeleton there is a bridge between two junctions, longer than the
short bridges of steep crossings. ``shafts.trace_shafts(crossing_bridge_widths=...)``
merges such a bridge when the hairs continue straight through it; left in, each
junction pairs one hair with the bridge and the trace turns into the other hair (one
long line, two fragments)."""

import numpy as np
import pytest
from straight_shafts import straight_shafts_image

from follicle.measure.analyze import AnalysisSettings, analyze_image
from follicle.measure.shafts import hair_mask, mask_objects, object_distance, trace_shafts

UM_PER_PX = 2.76


def crossing(angle_deg: float, *, width_um: float) -> np.ndarray:
    """Two straight shafts 1 mm long crossing at their middles at ``angle_deg``."""
    centre = np.array([240.0, 200.0]) * UM_PER_PX
    lines = []
    for sign in (-1, 1):
        t = np.radians(15 + sign * angle_deg / 2)
        d = np.array([np.cos(t), np.sin(t)])
        lines.append((tuple(centre - 500 * d), tuple(centre + 500 * d)))
    return straight_shafts_image(
        lines, width_um=width_um, um_per_px=UM_PER_PX,
        field_um=(400 * UM_PER_PX, 480 * UM_PER_PX), blur_um=1.2 * UM_PER_PX,
    )  # fmt: skip


def _traced_lengths_px(image: np.ndarray, crossing_bridge_widths: float) -> list[float]:
    contrast = 1 - image.mean(axis=2) / 200.0
    mask = hair_mask(contrast, low=0.1, high=0.2, min_area_px=50, max_hole_px=30)
    objects = mask_objects(mask)
    found = trace_shafts(
        mask,
        object_distance(mask, objects),
        objects=objects,
        crossing_bridge_widths=crossing_bridge_widths,
    )
    return sorted((s.length_px for s in found), reverse=True)


@pytest.mark.parametrize("width_um", [40.0, 70.0])
def test_a_shallow_crossing_is_traced_as_two_whole_hairs(width_um):
    image = crossing(40.0, width_um=width_um)
    whole = 1000 / UM_PER_PX
    merged = _traced_lengths_px(image, 3.0)
    assert len(merged) == 2 and min(merged) > 0.85 * whole
    # the short-bridge rule alone: one hair through, the other in two pieces
    left = _traced_lengths_px(image, 0.0)
    assert len(left) == 3 and left[1] < 0.6 * whole


def test_the_analyser_reports_the_two_hairs_of_a_40_degree_crossing():
    found = analyze_image(
        crossing(40.0, width_um=70.0),
        um_per_px=UM_PER_PX,
        settings=AnalysisSettings(find_yellow_dots=False),
    )
    assert len(found.hairs) == 2
    assert (found.hairs["length_mm"] > 0.85).all()
    assert found.hairs["diameter_um"].to_numpy() == pytest.approx([70.0, 70.0], abs=4.0)


@pytest.mark.parametrize("angle_deg", [60.0, 90.0])
def test_steep_crossings_stay_resolved(angle_deg):
    assert len(_traced_lengths_px(crossing(angle_deg, width_um=70.0), 3.0)) == 2
