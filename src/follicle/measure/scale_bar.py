"""A scale bar drawn on an image (e.g. an overlay) so a reader can judge sizes."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from follicle.measure.calibration import check_um_per_px

#: Bar lengths to choose from, um: the longest that fits in a fifth of the image width.
ROUND_LENGTHS_UM = (50, 100, 200, 250, 500, 1000, 2000, 5000)


def scale_bar_length_um(width_px: int, um_per_px: float) -> int:
    """The longest round length no wider than a fifth of the image (at least the shortest)."""
    fits = [n for n in ROUND_LENGTHS_UM if n / um_per_px <= width_px / 5]
    return fits[-1] if fits else ROUND_LENGTHS_UM[0]


def draw_scale_bar(image: np.ndarray, *, um_per_px: float) -> np.ndarray:
    """A copy of ``image`` (RGB uint8) with a white bar outlined in black and its length
    ("500 um"), bottom right."""
    scale = check_um_per_px(um_per_px)
    pil = Image.fromarray(np.asarray(image)[..., :3].astype(np.uint8)).convert("RGB")
    rows, cols = pil.height, pil.width
    length_um = scale_bar_length_um(cols, scale)
    length_px = max(round(length_um / scale), 1)
    x1, y1 = cols - 12, rows - 12
    x0, y0 = x1 - length_px, y1 - 6
    draw = ImageDraw.Draw(pil)
    draw.rectangle([x0 - 1, y0 - 1, x1 + 1, y1 + 1], fill=(0, 0, 0))
    draw.rectangle([x0, y0, x1, y1], fill=(255, 255, 255))
    label = f"{length_um} um"
    text_x = max(x1 - 6 * len(label), 0)
    draw.rectangle([text_x - 3, y0 - 16, x1 + 1, y0 - 2], fill=(0, 0, 0))
    draw.text((text_x, y0 - 15), label, fill=(255, 255, 255))
    return np.asarray(pil).copy()
