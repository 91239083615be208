"""Training scenes for the learned segmenter: follicle's own renders, randomised to look
like real 70x video-dermoscope images (docs/segmenter.md).

Each scene is ``render_trichoscopy`` with a random style (pale bluish or pinkish skin,
clipped thick stubs, pairs and triples leaving one opening, vellus hairs, blur, dye,
text bars, measuring circles), then randomised further on top: dye halos behind the
exits, white skin scale, haze, stray dye specks, debris, red arcs and lines, text in
boxes, colour casts, gamma, extra blur and JPEG artefacts. The target is the shaft mask
rasterised from the truth centre lines and diameters. Both are resampled to the
network's scale (``follicle.measure.segmenter.NET_UM_PER_PX``) the way the runtime does.
No real image is used anywhere.
"""

from __future__ import annotations

import io
import math
from dataclasses import replace

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from follicle.measure.raster import disc_coverage, polyline_coverage
from follicle.measure.render import STYLES, render_trichoscopy, synthetic_hairs_table
from follicle.measure.segmenter import NET_UM_PER_PX, to_net_scale


def random_style(rng: np.random.Generator):
    """A RenderStyle drawn around what 70x images of clipped scalp look like."""
    if rng.random() < 0.7:  # pale, bluish-white skin under the device's light
        base = np.array([210.0, 208.0, 218.0]) + rng.normal(0, 10, 3)
    else:  # warmer, pinkish skin
        base = np.array([220.0, 192.0, 178.0]) + rng.normal(0, 12, 3)
    hair = np.array([30.0, 26.0, 26.0]) + rng.uniform(-15, 35) + rng.normal(0, 5, 3)
    return replace(
        STYLES["medium"],
        skin_rgb=tuple(np.clip(base, 120, 250)),
        hair_rgb=tuple(np.clip(hair, 5, 110)),
        skin_texture=rng.uniform(0.02, 0.09),
        blur_sigma_px=rng.uniform(0.6, 2.2),
        noise_sd=rng.uniform(1.0, 5.0),
        light_falloff=rng.uniform(0.0, 0.35),
        light_gradient=rng.uniform(0.0, 0.15),
        clipped_share=rng.uniform(0.6, 1.0),
        clipped_length_mm=(0.12, rng.uniform(0.5, 1.4)),
        unclipped_length_mm=(1.5, 5.0),
        curvature_per_mm=rng.uniform(0.0, 0.2),
        angle_spread_deg=rng.uniform(8, 30),
        cross_share=rng.uniform(0.0, 0.25),
        shaft_sheen=rng.uniform(0.0, 0.35),
        min_pigment=rng.uniform(0.25, 0.6),
        dye_blobs=int(rng.integers(0, 3)),
        highlights=int(rng.integers(0, 80)),
        text_bar=bool(rng.random() < 0.2),
        text_bar_style="dark" if rng.random() < 0.7 else "light",
        measuring_circle=bool(rng.random() < 0.2),
        ostium_darkening=rng.uniform(0.0, 0.25),
    )


def shaft_coverage(scene) -> np.ndarray:
    """Fractional shaft coverage (0..1) of every hair in the truth, full resolution."""
    shape = scene.image.shape[:2]
    cover = np.zeros(shape, np.float32)
    diameters = scene.hairs.set_index("hair_id")["diameter_um"]
    for hair_id, xy in scene.centerlines_px.items():
        cov = polyline_coverage(np.asarray(xy, float), diameters[hair_id] / scene.um_per_px, shape)
        if cov is not None:
            np.maximum(cover[cov[0]], cov[1], out=cover[cov[0]])
    return cover


def _smooth_noise(shape, rng, scale_px: float) -> np.ndarray:
    small = rng.normal(
        0, 1, (max(int(shape[0] / scale_px), 2) + 2, max(int(shape[1] / scale_px), 2) + 2)
    )
    big = ndimage.zoom(small, scale_px, order=1)[: shape[0], : shape[1]]
    big = np.pad(
        big,
        ((0, max(shape[0] - big.shape[0], 0)), (0, max(shape[1] - big.shape[1], 0))),
        mode="edge",
    )
    return (big - big.mean()) / (big.std() + 1e-9)


