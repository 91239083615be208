"""Optional check on real trichoscopy images (../shared/data/trichoscopy-dev).

The images are never copied into the project; the test skips when the folder is absent.
A fixed subset (every 6th image of the dev part and of the held-out 230219_* session,
34 images) is scored against the hand-drawn boxes with the same code as
``bench/real_images.py``. Thresholds sit a little under what this subset measured when
they were set (docs/measure.md, "Real images"), so a regression fails:
measured F1 0.837 (box recall 0.803, hair precision 0.874), median absolute count error
0.114, count Spearman 0.62, thin boxes touched by a thin hair 0.85 (29 of 34), premium
boxes measured thin 0.025 (with thick stubs side by side, second hairs in one mask
object and the scale bar over blue dye, 2026-12-05 day).
(Before those: F1 0.816, recall 0.765, precision 0.875, count error 0.095, Spearman
0.58, with narrow V pairs split and thin tails cut, 2026-12-05 late.)
(Before those: F1 0.808, recall 0.75, Spearman 0.56, thin 0.82 (28 of 34), false thin
0.029, with faint thin hairs found by the line filter, 2026-12-05.)
(Before the faint thin hairs: F1 0.80, recall 0.74, thin 0.74 (25 of 34); the faint
short marks and marks at hair ends were dropped on 2026-12-04 late.)
(Before those two rules: F1 0.79, recall 0.75, precision 0.84, count error 0.11,
Spearman 0.52, false thin 0.032; before the dark cores of haloed groups, the scale-bar
label mask and the halo-shoulder widths of thin hairs: count error 0.15,
Spearman 0.49, thin 0.62, false thin 0.026; before whole stubs, pair splitting and the
dark-stub aspect: F1 0.75, recall 0.68, count error 0.23, Spearman 0.37, thin 0.59,
false thin 0.037.)
"""

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "trichoscopy-dev"
IMAGES = sorted((DATA / "images").glob("*.jpg")) if DATA.exists() else []

pytestmark = pytest.mark.skipif(not IMAGES, reason="trichoscopy-dev data set not present")


def subset() -> list[Path]:
    dev = [p for p in IMAGES if not p.name.startswith("230219")]
    held_out = [p for p in IMAGES if p.name.startswith("230219")]
    return dev[::6] + held_out[::6]


@pytest.fixture(scope="module")
def table(real_images_bench):
    score_one, summarise = real_images_bench.score_one, real_images_bench.summarise
    rows = [score_one((path, DATA, None, {})) for path in subset()]
    return summarise(rows), rows


@pytest.mark.slow
def test_hairs_match_the_annotated_boxes(table):
    summary, _ = table
    assert summary["images"] == 34
    assert summary["f1"] >= 0.82
    assert summary["box_recall"] >= 0.78 and summary["hair_precision"] >= 0.85
    assert summary["count_median_abs_rel_error"] <= 0.12
    assert summary["count_spearman"] >= 0.56


@pytest.mark.slow
def test_thin_hairs_are_measured_thin_and_terminal_ones_not(table):
    summary, rows = table
    assert summary["thin_boxes_touched_thin_share"] >= 0.82
    assert summary["premium_false_thin_share"] <= 0.05
    # The 70x scale: terminal shafts at 2.76 um/px measure in the terminal range.
    assert np.median([r["um_per_px"] for r in rows]) == pytest.approx(2.76, rel=0.02)


@pytest.mark.slow
def test_skin_blotches_are_not_reported_as_yellow_dots(table):
    """The boxes mark no yellow dots, but the dev crops of the 67 dots the fixed threshold
    reported on the 102 dev images showed none a distinct yellow structure (warm skin's
    blotchy yellowness); with the texture-relative threshold the dev images hold 1
    (docs/measure.md, "Yellow dots on real images"). On this subset's 17 dev images:
    the fixed threshold reported 21, now 1; at most 2 pass."""
    _, rows = table
    dev = [r for r in rows if not r["image"].startswith("230219")]
    assert len(dev) == 17
    assert sum(r["yellow_dots"] for r in dev) <= 2


@pytest.mark.slow
def test_hairs_drawn_by_hand_are_measured_as_the_analyser_measures_them(bench_module):
    """Corrections by hand on real images: hairs the analyser found (long, inside the
    frame), removed and drawn again along their own centre line (six points), measure
    within 5% of the analyser's width in the median and 30% for 9 in 10; at most 1 in 5
    is refused (most of its profiles span another hair too). Every 6th dev image, two
    hairs each; all dev images: 26 of 304 refused, median 1.6%, 90th percentile 18%
    (docs/measure.md)."""
    drawn_again = bench_module("drawn_hairs").drawn_again  # the loop of bench/drawn_hairs.py
    dev = [p for p in IMAGES if not p.name.startswith("230219")][::6]
    pairs = np.array([pair for path in dev for pair in drawn_again((path, 2, 6))])
    measured = np.isfinite(pairs[:, 1])
    refused = int((~measured).sum())
    differences = np.abs(pairs[measured, 1] - pairs[measured, 0]) / pairs[measured, 0]
    assert refused <= 0.2 * (len(differences) + refused)
    assert np.median(differences) <= 0.05
    assert np.quantile(differences, 0.9) <= 0.3


@pytest.mark.slow
def test_what_the_report_says_of_the_analyser_still_holds_on_the_held_out_images(
    real_images_bench,
):
    """``measure.known_accuracy`` is shown to users beside the counting errors: measured
    again on all held-out images, each figure within 1.5 points of what it says."""
    from follicle.measure.known_accuracy import HELD_OUT

    held_out = [p for p in IMAGES if p.name.startswith("230219")]
    rows = [real_images_bench.score_one((path, DATA, None, {})) for path in held_out]
    summary = real_images_bench.summarise(rows)
    assert summary["images"] == HELD_OUT["images"]
    for name, said in HELD_OUT.items():
        if name != "images":
            assert summary[name] == pytest.approx(said, abs=0.015), name
