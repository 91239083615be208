"""Device graphics burnt into trichoscopy images, found by shape and colour.

Video dermoscope software prints over the skin: a caption bar at the top or bottom (dark
grey boxes with white text, or a flat light grey strip), a red measuring circle with its
radius line, a label box with blue text ("r=2.519 mm"), and an L-shaped scale bar (thin
dark lines) with a dark "1.0 mm" label. Read as image content, their strokes become
"hairs". This module finds them so the analyser can ignore them, and reports the circle
and the scale bar, which calibrate the image (``calibration.image_scale``).

- **Caption bars**: rows at the top or bottom edge most of whose pixels are one flat grey
  (dark or light), with text inside; masked as whole rows.
- **Coloured strokes**: saturated red pixels (measuring circle, radius line); they are
  thin, so they are painted over from their surroundings (a hair crossing the circle
  stays whole).
- **Label boxes**: clusters of saturated blue text (a light label box) or compact flat
  dark-grey rectangles holding white text (dark labels), masked as their padded boxes.
- **Scale bar**: exactly horizontal or vertical thin dark lines far longer than any hair
  is straight, painted over like the strokes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from follicle.measure.binary_ops import close_square, dilate_square

CAPTION_MAX_ROWS = 120  # a caption bar is at most this high (or a quarter of the image)
MIN_RULER_PX = 120  # a scale bar is at least this long; straight hairs rarely are, 2 px thin
# The device's lines are 2 px thick at its 1280 x 1024 px: a line pixel has at most this
# many rows (columns) around it darker than half-way to the skin (all 29 dev scale bars
# pass at 2, unchanged; a 10 um hair along a row, 3.6 px at 2.76 um/px, does not).
MAX_LINE_PX = 2
LABEL_PAD_PX = 22  # label boxes reach this far beyond their text
# The fewest white pixels a dark label box can hold (``dark_label_boxes``: at least
# 0.85 x 400 box pixels, at least 3% of them white).
MIN_LABEL_WHITE_PX = int(np.ceil(0.03 * 0.85 * 400))


@dataclass(frozen=True, kw_only=True)
class Circle:
    """A measuring circle fitted to its stroke (pixels; the centre may lie outside)."""

    x: float
    y: float
    radius_px: float
    points: int  # stroke pixels on the circle
    arc_deg: float  # angular extent of the visible arc
    rms_px: float  # residual of the fit


@dataclass(frozen=True, kw_only=True)
class BurntIn:
    """What was found. ``paint`` pixels are replaced from their surroundings (thin
    strokes); ``blocked`` pixels are left out of the analysis (bars and label boxes)."""

    top_rows: int
    bottom_rows: int
    paint: np.ndarray  # bool (rows, cols)
    blocked: np.ndarray  # bool (rows, cols), caption rows included
    circles: tuple[Circle, ...] = ()
    ruler_px: float | None = None  # horizontal arm of an L-shaped scale bar (px)
    labels: tuple[tuple[int, int, int, int], ...] = ()  # (x0, y0, x1, y1) masked boxes
    notes: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> dict:
        return {
            "caption_rows": [self.top_rows, self.bottom_rows],
            "circles": [
                {"x": c.x, "y": c.y, "radius_px": c.radius_px, "arc_deg": c.arc_deg}
                for c in self.circles
            ],
            "ruler_px": self.ruler_px,
            "labels": [list(b) for b in self.labels],
            "notes": list(self.notes),
        }


def _grey_value(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value (max channel) and chroma (max - min), int16."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]  # (max over a last axis of 3 is slow)
    high = np.maximum(np.maximum(r, g), b).astype(np.int16)
    return high, high - np.minimum(np.minimum(r, g), b)


def caption_rows(rgb: np.ndarray, *, max_rows: int = CAPTION_MAX_ROWS) -> tuple[int, int]:
    """Rows of a caption bar at the top and at the bottom (0 if none).

    Two kinds: a light strip of one exact grey across the whole row, or dark grey boxes
    (far darker than the skin, one grey level) holding white text. Pale skin can be grey
    and flat too, but never across whole rows nor as dark as the boxes. A bar may start a
    few rows below the edge.
    """
    rows = rgb.shape[0]
    limit = min(max_rows, rows // 4)
    skin_level = float(np.median(_grey_value(rgb[::8, ::8])[0]))

    def bar_flags(band: np.ndarray) -> np.ndarray:
        value, chroma = _grey_value(band)
        flags = np.zeros(len(band), bool)
        grey = chroma <= 8
        if grey.any():
            level = int(np.bincount(value[grey].ravel()).argmax())
            flags |= (grey & (np.abs(value - level) <= 6)).mean(axis=1) > 0.9
        dark = (chroma <= 14) & (value < 0.7 * skin_level)
        if dark.any():
            level = int(np.bincount(value[dark].ravel()).argmax())
            flags |= (dark & (np.abs(value - level) <= 10)).mean(axis=1) > 0.25
        return flags

    def extent(flags: np.ndarray) -> int:
        first = np.flatnonzero(flags[:10])
        if not len(first):
            return 0
        last = int(first[0])
        for k in range(int(first[0]), len(flags)):
            if flags[k]:
                last = k
            elif k - last > 6:  # a few text rows inside the bar
                break
        height = last + 1 - int(first[0])
        return last + 3 if height >= 8 else 0  # plus the bar's anti-aliased edge

    top = extent(bar_flags(rgb[:limit]))
    bottom = extent(bar_flags(rgb[rows - limit :][::-1]))
    return top, bottom


def red_strokes(rgb: np.ndarray) -> np.ndarray:
    """Saturated red pixels: the measuring circle and its radius line (skin, blood and
    reddening are far less saturated)."""
    r = rgb[..., 0].astype(np.int16)
    return ((r - np.maximum(rgb[..., 1], rgb[..., 2])) > 90) & (r > 150)


def fit_circle(
    x: np.ndarray, y: np.ndarray, *, seed: int = 0, tolerance_px: float = 2.0
) -> Circle | None:
    """The circle through most of the points (RANSAC on 3-point circles, then a least
    squares refit on the inliers): a radius line drawn with the circle is left out."""
    if len(x) < 30:
        return None
    rng = np.random.default_rng(seed)
    # A long straight stroke (the radius line) would pass for a huge circle: take it out.
    on_line = _line_points(x, y, rng=rng, tolerance_px=tolerance_px)
    if on_line.sum() >= 200 and (~on_line).sum() >= 30:
        x, y = x[~on_line], y[~on_line]
    # Candidates are scored on a fixed subsample (speed); the refit uses every point.
    pick = rng.choice(len(x), min(len(x), 800), replace=False)
    xs, ys = x[pick], y[pick]
    spread = 0.15 * float(np.hypot(np.ptp(x), np.ptp(y)))
    # 600 random triples, drawn first and then scored together (the same draws, circles
    # and counts as one triple at a time; the first best wins, as in a loop).
    triples = np.array([rng.choice(len(x), 3, replace=False) for _ in range(600)])
    px, py = x[triples], y[triples]
    gaps = np.hypot(px - np.roll(px, 1, axis=1), py - np.roll(py, 1, axis=1))
    apart = gaps.min(axis=1) >= spread  # close points fix a circle too loosely
    centres_x, centres_y, radii = _circles_through(px[apart], py[apart])
    # Three pixels of a short arc fix the circle only roughly: score loosely.
    counts = np.zeros(len(radii), np.int64)
    for start in range(0, len(radii), 100):  # in blocks: 100 x 800 distances at a time
        part = slice(start, start + 100)
        distance = np.hypot(xs - centres_x[part, None], ys - centres_y[part, None])
        counts[part] = np.sum(np.abs(distance - radii[part, None]) < 3 * tolerance_px, axis=1)
    if not len(counts) or counts.max() <= 0:
        return None
    best = int(np.argmax(counts))
    cx, cy, r = centres_x[best], centres_y[best], float(radii[best])
    for tolerance in (3 * tolerance_px, 2 * tolerance_px, tolerance_px, tolerance_px):
        inliers = np.abs(np.hypot(x - cx, y - cy) - r) < tolerance
        if inliers.sum() < 3:
            return None
        cx, cy, r = _least_squares_circle(x[inliers], y[inliers])
    inliers = np.abs(np.hypot(x - cx, y - cy) - r) < tolerance_px
    residual = np.hypot(x[inliers] - cx, y[inliers] - cy) - r
    angles = np.sort(np.arctan2(y[inliers] - cy, x[inliers] - cx))
    gaps = np.diff(np.r_[angles, angles[0] + 2 * np.pi])
    arc = 360.0 - float(np.degrees(gaps.max())) if len(angles) > 1 else 0.0
    return Circle(
        x=float(cx),
        y=float(cy),
        radius_px=float(r),
        points=int(inliers.sum()),
        arc_deg=arc,
        rms_px=float(np.sqrt(np.mean(residual**2))),
    )


def _line_points(x: np.ndarray, y: np.ndarray, *, rng, tolerance_px: float) -> np.ndarray:
    """Points on the straight line through most of them (RANSAC on point pairs)."""
    best = np.zeros(len(x), bool)
    for _ in range(200):
        i, j = rng.choice(len(x), 2, replace=False)
        dx, dy = x[j] - x[i], y[j] - y[i]
        norm = float(np.hypot(dx, dy))
        if norm < 20:
            continue
        near = np.abs((x - x[i]) * dy - (y - y[i]) * dx) / norm < tolerance_px
        if near.sum() > best.sum():
            best = near
    return best


def _circles_through(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centres and radii of the circles through each row's three points (k x 3 arrays);
    rows of (nearly) collinear points are left out."""
    x, y = x.astype(float), y.astype(float)
    x1, x2, x3 = x[:, 0], x[:, 1], x[:, 2]
    y1, y2, y3 = y[:, 0], y[:, 1], y[:, 2]
    d = 2 * (x1 * (y2 - y3) + x2 * (y3 - y1) + x3 * (y1 - y2))
    fits = np.abs(d) >= 1e-6
    x1, x2, x3, y1, y2, y3, d = (v[fits] for v in (x1, x2, x3, y1, y2, y3, d))
    s1, s2, s3 = x1**2 + y1**2, x2**2 + y2**2, x3**2 + y3**2
    cx = (s1 * (y2 - y3) + s2 * (y3 - y1) + s3 * (y1 - y2)) / d
    cy = (s1 * (x3 - x2) + s2 * (x1 - x3) + s3 * (x2 - x1)) / d
    return cx, cy, np.hypot(x1 - cx, y1 - cy)