def _dye_halos(image, scene, cover, rng) -> None:
    """Bluish-grey dye pooled in the openings: a soft stain around and behind each exit,
    under the shaft (the hair stays on top)."""
    shape = image.shape[:2]
    colour = np.array([80.0, 100.0, 140.0]) + rng.normal(0, 15, 3)
    strength = rng.uniform(0.15, 0.6)
    stain = np.zeros(shape, np.float32)
    for _, hair in scene.hairs.iterrows():
        if rng.random() < 0.3:
            continue
        xy = scene.centerlines_px.get(int(hair["hair_id"]))
        exit_xy = np.array([hair["x_um"], hair["y_um"]]) / scene.um_per_px
        w = hair["diameter_um"] / scene.um_per_px
        if xy is not None and len(xy) > 2:
            direction = xy[min(len(xy) - 1, 5)] - xy[0]
            direction = direction / (np.hypot(*direction) + 1e-9)
        else:
            direction = np.zeros(2)
        for k in range(int(rng.integers(2, 6))):
            centre = exit_xy - direction * w * rng.uniform(0, 3) * k / 2 + rng.normal(0, w / 2, 2)
            cov = disc_coverage(tuple(centre), rng.uniform(1.0, 3.0) * w, shape, soft_px=2 * w)
            if cov is not None:
                np.maximum(stain[cov[0]], cov[1] * rng.uniform(0.4, 1.0), out=stain[cov[0]])
    stain *= strength * (1 - np.clip(cover * 1.5, 0, 1))
    image += (colour - image) * stain[..., None]


def _skin_scale(image, rng) -> None:
    """White flaky scale and bright skin texture (the real skin's brightest structure)."""
    shape = image.shape[:2]
    n = _smooth_noise(shape, rng, rng.uniform(3, 10)) + 0.6 * _smooth_noise(shape, rng, 2)
    level = rng.uniform(0.8, 2.0)
    flakes = np.clip((n - level) / 0.8, 0, 1) * rng.uniform(0.2, 0.7)
    image += (np.array([250.0, 250.0, 255.0]) - image) * flakes[..., None]


def _haze(image, rng) -> None:
    """A hazy bluish veil (gel, out-of-focus skin): lowers every contrast."""
    veil = np.array([205.0, 212.0, 232.0]) + rng.normal(0, 10, 3)
    amount = rng.uniform(0.05, 0.4) * (0.6 + 0.4 * _smooth_noise(image.shape[:2], rng, 60))
    image += (veil - image) * np.clip(amount, 0, 0.6)[..., None]


def _specks_and_debris(image, rng) -> None:
    """Saturated dye specks and dark round debris: not hairs (aspect near 1)."""
    shape = image.shape[:2]
    for _ in range(int(rng.poisson(3))):
        xy = rng.uniform([0, 0], [shape[1], shape[0]])
        colour = (
            np.array([40.0, 70.0, 200.0]) if rng.random() < 0.6 else np.array([50.0, 45.0, 45.0])
        )
        cov = disc_coverage(tuple(xy), rng.uniform(1.5, 7), shape, soft_px=1.5)
        if cov is not None:
            image[cov[0]] += (colour - image[cov[0]]) * (rng.uniform(0.5, 0.95) * cov[1])[..., None]


def _overlays(image: np.ndarray, rng) -> np.ndarray:
    """Device graphics anywhere in the crop: red arcs and lines, text in boxes."""
    pil = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    rows, cols = image.shape[:2]
    if rng.random() < 0.35:
        r = rng.uniform(200, 1200)
        cx, cy = rng.uniform(-r, cols + r), rng.uniform(-r, rows + r)
        draw.ellipse(
            [cx - r, cy - r, cx + r, cy + r], outline=(255, 0, 0), width=int(rng.integers(1, 3))
        )
    if rng.random() < 0.2:
        p = rng.uniform([0, 0, 0, 0], [cols, rows, cols, rows])
        draw.line(list(p), fill=(255, 0, 0), width=int(rng.integers(1, 3)))
    if rng.random() < 0.25:
        font = ImageFont.load_default(size=int(rng.integers(12, 30)))
        x, y = rng.uniform(0, cols * 0.7), rng.uniform(0, rows * 0.9)
        text = rng.choice(["r=2.519 mm", "C=15.827 mm", "A207", "70x", "unit: mm", "1280x1024"])
        if rng.random() < 0.5:
            box = draw.textbbox((x, y), text, font=font)
            draw.rectangle([box[0] - 5, box[1] - 4, box[2] + 5, box[3] + 4], fill=(82, 82, 84))
            draw.text((x, y), text, fill=(250, 250, 250), font=font)
        else:
            draw.text((x, y), text, fill=(0, 0, 255), font=font)
    return np.asarray(pil).astype(np.float32)


