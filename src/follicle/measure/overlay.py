"""Overlay image: what the analyser found, drawn over the input so a person can check it.

Shaft centre lines are coloured by diameter class (red thin < 30 um, orange vellus or
intermediate, green terminal), each exit point is a circle with the hair number,
hairs of one follicular unit share a white link to the unit's first exit, yellow dots
are yellow rings, a masked text bar is hatched out and masked label boxes are outlined
in grey. The counting frame (the field minus masks and the guard zone) is outlined in
dotted white; a hair whose exit lies outside it is seen but not counted: its exit circle
is grey and its label in brackets. Hairs added by hand are numbered "+12:35", parts of
a hair split by hand "*5:60", and the caption counts the corrections. The caption
goes in the corner where it hides the fewest centre lines and labels.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from follicle.measure.analyze import ImageAnalysis
from follicle.measure.binary_ops import erode_square
from follicle.measure.corrections import applied_counts
from follicle.measure.fonts import sized_font
from follicle.measure.hairs_table import DEFAULT_CUTOFFS, DiameterCutoffs
from follicle.measure.metrics import counted_hairs
from follicle.measure.scale_bar import scale_bar_box

NOT_COUNTED = (150, 150, 150)
THIN = (230, 30, 30)
MIDDLE = (255, 150, 0)
TERMINAL = (40, 210, 60)
EDIT_MARKS = {"added": "+", "split": "*"}  # label prefixes of hairs corrected by hand


def label_font(image_width_px: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's own font at 1/64 of the image width (20 px on a 1280 px image, at least
    11): the labels stay readable when the overlay is shown half-page wide (visit
    report); the 10 px bitmap font where Pillow has no FreeType."""
    return sized_font(max(11, round(image_width_px / 64)))


def class_colour(diameter_um: float, cutoffs: DiameterCutoffs) -> tuple[int, int, int]:
    if diameter_um < cutoffs.thin_below_um:
        return THIN
    if diameter_um < cutoffs.terminal_min_um:
        return MIDDLE
    return TERMINAL


