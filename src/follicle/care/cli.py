"""Command line for care: ``follicle plan``, ``follicle journal`` and ``follicle intake``.

Thin front ends: each command parses options, calls one library function and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from follicle.care.plan import check_plan
from follicle.care.render import counts_line, print_disclaimer, print_findings
from follicle.cli_support import console, handles_bad_input, print_json

#: Exit code when a plan has blocking findings (2 stays reserved for bad input).
EXIT_BLOCKED = 1

plan_app = typer.Typer(
    name="plan",
    help="Check a regimen against the care rules and turn it into a calendar.",
    no_args_is_help=True,
)

RegimenArg = Annotated[
    Path, typer.Argument(help="Regimen TOML file ([[treatment]] entries, as for `simulate`).")
]
PersonOpt = Annotated[
    Path | None,
    typer.Option(
        "--person",
        "-p",
        help="Person TOML file; its [health] table feeds the rules (sex, age, conditions...).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@plan_app.command("check")
@handles_bad_input
def plan_check(
    regimen: RegimenArg,
    person: PersonOpt = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Show blocks and warnings only.")
    ] = False,
    json_output: JsonOpt = False,
) -> None:
    """Check REGIMEN against the numbered care rules (care-protocols.md).

    Each finding has a rule id, a severity (block / warn / info), what was found and what
    to do instead. Exit code 1 when a rule blocks the plan, 0 otherwise, 2 on bad input.

    Examples:

        follicle plan check plan.toml --person me.toml

        follicle plan check plan.toml --json | jq '.findings[] | select(.severity=="block")'
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


def register(app: typer.Typer) -> None:
    """Add the care command groups to the main ``follicle`` app."""
    app.add_typer(plan_app)
