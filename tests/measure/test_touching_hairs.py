"""A hair whose neighbour starts touching its side: at the junction the neighbour's branch
can be nearly as straight in angle as the hair's own continuation, but it is offset
sideways by about a width. ``shafts.trace_shafts`` ranks the pairs of branch ends by
angle and by how well the one end's line runs into the other (``_collinearity``), so the
trace goes on along the hair instead of jogging into the neighbour."""

import numpy as np
from straight_shafts import straight_shafts_image

from follicle.measure import shafts
from follicle.measure.shafts import hair_mask, mask_objects, object_distance, trace_shafts

UM_PER_PX = 2.76
WIDTH_UM = 60.0
HAIR_UM = 1000.0


def _unit(angle_deg: float) -> np.ndarray:
    t = np.radians(angle_deg)
    return np.array([np.cos(t), np.sin(t)])


def touching_neighbour(*, angle_deg: float, offset_widths: float):
    """A straight hair 1 mm long at 15 degrees, and a 450 um neighbour starting beside its
    middle, ``offset_widths`` widths to one side, diverging by ``angle_deg``. Returns the
    image and the hair's two ends in px (x, y)."""
    along = _unit(15.0)
    side = np.array([-along[1], along[0]])
    start = np.array([100.0, 150.0]) * UM_PER_PX
    end = start + HAIR_UM * along
    root = start + HAIR_UM / 2 * along + side * offset_widths * WIDTH_UM
    tip = root + 450.0 * _unit(15.0 + angle_deg)
    image = straight_shafts_image(
        [(tuple(start), tuple(end)), (tuple(root), tuple(tip))],
        width_um=WIDTH_UM, um_per_px=UM_PER_PX,
        field_um=(500 * UM_PER_PX, 520 * UM_PER_PX), blur_um=1.2 * UM_PER_PX,
    )  # fmt: skip
    return image, start / UM_PER_PX, end / UM_PER_PX


def _traced(image: np.ndarray) -> list[shafts.Shaft]:
    contrast = 1 - image.mean(axis=2) / 200.0
    mask = hair_mask(contrast, low=0.1, high=0.2, min_area_px=50, max_hole_px=30)
    objects = mask_objects(mask)
    return trace_shafts(mask, object_distance(mask, objects), objects=objects)


def _traced_whole(found: list[shafts.Shaft], start: np.ndarray, end: np.ndarray) -> bool:
    """One shaft runs along the hair (95% of its pixels within 8 px of the hair's line)
    over more than 85% of its length."""
    length = float(np.hypot(*(end - start)))
    along = (end - start) / length
    across = np.array([-along[1], along[0]])
    for shaft in found:
        xy = shaft.pixels[:, ::-1].astype(float) - start
        if np.ptp(xy @ along) > 0.85 * length and np.mean(np.abs(xy @ across) < 8) > 0.95:
            return True
    return False


def test_collinearity_is_one_on_a_line_and_low_for_a_sideways_step():
    u = np.array([0.0, -1.0])  # the incoming branch runs away from the junction to -x
    on_line = shafts._collinearity(u, np.array([0.0, -10.0]), -u, np.array([0.0, 10.0]))
    assert on_line == 1.0
    # the same directions, the other end a width (20 px) to the side
    stepped = shafts._collinearity(u, np.array([0.0, -10.0]), -u, np.array([20.0, 10.0]))
    assert stepped < np.cos(np.radians(40))
    # ends closer than 3 px have no chord to judge by
    assert shafts._collinearity(u, np.zeros(2), -u, np.array([2.0, 0.0])) == 1.0


def test_the_hair_is_traced_on_past_a_neighbour_touching_its_side(monkeypatch):
    image, start, end = touching_neighbour(angle_deg=15.0, offset_widths=0.8)
    found = _traced(image)
    assert _traced_whole(found, start, end)
    assert len(found) == 2
    # ranked by angle alone, the trace jogs into the neighbour at the junction
    monkeypatch.setattr(shafts, "_collinearity", lambda *ends: 1.0)
    assert not _traced_whole(_traced(image), start, end)


def test_a_neighbour_diverging_clearly_is_left_alone():
    image, start, end = touching_neighbour(angle_deg=20.0, offset_widths=0.8)
    found = _traced(image)
    assert _traced_whole(found, start, end) and len(found) == 2
