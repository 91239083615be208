"""``follicle trial``, ``follicle validate`` and ``follicle calibrate``."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import typer
from rich import box
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from follicle.cli.support import (
    atomic_output,
    console,
    error_console,
    fail,
    handles_bad_input,
    option_names,
    print_json,
)
from follicle.provenance import with_provenance
from follicle.trials.predictive import (
    DEFAULT_MEMBERS,
    DEFAULT_MEMBERS_N_PER_ARM,
    NOT_JUDGED_NOTE,
    VALIDATION_N_PER_ARM,
)

TRIAL_HELP = """Run a virtual clinical trial described by a trial file.

Prints one table per endpoint (per arm: n, mean, SD, 95% CI; per treated arm: the
difference from the control arm with its 95% CI, p-value and the people per arm needed
to detect it at 80% power). Results are identical whatever the number of workers.

Examples:

  follicle trial examples/trials/finasteride-vs-placebo.toml --seed 1

  follicle trial examples/trials/finasteride-vs-placebo.toml --workers 2 \\
      --report t.html

  follicle trial examples/trials/minoxidil-olsen.toml --n-per-arm 50 --json

  follicle trial TRIAL.toml --scheduler tcp://10.0.0.5:8786   # a Dask cluster

  follicle trial TRIAL.toml --n-per-arm 500000 --block-size 1000 \\
      --keep-observations 1000                # a million people, two arms

  follicle trial examples/trials/finasteride-vs-placebo.toml --seed 1 \\
      --over-ensemble 10       # power with parameter uncertainty

  follicle trial examples/trials/finasteride-vs-placebo.toml --seed 1 --paired
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


#: Library keyword -> the option that sets it, for one-line errors.
OPTION_NAMES = {
    "seed": "--seed",
    "n_per_arm": "--n-per-arm",
    "keep_observations": "--keep-observations",
    "block_size": "--block-size",
    "workers": "--workers",
    "parameters": "--parameters",
    "max_evaluations": "--max-evaluations",
    "members": "--over-ensemble",
}
# validate's own ensemble options (its members are --members, not --over-ensemble)
VALIDATE_OPTION_NAMES = {
    **OPTION_NAMES,
    "members": "--members",
    "members_n_per_arm": "--members-n-per-arm",
    "ensemble_file": "--ensemble-file",
}


def _one_of(workers: int | None, scheduler: str | None) -> None:
    if workers is not None and scheduler is not None:
        fail("choose one of --workers and --scheduler")


def _num(value: float) -> str:
    return f"{value:.3g}" if abs(value) >= 0.01 or value == 0 else f"{value:.2e}"


