"""The learned pipeline: the shipped ONNX segmenter runs with onnxruntime (the optional
`learned` extra; these tests skip without it) and finds the hairs of follicle's renders.

The renders here use seeds the training never saw (training scenes are seeded from
tools/train_segmenter.py's SEED * 1000 upwards, and are crops, not whole images)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from follicle.errors import FollicleInputError
from follicle.measure.analyze import analyze_image
from follicle.measure.evaluate import score
from follicle.measure.render import STYLES, render_trichoscopy
from follicle.measure.segmenter import MODEL_PATH, onnxruntime_available

needs_runtime = pytest.mark.skipif(
    not onnxruntime_available(), reason="onnxruntime not installed (extra 'learned')"
)


def test_the_model_ships_as_a_small_file():
    assert MODEL_PATH.is_file()
    assert MODEL_PATH.stat().st_size < 5_000_000  # a few MB at most (package data)


@needs_runtime
def test_the_model_gives_a_probability_per_pixel_matching_the_rendered_shafts():
    """On an easy render (not a training scene), the mask at 0.5 overlaps the true shafts
    with IoU >= 0.6 (training scenes' validation IoU was 0.83, docs/segmenter.md), and
    skin well away from any shaft stays low."""
    from scipy import ndimage

    from follicle.measure.raster import polyline_coverage
    from follicle.measure.segmenter import shaft_probability

    scene = render_trichoscopy(um_per_px=3.0, shape_px=(400, 520), unit_count=4, seed=5)
    prob = shaft_probability(scene.image, um_per_px=3.0)
    assert prob.shape == scene.image.shape[:2] and prob.dtype == np.float32
    assert np.all((prob >= 0) & (prob <= 1))
    truth = np.zeros(prob.shape, bool)
    diameters = scene.hairs.set_index("hair_id")["diameter_um"]
    for hair_id, xy in scene.centerlines_px.items():
        cov = polyline_coverage(np.asarray(xy, float), diameters[hair_id] / 3.0, prob.shape)
        if cov is not None:
            truth[cov[0]] |= cov[1] > 0.5
    assert truth.mean() > 0.01  # the scene has hairs
    found = prob > 0.5
    assert (found & truth).sum() / (found | truth).sum() >= 0.6
    far = ndimage.distance_transform_edt(~truth) > 15
    assert prob[far].mean() < 0.1


@needs_runtime
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_learned_pipeline_counts_rendered_hairs(seed):
    """Counts within 25% of the truth and widths within a few um on medium renders of
    dark hair on light skin (what the segmenter was trained for; not dark skin, see
    docs/segmenter.md) at the 70x device's scale. The tolerance allows touching hairs
    that merge into one."""
    um_per_px = 2.76
    scene = render_trichoscopy(
        um_per_px=um_per_px, style=STYLES["medium"], unit_count=10, seed=seed
    )
    found = analyze_image(scene.image, um_per_px=um_per_px, pipeline="learned")
    result = score(scene, found)
    assert abs(result.found_count - result.true_count) <= max(2, 0.25 * result.true_count)
    assert result.matched >= 0.6 * result.true_count
    assert result.diameter_abs_error_um < 6.0
    assert found.provenance["parameters"]["pipeline"] == "learned"


def test_an_unknown_pipeline_is_refused_naming_the_field():
    scene = render_trichoscopy(shape_px=(64, 64), seed=1)
    with pytest.raises(FollicleInputError, match="pipeline"):
        analyze_image(scene.image, um_per_px=4.0, pipeline="deep")


def test_cli_bad_pipeline_exits_2_with_one_line(tmp_path):
    from PIL import Image

    image = tmp_path / "scalp.png"
    Image.fromarray(render_trichoscopy(shape_px=(64, 64), seed=1).image).save(image)
    follicle = Path(sys.executable).parent / "follicle"
    done = subprocess.run(
        [str(follicle), "analyze", str(image), "--um-per-px", "4", "--pipeline", "deep"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "pipeline" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@needs_runtime
def test_cli_learned_pipeline_runs_and_records_it(tmp_path):
    import json

    from PIL import Image

    scene = render_trichoscopy(um_per_px=2.76, style=STYLES["medium"], unit_count=8, seed=21)
    image = tmp_path / "scalp.png"
    Image.fromarray(scene.image).save(image)
    follicle = Path(sys.executable).parent / "follicle"
    command = [str(follicle), "analyze", str(image), "--um-per-px", "2.76", "--json"]
    done = subprocess.run(
        [*command, "--pipeline", "learned"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["provenance"]["parameters"]["pipeline"] == "learned"
    assert abs(out["images"][0]["hair_count"] - len(scene.hairs)) <= max(2, 0.25 * len(scene.hairs))
