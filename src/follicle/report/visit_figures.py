"""Pictures of a visit report: overlays with a scale bar, the diameter histogram, and the
two visits side by side with matched hairs. Each returns PNG bytes."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from PIL import Image

from follicle.measure.hairs_table import DiameterCutoffs
from follicle.measure.overlay import class_colour, render_overlay
from follicle.measure.scale_bar import draw_scale_bar
from follicle.measure.visits import OUT_OF_VIEW, VisitComparison
from follicle.report.visit_data import Visit, VisitImage

MAX_EMBED_WIDTH_PX = 800  # images are shown about 540 px wide (two per row)
PALETTE_COLOURS = 256  # a palette PNG is a third smaller and fast to write; looks the same
FATE_COLOURS = {
    "kept": "#f0f0f0",
    "thinned": "#e31a1c",
    "thickened": "#1f78b4",
    "lost": "#ff00ff",
    "new": "#00e5ff",
    OUT_OF_VIEW: "#9e9e9e",  # the other visit's frame did not show it: not followed
}


def png_bytes(rgb: np.ndarray, *, max_width_px: int = MAX_EMBED_WIDTH_PX) -> bytes:
    image = Image.fromarray(np.asarray(rgb, dtype=np.uint8))
    if image.width > max_width_px:
        height = round(image.height * max_width_px / image.width)
        image = image.resize((max_width_px, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.quantize(PALETTE_COLOURS).save(buffer, format="PNG")
    return buffer.getvalue()


def overlay_png(image: VisitImage, *, cutoffs: DiameterCutoffs) -> bytes:
    """What the analyser found, drawn on the image, with a scale bar."""
    overlay = render_overlay(image.rgb, image.analysis, cutoffs=cutoffs)
    return png_bytes(draw_scale_bar(overlay, um_per_px=image.analysis.um_per_px))


def input_png(image: VisitImage) -> bytes:
    return png_bytes(draw_scale_bar(image.rgb, um_per_px=image.analysis.um_per_px))


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _rgb01(colour: tuple[int, int, int]) -> tuple[float, float, float]:
    return tuple(c / 255 for c in colour)


def diameter_histogram(
    current: pd.DataFrame,
    *,
    cutoffs: DiameterCutoffs,
    previous: pd.DataFrame | None = None,
    labels: tuple[str, str] = ("this visit", "previous visit"),
) -> bytes:
    """Histogram of shaft diameters (5 um bins), bars coloured as in the overlay, cut-offs
    marked; the previous visit as an outline."""
    diameters = current["diameter_um"].to_numpy(float)
    top = max(120.0, float(np.nanmax(diameters)) + 5)
    if previous is not None and len(previous):
        top = max(top, float(np.nanmax(previous["diameter_um"])) + 5)
    edges = np.arange(0, top + 5, 5.0)
    fig, ax = plt.subplots(figsize=(9, 3.4))
    counts, _ = np.histogram(diameters, bins=edges)
    centres = (edges[:-1] + edges[1:]) / 2
    colours = [_rgb01(class_colour(c, cutoffs)) for c in centres]
    ax.bar(centres, counts, width=5, color=colours, edgecolor="white")
    handles = [Patch(facecolor="0.6", edgecolor="white", label=f"{labels[0]} (bars)")]
    if previous is not None and len(previous):
        before, _ = np.histogram(previous["diameter_um"].to_numpy(float), bins=edges)
        (line,) = ax.step(edges, np.r_[before, before[-1]], where="post", color="k", lw=1.4)
        line.set_label(labels[1])
        handles.append(line)
        counts = np.maximum(counts, before)  # for the axis height only
    top_count = max(counts.max(), 1) * 1.25
    ax.set_ylim(0, top_count)
    for value, name in (
        (cutoffs.thin_below_um, f"thin < {cutoffs.thin_below_um:g}"),
        (cutoffs.vellus_max_um, f"vellus <= {cutoffs.vellus_max_um:g}"),
        (cutoffs.terminal_min_um, f"terminal >= {cutoffs.terminal_min_um:g}"),
    ):
        ax.axvline(value, color="grey", ls="--", lw=0.8)
        ax.text(
            value - 0.8,
            top_count * 0.98,
            name,
            fontsize=8,
            va="top",
            ha="right",
            rotation=90,
            color="0.3",
        )
    ax.set_xlabel("shaft diameter (um)")
    ax.set_ylabel("hairs")
    ax.set_xlim(0, edges[-1])
    ax.legend(handles=handles, fontsize=8, loc="upper right")
    ax.grid(alpha=0.3, axis="y")
    return _png(fig)


def _positions(table: pd.DataFrame) -> dict[int, tuple[float, float]]:
    return {
        int(h): (float(x), float(y))
        for h, x, y in table[["hair_id", "x_um", "y_um"]].itertuples(index=False)
    }


def matched_hairs_figure(
    before: Visit,
    after: Visit,
    comparison: VisitComparison,
    *,
    image_index: int | None = None,
) -> bytes:
    """The two visits side by side: every hair's exit point coloured by its fate; a hair
    found at both visits carries the same number in both panels."""
    pairs = comparison.hairs
    b_table, a_table = before.hairs, after.hairs
    backgrounds: list[VisitImage | None] = [None, None]
    if image_index is not None:
        backgrounds = [before.images[image_index], after.images[image_index]]
        b_table = b_table[b_table["image"] == backgrounds[0].name]
        a_table = a_table[a_table["image"] == backgrounds[1].name]
    b_xy, a_xy = _positions(b_table), _positions(a_table)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.2))
    numbered = pairs[pairs["hair_id_before"].notna() & pairs["hair_id_after"].notna()]
    numbers = {
        (int(r.hair_id_before), int(r.hair_id_after)): k + 1
        for k, r in enumerate(numbered.itertuples())
    }
    for ax, visit, xy, key, image in (
        (axes[0], before, b_xy, "hair_id_before", backgrounds[0]),
        (axes[1], after, a_xy, "hair_id_after", backgrounds[1]),
    ):
        if image is not None:
            rows, cols = image.rgb.shape[:2]
            scale = image.analysis.um_per_px
            ax.imshow(image.rgb, extent=(0, cols * scale, rows * scale, 0))
        else:
            ax.set_facecolor("0.25")
            ax.invert_yaxis()
        for row in pairs[pairs[key].notna()].itertuples():
            hair = int(getattr(row, key))
            if hair not in xy:
                continue
            x, y = xy[hair]
            colour = FATE_COLOURS[row.fate]
            ax.plot(x, y, "o", ms=9, mfc="none", mec=colour, mew=2)
            pair_key = (
                (int(row.hair_id_before), int(row.hair_id_after))
                if row.fate in ("kept", "thinned", "thickened")
                else None
            )
            if pair_key in numbers:
                ax.annotate(
                    str(numbers[pair_key]),
                    (x, y),
                    xytext=(6, 4),
                    textcoords="offset points",
                    color=colour,
                    fontsize=8,
                    fontweight="bold",
                )
        date = f" ({visit.date.isoformat()})" if visit.date else ""
        ax.set_title(f"{visit.label}{date}: {len(xy)} hairs", fontsize=10)
        ax.set_xlabel("x (um)")
        ax.set_ylabel("y (um)")
        ax.set_aspect("equal")
    handles = [
        plt.Line2D([], [], ls="", marker="o", mfc="none", mec=c, mew=2, label=f)
        for f, c in FATE_COLOURS.items()
        if f != OUT_OF_VIEW or (pairs["fate"] == OUT_OF_VIEW).any()
    ]
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=len(handles),
        fontsize=9,
        facecolor="0.3",
        labelcolor="white",
    )
    return _png(fig)


def diameter_change_figure(pairs: pd.DataFrame, *, thinning_um: float) -> bytes:
    """Diameter at the previous visit against this visit for each matched hair
    (``pairs``: ``VisitComparison.hairs`` rows)."""
    kept = pairs[pairs["hair_id_before"].notna() & pairs["hair_id_after"].notna()]
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    top = (
        max(120.0, float(np.nanmax(kept[["diameter_before_um", "diameter_after_um"]])) + 10)
        if len(kept)
        else 120.0
    )
    grid = np.array([0, top])
    ax.fill_between(
        grid,
        grid - thinning_um,
        grid + thinning_um,
        color="0.85",
        label=f"within +/- {thinning_um:g} um",
    )
    ax.plot(grid, grid, color="0.4", lw=0.8)
    for fate in ("kept", "thinned", "thickened"):
        rows = kept[kept["fate"] == fate]
        colour = "0.2" if fate == "kept" else FATE_COLOURS[fate]
        ax.scatter(
            rows["diameter_before_um"],
            rows["diameter_after_um"],
            s=18,
            color=colour,
            label=f"{fate} ({len(rows)})",
            zorder=3,
        )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("diameter, previous visit (um)")
    ax.set_ylabel("diameter, this visit (um)")
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    return _png(fig)
