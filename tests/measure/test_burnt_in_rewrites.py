"""Faster forms of device-graphics steps give what the forms they replaced gave (kept
here as oracles): ``fit_circle`` scores its 600 random triples in one batch and must pick
the same circle as scoring them one at a time (pixel-grid arcs like the device's
measuring circles, with and without a radius line and clutter); ``paint_over`` works in
the strokes' bounding box and must paint the same pixels as on the whole frame."""

import numpy as np
import pytest

from follicle.measure import burnt_in
from follicle.measure.burnt_in import (
    _least_squares_circle,
    _line_points,
    fit_circle,
    paint_over,
)


def _circle_through(x, y):
    (x1, x2, x3), (y1, y2, y3) = x.astype(float), y.astype(float)
    d = 2 * (x1 * (y2 - y3) + x2 * (y3 - y1) + x3 * (y1 - y2))
    if abs(d) < 1e-6:
        return None
    s1, s2, s3 = x1**2 + y1**2, x2**2 + y2**2, x3**2 + y3**2
    cx = (s1 * (y2 - y3) + s2 * (y3 - y1) + s3 * (y1 - y2)) / d
    cy = (s1 * (x3 - x2) + s2 * (x1 - x3) + s3 * (x2 - x1)) / d
    return cx, cy, float(np.hypot(x1 - cx, y1 - cy))


def _looped_candidate(x, y, *, seed=0, tolerance_px=2.0):
    """The RANSAC candidate as the loop chose it (before the refit), and the points
    left after a radius line was taken out."""
    rng = np.random.default_rng(seed)
    on_line = _line_points(x, y, rng=rng, tolerance_px=tolerance_px)
    if on_line.sum() >= 200 and (~on_line).sum() >= 30:
        x, y = x[~on_line], y[~on_line]
    pick = rng.choice(len(x), min(len(x), 800), replace=False)
    xs, ys = x[pick], y[pick]
    spread = 0.15 * float(np.hypot(np.ptp(x), np.ptp(y)))
    best, best_count = None, 0
    for _ in range(600):
        i = rng.choice(len(x), 3, replace=False)
        px, py = x[i], y[i]
        gaps = np.hypot(px - np.roll(px, 1), py - np.roll(py, 1))
        if gaps.min() < spread:
            continue
        model = _circle_through(px, py)
        if model is None:
            continue
        cx, cy, r = model
        count = int(np.sum(np.abs(np.hypot(xs - cx, ys - cy) - r) < 3 * tolerance_px))
        if count > best_count:
            best, best_count = model, count
    return best, x, y


def _arc_pixels(rng, *, with_line: bool, clutter: int):
    cx, cy = rng.uniform(-200, 1400), rng.uniform(-200, 1200)
    radius = rng.uniform(60, 1000)
    start = rng.uniform(0, 2 * np.pi)
    t = np.linspace(start, start + rng.uniform(0.4, 6.2), 3000)
    x, y = np.rint(cx + radius * np.cos(t)), np.rint(cy + radius * np.sin(t))
    if with_line:
        s = np.linspace(0, radius, 600)
        x, y = np.r_[x, np.rint(cx + s * np.cos(start))], np.r_[y, np.rint(cy + s * np.sin(start))]
    x, y = np.r_[x, rng.integers(0, 1280, clutter)], np.r_[y, rng.integers(0, 1024, clutter)]
    keep = (x >= 0) & (x < 1280) & (y >= 0) & (y < 1024)
    points = np.unique(np.stack([y[keep], x[keep]], axis=1), axis=0)  # raster order
    return points[:, 1].astype(float), points[:, 0].astype(float)