def _camera(image: np.ndarray, rng) -> np.ndarray:
    """Colour cast, gamma, blur and JPEG artefacts."""
    f = np.clip(image, 0, 255) / 255.0
    f = f ** rng.uniform(0.8, 1.25)
    f = f * rng.uniform(0.85, 1.12, 3)[None, None, :]
    f = f * rng.uniform(0.85, 1.1)
    if rng.random() < 0.5:
        f = ndimage.gaussian_filter(f, sigma=(rng.uniform(0.3, 1.5),) * 2 + (0,))
    out = np.clip(np.rint(f * 255), 0, 255).astype(np.uint8)
    if rng.random() < 0.85:
        buffer = io.BytesIO()
        Image.fromarray(out).save(buffer, format="JPEG", quality=int(rng.integers(35, 95)))
        out = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    return out


def training_scene(seed: int, *, crop_px: int = 160) -> tuple[np.ndarray, np.ndarray]:
    """One (image uint8 (crop, crop, 3), target float32 (crop, crop)) pair at the network's
    scale, from follicle's own renderer with domain randomisation. Same seed, same pair."""
    rng = np.random.default_rng(seed)
    um_per_px = rng.uniform(2.3, 4.0)  # the 70x device is about 2.76 um/px
    full = math.ceil(crop_px * NET_UM_PER_PX / um_per_px)
    area_mm2 = (full * um_per_px / 1000) ** 2
    units = max(int(rng.poisson(area_mm2 * rng.uniform(1.0, 2.5))), 1)
    hairs = synthetic_hairs_table(
        unit_count=units,
        rng=rng,
        thin_share=rng.uniform(0.05, 0.35),
        vellus_share=rng.uniform(0.0, 0.2),
        hairs_per_unit=(0.3, 0.4, 0.22, 0.08),
    )
    # Lengths drawn here, at least 3 shaft widths: the renderer's truth leaves out hairs
    # shorter than 2.5 widths, which would then be drawn but unlabelled.
    clipped = rng.random(len(hairs)) < rng.uniform(0.6, 1.0)
    length_mm = np.where(
        clipped,
        rng.uniform(0.15, rng.uniform(0.5, 1.4), len(hairs)),
        rng.uniform(1.5, 5.0, len(hairs)),
    )
    hairs["length_mm"] = np.maximum(length_mm, 3.0 * hairs["diameter_um"] / 1000)
    scene = render_trichoscopy(
        hairs,
        um_per_px=um_per_px,
        shape_px=(full, full),
        style=random_style(rng),
        min_visible_um=0.0,
        seed=int(rng.integers(0, 2**31)),
    )
    cover = shaft_coverage(scene)
    image = scene.image.astype(np.float32)
    if rng.random() < 0.8:
        _dye_halos(image, scene, cover, rng)
    if rng.random() < 0.7:
        _skin_scale(image, rng)
        image = image * (1 - cover[..., None]) + scene.image * cover[..., None]
    if rng.random() < 0.6:
        _haze(image, rng)
    if rng.random() < 0.5:
        _specks_and_debris(image, rng)
    image = _overlays(image, rng)
    image = _camera(image, rng)
    net_image = to_net_scale(image, um_per_px=um_per_px)
    net_target = np.asarray(
        Image.fromarray(cover).resize(net_image.shape[1::-1], Image.Resampling.BOX), np.float32
    )
    return net_image[:crop_px, :crop_px], net_target[:crop_px, :crop_px]