def _least_squares_circle(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Algebraic (Kasa) fit: x^2 + y^2 = a x + b y + c."""
    x, y = x.astype(float), y.astype(float)
    a = np.stack([x, y, np.ones_like(x)], axis=1)
    (p, q, c), *_ = np.linalg.lstsq(a, x**2 + y**2, rcond=None)
    cx, cy = p / 2, q / 2
    return cx, cy, float(np.sqrt(c + cx**2 + cy**2))


def blue_label_boxes(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes around clusters of saturated blue text (measurement labels). Blue dye is paler
    (red and green stay above ~110) and forms blobs, not strokes."""
    rg = np.maximum(rgb[..., 0], rgb[..., 1]).astype(np.int16)
    text = ((rgb[..., 2] - rg) > 110) & (rg < 110)
    return _text_clusters(text, min_pixels=150)


def dark_label_boxes(
    rgb: np.ndarray, *, skip_rows: tuple[int, int], grey_value=None, max_chroma: int = 14
) -> list[tuple[int, int, int, int]]:
    """Flat dark-grey rectangles holding white text (scale-bar labels, caption boxes that
    do not span the image). Candidates are found at 1/4 resolution, checked at full.
    ``max_chroma``: how far from neutral grey the box may be (JPEG smears the colour of
    the skin into small boxes; looser only where a label is expected)."""
    value, chroma = grey_value if grey_value is not None else _grey_value(rgb)
    grey = (chroma <= max_chroma) & (value >= 45) & (value <= 130)
    white = (chroma <= 30) & (value >= 215)
    top, bottom = skip_rows
    for m in (grey, white):
        m[:top] = False
        if bottom:
            m[-bottom:] = False
    small, n_small = ndimage.label(_block_share(grey | white, 4) >= 0.75)
    # Components of fewer than 5 cells cannot be 5 wide: dropped before their boxes are
    # made (often thousands of specks); the others keep their order.
    sized = np.bincount(small.ravel(), minlength=n_small + 1) >= 5
    sized[0] = False
    renumber = np.zeros(n_small + 1, small.dtype)
    renumber[sized] = np.arange(1, int(sized.sum()) + 1)
    boxes = []
    for window_small in ndimage.find_objects(renumber[small]):
        hs = window_small[0].stop - window_small[0].start
        ws = window_small[1].stop - window_small[1].start
        if hs < 2 or ws < 5:
            continue
        r0, c0 = max(window_small[0].start * 4 - 8, 0), max(window_small[1].start * 4 - 8, 0)
        outer = (
            slice(r0, window_small[0].stop * 4 + 8),
            slice(c0, window_small[1].stop * 4 + 8),
        )
        # A box passing the tests below holds at least 0.85 x 400 pixels, 3% of them
        # white: a window with fewer white pixels fails them (most do: grey skin, hairs).
        if np.count_nonzero(white[outer]) < MIN_LABEL_WHITE_PX:
            continue
        local = _close_square(grey[outer] | white[outer], 5)
        lab, n = ndimage.label(local)
        if n == 0:
            continue
        region = lab == int(np.bincount(lab.ravel())[1:].argmax()) + 1
        rows, cols = np.flatnonzero(region.any(axis=1)), np.flatnonzero(region.any(axis=0))
        inner = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
        region = region[inner]
        h, w = region.shape
        if not (10 <= h <= 80 and w >= 24 and h * w >= 400):
            continue
        if region.mean() < 0.85:  # a rectangle fills its bounding box
            continue
        window = (
            slice(r0 + inner[0].start, r0 + inner[0].stop),
            slice(c0 + inner[1].start, c0 + inner[1].stop),
        )
        g = grey[window] & region
        if g.sum() < 0.4 * region.sum() or white[window][region].mean() < 0.03:
            continue
        if np.std(value[window][g]) > 14:  # a flat box, not a shaded hair
            continue
        boxes.append(
            (int(window[1].start), int(window[0].start), int(window[1].stop), int(window[0].stop))
        )
    return boxes


def _close_square(mask: np.ndarray, size: int) -> np.ndarray:
    """``binary_closing`` by a size x size square (border 0): ``binary_ops.close_square``,
    the same pixels as separable maximum and minimum filters, cheaper."""
    return close_square(mask, size)


def _block_share(mask: np.ndarray, factor: int) -> np.ndarray:
    """Share of True pixels in each factor x factor block (float64). An integer count,
    then the share: the same values as a float mean. The count is summed from strided
    slices (``factor`` adds per axis), far cheaper than a sum over reshaped block axes,
    and exact in any order."""
    rows, cols = (mask.shape[0] // factor) * factor, (mask.shape[1] // factor) * factor
    m = mask[:rows, :cols].view(np.uint8)
    across = m[:, 0::factor].astype(np.uint16)
    for k in range(1, factor):
        across += m[:, k::factor]
    count = across[0::factor].copy()
    for k in range(1, factor):
        count += across[k::factor]
    return count / factor**2


def _text_clusters(text: np.ndarray, *, min_pixels: int) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (full resolution) of clusters of text pixels: letters a few pixels
    apart are joined at 1/4 resolution."""
    if text.sum() < min_pixels:
        return []
    factor = 4
    share = _block_share(text, factor)
    grown = ndimage.binary_dilation(share > 0, iterations=3)
    labels, n = ndimage.label(grown)
    counts = ndimage.sum(share * factor**2, labels, index=np.arange(1, n + 1))
    boxes = []
    for index, window in enumerate(ndimage.find_objects(labels), start=1):
        if window is not None and counts[index - 1] >= min_pixels:
            boxes.append(
                (
                    window[1].start * factor,
                    window[0].start * factor,
                    window[1].stop * factor,
                    window[0].stop * factor,
                )
            )
    return boxes


@dataclass(frozen=True, kw_only=True)
class Segment:
    """A straight axis-aligned stroke: ``horizontal`` at row ``at`` from ``start`` to
    ``stop`` columns (or vertical at column ``at``, rows ``start``..``stop``)."""

    horizontal: bool
    at: float
    start: float
    stop: float

    @property
    def length_px(self) -> float:
        return float(self.stop - self.start)


def ruler_lines(
    rgb: np.ndarray, *, min_length_px: int = MIN_RULER_PX, grey_value=None
) -> tuple[np.ndarray, list[Segment]]:
    """Thin, exactly horizontal or vertical dark grey lines (the arms of a scale bar):
    pixels darker by 40 levels than the pixels 4 rows (columns) away on both sides, in a
    straight run of at least ``min_length_px``. Returns the line mask and the segments
    (a 2-px line gives one segment)."""
    value, chroma = grey_value if grey_value is not None else _grey_value(rgb)
    mask = np.zeros(value.shape, bool)
    segments: list[Segment] = []
    dark_line = value < 200
    lowered = value.astype(np.int16) - 40  # "darker by 40" compares with these
    for horizontal in (True, False):
        thin = np.zeros(value.shape, bool)
        if horizontal:  # darker than the rows 4 above and below
            thin[4:-4] = (value[4:-4] < lowered[:-8]) & (value[4:-4] < lowered[8:])
        else:  # darker than the columns 4 left and right (no transpose: stays fast)
            thin[:, 4:-4] = (value[:, 4:-4] < lowered[:, :-8]) & (value[:, 4:-4] < lowered[:, 8:])
        thin &= dark_line
        # The colour test only on the rows (columns) that can still hold a line: a row
        # needs that many thin pixels before it, and it leaves the others out anyway.
        counts = thin.sum(axis=1 if horizontal else 0)
        for row in np.flatnonzero(counts >= min_length_px * 0.5):
            line = _greyish(thin, chroma, row, horizontal=horizontal)
            line &= _as_thin_as_a_device_line(value, row, horizontal=horizontal)
            if line.sum() < min_length_px * 0.5:
                continue
            # Pieces of at least 15 px, joined across gaps where hairs cross the line.
            pieces = [r for r in _runs(line, max_gap=4) if r[1] - r[0] >= 15]
            for start, stop in _join_runs(pieces, max_gap=80):
                if stop - start < min_length_px:
                    continue
                segments.append(
                    Segment(horizontal=horizontal, at=float(row), start=start, stop=stop)
                )
                for a, b in pieces:
                    if start <= a and b <= stop:
                        if horizontal:
                            mask[row, a:b] = True
                        else:
                            mask[a:b, row] = True
    # A 2-px line gives a segment on each of its rows: keep one (with the longer span).
    merged: list[Segment] = []
    for seg in sorted(segments, key=lambda s: (s.horizontal, s.at, s.start)):
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.horizontal == seg.horizontal
            and seg.at - last.at <= 2
            and seg.start < last.stop
            and last.start < seg.stop
        ):
            merged[-1] = Segment(
                horizontal=seg.horizontal,
                at=(last.at + seg.at) / 2,
                start=min(last.start, seg.start),
                stop=max(last.stop, seg.stop),
            )
        else:
            merged.append(seg)
    return mask, merged


def _as_thin_as_a_device_line(value: np.ndarray, at: int, *, horizontal: bool) -> np.ndarray:
    """Along row (column) ``at``: at most ``MAX_LINE_PX`` of the 7 rows (columns) around
    it are darker than half-way between it and the skin 4 away on both sides. The
    device's lines are 2 px thick; a thin hair lying exactly along a row (a vellus hair,
    10-20 um: 3.6-7 px at 2.76 um/px) is darker than the skin 4 rows away too, but over
    more rows. ``at`` lies 4 or more from the frame's edges."""
    v = value.astype(np.int16)
    across = v[at - 4 : at + 5] if horizontal else v[:, at - 4 : at + 5].T
    half = (across[4] + (across[0] + across[8]) // 2) // 2
    return (across[1:8] < half).sum(axis=0) <= MAX_LINE_PX


def _greyish(thin: np.ndarray, chroma: np.ndarray, at: int, *, horizontal: bool) -> np.ndarray:
    """The ``thin`` pixels of row (or column) ``at`` that are grey (chroma <= 30) or at
    most half as coloured as the pixels 4 rows (columns) away on both sides: JPEG keeps
    colour at half resolution, so a 2 px grey line over blue dye takes some. ``at`` lies
    4 or more from the frame's edges (``thin`` is empty there)."""
    if horizontal:
        line, here, before, after = thin[at], chroma[at], chroma[at - 4], chroma[at + 4]
    else:
        line, here = thin[:, at], chroma[:, at]
        before, after = chroma[:, at - 4], chroma[:, at + 4]
    here = here.astype(np.int16)
    return line & ((here <= 30) | ((2 * here <= before) & (2 * here <= after)))


def _runs(flags: np.ndarray, *, max_gap: int) -> list[tuple[int, int]]:
    """(start, stop) of True runs, joining runs separated by at most ``max_gap``."""
    padded = np.r_[False, flags, False].astype(np.int8)
    edges = np.diff(padded)
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return _join_runs(list(zip(starts.tolist(), stops.tolist(), strict=True)), max_gap=max_gap)


def _join_runs(runs: list[tuple[int, int]], *, max_gap: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, stop in runs:
        if out and start - out[-1][1] <= max_gap:
            out[-1] = (out[-1][0], int(stop))
        else:
            out.append((int(start), int(stop)))
    return out


def join_collinear(segments: list[Segment], *, max_gap_px: int = 80) -> list[Segment]:
    """Join pieces of one stroke broken where hairs cross it (same line, short gap)."""
    out: list[Segment] = []
    for s in sorted(segments, key=lambda s: (s.horizontal, round(s.at), s.start)):
        last = out[-1] if out else None
        if (
            last is not None
            and last.horizontal == s.horizontal
            and abs(last.at - s.at) <= 2
            and s.start - last.stop <= max_gap_px
        ):
            out[-1] = Segment(
                horizontal=s.horizontal,
                at=last.at,
                start=last.start,
                stop=max(last.stop, s.stop),
            )
        else:
            out.append(s)
    return out


def scale_bar_arm(
    segments: list[Segment], *, corner_px: float = 8.0, max_gap_px: float = 80.0
) -> tuple[Segment, bool] | None:
    """The longest horizontal arm of an L-shaped scale bar, measured from its corner, and
    whether the corner is at its start (left end).

    The corner is where the two arms' lines cross. Each arm ends there (within
    ``corner_px``) or stops short of it by at most ``max_gap_px``: a hair lying across
    the bar near its corner hides a piece of either arm (the gap ``join_collinear``
    bridges along one stroke). The arm runs from the corner, not from its first dark
    pixel: beside the vertical arm the horizontal one fails the line test (the pixels 4
    rows away are the vertical arm, dark too), so its run starts a few pixels short."""
    segments = join_collinear(segments)

    def reaches(gap: float) -> bool:  # an end this far short of the corner (< 0: past it)
        return -corner_px <= gap <= max_gap_px

    best = None
    for h in (s for s in segments if s.horizontal):
        for v in (s for s in segments if not s.horizontal):
            if not (reaches(v.start - h.at) or reaches(h.at - v.stop)):
                continue
            for at_start, gap in ((True, h.start - v.at), (False, v.at - h.stop)):
                if not reaches(gap):
                    continue
                arm = Segment(
                    horizontal=True,
                    at=h.at,
                    start=v.at if at_start else h.start,
                    stop=h.stop if at_start else v.at,
                )
                if best is None or arm.length_px > best[0].length_px:
                    best = (arm, at_start)
    return best


def scale_bar_without_corner(segments: list[Segment]) -> tuple[Segment, bool] | None:
    """Both arms of a scale bar whose corner a hair hides over more than
    ``scale_bar_arm``'s gap: the longest horizontal stroke and whether its start is the
    corner's end (the end nearer the vertical stroke's line), for the label search
    beyond its other end. Its length is unknown. None without strokes of both kinds (a
    lone straight stroke need not be a scale bar)."""
    segments = join_collinear(segments)
    horizontal = [s for s in segments if s.horizontal]
    vertical = [s for s in segments if not s.horizontal]
    if not horizontal or not vertical:
        return None
    h = max(horizontal, key=lambda s: s.length_px)
    v = min(vertical, key=lambda s: min(abs(h.start - s.at), abs(h.stop - s.at)))
    return h, abs(h.start - v.at) <= abs(h.stop - v.at)


def bar_end_hidden(
    value: np.ndarray, arm: Segment, corner_at_start: bool, *, reach_px: int = 8
) -> bool:
    """Whether the scale bar's far end may lie further on, under a hair: the pixels just
    beyond it along the arm are darker than the skin beside the arm by the line test's
    40 levels (a bar ends on skin; its label box starts about 14 px further on), or the
    end is within ``reach_px`` of the frame's edge. Its length is then unknown."""
    row, cols = round(arm.at), value.shape[1]
    if corner_at_start:
        end = int(arm.stop)
        first, last = end + 2, end + 2 + reach_px
    else:
        end = int(np.ceil(arm.start))
        first, last = end - 2 - reach_px, end - 2
    if first < 0 or last > cols or row < 8 or row + 9 > value.shape[0]:
        return True
    beyond = float(np.median(value[row - 1 : row + 2, first:last]))
    lo, hi = int(min(arm.start, arm.stop)), int(max(arm.start, arm.stop))
    skin = float(np.median(np.r_[value[row - 8, lo:hi], value[row + 8, lo:hi]]))
    return beyond < skin - 40


def scale_bar_label(
    rgb: np.ndarray, found: tuple[Segment, bool] | None, *, grey_value=None
) -> list[tuple[int, int, int, int]]:
    """The dark label box ("1.0 mm") printed just beyond the free end of the scale bar's
    horizontal arm (``found``: ``scale_bar_arm``), searched there only. A hair touching
    the box joins it in any grey mask (and JPEG smears the skin's colour into the small
    box), so the label is found by its white text: the largest cluster of white pixels
    there (``_text_clusters`` pads it by about the box's margin) standing on grey."""
    if found is None:
        return []
    arm, corner_at_start = found
    reach = int(0.6 * arm.length_px) + 20
    rows = slice(max(int(arm.at) - reach // 3, 0), min(int(arm.at) + reach // 3, rgb.shape[0]))
    if corner_at_start:
        end = int(arm.stop)
        cols = slice(min(end + 2, rgb.shape[1]), min(end + 2 + reach, rgb.shape[1]))
    else:
        end = int(arm.start)
        cols = slice(max(end - 2 - reach, 0), max(end - 2, 0))
    if rows.stop - rows.start < 12 or cols.stop - cols.start < 28:
        return []
    value, chroma = grey_value if grey_value is not None else _grey_value(rgb)
    value, chroma = value[rows, cols], chroma[rows, cols]
    # Under a strong colour cast (bluish light: skin chroma 70-80 against the usual
    # 30-50) the box takes some of the skin's tint (dev images: (62, 61, 93) and
    # (65, 70, 104), chroma 32-39): the limit grows with the skin's chroma (the window
    # is mostly skin).
    grey_limit = max(32.0, 0.6 * float(np.median(chroma)))
    grey = (chroma <= grey_limit) & (value >= 45) & (value <= 130)
    # Text: white strokes inside grey (the grey closed over them); a highlight on bright
    # skin, or skin beside a hair's grey edge, is not.
    white = (chroma <= 40) & (value >= 200) & _close_square(grey, 7)
    labels = [
        (x0, y0, x1, y1)
        for x0, y0, x1, y1 in _text_clusters(white, min_pixels=60)
        if 10 <= y1 - y0 <= 80 and x1 - x0 >= 24 and grey[y0:y1, x0:x1].mean() >= 0.3
    ]
    if not labels:
        return []
    x0, y0, x1, y1 = max(labels, key=lambda b: white[b[1] : b[3], b[0] : b[2]].sum())
    return [(cols.start + x0, rows.start + y0, cols.start + x1, rows.start + y1)]


def find_burnt_in(rgb: np.ndarray, *, captions: bool = True) -> BurntIn:
    """Everything the device printed over the image (see the module docstring)."""
    shape = rgb.shape[:2]
    top, bottom = caption_rows(rgb) if captions else (0, 0)
    blocked = np.zeros(shape, bool)
    blocked[:top] = True
    if bottom:
        blocked[shape[0] - bottom :] = True
    red = red_strokes(rgb)
    circles = []
    if red.sum() >= 200:
        ys, xs = np.nonzero(red)
        circle = fit_circle(xs.astype(float), ys.astype(float))
        # A real stroke: many points, a visible arc, a good fit, a plausible radius.
        if (
            circle is not None
            and circle.points >= 150
            and circle.arc_deg >= 20
            and circle.rms_px < 1.5
            and 40 <= circle.radius_px <= 4 * max(shape)
        ):
            circles.append(circle)
    grey_value = _grey_value(rgb)
    ruler, segments = ruler_lines(rgb, grey_value=grey_value)
    strokes = red | ruler
    if strokes.any():  # a 5 x 5 square around each stroke pixel
        strokes = dilate_square(strokes, 2)
    paint = strokes & ~blocked
    labels = blue_label_boxes(rgb) + dark_label_boxes(
        rgb, skip_rows=(top, bottom), grey_value=grey_value
    )
    arm, notes = scale_bar_arm(segments), []
    cornerless = scale_bar_without_corner(segments) if arm is None else None
    labels += scale_bar_label(rgb, arm or cornerless, grey_value=grey_value)
    end_hidden = arm is not None and bar_end_hidden(grey_value[0], *arm)
    if end_hidden:
        notes.append(
            "scale bar: its far end is hidden (under a hair or beyond the frame), so its "
            "length is unknown and it does not calibrate this image"
        )
    elif cornerless is not None:
        notes.append(
            "scale bar: its corner is hidden (under a hair), so its length is unknown and "
            "it does not calibrate this image"
        )
    for x0, y0, x1, y1 in labels:
        blocked[
            max(y0 - LABEL_PAD_PX, 0) : y1 + LABEL_PAD_PX,
            max(x0 - LABEL_PAD_PX, 0) : x1 + LABEL_PAD_PX,
        ] = True
    return BurntIn(
        top_rows=top,
        bottom_rows=bottom,
        paint=paint & ~blocked,
        blocked=blocked,
        circles=tuple(circles),
        ruler_px=None if arm is None or end_hidden else arm[0].length_px,
        labels=tuple(labels),
        notes=tuple(notes),
    )


def paint_over(rgb: np.ndarray, paint: np.ndarray, *, max_steps: int = 12) -> np.ndarray:
    """Replace thin stroke pixels from their surroundings, peeling the stroke from its
    edges inwards: each step fills the painted pixels next to known ones with the mean of
    their known 8 neighbours. Values come from the nearest pixels on each side, so a hair
    crossing a stroke stays whole with sharp edges. Works on the stroke pixels only."""
    if not paint.any():
        return rgb
    out = rgb.copy()
    rr, cc = np.nonzero(paint)
    # Work in the strokes' bounding box grown by one pixel (all their neighbours), or up
    # to the image edge, where neighbours are clipped the same way as on the whole frame.
    r0, c0 = max(int(rr.min()) - 1, 0), max(int(cc.min()) - 1, 0)
    box = (slice(r0, int(rr.max()) + 2), slice(c0, int(cc.max()) + 2))
    rr, cc = rr - r0, cc - c0
    values = out[box].astype(np.float32)  # only stroke pixels are written
    known = ~paint[box]
    rows_n, cols_n = known.shape
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
    painted = paint[box] & known
    out[box][painted] = np.clip(np.rint(values[painted]), 0, 255).astype(rgb.dtype)
    return out
