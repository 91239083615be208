"""Command line for measurement: ``follicle measure``, ``follicle analyze``, ``follicle render``.

Thin front ends: each command parses options, calls the library and prints or writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from PIL import Image
from rich import box
from rich.progress import track
from rich.table import Table

from follicle.cli.support import (
    atomic_output,
    console,
    error_console,
    handles_bad_input,
    print_json,
)
from follicle.errors import FollicleInputError
from follicle.measure.calibration import DEVICE_PRESETS
from follicle.measure.metrics import Metrics
from follicle.measure.table_io import read_hairs_table, write_hairs_table

# Image analysis, rendering and matching load inside the commands that need them, so the
# other follicle commands start without scikit-image.
DIFFICULTIES = ("easy", "medium", "hard")

METRIC_ROWS = (
    ("hair_count", "hairs", "{:.0f}"),
    ("density_per_cm2", "density (hairs/cm2)", "{:.0f}"),
    ("terminal_count", "terminal (>= terminal cut-off)", "{:.0f}"),
    ("intermediate_count", "intermediate", "{:.0f}"),
    ("vellus_count", "vellus (<= vellus cut-off)", "{:.0f}"),
    ("thin_share_percent", "thin hairs (%)", "{:.1f}"),
    ("mean_diameter_um", "mean diameter (um)", "{:.1f}"),
    ("median_diameter_um", "median diameter (um)", "{:.1f}"),
    ("sd_diameter_um", "SD diameter (um)", "{:.1f}"),
    ("diameter_diversity_percent", "diameter diversity SD/mean (%)", "{:.1f}"),
    ("hairs_per_unit", "hairs per follicular unit", "{:.2f}"),
    ("single_hair_unit_share_percent", "single-hair units (%)", "{:.1f}"),
    ("cumulative_thickness_mm_per_cm2", "cumulative thickness (mm/cm2)", "{:.2f}"),
    ("yellow_dots", "yellow dots", "{}"),
)


def _metrics_table(title: str, metrics: Metrics) -> Table:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    values = metrics.to_dict()
    for key, label, fmt in METRIC_ROWS:
        value = values[key]
        table.add_row(label, "-" if value is None else fmt.format(value))
    return table


def measure_command(
    hairs: Annotated[Path, typer.Argument(help="Hairs table: .csv, .parquet or .json.")],
    area_cm2: Annotated[float, typer.Option("--area-cm2", help="Area the hairs were counted in.")],
    yellow_dots: Annotated[
        int | None, typer.Option("--yellow-dots", help="Empty follicles seen in that area.")
    ] = None,
    region: Annotated[str | None, typer.Option(help="Use only rows of this region.")] = None,
    thin_below_um: Annotated[float, typer.Option(help="Thin: below this diameter.")] = 30.0,
    vellus_max_um: Annotated[float, typer.Option(help="Vellus: at most this diameter.")] = 40.0,
    terminal_min_um: Annotated[float, typer.Option(help="Terminal: at least this.")] = 60.0,
    occipital: Annotated[
        Path | None,
        typer.Option(help="Occipital hairs table: HAIRS is then frontal; adds Rakowska criteria."),
    ] = None,
    occipital_area_cm2: Annotated[
        float | None, typer.Option(help="Area of the occipital table (default: --area-cm2).")
    ] = None,
    frontal_images: Annotated[
        int, typer.Option(help="Frontal images the yellow dots were counted in.")
    ] = 4,
    discoloration_ratio: Annotated[
        float | None,
        typer.Option(help="Perifollicular discoloration, frontal : occipital, if scored."),
    ] = None,
    previous: Annotated[
        Path | None, typer.Option(help="Hairs table of an earlier visit of the same site.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Miniaturization metrics from a hairs table; optional criteria and visit change.

    Density, terminal / intermediate / vellus counts, thin-hair share, diameter mean,
    median, SD and diversity, hairs per follicular unit, cumulative thickness, yellow dots.

    With --occipital, HAIRS is the frontal site and the Rakowska 2009 trichoscopic criteria
    are evaluated (decision support, not a diagnosis). With --previous, the change since
    that visit is reported with 95% intervals, and hairs are matched one by one when both
    tables carry x_um / y_um.

    Example: follicle measure frontal.csv --area-cm2 0.1 --yellow-dots 5
    --occipital occipital.csv --json
    """
    from follicle.measure.assessment import assess, diameter_cutoffs

    result = assess(
        hairs,
        area_cm2=area_cm2,
        yellow_dots=yellow_dots,
        region=region,
        cutoffs=diameter_cutoffs(
            thin_below_um=thin_below_um,
            vellus_max_um=vellus_max_um,
            terminal_min_um=terminal_min_um,
        ),
        occipital=occipital,
        occipital_area_cm2=occipital_area_cm2,
        frontal_image_count=frontal_images,
        discoloration_ratio=discoloration_ratio,
        previous=previous,
    )
    metrics, report, comparison = result.metrics, result.criteria, result.change
    if as_json:
        print_json(result.to_dict())
        return
    console.print(_metrics_table(f"{hairs.name}: {area_cm2:g} cm2", metrics))
    if report is not None:
        criteria = Table(title="Rakowska 2009 criteria (decision support, not a diagnosis)")
        for column in ("criterion", "kind", "value", "threshold", "verdict"):
            criteria.add_column(column)
        for c in (*report.criteria, report.anisotrichosis):
            value = "-" if c.value is None or np.isnan(c.value) else f"{c.value:.2f}"
            criteria.add_row(c.name, c.kind, value, c.threshold, c.verdict)
        console.print(criteria)
        console.print(report.finding)
        for warning in report.warnings:
            console.print(f"[yellow]warning:[/yellow] {warning}")
    if comparison is not None:
        change = Table(title=f"Change since {previous.name} (95% interval, counting noise)")
        for column in ("metric", "before", "after", "change", "95% interval"):
            change.add_column(column)
        for c in comparison.changes:
            change.add_row(
                c.name,
                f"{c.before:.2f}",
                f"{c.after:.2f}",
                f"{c.difference:+.2f}",
                f"{c.ci95_low:+.2f} .. {c.ci95_high:+.2f}",
            )
        console.print(change)
        if comparison.matched:
            console.print(
                f"matched hairs: {comparison.persisting} persisting "
                f"({comparison.thinned} thinned, {comparison.thickened} thickened), "
                f"{comparison.lost} lost, {comparison.new} new"
            )
            if not comparison.same_spot:
                error_console.print(
                    "[yellow]warning:[/yellow] the two visits pair no more hairs than chance "
                    f"({comparison.persisting}; turned at random, up to "
                    f"{comparison.chance_persisting}): probably not the same spot, so the "
                    "hair-by-hair fates mean nothing; the changes above still hold"
                )


