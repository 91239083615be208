"""``follicle project``: what to expect under each regimen, against no treatment."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from follicle.care.journal.service import default_journal_path
from follicle.care.projection import (
    NO_TREATMENT_LABEL,
    Projection,
    anchor_from_journal_file,
    project,
)
from follicle.care.terminal_text import print_findings
from follicle.cli.care import EXIT_BLOCKED
from follicle.cli.support import (
    atomic_output,
    console,
    fail,
    handles_bad_input,
    option_names,
    print_json,
)

PROJECT_HELP = """What to expect under each regimen, against no treatment.

Simulates many possible futures of the person (--futures) under each regimen and under no
treatment, and prints the median and the 10-90% band of non-vellus hairs per cm2 in
1 cm2 of each affected region. The bands include parameter uncertainty (the futures use
--members parameter sets of the calibration ensemble), the spread of treatment response
between people, follicle-level chance and counting error; the output says so
(docs/care.md, "What the bands include"). A regimen that a care rule blocks for this person (as
`follicle plan check --person` finds) is not projected: its blocks are printed instead
and the exit code is 1. With --from-journal the person's androgen sensitivity is
first fitted to the newest density measurement in the journal, so the projection starts
from the measured state. Information for planning, not a prediction or a prescription.

Examples:

  follicle project examples/man-25-high.toml \\
      --regimen examples/finasteride.toml \\
      --regimen examples/finasteride-minoxidil.toml --years 3 --plot exp.png

  follicle project me.toml --regimen plan.toml --years 2 --from-journal

  follicle project me.toml --regimen plan.toml --years 5 \\
      --no-parameter-uncertainty
