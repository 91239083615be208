"""A second thick hair lying along a kept one in the same mask object (issue 10:
``second_hairs``; on the real dev images about two in three missed `premium` boxes whose
area a kept hair's mask object covers were two thick hairs side by side).

Scenes at the 70x scale (2.76 um/px), textured skin as in ``test_v_pairs`` (drawn with
``raster.polyline_coverage``): a 70 um hair 350 px long, and a second 70 um hair lying
against it (centres one width apart, parallel) over the first ``BESIDE_PX`` of its
length from the opening. The mask holds both as one object; over most of the long hair
the shaft is one hair wide, so neither the pair split (median width under 1.5 single
hairs) nor the V split acts. With the rule off the analyser reports one hair; with it
on, two, the second on the short hair's axis and measured as a thick hair.
"""

import functools

import numpy as np
import pytest
from test_v_pairs import painted

import follicle.measure.analyze as analyze_module
from follicle.errors import FollicleInputError
from follicle.measure.analyze import AnalysisSettings, analyze_image

UM_PER_PX = 2.76
WIDTH_PX = 70 / UM_PER_PX
OPENING = np.array([90.0, 370.0])  # x, y
DIRECTION = np.array([np.cos(np.radians(35)), -np.sin(np.radians(35))])
NORMAL = np.array([-DIRECTION[1], DIRECTION[0]])
LENGTH_PX = 350.0
BESIDE_PX = 150.0
ON = AnalysisSettings(find_yellow_dots=False)
OFF = AnalysisSettings(second_hair_length_um=0.0, find_yellow_dots=False)


def scene(seed=0, beside=True):
    """Textured skin, the long hair and (``beside``) the short one against it, 0.6 darker."""
    hairs = [np.array([OPENING, OPENING + LENGTH_PX * DIRECTION])]
    if beside:
        start = OPENING + WIDTH_PX * NORMAL
        hairs.append(np.array([start, start + BESIDE_PX * DIRECTION]))
    return painted([(path, WIDTH_PX) for path in hairs], seed=seed), hairs


def _distance_to_segment(points_xy, segment):
    a, b = segment
    d = (b - a) / np.hypot(*(b - a))
    v = points_xy - a
    along = np.clip(v @ d, 0, np.hypot(*(b - a)))
    return np.hypot(*(v - along[:, None] * d).T)


def _analyse(image, settings):
    return analyze_image(image, um_per_px=UM_PER_PX, settings=settings)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_second_hair_along_a_kept_one_is_a_hair_of_its_own(seed):
    image, (long_hair, short_hair) = scene(seed)
    assert len(_analyse(image, OFF).hairs) == 1  # one shaft, one hair wide over most of it
    found = _analyse(image, ON)
    assert len(found.hairs) == 2
    lines = [np.concatenate(runs)[:, ::-1].astype(float) for runs in found.centerlines_px.values()]
    # one centre line on each hair: median distance to its axis under a quarter width
    on_short = [np.median(_distance_to_segment(xy, short_hair)) for xy in lines]
    on_long = [np.median(_distance_to_segment(xy, long_hair)) for xy in lines]
    second = int(np.argmin(on_short))
    assert on_short[second] < WIDTH_PX / 4
    assert on_long[1 - second] < WIDTH_PX / 4
    # the second line spans most of the short hair (not a stub at one end)
    assert np.ptp(lines[second] @ DIRECTION) > 0.6 * BESIDE_PX
    # touching hairs are measured as the shared run across halved: thick, not thin, and
    # not both hairs' width (70 um each, 140 um together)
    diameter = found.hairs["diameter_um"].to_numpy()[second]
    assert 50 < diameter < 100


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_lone_thick_hair_gets_no_second_hair(seed):
    image, _ = scene(seed, beside=False)
    assert len(_analyse(image, ON).hairs) == 1


def test_second_hair_length_is_validated():
    with pytest.raises(FollicleInputError, match="second_hair_length_um"):
        AnalysisSettings(second_hair_length_um=-1.0)


def _thin_beside_intermediate(seed):
    """A 50 um hair (350 px) and a 30 um one against it over its first 140 px: the pair
    runs 80 um across, under 1.2 of the single width the image falls back to (70 um,
    too few hairs to read one) but over 1.2 of the host's own 50 um."""
    host_px, thin_px = 50 / UM_PER_PX, 30 / UM_PER_PX
    start = OPENING + (host_px + thin_px) / 2 * NORMAL
    hairs = [
        (np.array([OPENING, OPENING + LENGTH_PX * DIRECTION]), host_px),
        (np.array([start, start + 140.0 * DIRECTION]), thin_px),
    ]
    return painted(hairs, seed=seed)


def test_a_thin_hair_beside_a_thinner_than_single_host_is_judged_by_the_host(monkeypatch):
    # Against the image's single width alone (the rule before the host's own width was
    # read: min_run_host out of reach) the run is the host's own edge; against the host's
    # width it is a second hair, reported narrower than the host (the run halved).
    with_host = [_analyse(_thin_beside_intermediate(seed), ON).hairs for seed in range(6)]
    assert sum(len(found) == 2 for found in with_host) >= 5
    for found in with_host:
        if len(found) == 2:
            assert found["diameter_um"].min() < found["diameter_um"].max() - 5
    single_only = functools.partial(analyze_module.second_hairs, min_run_host=100.0)
    monkeypatch.setattr(analyze_module, "second_hairs", single_only)
    for seed in range(6):
        assert len(_analyse(_thin_beside_intermediate(seed), ON).hairs) == 1
