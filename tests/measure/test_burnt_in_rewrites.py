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


def _ruler_lines_full_frame(rgb, *, min_length_px=120):
    """``burnt_in.ruler_lines`` as it was: the colour test over the whole frame."""
    value, chroma = burnt_in._grey_value(rgb)
    mask = np.zeros(value.shape, bool)
    segments: list = []
    grey = chroma <= 30
    dark_line = value < 200
    chroma = chroma.astype(np.int16)
    for horizontal in (True, False):
        thin = np.zeros(value.shape, bool)
        # Grey, or at most half as coloured as the skin 4 px away on both sides: JPEG
        # keeps colour at half resolution, so a 2 px grey line over blue dye takes some.
        greyish = grey.copy()
        if horizontal:  # darker than the rows 4 above and below
            thin[4:-4] = (value[4:-4] < value[:-8] - 40) & (value[4:-4] < value[8:] - 40)
            greyish[4:-4] |= (2 * chroma[4:-4] <= chroma[:-8]) & (2 * chroma[4:-4] <= chroma[8:])
            thin &= dark_line & greyish
            counts = thin.sum(axis=1)
        else:  # darker than the columns 4 left and right (no transpose: stays fast)
            thin[:, 4:-4] = (value[:, 4:-4] < value[:, :-8] - 40) & (
                value[:, 4:-4] < value[:, 8:] - 40
            )
            greyish[:, 4:-4] |= (2 * chroma[:, 4:-4] <= chroma[:, :-8]) & (
                2 * chroma[:, 4:-4] <= chroma[:, 8:]
            )
            thin &= dark_line & greyish
            counts = thin.sum(axis=0)
        for row in np.flatnonzero(counts >= min_length_px * 0.5):
            line = thin[row] if horizontal else thin[:, row]
            # Pieces of at least 15 px, joined across gaps where hairs cross the line.
            pieces = [r for r in burnt_in._runs(line, max_gap=4) if r[1] - r[0] >= 15]
            for start, stop in burnt_in._join_runs(pieces, max_gap=80):
                if stop - start < min_length_px:
                    continue
                segments.append(
                    burnt_in.Segment(horizontal=horizontal, at=float(row), start=start, stop=stop)
                )
                for a, b in pieces:
                    if start <= a and b <= stop:
                        if horizontal:
                            mask[row, a:b] = True
                        else:
                            mask[a:b, row] = True
    # A 2-px line gives a segment on each of its rows: keep one (with the longer span).
    merged: list = []
    for seg in sorted(segments, key=lambda s: (s.horizontal, s.at, s.start)):
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.horizontal == seg.horizontal
            and seg.at - last.at <= 2
            and seg.start < last.stop
            and last.start < seg.stop
        ):
            merged[-1] = burnt_in.Segment(
                horizontal=seg.horizontal,
                at=(last.at + seg.at) / 2,
                start=min(last.start, seg.start),
                stop=max(last.stop, seg.stop),
            )
        else:
            merged.append(seg)
    return mask, merged


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ruler_lines_test_colour_on_candidate_rows_only(seed):
    """``ruler_lines`` tests the colour of the rows (columns) that hold enough thin dark
    pixels only: the same line mask and segments as testing the whole frame, on scale
    bars over plain and blue-dyed skin (4:2:0 JPEG) with dark hairs and grey lines of
    other colours and lengths about them."""
    import io

    from PIL import Image, ImageDraw

    from follicle.measure.render import _scale_bar

    rng = np.random.default_rng(seed)
    skin = [(205, 175, 160), (140, 158, 250)][seed % 2]
    image = np.clip(np.array(skin, float) + rng.normal(0, 3, (500, 700, 3)), 0, 255)
    image, _ = _scale_bar(image.astype(np.uint8), 260.0 + 30 * seed)
    pil = Image.fromarray(image)
    draw = ImageDraw.Draw(pil)
    for _ in range(15):  # hairs, and thin lines of other colours, some axis-aligned
        x, y = rng.integers(0, 700), rng.integers(0, 500)
        if rng.random() < 0.5:
            length = int(rng.integers(60, 400))
            end = (x + length, y) if rng.random() < 0.5 else (x, y + length)
            colour = tuple(int(v) for v in rng.integers(20, 140, 3))
            draw.line([(x, y), end], fill=colour, width=int(rng.integers(1, 3)))
        else:
            dx, dy = rng.normal(0, 120, 2)
            draw.line([(x, y), (x + dx, y + dy)], fill=(40, 30, 30), width=int(rng.integers(8, 30)))
    buffer = io.BytesIO()
    pil.save(buffer, format="JPEG", quality=85, subsampling=2)
    image = np.asarray(Image.open(buffer).convert("RGB"))
    mask, segments = burnt_in.ruler_lines(image)
    old_mask, old_segments = _ruler_lines_full_frame(image)
    assert segments == old_segments
    np.testing.assert_array_equal(mask, old_mask)
    assert len(segments) >= 2  # the bar's two arms at least
