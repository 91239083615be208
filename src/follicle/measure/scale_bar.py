"""A scale bar drawn on an image (an overlay, an image in a report) so a reader can judge
sizes: one drawer for the visit report and the web pages, so they look alike."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from follicle.measure.calibration import check_um_per_px
from follicle.measure.fonts import sized_font

#: Bar lengths to choose from, um: the one nearest a fifth of the image width.
ROUND_LENGTHS_UM = (50, 100, 200, 250, 500, 1000, 2000, 5000)


def scale_bar_length_um(width_px: int, um_per_px: float) -> int:
    """The round length nearest (on a log scale) a fifth of the image's width."""
    target = width_px * um_per_px / 5
    return min(ROUND_LENGTHS_UM, key=lambda length: abs(math.log(length / target)))


@dataclass(frozen=True)
class _Layout:
    bar: tuple[float, float, float, float]  # x0, y0, x1, y1 (px)
    box: tuple[float, float, float, float]  # the black backing, bar and label
    label: str
    font_px: int


def _layout(shape: tuple[int, int], um_per_px: float) -> _Layout:
    """Where the bar and its label go on an image of ``shape`` (rows, cols): bottom
    right, a margin of 1/40 of the width, the label's font at 1/50 of it."""
    rows, cols = shape
    length_um = scale_bar_length_um(cols, um_per_px)
    thickness = max(round(cols / 160), 4)
    margin = max(round(cols / 40), 10)
    font_px = max(round(cols / 50), 12)
    x1, y1 = cols - margin, rows - margin
    x0, y0 = x1 - length_um / um_per_px, y1 - thickness
    label = f"{length_um / 1000:g} mm" if length_um >= 1000 else f"{length_um} um"
    box = (x0 - 8, y0 - font_px - 14, x1 + 8, y1 + 6)
    return _Layout(bar=(x0, y0, x1, y1), box=box, label=label, font_px=font_px)


def scale_bar_box(shape: tuple[int, int], *, um_per_px: float) -> tuple[int, int, int, int]:
    """The box (x0, y0, x1, y1; px, inclusive) that ``draw_scale_bar`` covers on an image
    of ``shape`` (rows, cols)."""
    x0, y0, x1, y1 = _layout(shape, check_um_per_px(um_per_px)).box
    return math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1)


def draw_scale_bar(image: np.ndarray, *, um_per_px: float) -> np.ndarray:
    """A copy of ``image`` (RGB uint8) with a white bar and its length ("500 um",
    "1 mm") on a black box, bottom right."""
    scale = check_um_per_px(um_per_px)
    pil = Image.fromarray(np.asarray(image)[..., :3].astype(np.uint8)).convert("RGB")
    layout = _layout((pil.height, pil.width), scale)
    font = sized_font(layout.font_px)
    draw = ImageDraw.Draw(pil)
    x0, y0, x1, _ = layout.bar
    text_w = draw.textlength(layout.label, font=font)
    draw.rectangle(layout.box, fill=(0, 0, 0))
    draw.rectangle(layout.bar, fill=(255, 255, 255))
    at = ((x0 + x1 - text_w) / 2, y0 - layout.font_px - 8)
    draw.text(at, layout.label, fill=(255, 255, 255), font=font)
    return np.asarray(pil).copy()
