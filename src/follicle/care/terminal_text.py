"""Plain-text rendering of findings for the terminal (rich markup)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from follicle.care.findings import DISCLAIMER, Finding, Severity

_STYLE = {Severity.BLOCK: "bold red", Severity.WARN: "yellow", Severity.INFO: "cyan"}


def print_findings(
    console: Console, findings: Iterable[Finding], *, show_info: bool = True
) -> None:
    """Findings as a grid: severity, rule id, then the message with what to do instead
    (wrapped lines stay in the text column)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column()
    rows = 0
    for finding in findings:
        if finding.severity is Severity.INFO and not show_info:
            continue
        style = _STYLE[finding.severity]
        text = escape(finding.message)
        if finding.instead:
            text += f"\n[dim]instead:[/dim] {escape(finding.instead)}"
        grid.add_row(
            f"[{style}]{finding.severity.value.upper()}[/]", f"[bold]{finding.rule}[/]", text
        )
        rows += 1
    if rows:
        console.print(grid)


def print_disclaimer(console: Console) -> None:
    console.print(f"[dim]{escape(DISCLAIMER)}[/dim]")


def counts_line(findings: Iterable[Finding]) -> str:
    findings = list(findings)
    parts = []
    for severity, word in ((Severity.BLOCK, "block"), (Severity.WARN, "warning")):
        count = sum(f.severity is severity for f in findings)
        parts.append(f"{count} {word}{'' if count == 1 else 's'}")
    info = sum(f.severity is Severity.INFO for f in findings)
    parts.append(f"{info} note{'' if info == 1 else 's'}")
    return ", ".join(parts)
