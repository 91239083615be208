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
from follicle.errors import FollicleInputError
from follicle.model.androgens import DAYS_PER_YEAR
from follicle.model.params import (
    DEFAULT_PARAMETERS,
    ModelParameters,
    load_parameters,
    parameters_from_overrides,
)
from follicle.person import load_person, parse_person
from follicle.regimen import load_regimen, parse_regimen
from follicle.sim.simulate import simulate
from follicle.sim.trajectory import Trajectory


def _shed(value: float) -> str:
    # whole numbers from 10 up keep the table inside 80 columns (47.7 -> 48)
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.3g}"


SUMMARY_COLUMNS = (
    ("hairs_per_cm2", "hairs/cm2", "{:.0f}".format),
    ("non_vellus_per_cm2", ">40um/cm2", "{:.0f}".format),
    ("mean_diameter_um", "mean um", "{:.0f}".format),
    ("thin_share", "thin", "{:.0%}".format),
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


def _days_from_years(years: float) -> int:
    if not 0 < years <= 100:
        raise FollicleInputError("--years", years, "a number of years in (0, 100]")
    return max(1, round(years * DAYS_PER_YEAR))


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
            "--params",
            metavar="PARAMS.toml",
            help="Model parameters to change: a [parameters] table (see `follicle params`).",
        ),
        shrinkage: str | None = typer.Option(
            None, "--shrinkage", help="Miniaturization mode: gradual (default) or stepwise."
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
        person = load_person(person_file)
        regimen = load_regimen(regimen_file) if regimen_file else None
        days = _days_from_years(years)
        params = load_parameters(params_file) if params_file else DEFAULT_PARAMETERS
        if shrinkage is not None:
            params = parameters_from_overrides({"shrinkage_mode": shrinkage}, base=params)
        if observe_every_days > days:
            raise FollicleInputError(
                "--observe-every-days", observe_every_days, f"at most the simulated days ({days})"
            )
        progress, callback = _progress_bar(not as_json and console.is_terminal)
        if progress:
            progress.start()
        try:
            trajectory = simulate(
                person,
                regimen,
                days=days,
                observe_every_days=observe_every_days,
                area=area,
                random_seed=seed,
                with_history=not no_history,
                params=params,
                progress=callback,
            )
        finally:
            if progress:
                progress.stop()
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
                    {regimen.name if regimen else "untreated": trajectory},
                    temporary.with_suffix(".png"),
                    title=f"{person.name}: {years:g} years",
                ).replace(temporary)
        if as_json:
            print_json(trajectory.to_dict())
            return
        label = regimen.name if regimen else "untreated"
        console.print(
            summary_table(
                trajectory, title=f"{person.name} ({label}), seed {trajectory.provenance['seed']}"
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

        and `follicle simulate ... --params that.toml`. docs/model.md explains each.
        """
        sources = ModelParameters.sources()
        values = DEFAULT_PARAMETERS.to_dict()
        if as_json:
            print_json({name: {"value": values[name], "source": sources[name]} for name in values})
            return
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        table.add_column("parameter", no_wrap=True)
        table.add_column("value")
        table.add_column("source")
        for name, value in values.items():
            table.add_row(name, str(value), sources[name])
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
        person = parse_person(DEMO_PERSON, source="demo person")
        regimens = {
            "untreated": None,
            "fin 1 mg + min 5%": parse_regimen(DEMO_REGIMEN, source="demo regimen"),
        }
        days = round(10 * DAYS_PER_YEAR)
        results = {}
        progress, callback = _progress_bar(not as_json and console.is_terminal)
        if progress:
            progress.start()
        try:
            for label, regimen in regimens.items():
                results[label] = simulate(
                    person,
                    regimen,
                    days=days,
                    observe_every_days=91,
                    random_seed=seed,
                    progress=callback,
                )
        finally:
            if progress:
                progress.stop()
        from follicle.report.plots import plot_trajectories

        plot = plot_trajectories(
            results, out_dir / "demo.png", title="A 25-year-old man with high androgen sensitivity"
        )
        payload = {label: trajectory.to_dict() for label, trajectory in results.items()}
        (out_dir / "demo.json").write_text(dumps_json(payload) + "\n", encoding="utf-8")
        from follicle.care.projection import project

        # the one-seed trajectories above are one possible future; the bands show the spread
        expected = project(
            person,
            {"fin 1 mg + min 5%": regimens["fin 1 mg + min 5%"]},
            years=10,
            futures=40,
            regions=("vertex",),
            random_seed=seed,
            check_rules=False,
        )
        (out_dir / "demo-bands.json").write_text(
            dumps_json(expected.to_dict()) + "\n", encoding="utf-8"
        )
        if as_json:
            print_json(payload)
            return
        console.print(demo_table(results, days=days))
        console.print(demo_bands_table(expected))
        console.print(
            f"plot: {plot}\ntrajectories (JSON): {out_dir / 'demo.json'}\n"
            f"bands (JSON): {out_dir / 'demo-bands.json'}"
        )
        console.print(
            "[dim]A simulation informs; it does not diagnose or prescribe. "
            "See docs/model.md for the assumptions.[/dim]"
        )


DEMO_PERSON = {"name": "demo man", "sex": "male", "age_years": 25, "androgen_sensitivity": "high"}
DEMO_REGIMEN = {
    "name": "finasteride 1 mg + minoxidil 5%",
    "treatment": [
        {"kind": "finasteride", "dose_mg": 1.0},
        {
            "kind": "minoxidil",
            "route": "topical",
            "concentration_percent": 5,
            "applications_per_day": 2,
        },
    ],
}


def demo_bands_table(projection) -> Table:
    """Vertex non-vellus hairs per cm2: median (10-90%) over the projection's futures."""
    table = Table(
        title="Over 40 possible futures: vertex non-vellus hairs per cm2, median (10-90%)",
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
        title="A 25-year-old man with high androgen sensitivity: non-vellus hairs per cm2",
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