def render_overlay(
    image: np.ndarray, analysis: ImageAnalysis, *, cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS
) -> np.ndarray:
    """An RGB uint8 image: the input with the findings drawn on top."""
    pil = Image.fromarray(_with_frame_outline(image, analysis.counting_frame)).convert("RGB")
    draw = ImageDraw.Draw(pil)
    scale = analysis.um_per_px
    rows, cols = analysis.image_shape
    font = label_font(cols)
    # White text with a dark outline reads on pale skin as on dark hair.
    text = {"font": font, "fill": (255, 255, 255), "stroke_width": 2, "stroke_fill": (0, 0, 0)}
    line_px = font.getbbox("0:0")[3]
    top, bottom = analysis.excluded_rows
    for y0, y1 in ((0, top), (rows - bottom, rows)):
        if y1 > y0:
            for x in range(-rows, cols, 12):
                draw.line([(x, y0), (x + (y1 - y0), y1)], fill=(120, 120, 120))
    for x0, y0, x1, y1 in analysis.burnt_in.get("labels", []):  # masked label boxes
        draw.rectangle([x0, y0, x1, y1], outline=(120, 120, 120), width=1)
        draw.text((x0 + 2, y0 + 2), "masked", font=font, fill=(120, 120, 120))
    hairs = analysis.hairs
    first_exit: dict[int, tuple[float, float]] = {}
    labels: list[tuple[float, float, float, float]] = []  # boxes of the labels drawn
    for row in hairs.itertuples():
        colour = class_colour(row.diameter_um, cutoffs)
        for run in analysis.centerlines_px.get(row.hair_id, ()):
            points = [(float(c), float(r)) for r, c in run[:: max(len(run) // 60, 1)]]
            if len(points) > 1:
                draw.line(points, fill=colour, width=2)
        ex, ey = row.x_um / scale, row.y_um / scale
        radius = max(row.diameter_um / scale, 4)
        in_frame = bool(getattr(row, "exit_in_field", True))
        ring = colour if in_frame else NOT_COUNTED
        draw.ellipse([ex - radius, ey - radius, ex + radius, ey + radius], outline=ring, width=2)
        mark = EDIT_MARKS.get(getattr(row, "correction", ""), "")  # corrected by hand
        label = f"{mark}{row.hair_id}:{row.diameter_um:.0f}"
        label = label if in_frame else f"({label})"
        width = draw.textlength(label, font=font)
        x = ex + radius + 3
        if x + width > cols:  # at the right frame: to the left of the circle
            x = ex - radius - 3 - width
        at = _free_spot(draw, labels, (x, ey - line_px / 2), label, font)
        draw.text(at, label, **text)
        if row.unit_id in first_exit:
            draw.line([first_exit[row.unit_id], (ex, ey)], fill=(255, 255, 255), width=1)
        else:
            first_exit[row.unit_id] = (ex, ey)
    for x_um, y_um in analysis.yellow_dots_um:
        x, y, r = x_um / scale, y_um / scale, 60 / scale
        draw.ellipse([x - r, y - r, x + r, y + r], outline=(255, 230, 0), width=2)
    counted = counted_hairs(hairs)  # the caption counts what the metrics count
    n, outside = len(counted), len(hairs) - len(counted)
    thin = int((counted["diameter_um"] < cutoffs.thin_below_um).sum())
    seen = f" ({outside} more not counted: exit outside the frame)" if outside else ""
    caption = (
        f"follicle: {n} hairs{seen}, {counted['unit_id'].nunique()} units, {thin} thin, "
        f"{len(analysis.yellow_dots_um)} yellow dots, {scale:.3g} um/px"
    )
    edits = applied_counts(analysis)
    if edits is not None:
        caption += (
            f"; by hand: {edits['removed']} removed, +{edits['added']} added, "
            f"*{edits['split']} split"
        )
    drawn = np.concatenate(
        [run for runs in analysis.centerlines_px.values() for run in runs] or [np.zeros((0, 2))]
    )
    # The caption on one line, or on lines half as long, in whichever corner hides least;
    # the reports draw a scale bar at the bottom right, which it must not run under.
    reserved = scale_bar_box((rows, cols), um_per_px=scale)
    best = None
    for max_width_px in (cols - 8, cols / 2 - 8):
        text_block = _wrapped(draw, caption, font, max_width_px=max_width_px)
        box_w, box_h = (v + 8 for v in draw.multiline_textbbox((0, 0), text_block, font=font)[2:])
        (x0, y0), cost = _caption_corner(
            drawn, labels, size=(box_w, box_h), shape=(rows, cols), bars=(top, bottom),
            reserved=reserved,
        )  # fmt: skip
        if best is None or cost < best[0]:
            best = (cost, text_block, x0, y0, box_w, box_h)
    _, text_block, x0, y0, box_w, box_h = best
    draw.rectangle([x0, y0, x0 + box_w, y0 + box_h], fill=(0, 0, 0))
    draw.multiline_text((x0 + 4, y0 + 2), text_block, font=font, fill=(255, 255, 255))
    return np.asarray(pil).copy()


def _wrapped(
    draw: ImageDraw.ImageDraw,
    caption: str,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
    *,
    max_width_px: float,
) -> str:
    """The caption broken after its commas into lines no wider than ``max_width_px``
    (a narrow image would cut a one-line caption off)."""
    lines: list[str] = []
    for part in caption.replace(", ", ",\n").split("\n"):
        if lines and draw.textlength(lines[-1] + " " + part, font=font) <= max_width_px:
            lines[-1] += " " + part
        else:
            lines.append(part)
    return "\n".join(lines)


def _caption_corner(
    drawn_rc: np.ndarray,
    labels: list[tuple[float, float, float, float]],
    *,
    size: tuple[float, float],
    shape: tuple[int, int],
    bars: tuple[int, int],
    reserved: tuple[float, float, float, float] | None = None,
) -> tuple[tuple[float, float], int]:
    """Top-left corner (x, y) of the caption box: of the top-left, top-right and
    bottom-left corners of the field (inside masked caption bars; the scale bar takes the
    bottom right), the one covering the fewest centre-line pixels and hair labels, so the
    caption hides as little of what it describes as it can; a spot overlapping the
    ``reserved`` box (x0, y0, x1, y1) only when all do. Ties go to the top left. Returns
    the corner and its cost (centre-line pixels covered + 20 per label)."""
    rows, cols = shape
    width, height = size
    top, bottom = bars
    spots = [(0.0, float(top)), (max(cols - width, 0.0), float(top))]
    spots.append((0.0, max(rows - bottom - height, float(top))))
    best, best_cost = spots[0], None
    for x, y in spots:
        inside = (
            (drawn_rc[:, 1] >= x)
            & (drawn_rc[:, 1] <= x + width)
            & (drawn_rc[:, 0] >= y)
            & (drawn_rc[:, 0] <= y + height)
        )
        covered = sum(_overlap((x, y, x + width, y + height), b) for b in labels)
        cost = int(inside.sum()) + 20 * covered  # a label hidden costs a hair's worth of line
        if reserved is not None and _overlap((x, y, x + width, y + height), reserved):
            cost += drawn_rc.shape[0] + 20 * len(labels) + 1  # worse than any other spot
        if best_cost is None or cost < best_cost:
            best, best_cost = (x, y), cost
    return best, best_cost


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether boxes (x0, y0, x1, y1) overlap."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _with_frame_outline(image: np.ndarray, frame: np.ndarray | None) -> np.ndarray:
    """The image as RGB uint8 with the counting frame's edge dotted in white."""
    rgb = np.asarray(image)[..., :3].astype(np.uint8).copy()
    if frame is None or frame.shape != rgb.shape[:2] or not frame.any():
        return rgb
    edge = frame & ~erode_square(frame, 1)
    rows, cols = np.nonzero(edge)
    dotted = (rows + cols) % 8 < 4  # 4 px on, 4 px off
    rgb[rows[dotted], cols[dotted]] = 255
    return rgb


def _free_spot(
    draw: ImageDraw.ImageDraw,
    taken: list[tuple[float, float, float, float]],
    at: tuple[float, float],
    label: str,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
) -> tuple[float, float]:
    """Where to write ``label`` at or below ``at`` without covering a label already
    written (hairs of one opening share an exit point); its box is added to ``taken``."""
    x, y = at
    box = draw.textbbox((x, y), label, font=font, stroke_width=2)
    for _ in range(8):  # a few hairs share an opening at most
        clash = [b for b in taken if _overlap(box, b)]
        if not clash:
            break
        y = max(b[3] for b in clash) + 1
        box = draw.textbbox((x, y), label, font=font, stroke_width=2)
    taken.append(box)
    return x, y