@pytest.mark.parametrize("seed", range(12))
def test_batched_triples_choose_the_looped_circle(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    x, y = _arc_pixels(rng, with_line=seed % 2 == 0, clutter=int(rng.integers(0, 400)))
    if len(x) < 30:
        pytest.skip("arc outside the frame")
    expected, x_left, y_left = _looped_candidate(x, y)
    chosen = []

    def spy(xi, yi):  # the refit's first call receives the chosen candidate's inliers
        chosen.append((xi, yi))
        return _least_squares_circle(xi, yi)

    monkeypatch.setattr(burnt_in, "_least_squares_circle", spy)
    fit_circle(x, y)
    if expected is None:
        assert not chosen
        return
    cx, cy, r = expected
    inliers = np.abs(np.hypot(x_left - cx, y_left - cy) - r) < 3 * 2.0
    np.testing.assert_array_equal(chosen[0][0], x_left[inliers])
    np.testing.assert_array_equal(chosen[0][1], y_left[inliers])


def test_no_circle_from_points_on_one_line():
    x = np.arange(100, dtype=float)
    assert fit_circle(x, 2 * x + 5) is None


def _paint_over_whole_frame(rgb, paint, *, max_steps=12):
    if not paint.any():
        return rgb
    rows_n, cols_n = paint.shape
    out = rgb.copy()
    values = out.astype(np.float32)
    known = ~paint
    rr, cc = np.nonzero(paint)
    offsets = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc]
    for _ in range(max_steps):
        if not len(rr):
            break
        total = np.zeros((len(rr), 3), np.float32)
        count = np.zeros(len(rr), np.float32)
        for dr, dc in offsets:
            r2 = np.clip(rr + dr, 0, rows_n - 1)
            c2 = np.clip(cc + dc, 0, cols_n - 1)
            k = known[r2, c2]
            total += values[r2, c2] * k[:, None]
            count += k
        edge = count > 0
        values[rr[edge], cc[edge]] = total[edge] / count[edge, None]
        known[rr[edge], cc[edge]] = True
        rr, cc = rr[~edge], cc[~edge]
    painted = paint & known
    out[painted] = np.clip(np.rint(values[painted]), 0, 255).astype(rgb.dtype)
    return out


@pytest.mark.parametrize("seed", range(10))
def test_paint_over_in_the_box_equals_the_whole_frame(seed):
    rng = np.random.default_rng(100 + seed)
    rows, cols = (int(n) for n in rng.integers(5, 70, 2))
    rgb = rng.integers(0, 256, (rows, cols, 3), dtype=np.uint8)
    paint = np.zeros((rows, cols), bool)
    for _ in range(int(rng.integers(1, 4))):  # thick strokes, some at the image edges
        r, c = int(rng.integers(0, rows)), int(rng.integers(0, cols))
        height, width = int(rng.integers(1, 30)), int(rng.integers(1, 6))
        if rng.random() < 0.5:
            height, width = width, height
        paint[max(r - height, 0) : r + height, max(c - width, 0) : c + width] = True
    for steps in (1, 3, 12):  # few steps leave thick strokes partly unpainted
        np.testing.assert_array_equal(
            paint_over(rgb, paint, max_steps=steps),
            _paint_over_whole_frame(rgb, paint, max_steps=steps),
        )


@pytest.mark.parametrize("seed", [3, 4, 5, 6])
def test_dark_label_boxes_skip_windows_without_enough_white(monkeypatch, seed):
    """``dark_label_boxes`` skips a candidate window holding fewer white pixels than any
    accepted box must (``MIN_LABEL_WHITE_PX``) before closing and labelling it: the same
    boxes as testing every window (the pre-check off), on rendered frames with device
    graphics plus grey patches carrying a few white specks (candidates that fail)."""
    from follicle.measure.render import RenderStyle, render_trichoscopy

    style = RenderStyle(text_bar=True, text_bar_style="dark", measuring_circle=True,
                        scale_bar_mm=1.0, noise_sd=3.0)  # fmt: skip
    image = render_trichoscopy(style=style, um_per_px=2.76, unit_count=9, seed=seed).image
    image = image.copy()
    rng = np.random.default_rng(seed)
    for _ in range(12):  # flat dark grey patches, some with white specks
        r, c = rng.integers(150, image.shape[0] - 60), rng.integers(0, image.shape[1] - 120)
        h, w = rng.integers(12, 50), rng.integers(30, 110)
        image[r : r + h, c : c + w] = 80
        specks = rng.integers(0, 16)
        image[r + rng.integers(0, h, specks), c + rng.integers(0, w, specks)] = 240
    skip = burnt_in.caption_rows(image)
    fast = burnt_in.dark_label_boxes(image, skip_rows=skip)
    monkeypatch.setattr(burnt_in, "MIN_LABEL_WHITE_PX", 0)
    assert fast == burnt_in.dark_label_boxes(image, skip_rows=skip)
