"""``follicle simulate`` and ``follicle demo``: front ends over :func:`follicle.simulate`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich import box
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from follicle.cli.support import (
    atomic_output,
    console,
    dumps_json,
    error_console,
    fail,
    handles_bad_input,
    print_json,
)
from follicle.model.androgens import DAYS_PER_YEAR
from follicle.sim.demo import DEMO_TITLE, run_demo
from follicle.sim.inputs import days_from_years, model_parameters, parameter_listing
from follicle.sim.simulate import simulate
from follicle.sim.trajectory import Trajectory


def _shed(value: float) -> str:
    # whole numbers from 10 up keep the table inside 80 columns (47.7 -> 48)
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.3g}"


SUMMARY_COLUMNS = (
    ("density_per_cm2", "hairs/cm2", "{:.0f}".format),
    ("non_vellus_per_cm2", ">40um/cm2", "{:.0f}".format),
    ("mean_diameter_um", "mean um", "{:.0f}".format),
    ("thin_share_percent", "thin", "{:.0f}%".format),
    ("kenogen_fraction", "empty", "{:.0%}".format),
    ("shed_per_day", "shed/day", _shed),
)

SIMULATE_HELP = """Simulate a person's scalp, untreated or under a regimen.

Prints a summary table; --json, --csv or --parquet write the full trajectory
(every observation day, every region, with provenance: version, parameters, seed).

Examples:

  follicle simulate examples/man-25-high.toml --years 10 --seed 1

  follicle simulate examples/man-25-high.toml \\
      --regimen examples/finasteride.toml --years 5 --plot fin.png \\
      --area vertex:5.1

  follicle simulate examples/woman-45-fphl.toml --years 10 --json > w.json