"""


def years_text(years: float) -> str:
    """``1 year``, ``3 years``, ``0.5 years``."""
    return f"{years:g} year" + ("" if years == 1 else "s")


def projection_table(projection: Projection, *, years: float) -> Table:
    """The bands as a table that fits 80 columns: the labels wrap, the numbers never do."""
    day = years * 365.25
    table = Table(
        title=f"Non-vellus hairs per cm2 in {years_text(years)} (median, 10-90% of futures)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
    )
    rows = []
    regions = list(dict.fromkeys(projection.bands["region"]))
    for region in regions:
        start = projection.at(0, region=region)
        end = projection.at(day, region=region)
        untreated = end.loc[NO_TREATMENT_LABEL, "p50"]
        for index, (label, row) in enumerate(end.iterrows()):
            change = "" if label == NO_TREATMENT_LABEL else f"{row.p50 - untreated:+.0f}"
            cells = (
                region if index == 0 else "",
                str(label),
                f"{start.loc[label, 'p50']:.0f}",
                f"{row.p50:.0f} ({row.p10:.0f}-{row.p90:.0f})",
                change,
            )
            rows.append((cells, index == len(end) - 1))
    headers = ("region", "regimen", "now", f"in {years:g} y", "vs none")
    for position, column in enumerate(headers):
        if column == "regimen":
            table.add_column(column, justify="left", overflow="fold", ratio=1)
            continue
        width = max([len(column)] + [len(cells[position]) for cells, _ in rows])
        table.add_column(
            column,
            justify="left" if column == "region" else "right",
            no_wrap=True,
            min_width=width,
        )
    for cells, last in rows:
        table.add_row(*cells, end_section=last)
    return table


def band_includes_text(projection: Projection) -> str:
    return "Bands include: " + "; ".join(projection.band_includes) + "."


def plot_projection(projection: Projection, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bands = projection.bands[projection.bands["measure"] == "non_vellus_per_cm2"]
    regions = list(dict.fromkeys(bands["region"]))
    fig, axes = plt.subplots(1, len(regions), figsize=(4.5 * len(regions), 4), sharey=True)
    for ax, region in zip(np.atleast_1d(axes), regions, strict=True):
        for label, rows in bands[bands["region"] == region].groupby("regimen", sort=False):
            years = rows["day"] / 365.25
            ax.fill_between(years, rows["p10"], rows["p90"], alpha=0.2)
            ax.plot(years, rows["p50"], label=label)
        ax.set_title(region)
        ax.set_xlabel("years from today")
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("non-vellus hairs per cm2 (median, 10-90%)")
    np.atleast_1d(axes)[0].legend(fontsize=8)
    fig.suptitle("What to expect (simulated futures; not a prediction or a prescription)")
    fig.text(0.01, 0.01, textwrap.fill(band_includes_text(projection), 150), fontsize=7)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
    return path


def project_command(
    person_file: Path = typer.Argument(..., metavar="PERSON.toml", help="Person file."),
    regimen_files: list[Path] = typer.Option(
        ..., "--regimen", metavar="REGIMEN.toml", help="A regimen to compare (repeat for more)."
    ),
    years: float = typer.Option(..., "--years", help="How far ahead, in years (up to 30)."),
    futures: int = typer.Option(40, "--futures", help="Simulated futures per regimen (5-2000)."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed (default: fresh)."),
    from_journal: bool = typer.Option(
        False, "--from-journal", help="Start from the newest density measurement in the journal."
    ),
    db: Path | None = typer.Option(None, "--db", help="Journal database (default: user data)."),
    as_json: bool = typer.Option(False, "--json", help="Print the bands as JSON."),
    plot_path: Path | None = typer.Option(None, "--plot", help="Write a PNG of the bands."),
    ensemble_path: Path | None = typer.Option(
        None, "--ensemble", help="Ensemble file (default: the one shipped with follicle)."
    ),
    members: int = typer.Option(10, "--members", help="Ensemble members to use (1-200)."),
    parameter_uncertainty: bool = typer.Option(
        True,
        "--parameter-uncertainty/--no-parameter-uncertainty",
        help="Spread the futures over the ensemble (default) or use the point parameters.",
    ),
) -> None:
    run_projection(
        person_file,
        regimen_files,
        years,
        futures,
        seed,
        from_journal,
        db,
        as_json,
        plot_path,
        ensemble_path=ensemble_path,
        members=members,
        parameter_uncertainty=parameter_uncertainty,
    )


project_command.__doc__ = PROJECT_HELP


@handles_bad_input
def run_projection(
    person_file,
    regimen_files,
    years,
    futures,
    seed,
    from_journal,
    db,
    as_json,
    plot_path,
    *,
    ensemble_path=None,
    members=10,
    parameter_uncertainty=True,
) -> None:
    from follicle.care.projection import DEFAULT_ENSEMBLE
    from follicle.trials.ensemble import load_ensemble

    if ensemble_path is not None and not parameter_uncertainty:
        fail("choose one of --ensemble and --no-parameter-uncertainty")
    ensemble = load_ensemble(ensemble_path) if ensemble_path is not None else DEFAULT_ENSEMBLE
    anchor = None
    if from_journal:
        with option_names({"journal": "--db"}):
            anchor = anchor_from_journal_file(db if db is not None else default_journal_path())
    with option_names({"years": "--years", "futures": "--futures", "members": "--members"}):
        projection = project(
            person_file,
            regimen_files,
            years=years,
            futures=futures,
            seed=seed,
            anchor=anchor,
            ensemble=ensemble if parameter_uncertainty else None,
            members=members,
        )
    if plot_path:
        with atomic_output(plot_path) as temporary:
            plot_projection(projection, temporary)
    if as_json:
        print_json(projection.to_dict())
        if projection.blocked:
            raise typer.Exit(EXIT_BLOCKED)
        return
    console.print(projection_table(projection, years=years))
    console.print(escape(band_includes_text(projection)))
    ensemble_used = projection.provenance["ensemble"]
    if ensemble_used is not None and "not_included" in ensemble_used:
        console.print(f"[yellow]Not included: {escape(ensemble_used['not_included'])}.[/yellow]")
    elif ensemble_used is not None and not ensemble_used["matches_model"]:
        console.print(
            "[yellow]The ensemble was built on other model parameters than these; rebuild "
            "it (follicle calibrate --ensemble, docs/validation.md).[/yellow]"
        )
    for label, blocks in projection.blocked.items():
        rules = ", ".join(sorted({f.rule for f in blocks}))
        console.print(
            f"[bold red]Not projected:[/] {escape(label)} is blocked by {rules} for this "
            "person (follicle plan check):"
        )
        print_findings(console, blocks)
    source = projection.provenance["androgen_sensitivity_source"]
    if source.startswith("default"):
        console.print(
            f"androgen sensitivity: {escape(source)}; set it in {escape(str(person_file))} "
            "or fit it with --from-journal"
        )
    if anchor is not None:
        fitted = projection.provenance["anchor"]["fitted_sensitivity"]
        console.print(
            f"started from the journal: {anchor.region} {anchor.column} = "
            f"{anchor.value:g} (fitted androgen sensitivity {fitted:g})"
        )
    if plot_path:
        console.print(f"wrote {plot_path}")
    console.print(
        "[dim]Simulated futures under the model's assumptions (docs/model.md): information "
        "for planning, not a prediction for you and not a prescription. Talk to a "
        "clinician before starting, changing or stopping a treatment.[/dim]"
    )
    if projection.blocked:
        raise typer.Exit(EXIT_BLOCKED)