def endpoint_tables(result) -> list[Table]:
    """Per endpoint: the arms (n, mean, SD, 95% CI), then each treated arm against the
    control (difference, 95% CI, p, people per arm for 80% power); two narrow tables
    rather than one wide one, so they fit an 80-column terminal."""
    tables = []
    comparisons = result.comparisons
    widest = min(30, max(len(arm.name) for arm in result.trial.arm))
    for endpoint in result.trial.endpoint:
        label = endpoint.label
        arms = Table(title=label, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
        arms.add_column("arm", justify="left", min_width=widest)
        for column in ("n", "mean", "SD", "95% CI"):
            arms.add_column(column, justify="right", no_wrap=True)
        for _, row in result.endpoint(label).iterrows():
            arms.add_row(
                row["arm"],
                str(row["n"]),
                _num(row["mean"]),
                _num(row["sd"]),
                f"{_num(row['ci_low'])}..{_num(row['ci_high'])}",
            )
        tables.append(arms)
        rows = comparisons[comparisons["endpoint"] == label]
        if rows.empty:
            continue
        versus = Table(box=box.SIMPLE_HEAD, show_edge=False)
        versus.add_column(f"vs {result.trial.control} (control)", min_width=widest)
        for column in ("difference", "95% CI", "p", "n80"):
            versus.add_column(column, justify="right", no_wrap=True)
        for _, c in rows.iterrows():
            needed = c["n_per_arm_for_80pct_power"]
            versus.add_row(
                c["arm"],
                ("+" if c["difference"] > 0 else "") + _num(c["difference"]),
                f"{_num(c['ci_low'])}..{_num(c['ci_high'])}",
                f"{c['p_value']:.2g}",
                str(needed) if needed > 0 else "-",
            )
        versus.caption = "n80: people per arm to detect the difference at 80% power"
        tables.append(versus)
    return tables


VALIDATE_HELP = """Run every published target as a virtual trial: model vs published.

Prints each target with the published value, the tolerance, the model's value (with its
95% CI) and pass or fail, then a summary. --targets reads another targets file of the
same shape (docs/validation.md); the default is the copy shipped with follicle.

With --ensemble (the default) also each target's 90% posterior predictive interval: the
target's trial run once per ensemble member (--members, each with its own virtual people,
--members-n-per-arm per arm), so the interval includes parameter uncertainty, people's
heterogeneity and trial sampling; and whether the published value lies inside it.

Examples:

  follicle validate --n-per-arm 100  # quicker, noisier point run

  follicle validate --only 'olsen2002-*' --members 10 --members-n-per-arm 50

  follicle validate --no-ensemble  # the point run alone (~2.5x less work)

  follicle validate --targets my-targets.toml --json > validation.json

  follicle validate --parameters fitted.toml --report validation.html
"""

CALIBRATE_HELP = """Fit free model parameters and the population distribution to targets.

Minimizes the mean of ((model - published) / tolerance)^2 over the targets, every
evaluation on the same virtual people (common random numbers), with scipy's bounded
Powell method. Writes a parameter set (TOML) with provenance and the fit per target.

Examples:

  follicle calibrate --output fitted.toml --max-evaluations 40

  follicle calibrate --free population.male.median \\
      --targets prevalence.toml --n-per-arm 200 --output population.toml

  follicle calibrate --only 'hu2015-*' --free minoxidil_growth --output m.toml

With --ensemble: calibration with uncertainty. Runs a design of full simulations, fits an
emulator and draws the posterior by ABC-SMC (settings in --settings, default the shipped
calibration.toml); writes an ensemble of parameter sets (JSON) with provenance, which
`follicle project` reads (docs/validation.md):

  follicle calibrate --ensemble --output src/follicle/data/ensemble.json

With --ensemble the settings file chooses the free parameters, people per arm and seed
(--free, --n-per-arm, --seed and --max-evaluations are for the point fit).

Both modes fit only the targets that calibration.toml does not hold out (the held-out
ones are for `follicle validate`), unless --include-held-out is given.
"""


INFORMED_NOTE = (
    "* informed: a model change was looked for after this target missed; it is still "
    "held out of every fit, but its pass is weaker evidence (docs/validation.md)"
)
ROLE_TITLES = {
    "fit": "fitted targets (calibration used them)",
    "holdout": "held-out targets (no fit saw them: the validation)",
}


def validation_tables(report) -> list[Table]:
    """The fitted and the held-out targets in separate tables, each with its pass count."""
    table = report.table
    if "role" not in table or table["role"].nunique() < 2:
        return [validation_table(report)]
    tables = []
    for role, title in ROLE_TITLES.items():
        part = table[table["role"] == role]
        counts = report.passed_by_role()[role]
        view = validation_table(report, rows=part, title=title)
        view.caption = f"{counts['passed']} of {counts['total']} {title.split(' (')[0]} pass"
        if "informed" in part and part["informed"].any():
            view.caption += f"\n{INFORMED_NOTE}"
        tables.append(view)
    return tables


STALE_ENSEMBLE = (
    "[yellow]The ensemble was built on other model parameters than these: its intervals "
    "describe another model; rebuild it (follicle calibrate --ensemble, "
    "docs/validation.md).[/yellow]"
)


def predictive_summary(summary: dict) -> str:
    """One paragraph: how many published values lie in their interval, and what it holds."""
    level = round(100 * summary["level"])
    return (
        f"{summary['inside']} of {summary['total']} published values inside the model's "
        f"{level}% posterior predictive interval ({level}% PI: {summary['members']} ensemble "
        f"members, each its own virtual trial of {summary['n_per_arm']} people per arm). "
        "The interval includes: "
        + "; ".join(summary["includes"])
        + "."
        + _not_judged(summary.get("not_judged", 0))
    )


def _not_judged(count: int) -> str:
    if not count:
        return ""
    return f" {count} target(s) marked n/a: {NOT_JUDGED_NOTE}."


def predictive_table(report) -> Table:
    """Per target: the published value, the posterior predictive interval over the
    ensemble's member trials (with their median) and whether the value lies in it."""
    level = round(100 * report.provenance["predictive"]["level"])
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        title=f"posterior predictive check ({level}% interval over ensemble member trials)",
        title_justify="left",
    )
    table.add_column("target", no_wrap=True)
    table.add_column("published", justify="right", no_wrap=True)
    table.add_column(f"{level}% PI (median)", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for row in report.table.to_dict(orient="records"):
        low, high = row["predictive_low"], row["predictive_high"]
        finite = low == low and high == high  # NaN: no member gave a value
        interval = (
            f"{_num(low)}..{_num(high)} ({_num(row['predictive_median'])})" if finite else "-"
        )
        inside = row["published_in_predictive"]
        mark = {True: "in", False: "[red]OUT[/red]"}.get(inside, "n/a" if finite else "-")
        table.add_row(row["id"], _published(row), interval, mark)
    return table


def validation_table(report, *, rows=None, title: str = "model vs published") -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        title=title,
        title_justify="left",
    )
    table.add_column("target", no_wrap=True)
    table.add_column("day", justify="right", no_wrap=True)
    table.add_column("published", justify="right", no_wrap=True)
    table.add_column("model (95% CI)", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for row in (report.table if rows is None else rows).to_dict(orient="records"):
        table.add_row(
            row["id"] + (" *" if row.get("informed") else ""),
            str(row["day"]),
            _published(row),
            f"{_num(row['model'])} ({_num(row['model_ci_low'])}-{_num(row['model_ci_high'])})",
            "[green]pass[/green]" if row["pass"] else "[red]FAIL[/red]",
        )
    table.caption = (
        f"{report.passed} of {len(report.table)} targets within tolerance "
        "(endpoints and sources: --json or --report)"
    )
    return table


def calibration_table(result) -> Table:
    """Each free parameter's start and fitted value, and how the objective fell."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, title="fitted parameters")
    for column in ("parameter", "start", "fitted"):
        table.add_column(column, justify="left" if column == "parameter" else "right")
    for name, fitted in result.fitted.items():
        table.add_row(name, f"{result.start[name]:.4g}", f"{fitted:.4g}")
    table.caption = (
        f"objective {result.objective_start:.3g} -> {result.objective_fitted:.3g} in "
        f"{result.evaluations} evaluations, {result.seconds:.0f} s"
    )
    return table


def ensemble_table(ensemble) -> Table:
    """The posterior of each free parameter (over the members) and how the run ended."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, title="posterior (ensemble members)")
    for column in ("parameter", "5%", "median", "95%"):
        table.add_column(column, justify="left" if column == "parameter" else "right")
    for name, row in ensemble.summary().items():
        table.add_row(name, f"{row['p5']:.4g}", f"{row['p50']:.4g}", f"{row['p95']:.4g}")
    p = ensemble.provenance
    table.caption = (
        f"{len(ensemble)} members from {p['accepted_particles']} accepted particles; "
        f"{len(p['targets_fitted'])} fitted targets, {len(p['targets_held_out'])} held out; "
        f"epsilon {p['epsilon_final']:.3g} (floor {p['epsilon_floor']:.3g}, "
        f"{p['stopped_because']}); {p['seconds']:.0f} s"
    )
    return table


def ensemble_trial_table(result, *, control: str) -> Table:
    """Per endpoint and treated arm: the difference and n80 over members, and the share of
    members whose trial is significant (assurance)."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column(f"vs {control} (control)", overflow="fold")
    for column in ("difference", "n80", "p<0.05"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in result.summary.to_dict(orient="records"):
        n80 = (
            f"{row['n80_p50']:.0f} ({row['n80_p10']:.0f}-{row['n80_p90']:.0f})"
            if row["n80_p50"] == row["n80_p50"]
            else "-"
        )
        table.add_row(
            f"{row['arm']}: {row['endpoint']}",
            f"{_num(row['difference_p50'])} ({_num(row['difference_p10'])}.."
            f"{_num(row['difference_p90'])})",
            n80,
            f"{100 * row['share_significant']:.0f}%",
        )
    table.caption = (
        "median (10-90%) over members; n80: people per arm for 80% power; p<0.05: share of "
        "members whose trial is significant (assurance). Includes: " + "; ".join(result.includes)
    )
    return table


def _published(row: dict) -> str:
    """``value ±tolerance``, or ``[low, high]`` for a range target."""
    if row.get("kind") == "range":
        return f"[{_num(row['range_low'])}, {_num(row['range_high'])}]"
    return f"{_num(row['published'])} ±{_num(row['tolerance'])}"


def register(app: typer.Typer) -> None:
    @app.command("validate", help=VALIDATE_HELP)
    @handles_bad_input
    def validate_command(
        targets: Path | None = typer.Option(None, "--targets", help="Targets file (TOML)."),
        n_per_arm: int = typer.Option(
            VALIDATION_N_PER_ARM, "--n-per-arm", help="Virtual people per arm."
        ),
        seed: int = typer.Option(
            2, "--seed", help="Seed (default 2: other people than calibration's seed 1)."
        ),
        parameters: Path | None = typer.Option(
            None, "--parameters", help="A parameter set written by `follicle calibrate`."
        ),
        workers: int | None = typer.Option(
            None, "--workers", help="Local Dask worker processes (default: all cores; 0: serial)."
        ),
        scheduler: str | None = typer.Option(None, "--scheduler", metavar="ADDRESS"),
        as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
        report: Path | None = typer.Option(None, "--report", help="Write an HTML report."),
        only: list[str] | None = typer.Option(
            None,
            "--only",
            metavar="ID",
            help="Run only these targets (ids or shell patterns such as 'hu2015-*'; repeat).",
        ),
        use_ensemble: bool = typer.Option(
            True,
            "--ensemble/--no-ensemble",
            help="Also each target's posterior predictive interval over ensemble members.",
        ),
        ensemble_file: Path | None = typer.Option(
            None, "--ensemble-file", help="Ensemble (default: the one shipped with follicle)."
        ),
        members: int = typer.Option(
            DEFAULT_MEMBERS, "--members", help="Ensemble members, each its own virtual trial."
        ),
        members_n_per_arm: int = typer.Option(
            DEFAULT_MEMBERS_N_PER_ARM, "--members-n-per-arm", help="People per arm per member."
        ),
    ) -> None:
        from follicle.trials.verbs import run_validation

        _one_of(workers, scheduler)
        with (
            progress_bar("validate", not as_json and console.is_terminal) as progress,
            option_names(VALIDATE_OPTION_NAMES),
        ):
            result = run_validation(
                targets=targets,
                only=only,
                n_per_arm=n_per_arm,
                seed=seed,
                parameters=parameters,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
                ensemble=use_ensemble,
                ensemble_file=ensemble_file,
                members=members,
                members_n_per_arm=members_n_per_arm,
            )
        if report:
            from follicle.report.trial_report import write_validation_report

            with atomic_output(report) as temporary:
                write_validation_report(result, temporary)
        if as_json:
            print_json(result.to_dict())
            return
        for table in validation_tables(result):
            console.print(table)
        console.print(
            f"{result.passed} of {len(result.table)} targets within tolerance "
            "(endpoints and sources: --json or --report)"
        )
        summary = result.predictive()
        if summary is not None:
            console.print(predictive_table(result))
            console.print(predictive_summary(summary))
            if not summary["ensemble_matches_model"]:
                error_console.print(STALE_ENSEMBLE)
        if report:
            console.print(f"wrote {report}")

    @app.command("calibrate", help=CALIBRATE_HELP)
    @handles_bad_input
    def calibrate_command(
        output: Path = typer.Option(..., "--output", help="Where to write the parameter set."),
        targets: Path | None = typer.Option(None, "--targets", help="Targets file (TOML)."),
        only: list[str] | None = typer.Option(
            None,
            "--only",
            help="Fit only to these targets (ids or shell patterns; repeat). Targets the free "
            "parameters cannot move only add a constant to the objective.",
        ),
        free: str | None = typer.Option(
            None, "--free", help="Comma-separated free parameters (default: docs/validation.md)."
        ),
        start: Path | None = typer.Option(
            None, "--start", help="Start from this parameter set (default: the shipped one)."
        ),
        n_per_arm: int = typer.Option(60, "--n-per-arm"),
        seed: int = typer.Option(
            1, "--seed", help="Seed (default 1; validation defaults to 2: held-out people)."
        ),
        max_evaluations: int = typer.Option(40, "--max-evaluations"),
        workers: int | None = typer.Option(
            None, "--workers", help="Local Dask worker processes (default: all cores; 0: serial)."
        ),
        scheduler: str | None = typer.Option(None, "--scheduler", metavar="ADDRESS"),
        as_json: bool = typer.Option(False, "--json", help="Print the fit as JSON."),
        ensemble: bool = typer.Option(
            False, "--ensemble", help="Calibrate with uncertainty: write an ensemble (JSON)."
        ),
        settings_path: Path | None = typer.Option(
            None, "--settings", help="Calibration settings (default: the shipped ones)."
        ),
        include_held_out: bool = typer.Option(
            False, "--include-held-out", help="Also fit the targets held out for validation."
        ),
    ) -> None:
        from follicle.trials.verbs import run_calibration

        _one_of(workers, scheduler)
        if not output.parent.exists():
            fail(f"output directory {str(output.parent)!r} does not exist")
        label = "calibrate --ensemble" if ensemble else "calibrate"
        with (
            progress_bar(label, not as_json and console.is_terminal) as progress,
            option_names(OPTION_NAMES),
        ):
            result = run_calibration(
                targets=targets,
                only=only,
                free=free.split(",") if free else None,
                start=start,
                n_per_arm=n_per_arm,
                seed=seed,
                max_evaluations=max_evaluations,
                ensemble=ensemble,
                settings=settings_path,
                include_held_out=include_held_out,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
            )
        with atomic_output(output) as temporary:
            if ensemble:
                result.write(temporary)
            else:
                temporary.write_text(result.to_toml(), encoding="utf-8")
        if as_json:
            print_json(
                with_provenance({**result.to_dict(), "output": str(output)}, result.provenance)
            )
            return
        if ensemble:
            console.print(ensemble_table(result))
        else:
            console.print(calibration_table(result))
            console.print(validation_table(result.report))
        console.print(f"wrote {output}")

    @app.command("trial", help=TRIAL_HELP)
    @handles_bad_input
    def trial_command(
        trial_file: Path = typer.Argument(..., metavar="TRIAL.toml", help="Trial file."),
        seed: int | None = typer.Option(None, "--seed", help="Seed (default: the file's)."),
        n_per_arm: int | None = typer.Option(
            None, "--n-per-arm", help="Override the file's people per arm."
        ),
        keep_observations: int | None = typer.Option(
            None,
            "--keep-observations",
            metavar="N",
            help="Keep per-day observations of the first N people per arm only (for "
            "very large trials; endpoints and means still use everyone).",
        ),
        block_size: int | None = typer.Option(
            None, "--block-size", help="People per task (default: the file's, else 100)."
        ),
        paired: bool = typer.Option(
            False,
            "--paired",
            help="The same virtual people in every arm, their past simulated once "
            "(differences need fewer people; as 'paired = true' in the file).",
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
        parameters: Path | None = typer.Option(
            None, "--parameters", help="A parameter set written by `follicle calibrate`."
        ),
        over_ensemble: int | None = typer.Option(
            None,
            "--over-ensemble",
            metavar="K",
            help="Run the trial once for each of K members of the calibration ensemble "
            "(power with parameter uncertainty).",
        ),
        ensemble_path: Path | None = typer.Option(
            None, "--ensemble", help="Ensemble file for --over-ensemble (default: shipped)."
        ),
    ) -> None:
        from follicle.trials.verbs import run_trial_file

        if over_ensemble is not None and (parameters or report or csv_path):
            fail("--over-ensemble takes none of --parameters, --report, --csv")
        _one_of(workers, scheduler)
        label = "trial" if over_ensemble is None else "trial over the ensemble"
        with (
            progress_bar(label, not as_json and console.is_terminal) as progress,
            option_names(OPTION_NAMES),
        ):
            result = run_trial_file(
                trial_file,
                seed=seed,
                n_per_arm=n_per_arm,
                keep_observations=keep_observations,
                block_size=block_size,
                parameters=parameters,
                paired=paired,
                over_ensemble=over_ensemble,
                ensemble=ensemble_path,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
            )
        if over_ensemble is not None:
            if as_json:
                print_json(result.to_dict())
                return
            control = result.provenance["trial"]["control"]
            console.print(
                f"{result.provenance['trial']['name']}: {result.provenance['n_per_arm']} per "
                f"arm, seed {result.provenance['seed']}, over {over_ensemble} members of the "
                "calibration ensemble"
            )
            console.print(ensemble_trial_table(result, control=control))
            return
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
        trial = result.trial
        console.print(
            f"{trial.name}: {trial.n_per_arm} per arm, target area "
            f"{trial.target_area.label} cm2, seed {result.seed}"
        )
        for table in endpoint_tables(result):
            if table.title:
                console.print()  # a blank line before each endpoint
            console.print(table)
        for path in (report, csv_path):
            if path:
                console.print(f"wrote {path}")