"""


def _progress_bar(enabled: bool):
    if not enabled:
        return None, None
    progress = Progress(
        TextColumn("simulating"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
    )
    task = progress.add_task("simulate", total=1.0)
    return progress, (lambda done: progress.update(task, completed=done))


def summary_table(trajectory: Trajectory, *, title: str) -> Table:
    """Per region and for the whole area: each measure on day 0 -> on the last day."""
    last = float(trajectory.table["day"].max())
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False
    )
    table.add_column("region", no_wrap=True)
    for _, header, _ in SUMMARY_COLUMNS:
        table.add_column(header, justify="right", no_wrap=True)
    for region in dict.fromkeys(trajectory.table["region"]):
        rows = trajectory.region(region)
        cells = [
            f"{fmt(rows.loc[0.0, column])} → {fmt(rows.loc[last, column])}"
            for column, _, fmt in SUMMARY_COLUMNS
        ]
        table.add_row(region, *cells, end_section=region == "scalp")
    table.caption = (
        f"day 0 → day {last:.0f}; >40um: non-vellus hairs; thin: < 30 um; "
        "empty: follicles in kenogen"
    )
    return table


def register(app: typer.Typer) -> None:
    @app.command("simulate", help=SIMULATE_HELP)
    @handles_bad_input
    def simulate_command(
        person_file: Path = typer.Argument(..., metavar="PERSON.toml", help="Person file."),
        regimen_file: Path | None = typer.Option(
            None, "--regimen", metavar="REGIMEN.toml", help="Treatments (none: untreated)."
        ),
        years: float = typer.Option(..., "--years", help="How long to simulate, in years."),
        seed: int | None = typer.Option(None, "--seed", help="Random seed (default: fresh)."),
        observe_every_days: int = typer.Option(30, "--observe-every-days", min=1),
        area: str = typer.Option(
            "scalp", "--area", help="'scalp', a region, or REGION:CM2 such as vertex:5.1."
        ),
        no_history: bool = typer.Option(
            False, "--no-history", help="Start from a healthy scalp instead of the person's past."
        ),
        params_file: Path | None = typer.Option(
            None,
            "--parameters",
            metavar="PARAMS.toml",
            help="Model parameters to change: a \\[parameters] table (see `follicle params`).",
        ),
        params_alias: Path | None = typer.Option(
            None, "--params", metavar="PARAMS.toml", hidden=True, help="Old name of --parameters."
        ),
        shrinkage: str | None = typer.Option(
            None, "--shrinkage", help="Miniaturization mode: gradual (default) or stepwise."
        ),
        engine: str | None = typer.Option(
            None, "--engine", help="numba (compiled; the default when installed) or numpy."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the trajectory as JSON."),
        csv_path: Path | None = typer.Option(None, "--csv", help="Write observations as CSV."),
        parquet_path: Path | None = typer.Option(None, "--parquet", help="Write as Parquet."),
        plot_path: Path | None = typer.Option(None, "--plot", help="Write a PNG plot."),
        snapshot_day: float | None = typer.Option(
            None, "--snapshot-day", help="Day of the hairs table written by --snapshot."
        ),
        snapshot_path: Path | None = typer.Option(
            None, "--snapshot", help="Write the hairs table on --snapshot-day as CSV."
        ),
    ) -> None:
        if (
            sum(x is not None and x is not False for x in (as_json or None, csv_path, parquet_path))
            > 1
        ):
            fail("choose one of --json, --csv and --parquet")
        if (snapshot_day is None) != (snapshot_path is None):
            fail("--snapshot-day and --snapshot go together")
        if params_file is not None and params_alias is not None:
            fail("--parameters and --params (its old name) are the same option; give one")
        days = days_from_years(years, field="--years")
        params = model_parameters(params_file or params_alias, shrinkage=shrinkage)
        progress, callback = _progress_bar(not as_json and console.is_terminal)
        if progress:
            progress.start()
        try:
            trajectory = simulate(
                person_file,
                regimen_file,
                days=days,
                observe_every_days=observe_every_days,
                area=area,
                seed=seed,
                with_history=not no_history,
                params=params,
                progress=callback,
                engine=engine,
            )
        finally:
            if progress:
                progress.stop()
        person_name = trajectory.provenance["person"]["name"]
        label = trajectory.provenance["regimen"]["name"] if regimen_file else "untreated"
        snapshot = trajectory.snapshot(snapshot_day) if snapshot_day is not None else None
        if csv_path:
            with atomic_output(csv_path) as temporary:
                trajectory.to_csv(temporary)
        if parquet_path:
            with atomic_output(parquet_path) as temporary:
                trajectory.to_parquet(temporary)
        if snapshot is not None:
            with atomic_output(snapshot_path) as temporary:
                snapshot.to_csv(temporary, index=False)
        if plot_path:
            from follicle.report.plots import plot_trajectories

            with atomic_output(plot_path) as temporary:
                plot_trajectories(
                    {label: trajectory},
                    temporary.with_suffix(".png"),
                    title=f"{person_name}: {years:g} years",
                ).replace(temporary)
        if as_json:
            print_json(trajectory.to_dict())
            return
        console.print(
            summary_table(
                trajectory, title=f"{person_name} ({label}), seed {trajectory.provenance['seed']}"
            )
        )
        for path in (csv_path, parquet_path, snapshot_path, plot_path):
            if path:
                console.print(f"wrote {path}")

    @app.command("params")
    def params_command(
        as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    ) -> None:
        """List the model's parameters: name, default value and source.

        Change some with a TOML file holding a [parameters] table, for example

            [parameters]
            damage_per_cycle = 0.3
            shrinkage_mode = "stepwise"

        and `follicle simulate ... --parameters that.toml`. docs/model.md explains each.
        """
        listing = parameter_listing()
        if as_json:
            print_json(listing)
            return
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        table.add_column("parameter", no_wrap=True)
        table.add_column("value")
        table.add_column("source")
        for name, entry in listing["parameters"].items():
            table.add_row(name, str(entry["value"]), entry["source"])
        console.print(table)

    @app.command("demo")
    @handles_bad_input
    def demo_command(
        out_dir: Path = typer.Option(Path("out"), "--out-dir", help="Where to write the plot."),
        seed: int = typer.Option(2026, "--seed"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """The main job: an untreated and a treated man over 10 years, a table and a plot."""
        out_dir.mkdir(parents=True, exist_ok=True)
        progress, callback = _progress_bar(not as_json and console.is_terminal)
        if progress:
            progress.start()
        try:
            demo = run_demo(seed=seed, progress=callback)
        finally:
            if progress:
                progress.stop()
        from follicle.report.plots import plot_trajectories

        plot = plot_trajectories(demo.trajectories, out_dir / "demo.png", title=DEMO_TITLE)
        payload = demo.to_dict()
        with atomic_output(out_dir / "demo.json") as temporary:
            temporary.write_text(dumps_json(payload) + "\n", encoding="utf-8")
        from follicle.care.demo_expectation import demo_expectation

        # the one-seed trajectories above are one possible future; the bands show the spread
        expected = demo_expectation(demo, seed=seed)
        with atomic_output(out_dir / "demo-bands.json") as temporary:
            temporary.write_text(dumps_json(expected.to_dict()) + "\n", encoding="utf-8")
        if as_json:
            print_json(payload)
            return
        console.print(demo_table(demo.trajectories, days=demo.days))
        console.print(demo_bands_table(expected))
        console.print(
            f"plot: {plot}\ntrajectories (JSON): {out_dir / 'demo.json'}\n"
            f"bands (JSON): {out_dir / 'demo-bands.json'}"
        )
        console.print(
            "[dim]A simulation informs; it does not diagnose or prescribe. "
            "See docs/model.md for the assumptions.[/dim]"
        )


def demo_bands_table(projection) -> Table:
    """Vertex non-vellus hairs per cm2: median (10-90%) over the projection's futures."""
    from follicle.care.demo_expectation import DEMO_FUTURES

    table = Table(
        title=f"Over {DEMO_FUTURES} possible futures: vertex non-vellus hairs per cm2, "
        "median (10-90%)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
    )
    table.add_column("regimen", no_wrap=True)
    for year in (1, 5, 10):
        table.add_column(f"year {year}", justify="right", no_wrap=True)
    bands = {year: projection.at(year * DAYS_PER_YEAR, region="vertex") for year in (1, 5, 10)}
    for label in bands[1].index:
        cells = [bands[y].loc[label] for y in (1, 5, 10)]
        table.add_row(label, *(f"{c.p50:.0f} ({c.p10:.0f}-{c.p90:.0f})" for c in cells))
    table.caption = "Bands include: " + "; ".join(projection.band_includes) + "."
    return table


def demo_table(results: dict[str, Trajectory], *, days: int) -> Table:
    table = Table(
        title=f"{DEMO_TITLE}: non-vellus hairs per cm2",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
    )
    table.add_column("regimen", no_wrap=True)
    table.add_column("region", no_wrap=True)
    for year in (0, 1, 5, 10):
        table.add_column(f"year {year}", justify="right", no_wrap=True)
    table.add_column("um, y10", justify="right", no_wrap=True)
    for label, trajectory in results.items():
        for region in ("vertex", "frontal", "occipital"):
            row = [
                trajectory.at(y * DAYS_PER_YEAR, region)["non_vellus_per_cm2"]
                for y in (0, 1, 5, 10)
            ]
            mean_um = trajectory.at(days, region)["mean_diameter_um"]
            table.add_row(
                label if region == "vertex" else "",
                region,
                *(f"{v:.0f}" for v in row),
                f"{mean_um:.1f}",
                end_section=region == "occipital",
            )
    return table
