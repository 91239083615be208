"""Scoring against hand-drawn boxes (evaluate.py), on synthetic boxes and centre lines."""

import numpy as np
import pytest

from follicle.measure.evaluate import (
    Box,
    BoxScore,
    bootstrap_box_intervals,
    box_overlap,
    match_boxes,
    read_voc_boxes,
    score_boxes,
    summarise_box_scores,
)


def line(r0, c0, r1, c1, n=100):
    t = np.linspace(0, 1, n)
    return np.stack([r0 + t * (r1 - r0), c0 + t * (c1 - c0)], axis=1)


def test_voc_boxes_with_swapped_corners_are_normalised(tmp_path):
    xml = tmp_path / "a.xml"
    xml.write_text(
        "<annotation><object><class>premium</class><bndbox><xmin>120</xmin><ymin>40</ymin>"
        "<xmax>20</xmax><ymax>30</ymax></bndbox></object>"
        "<object><name>undersize</name><bndbox><xmin>1</xmin><ymin>2</ymin>"
        "<xmax>3</xmax><ymax>4</ymax></bndbox></object></annotation>"
    )
    a, b = read_voc_boxes(xml)
    assert (a.label, a.x0, a.y0, a.x1, a.y1) == ("premium", 20, 30, 120, 40)
    assert (b.label, b.x0, b.x1) == ("undersize", 1, 3)


def test_overlap_is_one_for_a_hair_filling_its_box_and_small_for_a_stub():
    box = Box(label="premium", x0=100, y0=50, x1=300, y1=60)
    assert box_overlap(line(52, 100, 58, 300), box) == pytest.approx(1.0)
    # A stub spanning a tenth of the box, and a hair mostly outside it.
    assert box_overlap(line(55, 100, 55, 120), box) == pytest.approx(0.1, abs=0.01)
    assert box_overlap(line(55, 250, 55, 450), box) < 0.3
    assert box_overlap(line(500, 100, 500, 300), box) == 0.0


def test_one_to_one_matching_prefers_the_better_pairing():
    boxes = [
        Box(label="premium", x0=0, y0=0, x1=200, y1=10),
        Box(label="premium", x0=0, y0=20, x1=200, y1=30),
    ]
    lines = {7: (line(5, 0, 5, 200),), 9: (line(25, 0, 25, 200),), 11: (line(25, 0, 25, 40),)}
    pairs, _, _ = match_boxes(boxes, lines)
    assert sorted(pairs) == [(0, 7), (1, 9)]  # the stub 11 stays unmatched


def test_score_counts_thin_boxes_false_thin_and_border_hairs():
    boxes = [
        Box(label="undersize", x0=0, y0=0, x1=200, y1=10),
        Box(label="premium", x0=0, y0=100, x1=200, y1=110),
        Box(label="premium", x0=0, y0=200, x1=200, y1=210),
        Box(label="undersize", x0=0, y0=400, x1=200, y1=410),  # nothing found there
    ]
    lines = {
        0: (line(5, 0, 5, 200),),
        1: (line(105, 0, 105, 200),),
        2: (line(205, 0, 205, 200),),
        3: (line(900, 0, 900, 200),),  # a border hair nobody annotated
    }
    diameters = {0: 25.0, 1: 70.0, 2: 35.0, 3: 60.0}
    border = {0: False, 1: False, 2: False, 3: True}
    s = score_boxes(boxes, lines, diameters, border)
    assert (s.boxes, s.hairs, s.border_hairs, s.matched, s.matched_border) == (4, 3, 1, 3, 0)
    assert (s.thin_boxes, s.thin_boxes_touched_thin) == (2, 1)
    assert (s.premium_measured, s.premium_thin) == (2, 1)
    table = summarise_box_scores([s, s, s])
    assert table["box_recall"] == pytest.approx(0.75)
    assert table["hair_precision"] == pytest.approx(1.0)  # the border hair is not held against
    assert table["f1"] == pytest.approx(2 * 0.75 / 1.75)
    assert table["thin_boxes_touched_thin_share"] == pytest.approx(0.5)
    assert table["premium_false_thin_share"] == pytest.approx(0.5)
    assert table["count_median_abs_rel_error"] == pytest.approx(0.0)  # 3 + 1 found, 4 boxes


def test_count_figures_follow_per_image_counts():
    def score_with(n_hairs, n_boxes):
        boxes = [
            Box(label="premium", x0=0, y0=20 * k, x1=200, y1=20 * k + 5) for k in range(n_boxes)
        ]
        lines = {k: (line(20 * k + 2, 0, 20 * k + 2, 200),) for k in range(n_hairs)}
        flat = dict.fromkeys(lines, False)
        return score_boxes(boxes, lines, dict.fromkeys(lines, 70.0), flat)

    table = summarise_box_scores([score_with(5, 10), score_with(10, 10), score_with(12, 20)])
    # ranks (1, 2, 3) against (1.5, 1.5, 3): rho = 1.5 / sqrt(2 * 1.5) = sqrt(3) / 2
    assert table["count_spearman"] == pytest.approx(np.sqrt(3) / 2)
    assert table["count_median_abs_rel_error"] == pytest.approx(0.4)
    assert table["count_median_signed_rel_error"] == pytest.approx(-0.4)


def _image_score(*, boxes=10, matched=8, hairs=9, thin_hit=1, premium_thin=0):
    return BoxScore(
        boxes=boxes, hairs=hairs, border_hairs=2, matched=matched, matched_border=1,
        thin_boxes=1, thin_boxes_touched_thin=thin_hit, premium_measured=8,
        premium_thin=premium_thin,
    )  # fmt: skip


def test_bootstrap_of_identical_images_is_the_figure_itself():
    scores = [_image_score()] * 20
    figures = summarise_box_scores(scores)
    intervals = bootstrap_box_intervals(scores, draws=50)
    for name in ("f1", "thin_boxes_touched_thin_share", "premium_false_thin_share"):
        assert intervals[name] == pytest.approx((figures[name], figures[name]))


def test_bootstrap_interval_of_a_share_is_as_wide_as_the_binomial_one():
    """99 images with one thin box each, 77 touched (the dev set's thin figure): the
    share's 95% interval over images drawn again is the binomial one, +-1.96
    sqrt(p (1 - p) / n) = +-0.082; the percentile bootstrap is allowed 20% either way
    (the Monte Carlo error of its tails at 2000 draws is a few per cent)."""
    scores = [_image_score(thin_hit=int(i < 77)) for i in range(99)]
    low, high = bootstrap_box_intervals(scores, draws=2000, seed=1)["thin_boxes_touched_thin_share"]
    p = 77 / 99
    half = 1.96 * np.sqrt(p * (1 - p) / 99)
    assert low < p < high
    assert (high - low) / 2 == pytest.approx(half, rel=0.2)


def test_bootstrap_is_seeded_and_needs_three_images():
    rng = np.random.default_rng(0)
    scores = [
        _image_score(boxes=int(b), matched=int(b) - int(rng.integers(0, 4)), hairs=int(b))
        for b in rng.integers(6, 18, 30)
    ]
    assert bootstrap_box_intervals(scores, seed=3) == bootstrap_box_intervals(scores, seed=3)
    f1 = summarise_box_scores(scores)["f1"]
    low, high = bootstrap_box_intervals(scores, seed=3)["f1"]
    assert low < f1 < high
    assert bootstrap_box_intervals(scores[:2]) == {}
    with pytest.raises(ValueError, match="level"):
        bootstrap_box_intervals(scores, level=1.0)
