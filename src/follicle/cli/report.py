"""Command line for reports: ``follicle report visit``.

A thin front end: it parses options, calls ``follicle.report.visit_report`` and says what
it wrote. Heavy imports (image analysis, plotting) load inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from follicle.cli.support import atomic_output, handles_bad_input, print_json
from follicle.provenance import with_provenance

report_app = typer.Typer(
    name="report",
    help="Reports to read and hand over (self-contained HTML, or PDF).",
    no_args_is_help=True,
)


VISIT_HELP = (
    "Write the visit report a trichologist hands over.\n\n"
    "Images with overlays, a legend and a scale bar; density with its error; terminal / "
    "intermediate / vellus shares; the diameter histogram; published reference values "
    "where the literature gives them. With --occipital, the Rakowska 2009 criteria "
    "(validated in women). With --previous, the two visits side by side, hairs matched one "
    "by one, and the change with 95% intervals.\n\n"
    "The report informs; it does not diagnose.\n\n"
    "Examples:\n\n"
    "  follicle report visit b.png --um-per-px 4 --previous a.png -o visit.html\n\n"
    "  follicle report visit f.png --device video-70x --occipital o.png -o v.pdf"
)


def visit_command(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="This visit: trichoscopy images of one site, or one hairs table "
            "(.csv, .parquet, .json)."
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help=".html (self-contained) or .pdf (printed by Chromium)."
        ),
    ],
    um_per_px: Annotated[
        float | None, typer.Option("--um-per-px", help="Scale of the images, um per pixel.")
    ] = None,
    device: Annotated[
        str | None, typer.Option(help="Device preset instead of --um-per-px (see analyze).")
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
    area_cm2: Annotated[
        float | None, typer.Option("--area-cm2", help="Area of a hairs table given as input.")
    ] = None,
    yellow_dots: Annotated[
        int | None, typer.Option(help="Yellow dots seen in that area (hairs table input).")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(help="Site of this visit (default: frontal with --occipital)."),
    ] = None,
    date: Annotated[str | None, typer.Option(help="Date of this visit, YYYY-MM-DD.")] = None,
    label: Annotated[
        str, typer.Option(help="Name of this visit on the report, e.g. 'month 6'.")
    ] = "this visit",
    previous_label: Annotated[
        str, typer.Option(help="Name of the previous visit on the report.")
    ] = "previous visit",
    patient: Annotated[
        str | None, typer.Option(help="Patient label printed on the report.")
    ] = None,
    previous: Annotated[
        list[Path] | None,
        typer.Option(
            help="Previous visit of the same site: an image (repeat for several) or a hairs table."
        ),
    ] = None,
    previous_date: Annotated[
        str | None, typer.Option(help="Date of the previous visit, YYYY-MM-DD.")
    ] = None,
    previous_area_cm2: Annotated[
        float | None,
        typer.Option(help="Area of a previous-visit hairs table (default: --area-cm2)."),
    ] = None,
    occipital: Annotated[
        list[Path] | None,
        typer.Option(
            help="Occipital site of this visit (images or a hairs table): adds the "
            "Rakowska 2009 criteria, with INPUTS as the frontal site."
        ),
    ] = None,
    occipital_area_cm2: Annotated[
        float | None,
        typer.Option(help="Area of an occipital hairs table (default: --area-cm2)."),
    ] = None,
    frontal_images: Annotated[
        int | None,
        typer.Option(help="Frontal images the yellow dots were counted in (default: inputs)."),
    ] = None,
    discoloration_ratio: Annotated[
        float | None,
        typer.Option(help="Perifollicular discoloration, frontal : occipital, if scored."),
    ] = None,
    polarity: Annotated[
        str, typer.Option(help="auto, dark (dark hair on light skin) or light.")
    ] = "auto",
    corrections: Annotated[
        Path | None,
        typer.Option(
            help="Corrections by hand (.toml or .json) for images of any visit or site, by "
            "file name (follicle analyze --corrections-template writes one)."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Also print the report's numbers as JSON.")
    ] = False,
) -> None:
    """Write the visit report a trichologist hands over (help: VISIT_HELP)."""
    from follicle.report.pdf import require_chromium
    from follicle.report.visit_report import check_report_suffix, visit_report_from_files

    suffix = check_report_suffix(output.suffix)
    if suffix == ".pdf":
        require_chromium()  # before minutes of analysis, not after
    report = visit_report_from_files(
        inputs,
        um_per_px=um_per_px,
        device=device,
        micrometer=micrometer,
        line_spacing_um=line_spacing_um,
        circle_radius_mm=circle_radius_mm,
        area_cm2=area_cm2,
        yellow_dots=yellow_dots,
        region=region,
        date=date,
        label=label,
        previous=previous,
        previous_label=previous_label,
        previous_date=previous_date,
        previous_area_cm2=previous_area_cm2,
        occipital=occipital,
        occipital_area_cm2=occipital_area_cm2,
        frontal_image_count=frontal_images,
        discoloration_ratio=discoloration_ratio,
        patient=patient,
        polarity=polarity,
        corrections=corrections,
    )
    with atomic_output(output) as temporary:
        report.write(temporary, suffix=suffix)
    if as_json:
        print_json(with_provenance({**report.to_dict(), "output": str(output)}, report.provenance))
        return
    m = report.metrics
    line = (
        f"wrote {output} ({m.hair_count} hairs, density {m.density_per_cm2:.0f} +/- "
        f"{m.density_se_per_cm2:.0f} per cm2, vellus {m.vellus_share_percent:.1f}%"
    )
    if report.comparison is not None:
        change = report.comparison.changes[0]
        line += f", density change {change.difference:+.0f} +/- {change.se:.0f}"
    typer.echo(line + ")")  # one line, never wrapped inside the path
    if report.images_not_same_spot():
        typer.echo(
            "warning: the two visits pair no more hairs than chance: probably not the same "
            "spot, so the report's hair-by-hair fates mean nothing (it says so)",
            err=True,
        )


def register(app: typer.Typer) -> None:
    """Add ``follicle report ...`` to the ``follicle`` app."""
    report_app.command("visit", help=VISIT_HELP)(handles_bad_input(visit_command))
    app.add_typer(report_app, name="report")
