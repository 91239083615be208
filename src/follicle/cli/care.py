"""Command line for care: ``follicle plan``, ``follicle journal`` and ``follicle intake``.

Thin front ends: each command parses options, calls one library function and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from follicle.care.plan import check_plan
from follicle.care.terminal_text import counts_line, print_disclaimer, print_findings
from follicle.cli.care_common import JsonOpt, PersonOpt, RegimenArg, teaching_help
from follicle.cli.support import (
    atomic_output,
    console,
    error_console,
    fail,
    handles_bad_input,
    option_names,
    print_json,
)

#: Exit code when a plan has blocking findings (2 stays reserved for bad input).
EXIT_BLOCKED = 1


plan_app = typer.Typer(
    name="plan",
    help="Check a regimen against the care rules and turn it into a calendar.",
    no_args_is_help=True,
)


@plan_app.command("check")
@handles_bad_input
@teaching_help
def plan_check(
    regimen: RegimenArg,
    person: PersonOpt = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Show blocks and warnings only.")
    ] = False,
    json_output: JsonOpt = False,
) -> None:
    """Check REGIMEN against the numbered care rules (care-protocols.md).

    Each finding has a rule id, a severity (block / warn / info), what was found and
    what to do instead.

    Exit code 1 when a rule blocks the plan, 0 otherwise, 2 on bad input.

    Examples:

        follicle plan check plan.toml --person me.toml

        follicle plan check plan.toml --json | jq '.findings[].severity'
    """
    result = check_plan(regimen, person=person)
    if json_output:
        print_json(result.to_dict())
    else:
        console.print(f"[bold]{result.regimen.name}[/bold]: {counts_line(result.findings)}")
        print_findings(console, result.findings, show_info=not quiet)
        if result.ok:
            console.print("[green]No rule blocks this plan.[/green]")
        else:
            console.print("[bold red]This plan is blocked: change it as suggested above.[/]")
        print_disclaimer(console)
    if not result.ok:
        raise typer.Exit(EXIT_BLOCKED)


@plan_app.command("calendar")
@handles_bad_input
@teaching_help
def plan_calendar_command(
    regimen: RegimenArg,
    start: Annotated[
        str, typer.Option("--start", "-s", help="Date of day 0, YYYY-MM-DD (usually today).")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The .ics file to write.")
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="IANA time zone of the clock times (default: this computer's)."),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            help="Days to cover (default: to the last stop_day, a year if ongoing).",
        ),
    ] = None,
    person: PersonOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Turn REGIMEN into dated events in an iCalendar file that phone calendars import.

    Medicines at their times_of_day (defaults: tablets 08:00; topical minoxidil 08:00 and
    20:00), microneedling sessions (20:00) with the sterilisation checklist, the 24-hour
    minoxidil pause after each session (those applications are left out), roller replacement
    every 60 days, and progress reviews at 3, 6 and 12 months.

    A plan that a rule blocks is not exported: the blocks are printed and the exit code is 1.

    Examples:

        follicle plan calendar plan.toml --start 2026-03-02 --tz UTC -o plan.ics

        follicle plan calendar plan.toml --start 2026-03-02 --json
    """
    from follicle.care.calendar import PlanBlockedError, plan_calendar

    missing_output = output is None and not json_output
    try:
        with option_names({"start": "--start", "tz": "--tz", "days": "--days"}):
            result = plan_calendar(regimen, start=start, tz=tz, days=days, person=person)
    except PlanBlockedError as blocked:
        if missing_output:
            fail("--output = <missing> is not allowed; expected an .ics path (or --json)")
        if json_output:
            check = blocked.check.to_dict()
            print_json({"provenance": check["provenance"], "written": None, "check": check})
        else:
            error_console.print(f"[bold red]Not exported:[/] {blocked}")
            print_findings(error_console, blocked.check.blocks)
        raise typer.Exit(EXIT_BLOCKED) from None
    if missing_output:
        fail("--output = <missing> is not allowed; expected an .ics path (or --json)")
    if output is not None:
        with atomic_output(output) as temporary:
            temporary.write_bytes(result.to_ical())
    if json_output:
        payload = result.to_dict()
        written = str(output) if output else None
        print_json({"provenance": payload.pop("provenance"), "written": written, **payload})
        return
    events = result.schedule.to_dict()["event_count"]
    console.print(
        f"Wrote {output}: {len(result.schedule.series)} recurring series, {events} events "
        f"from {result.schedule.start} to {result.schedule.end} ({result.schedule.tz})."
    )
    warnings = result.check.warnings
    if warnings:
        console.print(f"{len(warnings)} warning(s) (follicle plan check for all findings):")
        print_findings(console, warnings)
    print_disclaimer(console)


def register(app: typer.Typer) -> None:
    """Add the care command groups to the main ``follicle`` app."""
    from follicle.cli.intake import intake
    from follicle.cli.journal import journal_app
    from follicle.cli.project import PROJECT_HELP, project_command

    app.add_typer(plan_app)
    app.add_typer(journal_app)
    app.command("intake")(intake)
    app.command("project", help=PROJECT_HELP)(project_command)
