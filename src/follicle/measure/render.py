"""Synthetic trichoscopy images with exact ground truth.

Draws hairs of given widths, lengths, colours and curvature in follicular units, with
crossings, vellus hairs, yellow dots, skin tone and texture, blue dye residue, specular
highlights, a burnt-in text bar, blur, noise and uneven light. Input is any valid hairs
table (for example a simulator snapshot); hairs without ``x_um``/``y_um`` are placed here.
The truth returned is the hairs table of the hairs visible in the image, their centre
lines in pixels, the yellow dots and the crossing pairs. Same seed, same image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw
from scipy import ndimage

from follicle.errors import FollicleInputError
from follicle.measure.fonts import sized_font
from follicle.measure.hairs_table import empty_hairs_table
from follicle.measure.provenance import provenance
from follicle.measure.raster import disc_coverage, polyline_coverage
from follicle.measure.table_io import checked_hairs_table
from follicle.sim.inputs import NOT_GIVEN, renamed_seed, resolve_seed

Difficulty = Literal["easy", "medium", "hard"]
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
TEXT_BAR_PX = 36


@dataclass(frozen=True, kw_only=True)
class RenderStyle:
    """How the scene looks. Colours are 8-bit sRGB triples."""

    skin_rgb: tuple[float, float, float] = (224.0, 196.0, 180.0)
    hair_rgb: tuple[float, float, float] = (38.0, 30.0, 28.0)
    skin_texture: float = 0.03  # relative amplitude of mottled skin texture
    blur_sigma_px: float = 0.8  # optical blur (Gaussian PSF)
    noise_sd: float = 2.0  # sensor noise, 8-bit levels
    light_falloff: float = 0.12  # vignetting: brightness lost at the corners
    light_gradient: float = 0.05  # one-sided uneven light
    clipped_share: float = 1.0  # share of hairs clipped short (phototrichogram style)
    clipped_length_mm: tuple[float, float] = (0.5, 1.6)
    unclipped_length_mm: tuple[float, float] = (2.0, 6.0)
    curvature_per_mm: float = 0.0  # SD of shaft curvature (rad/mm)
    angle_spread_deg: float = 12.0  # SD of hair direction around the hair stream
    cross_share: float = 0.0  # share of units lying across the stream
    shaft_sheen: float = 0.15  # specular stripe along terminal shafts
    min_pigment: float = 0.55  # opacity of the thinnest hairs (vellus are paler)
    dye_blobs: int = 0
    highlights: int = 0
    text_bar: bool = False
    text_bar_style: Literal["light", "dark"] = "light"  # dark: grey boxes, white text
    measuring_circle: bool = False  # the device's red circle, radius line and label box
    scale_bar_mm: float = 0.0  # an L-shaped scale bar of this length (0: none)
    ostium_darkening: float = 0.05  # shadow of the follicular opening at the exit point


STYLES: dict[str, RenderStyle] = {
    "easy": RenderStyle(),
    "medium": RenderStyle(
        blur_sigma_px=1.0,
        noise_sd=3.0,
        light_falloff=0.2,
        curvature_per_mm=0.06,
        angle_spread_deg=16,
        cross_share=0.12,
        clipped_share=0.8,
        dye_blobs=2,
        highlights=20,
    ),
    "hard": RenderStyle(
        blur_sigma_px=1.3,
        noise_sd=4.5,
        light_falloff=0.3,
        light_gradient=0.12,
        skin_texture=0.05,
        curvature_per_mm=0.12,
        angle_spread_deg=20,
        cross_share=0.2,
        clipped_share=0.5,
        dye_blobs=4,
        highlights=60,
        text_bar=True,
        min_pigment=0.45,
    ),
}


def style_for(difficulty: str, rng: np.random.Generator) -> RenderStyle:
    """A preset with random skin tone; at 'hard', one scene in four has light hair on dark
    skin (grey hair on dark skin) so that the analyser must handle both polarities."""
    if difficulty not in STYLES:
        raise FollicleInputError("difficulty", difficulty, f"one of {list(DIFFICULTIES)}")
    style = STYLES[difficulty]
    tone = rng.uniform(-1, 1)
    skin = tuple(float(c + 18 * tone) for c in style.skin_rgb)
    style = replace(style, skin_rgb=skin)
    if difficulty != "easy" and rng.random() < 0.25:
        dark_skin = (112.0 + 15 * tone, 80.0 + 10 * tone, 64.0 + 8 * tone)
        if difficulty == "hard":
            style = replace(style, skin_rgb=dark_skin, hair_rgb=(232.0, 228.0, 222.0))
        else:
            style = replace(style, skin_rgb=dark_skin, hair_rgb=(20.0, 16.0, 15.0))
    return style


@dataclass(frozen=True, kw_only=True)
class SyntheticScene:
    """A rendered image and what is truly in it."""

    image: np.ndarray  # (rows, cols, 3) uint8
    um_per_px: float
    hairs: pd.DataFrame  # truth hairs table, exit points in the image frame (um)
    centerlines_px: dict[int, np.ndarray]  # hair_id -> (n, 2) x, y in pixels
    yellow_dots_um: np.ndarray  # (k, 2) x, y of empty follicles
    crossings: tuple[tuple[int, int], ...]  # pairs of hair ids whose shafts cross
    text_bar_px: int  # rows covered by a burnt-in bar at the top (0 if none)
    circle_px: tuple[float, float, float] | None = None  # measuring circle x, y, radius
    scale_bar_px: float = 0.0  # length of the scale bar's horizontal arm
    provenance: dict[str, Any] = field(default_factory=dict, compare=False)


def synthetic_hairs_table(
    *,
    unit_count: int,
    rng: np.random.Generator,
    thin_share: float = 0.15,
    vellus_share: float = 0.1,
    hairs_per_unit: tuple[float, ...] = (0.35, 0.45, 0.17, 0.03),
    region: str = "vertex",
) -> pd.DataFrame:
    """A hairs table without positions: unit sizes 1-4 and a mixture of diameters.

    Diameters: vellus 12-30 um, thin intermediates 20-30 um, the rest terminal-ish
    N(68, 12) um clipped to [32, 110].
    """
    sizes = rng.choice(
        np.arange(1, len(hairs_per_unit) + 1),
        size=unit_count,
        p=np.asarray(hairs_per_unit) / np.sum(hairs_per_unit),
    )
    unit_ids = np.repeat(np.arange(unit_count), sizes)
    n = unit_ids.size
    kind = rng.random(n)
    diameters = np.clip(rng.normal(68, 12, n), 32, 110)
    vellus = kind < vellus_share
    thin = (kind >= vellus_share) & (kind < vellus_share + max(thin_share - vellus_share, 0))
    diameters[vellus] = rng.uniform(12, 30, vellus.sum())
    diameters[thin] = rng.uniform(20, 30, thin.sum())
    return pd.DataFrame(
        {
            "hair_id": np.arange(n, dtype="int64"),
            "unit_id": unit_ids.astype("int64"),
            "region": region,
            "diameter_um": diameters,
            "length_mm": np.nan,
        }
    )


def _parse_render_args(um_per_px: float, shape_px: tuple[int, int]) -> tuple[float, tuple]:
    if not (isinstance(um_per_px, int | float) and 0.2 <= um_per_px <= 50):
        raise FollicleInputError("um_per_px", um_per_px, "a number in [0.2, 50] um per pixel")
    rows, cols = (int(v) for v in shape_px)
    if not (32 <= rows <= 8192 and 32 <= cols <= 8192):
        raise FollicleInputError("shape_px", shape_px, "(rows, cols) each in [32, 8192]")
    return float(um_per_px), (rows, cols)


def _place_units(n_units: int, size_um: np.ndarray, rng, min_gap_um: float) -> np.ndarray:
    """Exit points of units: uniform, rejecting points closer than ``min_gap_um``."""
    points: list[np.ndarray] = []
    for _ in range(n_units * 60):
        if len(points) == n_units:
            break
        p = rng.uniform([0, 0], size_um)
        if all(np.hypot(*(p - q)) >= min_gap_um for q in points):
            points.append(p)
    while len(points) < n_units:  # crowded: accept the remaining ones anywhere
        points.append(rng.uniform([0, 0], size_um))
    return np.array(points).reshape(-1, 2)


def _hair_path(exit_xy, angle, length_px, curvature_per_px) -> np.ndarray:
    """Centre line as an arc: heading changes at a constant rate along the shaft."""
    n = max(math.ceil(length_px / 6.0), 2)
    s = np.linspace(0.0, length_px, n + 1)
    heading = angle + curvature_per_px * s
    if abs(curvature_per_px) < 1e-9:
        dx, dy = s * math.cos(angle), s * math.sin(angle)
    else:
        dx = (np.sin(heading) - math.sin(angle)) / curvature_per_px
        dy = (math.cos(angle) - np.cos(heading)) / curvature_per_px
    return np.stack([exit_xy[0] + dx, exit_xy[1] + dy], axis=1)


def render_trichoscopy(
    hairs: pd.DataFrame | None = None,
    *,
    um_per_px: float = 4.0,
    shape_px: tuple[int, int] = (1024, 1280),
    style: RenderStyle | str = "easy",
    yellow_dots: int | np.ndarray = 0,
    unit_count: int = 14,
    stream_angle_deg: float | None = None,
    min_visible_um: float = 80.0,
    seed: int | None = None,
    random_seed: int | None = NOT_GIVEN,  # deprecated: use seed
) -> SyntheticScene:
    """Render a trichoscopy image and its ground truth.

    ``hairs``: a hairs table; rows with ``x_um``/``y_um`` exit there (image frame, um,
    origin top-left, y down), others are placed by unit. None draws ``unit_count`` units
    with ``synthetic_hairs_table``. ``yellow_dots``: a count to place, or an (k, 2) array
    of x_um, y_um positions. ``style``: a RenderStyle or 'easy' / 'medium' / 'hard'.
    Hairs with less than ``min_visible_um`` (or 2.5 shaft widths) inside the image are not
    in the truth. ``seed``: None draws a fresh one (recorded in the provenance); the keyword
    ``random_seed`` still works, deprecated.
    """
    um_per_px, shape = _parse_render_args(um_per_px, shape_px)
    seed = resolve_seed(renamed_seed(seed, random_seed, function="render_trichoscopy"))
    # A fourth stream for device graphics: the first three (and so every image without
    # graphics) are unchanged by it.
    scene_rng, texture_rng, noise_rng, graphics_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)
    )
    if isinstance(style, str):
        style = style_for(style, scene_rng)
    rows, cols = shape
    size_um = np.array([cols, rows], float) * um_per_px
    if hairs is None:
        hairs = synthetic_hairs_table(unit_count=unit_count, rng=scene_rng)
    table = checked_hairs_table(hairs)
    stream = math.radians(
        stream_angle_deg if stream_angle_deg is not None else scene_rng.uniform(0, 360)
    )
    top = TEXT_BAR_PX if style.text_bar else 0

    # Exit points: per unit, from the table if given, else placed without overlap.
    units = table["unit_id"].unique()
    placed = _place_units(len(units), size_um, scene_rng, min_gap_um=350.0)
    unit_xy = dict(zip(units, placed, strict=True))
    unit_angle = {
        u: stream
        + (
            math.pi / 2 * scene_rng.choice([-1, 1])
            if scene_rng.random() < style.cross_share
            else 0.0
        )
        for u in units
    }
    shapes: dict[int, np.ndarray] = {}
    exits_px: dict[int, np.ndarray] = {}
    for unit, group in table.groupby("unit_id", sort=False):
        k = len(group)
        width_px = group["diameter_um"].to_numpy() / um_per_px
        # Hairs of one unit leave one opening side by side and fan out.
        offsets = (np.arange(k) - (k - 1) / 2) * (np.mean(width_px) * 0.9)
        fan = np.sort(scene_rng.normal(0, math.radians(6), k)) + (
            np.arange(k) - (k - 1) / 2
        ) * math.radians(7)
        base_angle = unit_angle[unit] + scene_rng.normal(0, math.radians(style.angle_spread_deg))
        for (_, row), off, da in zip(group.iterrows(), offsets, fan, strict=True):
            if np.isfinite(row["x_um"]) and np.isfinite(row["y_um"]):
                exit_um = np.array([row["x_um"], row["y_um"]])
            else:
                exit_um = unit_xy[unit]
            normal = np.array([-math.sin(base_angle), math.cos(base_angle)])
            exit_px = exit_um / um_per_px + off * normal
            if np.isfinite(row["length_mm"]):
                length_mm = float(row["length_mm"])
            elif scene_rng.random() < style.clipped_share:
                length_mm = scene_rng.uniform(*style.clipped_length_mm)
            else:
                length_mm = scene_rng.uniform(*style.unclipped_length_mm)
            curvature = scene_rng.normal(0, style.curvature_per_mm) * um_per_px / 1000.0
            hair_id = int(row["hair_id"])
            shapes[hair_id] = _hair_path(
                exit_px, base_angle + da, length_mm * 1000 / um_per_px, curvature
            )
            exits_px[hair_id] = exit_px

    # Skin: tone x texture x light.
    skin = _skin(shape, style, texture_rng)
    image = skin.copy()
    ostium = np.zeros(shape)
    for hair_id, exit_px in exits_px.items():
        d_px = float(table.loc[table["hair_id"] == hair_id, "diameter_um"].iloc[0]) / um_per_px
        cov = disc_coverage(tuple(exit_px), 1.2 * d_px, shape, soft_px=d_px)
        if cov is not None:
            np.maximum(ostium[cov[0]], cov[1], out=ostium[cov[0]])
    image *= (1 - style.ostium_darkening * ostium)[..., None]

    dots_um = _yellow_dots(yellow_dots, size_um, exits_px, um_per_px, scene_rng)
    for xy in dots_um:
        radius = scene_rng.uniform(45, 110) / um_per_px
        cov = disc_coverage(tuple(xy / um_per_px), radius, shape, soft_px=max(radius * 0.3, 1))
        if cov is not None:
            region = image[cov[0]]
            region += (np.array([222.0, 188.0, 105.0]) - region) * (0.7 * cov[1])[..., None]

    for _ in range(style.dye_blobs):
        _dye_blob(image, scene_rng)

    hair_rgb = np.array(style.hair_rgb)
    diameters = dict(zip(table["hair_id"], table["diameter_um"], strict=True))
    draw_order = scene_rng.permutation(list(shapes))
    for hair_id in draw_order:
        d_um = diameters[hair_id]
        w = d_um / um_per_px
        cov = polyline_coverage(shapes[hair_id], w, shape)
        if cov is None:
            continue
        pigment = float(
            np.clip(
                style.min_pigment + (1 - style.min_pigment) * (d_um - 15) / 45,
                style.min_pigment,
                1.0,
            )
        )
        alpha = (cov[1] * pigment)[..., None]
        region = image[cov[0]]
        region += (hair_rgb - region) * alpha
        if style.shaft_sheen > 0 and w > 6:
            sheen = polyline_coverage(shapes[hair_id], 0.25 * w, shape)
            if sheen is not None:  # the thinner stripe can miss an image the shaft grazes
                region = image[sheen[0]]
                region += (255.0 - region) * (style.shaft_sheen * sheen[1])[..., None] * pigment

    for _ in range(style.highlights):
        xy = scene_rng.uniform([0, 0], [cols, rows])
        cov = disc_coverage(tuple(xy), scene_rng.uniform(0.8, 3.0), shape, soft_px=1.0)
        if cov is not None:
            region = image[cov[0]]
            region += (255.0 - region) * (0.85 * cov[1])[..., None]

    image = image.astype(np.float32)
    if style.blur_sigma_px > 0:
        image = ndimage.gaussian_filter(image, sigma=(style.blur_sigma_px,) * 2 + (0,))
    image += noise_rng.standard_normal(image.shape, dtype=np.float32) * style.noise_sd
    image = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    if top:
        if style.text_bar_style == "dark":
            image = _dark_text_bar(image, top, graphics_rng)
        else:
            image = _text_bar(image, top, scene_rng)
    circle = None
    if style.measuring_circle:
        image, circle = _measuring_circle(image, um_per_px, graphics_rng)
    bar_px = 0.0
    if style.scale_bar_mm > 0:
        image, bar_px = _scale_bar(image, style.scale_bar_mm * 1000 / um_per_px)

    # A hair counts when a shaft of at least min_visible_um and 2.5 widths is in view:
    # a shorter stub at the border cannot be told from debris, by eye or by the analyser.
    min_visible_px = {
        h: max(min_visible_um / um_per_px, 2.5 * diameters[h] / um_per_px) for h in shapes
    }
    visible, centerlines = _visible_hairs(shapes, shape, top, min_length_px=min_visible_px)
    truth = table[table["hair_id"].isin(visible)].copy()
    truth["x_um"] = [exits_px[h][0] * um_per_px for h in truth["hair_id"]]
    truth["y_um"] = [exits_px[h][1] * um_per_px for h in truth["hair_id"]]
    truth = truth.reset_index(drop=True) if len(truth) else empty_hairs_table()
    return SyntheticScene(
        image=image,
        um_per_px=um_per_px,
        hairs=truth,
        centerlines_px=centerlines,
        yellow_dots_um=dots_um,
        crossings=_crossings(centerlines),
        text_bar_px=top,
        circle_px=circle,
        scale_bar_px=bar_px,
        provenance=provenance(
            function="render_trichoscopy",
            seed=seed,
            um_per_px=um_per_px,
            shape_px=shape,
            style=style,
            unit_count=unit_count,
            stream_angle_deg=math.degrees(stream),
        ),
    )


def _skin(shape, style: RenderStyle, rng) -> np.ndarray:
    rows, cols = shape
    # Texture at 1/8 scale then zoomed: cheap and smooth (mottling, pores).
    small = rng.normal(0, 1, (rows // 8 + 2, cols // 8 + 2))
    mottle = ndimage.gaussian_filter(small, 2.5)
    mottle /= mottle.std() + 1e-12
    mottle = ndimage.zoom(mottle, 8, order=1)[:rows, :cols]
    grain = ndimage.gaussian_filter(rng.standard_normal(shape, dtype=np.float32), 1.2)
    grain /= grain.std() + 1e-12
    texture = 1 + style.skin_texture * (0.8 * mottle + 0.4 * grain)
    y, x = np.ogrid[0:rows, 0:cols]
    r2 = ((x - cols / 2) / (cols / 2)) ** 2 + ((y - rows / 2) / (rows / 2)) ** 2
    direction = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(direction) * (x / cols - 0.5) + np.sin(direction) * (y / rows - 0.5)
    light = (1 - style.light_falloff * r2 / 2) * (1 + 2 * style.light_gradient * ramp)
    return np.asarray(style.skin_rgb, float)[None, None, :] * (texture * light)[..., None]


def _yellow_dots(yellow_dots, size_um, exits_px, um_per_px, rng) -> np.ndarray:
    if isinstance(yellow_dots, np.ndarray | list | tuple):
        dots = np.asarray(yellow_dots, float).reshape(-1, 2)
        if not np.isfinite(dots).all():
            raise FollicleInputError("yellow_dots", "non-finite position", "finite x_um, y_um")
        return dots
    if not (isinstance(yellow_dots, int | np.integer) and 0 <= yellow_dots <= 500):
        raise FollicleInputError("yellow_dots", yellow_dots, "a count in [0, 500] or positions")
    exits_um = np.array(list(exits_px.values())).reshape(-1, 2) * um_per_px
    dots: list[np.ndarray] = []
    for _ in range(int(yellow_dots) * 100):
        if len(dots) == yellow_dots:
            break
        p = rng.uniform([150, 150], size_um - 150)
        far_from_hairs = exits_um.size == 0 or np.min(np.hypot(*(exits_um - p).T)) > 400
        if far_from_hairs and all(np.hypot(*(p - q)) > 300 for q in dots):
            dots.append(p)
    return np.array(dots).reshape(-1, 2)


def _dye_blob(image: np.ndarray, rng) -> None:
    """Blue dye residue (used to mark the clipped area): a soft irregular bluish stain."""
    rows, cols = image.shape[:2]
    center = rng.uniform([0, 0], [cols, rows])
    dye = np.array([95.0, 125.0, 185.0])
    for _ in range(rng.integers(3, 8)):
        xy = center + rng.normal(0, 25, 2)
        cov = disc_coverage(tuple(xy), rng.uniform(6, 22), image.shape[:2], soft_px=8)
        if cov is not None:
            region = image[cov[0]]
            region += (dye - region) * (rng.uniform(0.25, 0.5) * cov[1])[..., None]


def _text_bar(image: np.ndarray, height: int, rng) -> np.ndarray:
    """A burnt-in caption bar at the top, as video dermoscopes print one."""
    pil = Image.fromarray(image)
    draw = ImageDraw.Draw(pil)
    draw.rectangle([0, 0, image.shape[1], height - 1], fill=(226, 226, 226))
    text = f"70x  unit: mm  calibration not used  {rng.integers(10, 99)}:{rng.integers(10, 59)}"
    draw.text((12, height // 3), text, fill=(40, 40, 40))
    return np.asarray(pil).copy()


def _dark_text_bar(image: np.ndarray, height: int, rng) -> np.ndarray:
    """A caption of dark grey boxes with white text a few rows below the top edge, as the
    70x dermoscope software prints one (the skin shows between the boxes)."""
    pil = Image.fromarray(image)
    draw = ImageDraw.Draw(pil)
    fields = (f"B{rng.integers(0, 999):03d}", "1280x1024", "2026/01/28 09:18:23", "unit: mm")
    font = sized_font(max(height - 16, 10))
    x = 8
    for text in (*fields, "70x", "calibration not used"):
        width = 14 + int(draw.textlength(text, font=font))
        if x + width > image.shape[1] - 4:
            break
        draw.rectangle([x, 4, x + width, height - 3], fill=(82, 82, 84))
        draw.text((x + 7, 7), text, fill=(250, 250, 250), font=font)
        x += width + 6
    return np.asarray(pil).copy()


def _measuring_circle(image: np.ndarray, um_per_px: float, rng):
    """The software's red measuring circle (r = 2.519 mm), centred near an image corner,
    with its radius line and a light label box with blue text."""
    rows, cols = image.shape[:2]
    radius = 2519.0 / um_per_px
    cx = float(rng.choice([0.05, 0.95]) * cols + rng.uniform(-20, 20))
    cy = float(rng.choice([0.05, 0.95]) * rows + rng.uniform(-20, 20))
    pil = Image.fromarray(image)
    draw = ImageDraw.Draw(pil)
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=(255, 0, 0))
    angle = math.atan2(rows / 2 - cy, cols / 2 - cx) + rng.uniform(-0.3, 0.3)
    ex, ey = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
    draw.line([(cx, cy), (ex, ey)], fill=(255, 0, 0))
    # Label: a pale translucent box beside the end of the radius line.
    lx = float(np.clip(ex + 10, 0, cols - 200))
    ly = float(np.clip(ey + 10, 0, rows - 110))
    box = Image.new("RGBA", pil.size, (0, 0, 0, 0))
    ImageDraw.Draw(box).rectangle([lx, ly, lx + 190, ly + 100], fill=(235, 230, 205, 110))
    pil = Image.alpha_composite(pil.convert("RGBA"), box).convert("RGB")
    draw = ImageDraw.Draw(pil)
    font = sized_font(20)
    for k, text in enumerate(("RC0", "C=15.827 mm", "A=19.934 mm^2", "r=2.519 mm")):
        draw.text((lx + 8, ly + 6 + 23 * k), text, fill=(0, 0, 255), font=font)
    return np.asarray(pil).copy(), (cx, cy, radius)


def _scale_bar(image: np.ndarray, length_px: float):
    """An L-shaped scale bar near the bottom-left corner (thin dark lines) with a dark
    label box holding white text."""
    rows = image.shape[0]
    x0, y0 = 45, rows - 110
    x1 = round(x0 + length_px)
    pil = Image.fromarray(image)
    draw = ImageDraw.Draw(pil)
    draw.line([(x0, y0), (x1, y0)], fill=(44, 42, 60), width=2)
    draw.line([(x0, y0), (x0, y0 - int(length_px * 0.65))], fill=(44, 42, 60), width=2)
    draw.rectangle([x1 + 16, y0 - 16, x1 + 126, y0 + 16], fill=(60, 60, 64))
    font = sized_font(22)
    draw.text((x1 + 24, y0 - 12), "1.0 mm", fill=(250, 250, 250), font=font)
    return np.asarray(pil).copy(), float(x1 - x0)


def _visible_hairs(shapes, shape, top, *, min_length_px):
    rows, cols = shape
    visible, centerlines = [], {}
    for hair_id, path in shapes.items():
        # Resample finely and keep the part inside the image and below the bar.
        seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
        s = np.r_[0, np.cumsum(seg)]
        fine = np.linspace(0, s[-1], max(int(s[-1]), 2))
        pts = np.stack([np.interp(fine, s, path[:, 0]), np.interp(fine, s, path[:, 1])], 1)
        inside = (
            (pts[:, 0] >= 0)
            & (pts[:, 0] <= cols - 1)
            & (pts[:, 1] >= top)
            & (pts[:, 1] <= rows - 1)
        )
        if inside.sum() >= min_length_px[hair_id]:
            visible.append(hair_id)
            centerlines[hair_id] = pts[inside]
    return visible, centerlines


def _crossings(centerlines: dict[int, np.ndarray]) -> tuple[tuple[int, int], ...]:
    """Pairs of hairs whose centre lines intersect (shafts lying across each other)."""
    ids = list(centerlines)
    boxes = {
        h: (c[:, 0].min(), c[:, 0].max(), c[:, 1].min(), c[:, 1].max())
        for h, c in centerlines.items()
    }
    pairs = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            ba, bb = boxes[a], boxes[b]
            if ba[1] < bb[0] or bb[1] < ba[0] or ba[3] < bb[2] or bb[3] < ba[2]:
                continue
            if _polylines_intersect(centerlines[a][::3], centerlines[b][::3]):
                pairs.append((int(a), int(b)))
    return tuple(pairs)


def _polylines_intersect(p: np.ndarray, q: np.ndarray) -> bool:
    """True if any segment of p properly crosses a segment of q away from their starts
    (hairs of one unit touch at the shared exit; that is not a crossing)."""
    if len(p) < 2 or len(q) < 2:
        return False
    a, b = p[:-1, None, :], p[1:, None, :]
    c, d = q[None, :-1, :], q[None, 1:, :]

    def cross(u, v, w):
        return (v[..., 0] - u[..., 0]) * (w[..., 1] - u[..., 1]) - (v[..., 1] - u[..., 1]) * (
            w[..., 0] - u[..., 0]
        )

    d1, d2 = cross(c, d, a), cross(c, d, b)
    d3, d4 = cross(a, b, c), cross(a, b, d)
    hit = (d1 * d2 < 0) & (d3 * d4 < 0)
    hit[:2, :] = False  # ignore the first few px near a shared exit point
    hit[:, :2] = False
    return bool(hit.any())
