"""``follicle trial``, ``follicle validate`` and ``follicle calibrate``."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import typer
from rich import box
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from follicle.cli_support import (
    atomic_output,
    console,
    error_console,
    fail,
    handles_bad_input,
    print_json,
)
from follicle.errors import FollicleInputError

TRIAL_HELP = """Run a virtual clinical trial described by a trial file.

Prints one table per endpoint (per arm: n, mean, SD, 95% CI; per treated arm: the
difference from the control arm with its 95% CI, p-value and the people per arm needed
to detect it at 80% power). Results are identical whatever the number of workers.

Examples:

  follicle trial examples/trials/finasteride-vs-placebo.toml --seed 1

  follicle trial examples/trials/finasteride-vs-placebo.toml --workers 2 --report t.html

  follicle trial examples/trials/minoxidil-olsen.toml --n-per-arm 50 --json > t.json

  follicle trial TRIAL.toml --scheduler tcp://10.0.0.5:8786    # an existing Dask cluster
"""


@contextmanager
def progress_bar(label: str, enabled: bool):
    if not enabled:
        yield None
        return
    progress = Progress(
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
    )
    task = progress.add_task(label, total=1.0)
    with progress:
        yield lambda done: progress.update(task, completed=done)


def _execution(workers: int | None, scheduler: str | None) -> tuple[int | None, str | None]:
    if workers is not None and scheduler is not None:
        fail("choose one of --workers and --scheduler")
    if workers is not None and workers < 0:
        raise FollicleInputError("--workers", workers, "a whole number >= 0 (0: serial)")
    if workers is None and scheduler is None:
        workers = os.cpu_count() or 1
    return workers, scheduler


def _num(value: float) -> str:
    return f"{value:.3g}" if abs(value) >= 0.01 or value == 0 else f"{value:.2e}"


def endpoint_tables(result) -> list[Table]:
    tables = []
    comparisons = result.comparisons
    for endpoint in result.trial.endpoint:
        label = endpoint.label
        table = Table(title=label, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
        for column in ("arm", "n", "mean", "SD", "95% CI", "vs control", "95% CI", "p", "n80"):
            table.add_column(
                column, justify="left" if column == "arm" else "right", no_wrap=column != "arm"
            )
        for _, row in result.endpoint(label).iterrows():
            cells = [
                row["arm"],
                str(row["n"]),
                _num(row["mean"]),
                _num(row["sd"]),
                f"{_num(row['ci_low'])}..{_num(row['ci_high'])}",
            ]
            match = comparisons[
                (comparisons["endpoint"] == label) & (comparisons["arm"] == row["arm"])
            ]
            if match.empty:
                cells += ["control", "", "", ""]
            else:
                c = match.iloc[0]
                cells += [
                    ("+" if c["difference"] > 0 else "") + _num(c["difference"]),
                    f"{_num(c['ci_low'])}..{_num(c['ci_high'])}",
                    f"{c['p_value']:.2g}",
                    str(c["n_per_arm_for_80pct_power"])
                    if c["n_per_arm_for_80pct_power"] > 0
                    else "-",
                ]
            table.add_row(*cells)
        table.caption = "n80: people per arm to detect the difference at 80% power"
        tables.append(table)
    return tables


def register(app: typer.Typer) -> None:
    @app.command("trial", help=TRIAL_HELP)
    @handles_bad_input
    def trial_command(
        trial_file: Path = typer.Argument(..., metavar="TRIAL.toml", help="Trial file."),
        seed: int | None = typer.Option(None, "--seed", help="Seed (default: the file's)."),
        n_per_arm: int | None = typer.Option(
            None, "--n-per-arm", help="Override the file's people per arm."
        ),
        workers: int | None = typer.Option(
            None, "--workers", help="Local Dask worker processes (default: all cores; 0: serial)."
        ),
        scheduler: str | None = typer.Option(
            None, "--scheduler", metavar="ADDRESS", help="Run on an existing Dask scheduler."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
        report: Path | None = typer.Option(None, "--report", help="Write an HTML report."),
        csv_path: Path | None = typer.Option(
            None, "--csv", help="Write the per-person endpoint values as CSV."
        ),
    ) -> None:
        from follicle.trials.run import run_trial
        from follicle.trials.trial_file import load_trial

        workers, scheduler = _execution(workers, scheduler)
        trial = load_trial(trial_file)
        if n_per_arm is not None:
            if n_per_arm < 1:
                raise FollicleInputError("--n-per-arm", n_per_arm, "a whole number >= 1")
            trial = trial.model_copy(update={"n_per_arm": n_per_arm})
        if seed is None and trial.seed is None:
            raise FollicleInputError("--seed", None, "a seed (none in the trial file)")
        with progress_bar("trial", not as_json and console.is_terminal) as progress:
            result = run_trial(
                trial, seed=seed, workers=workers, scheduler=scheduler, progress=progress
            )
        if report:
            from follicle.report.trial_report import write_trial_report

            with atomic_output(report) as temporary:
                write_trial_report(result, temporary)
        if csv_path:
            with atomic_output(csv_path) as temporary:
                result.values.to_csv(temporary, index=False)
        if as_json:
            print_json(result.to_dict())
            return
        console.print(
            f"{trial.name}: {trial.n_per_arm} per arm, target area "
            f"{trial.target_area.label} cm2, seed {result.seed}"
        )
        for table in endpoint_tables(result):
            console.print(table)
        for path in (report, csv_path):
            if path:
                console.print(f"wrote {path}")
