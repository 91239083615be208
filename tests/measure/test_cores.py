"""Hairs of one opening inside a patchy dye halo (issue 10: ~a quarter of the missed boxes
on the real dev images had mask but no shaft traced).

The scene: two dark shafts 20 px (60 um) wide, 8 px apart, leaving one opening, in a
halo whose darkness varies from patch to patch (up to 0.6 of the skin level, the hairs
0.85). The low hysteresis threshold takes hairs and halo as one ragged blob with holes;
its skeleton falls into short pieces and the hairs are lost. The dark cores of that blob
are the two shafts. Widths: the halo beside a shaft lifts its half-height edges, so
they read wider than the 60 um drawn (by 1-6 um here); 10 um is allowed.
"""

import numpy as np
import pytest
from scipy import ndimage

from follicle.measure.analyze import AnalysisSettings, analyze_image
from follicle.measure.cores import core_shafts
from follicle.measure.raster import polyline_coverage
from follicle.measure.shafts import Shaft, mask_objects

UM_PER_PX = 3.0
WIDTH_PX = 20.0


def pair_in_patchy_halo(
    *,
    seed: int,
    length_px: float = 100.0,
    patchy: float = 0.8,
    width_px: float = WIDTH_PX,
    gap_px: float = 8.0,
    count: int = 2,
    opening_half_width_px: float = 40.0,
):
    """``count`` shafts side by side ``gap_px`` apart (a pair by default) in the halo."""
    rng = np.random.default_rng(seed)
    shape = (300, 300)
    dark = np.zeros(shape)
    top = 90.0
    for k in range(count):
        x = 150 + (k - (count - 1) / 2) * (width_px + gap_px)
        stroke = polyline_coverage(np.array([[x, top], [x, top + length_px]]), width_px, shape)
        assert stroke is not None
        (rs, cs), cover = stroke
        dark[rs, cs] = np.maximum(dark[rs, cs], 0.85 * cover)
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    opening = ((xx - 150) / opening_half_width_px) ** 2 + ((yy - top - 20) / 45.0) ** 2 <= 1
    halo = ndimage.gaussian_filter(opening.astype(float), 3)
    halo = np.maximum(halo, 0.8 * ndimage.gaussian_filter((dark > 0).astype(float), 6))
    texture = ndimage.gaussian_filter(rng.normal(0, 1, shape), 2.5)
    texture /= texture.std()
    halo = np.minimum(0.5 * halo * np.clip(1 + patchy * texture, 0, None), 0.6)
    level = np.maximum(dark, halo)
    image = np.array([205.0, 190.0, 185.0]) * (1 - level[..., None])
    image = ndimage.gaussian_filter(image, (1.2, 1.2, 0)) + rng.normal(0, 2.0, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def _analyse(image, core_share):
    settings = AnalysisSettings(core_share=core_share, find_yellow_dots=False)
    return analyze_image(image, um_per_px=UM_PER_PX, settings=settings)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_hairs_in_a_patchy_halo_are_found_by_their_dark_cores(seed):
    image = pair_in_patchy_halo(seed=seed)
    without = _analyse(image, 0.0)
    assert len(without.hairs) < 2  # the failure this fixes: the skeleton falls apart
    found = _analyse(image, 0.6)
    assert len(found.hairs) == 2
    assert found.hairs["diameter_um"].to_numpy() == pytest.approx(
        [WIDTH_PX * UM_PER_PX] * 2, abs=10.0
    )
    # One on each shaft (columns 136 and 164), each along most of the 100 px drawn.
    columns = sorted(np.concatenate(b)[:, 1].mean() for b in found.centerlines_px.values())
    assert columns == pytest.approx([136, 164], abs=3)
    assert (found.hairs["length_mm"] * 1000 / UM_PER_PX > 70).all()


def _bar(shape, rows, cols):
    mask = np.zeros(shape, bool)
    mask[rows, cols] = True
    return mask


def test_well_traced_objects_and_round_blobs_are_left_alone():
    shape = (200, 200)
    mask = _bar(shape, slice(40, 160), slice(50, 66)) | _bar(shape, slice(80, 120), slice(120, 160))
    contrast = np.where(mask, 0.8, 0.0)
    objects = mask_objects(mask)
    whole = Shaft(
        branches=(np.stack([np.arange(42, 158), np.full(116, 58)], 1),),
        junctions_rc=np.zeros((0, 2)),
    )
    options = dict(
        min_length_px=30.0, min_width_px=3.0, max_width_px=60.0, min_aspect=2.0, min_level=0.2
    )
    # The bar's skeleton spans it: kept as it is, nothing re-thresholded.
    out = core_shafts(mask, contrast, [whole], objects, **options)
    assert len(out.shafts) == 1 and out.shafts[0] is whole and out.floors == {} and out.mask is mask
    # The 40 x 40 square has no bar inside at any level: no shaft made from it.
    assert len(core_shafts(mask, contrast, [], objects, **options).shafts) == 1


def test_poorly_traced_blob_gives_one_shaft_per_dark_core():
    shape = (200, 200)
    cores = _bar(shape, slice(40, 160), slice(60, 76)) | _bar(shape, slice(40, 160), slice(84, 100))
    blob = _bar(shape, slice(30, 170), slice(50, 110))
    contrast = np.where(cores, 0.9, np.where(blob, 0.4, 0.0))
    objects = mask_objects(blob)
    piece = Shaft(
        branches=(np.stack([np.arange(60, 80), np.full(20, 80)], 1),), junctions_rc=np.zeros((0, 2))
    )
    out = core_shafts(
        blob,
        contrast,
        [piece],
        objects,
        min_length_px=30.0,
        min_width_px=3.0,
        max_width_px=60.0,
        min_aspect=2.0,
        min_level=0.2,
    )
    assert all(s is not piece for s in out.shafts) and len(out.shafts) == 2
    cols = sorted(float(s.pixels[:, 1].mean()) for s in out.shafts)
    assert cols == pytest.approx([67.5, 91.5], abs=1.0)
    assert all(s.length_px == pytest.approx(119, abs=3) for s in out.shafts)
    assert set(out.floors) == {id(s) for s in out.shafts}
    assert all(0.4 <= f < 0.9 for f in out.floors.values())  # between halo and core
    assert out.mask[100, 80] == False and out.mask[100, 70]  # noqa: E712 - halo gap dropped


def test_core_share_is_checked():
    with pytest.raises(Exception, match="core_share"):
        AnalysisSettings(core_share=1.0)