def analyze_command(
    images: Annotated[list[Path], typer.Argument(help="Trichoscopy images (PNG, JPEG, TIFF).")],
    um_per_px: Annotated[
        float | None, typer.Option("--um-per-px", help="Scale in micrometres per pixel.")
    ] = None,
    device: Annotated[
        str | None,
        typer.Option(help=f"Device preset instead of --um-per-px: {', '.join(DEVICE_PRESETS)}."),
    ] = None,
    micrometer: Annotated[
        Path | None, typer.Option(help="Image of a stage micrometer, to derive the scale.")
    ] = None,
    line_spacing_um: Annotated[
        float, typer.Option(help="Ruling spacing of the stage micrometer.")
    ] = 10.0,
    circle_radius_mm: Annotated[
        float | None,
        typer.Option(help="With --device: radius printed beside the image's measuring circle."),
    ] = None,
    region: Annotated[str, typer.Option(help="Region written into the hairs table.")] = (
        "unspecified"
    ),
    polarity: Annotated[
        str, typer.Option(help="auto, dark (dark hair on light skin) or light.")
    ] = "auto",
    pipeline: Annotated[
        str,
        typer.Option(
            help="classical, or learned (ONNX segmenter, extra 'learned'; docs/segmenter.md)."
        ),
    ] = "classical",
    overlay: Annotated[
        Path | None, typer.Option(help="Directory for overlay images (IMAGE.overlay.png).")
    ] = None,
    hairs: Annotated[
        Path | None, typer.Option(help="Write the hairs table here (.csv, .parquet, .json).")
    ] = None,
    corrections: Annotated[
        Path | None,
        typer.Option(
            help="Corrections by hand (.toml or .json): hairs removed, added or split, per "
            "image file name (docs/measure.md, 'Correcting by hand')."
        ),
    ] = None,
    corrections_template: Annotated[
        Path | None,
        typer.Option(
            help="Write a corrections file to fill in (.toml): each image's name, SHA-256 "
            "and scale, with commented examples."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Find hairs in trichoscopy images and measure them in micrometres.

    Each image gives one row per hair (diameter, visible length, exit point, follicular
    unit) and the image's metrics. The overlay draws what was found so a person can check
    it: centre lines coloured by class (red thin < 30 um, orange intermediate or vellus,
    green terminal), exit circles with hair number and diameter, yellow dots ringed.

    Hairs are counted by their exit, in a counting frame: the field minus masked
    graphics and a 90 um guard zone along the edges (dotted on the overlay). A hair cut
    by the frame whose exit lies outside it entered from the next field: it is drawn,
    in brackets, but not counted, so the density is not inflated by the hairs that
    reach in.

    The scale is needed: --um-per-px, a --device preset, or --micrometer (an image of a
    stage micrometer with --line-spacing-um rulings). With --device, an image carrying the
    device's measuring circle (give its printed radius with --circle-radius-mm) or its
    1.0 mm scale bar is calibrated from it. Device graphics (caption bars, circles, scale
    bars, labels) are masked. A warning is printed when the shaft widths suggest a scale
    more than 15% away from the one used.

    Correcting by hand: the overlay numbers each hair. Write a corrections file with
    --corrections-template, list there the hairs to remove, draw the missed ones as
    lines (points in pixels or um) and the hairs to split, and run again with
    --corrections: the hairs table, metrics and overlay are then the corrected ones.

    Example: follicle analyze scalp.png --um-per-px 4 --overlay out/ --hairs hairs.csv
    """
    from follicle.measure.images import ScaleOptions, analyze_images

    if corrections_template is not None:
        if corrections_template.suffix.lower() != ".toml":
            raise FollicleInputError(
                "corrections_template", str(corrections_template), "a .toml file"
            )
        if corrections is not None and corrections_template.resolve() == corrections.resolve():
            raise FollicleInputError(
                "corrections_template",
                str(corrections_template),
                "another file than --corrections (it would be overwritten)",
            )
    scale = ScaleOptions(
        um_per_px=um_per_px,
        device=device,
        micrometer=micrometer,
        line_spacing_um=line_spacing_um,
        circle_radius_mm=circle_radius_mm,
    )
    # A progress bar on stderr when several images are analysed (stdout stays clean).
    result = analyze_images(
        images,
        scale=scale,
        region=region,
        polarity=polarity,
        pipeline=pipeline,
        overlay_dir=overlay,
        corrections=corrections,
        progress=lambda paths: track(
            paths,
            description="analysing",
            console=error_console,
            transient=True,
            disable=len(paths) < 2,
        ),
    )
    for name, warning in result.warnings:
        error_console.print(f"[yellow]warning:[/yellow] {name}: {warning}")
    if hairs is not None:
        with atomic_output(hairs) as temporary:
            write_hairs_table(result.hairs, temporary, suffix=hairs.suffix)
    if corrections_template is not None:
        from follicle.measure.correction_text import corrections_template_text

        text = corrections_template_text(result.images)
        with atomic_output(corrections_template) as temporary:
            Path(temporary).write_text(text, encoding="utf-8")
    if as_json:
        print_json(result.to_dict())
        return
    results = result.images
    # Units and area are in --json; the table fits 80 columns without vertical rules. A
    # long image name folds onto more lines rather than being cut: names of one visit
    # often share a prefix.
    table = Table(title="follicle analyze", box=box.SIMPLE_HEAD)
    longest = max((len(Path(r["source"]).name) for r in result.images), default=5)
    table.add_column("image", overflow="fold", min_width=min(longest, 20))
    headers = (
        "hairs",
        "hairs\n/cm2",
        "vellus\n%",
        "thin\n%",
        "median\num",
        "yellow\ndots",
        "um/px",
    )
    for column in headers:
        table.add_column(column, justify="right")
    for r in results:
        m = r.get("metrics", {})
        table.add_row(
            Path(r["source"]).name,
            str(m.get("hair_count", r["hair_count"])),  # counted: exit in the frame
            f"{m['density_per_cm2']:.0f}" if "density_per_cm2" in m else "-",
            f"{m.get('vellus_share_percent', float('nan')):.1f}",
            f"{m.get('thin_share_percent', float('nan')):.1f}",
            f"{m.get('median_diameter_um', r['median_diameter_um']):.1f}",
            str(r["yellow_dots"]),
            f"{r['um_per_px']:.3g}",
        )
    console.print(table)
    outside = sum(r.get("metrics", {}).get("hairs_exit_outside", 0) for r in results)
    if outside:
        from follicle.measure.analyze import GUARD_ZONE_UM

        console.print(
            f"not counted: {outside} hair(s) seen with the exit outside the counting frame "
            f"(entering from outside the field, or from its {GUARD_ZONE_UM:g} um guard zone; "
            "drawn in brackets on the overlay)",
            highlight=False,
        )
    sources = [r.get("scale_source", "given") for r in results]
    if any(source != "given" for source in sources):  # scales the user did not give
        console.print(scale_summary(sources), highlight=False)
    for r in results:
        if "corrections" in r:
            counts = r["corrections"]
            console.print(
                f"{Path(r['source']).name}: corrected by hand ({counts['removed']} removed, "
                f"{counts['added']} added, {counts['split']} split)"
            )


def scale_summary(sources: list[str]) -> str:
    """Where the images' scales came from, under the table: one image's source in full
    (e.g. "scale: scale bar (1 mm on 358 px)"), else how many images took each kind
    ("scale: scale bar in 26 images, preset in 76"), in order of first appearance."""
    if len(sources) == 1:
        return f"scale: {sources[0]}"
    counts: dict[str, int] = {}
    for source in sources:
        kind = source.split(" (", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    parts = [f"{kind} in {n} image{'s' if n > 1 else ''}" for kind, n in counts.items()]
    return "scale: " + ", ".join(parts)


def render_command(
    output: Annotated[Path, typer.Argument(help="Image to write (.png).")],
    difficulty: Annotated[str, typer.Option(help=f"One of {', '.join(DIFFICULTIES)}.")] = "easy",
    um_per_px: Annotated[float, typer.Option("--um-per-px", help="Scale of the image.")] = 4.0,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same image).")] = 1,
    hairs: Annotated[
        Path | None, typer.Option(help="Hairs table to draw (e.g. a simulator snapshot).")
    ] = None,
    yellow_dots: Annotated[int, typer.Option(help="Empty follicles to draw.")] = 0,
    truth: Annotated[
        Path | None, typer.Option(help="Write the true hairs table here (.csv/.parquet/.json).")
    ] = None,
) -> None:
    """Draw a synthetic trichoscopy image with exact ground truth.

    Hairs of known widths in follicular units, crossings, vellus hairs, yellow dots, skin
    texture, blur, noise and uneven light; 'hard' adds dye, highlights, a text bar and light
    hair on dark skin. Useful to try the analyser and to teach what it sees.

    Example: follicle render demo.png --difficulty medium --seed 7 --truth demo-truth.csv
    """
    from follicle.measure.render import render_trichoscopy

    if output.suffix.lower() != ".png":
        raise FollicleInputError("output suffix", output.suffix, "'.png' (lossless)")
    table = read_hairs_table(hairs) if hairs is not None else None
    scene = render_trichoscopy(
        table, um_per_px=um_per_px, style=difficulty, yellow_dots=yellow_dots, seed=seed
    )
    with atomic_output(output) as temporary:
        Image.fromarray(scene.image).save(temporary, format="PNG")
    if truth is not None:
        with atomic_output(truth) as temporary:
            write_hairs_table(scene.hairs, temporary, suffix=truth.suffix)
    console.print(
        f"wrote {output} ({len(scene.hairs)} hairs, {len(scene.crossings)} crossings, "
        f"{len(scene.yellow_dots_um)} yellow dots, {scene.um_per_px:g} um/px, seed {seed})"
    )


def register(app: typer.Typer) -> None:
    """Add the measurement commands to the ``follicle`` app."""
    app.command("measure")(handles_bad_input(measure_command))
    app.command("analyze")(handles_bad_input(analyze_command))
    app.command("render")(handles_bad_input(render_command))
