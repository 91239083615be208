"""Plain-text rendering of findings for the terminal (rich markup)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape

from follicle.care.findings import DISCLAIMER, Finding, Severity

_STYLE = {Severity.BLOCK: "bold red", Severity.WARN: "yellow", Severity.INFO: "cyan"}


def print_findings(
    console: Console, findings: Iterable[Finding], *, show_info: bool = True
) -> None:
    for finding in findings:
        if finding.severity is Severity.INFO and not show_info:
            continue
        style = _STYLE[finding.severity]
        label = f"[{style}]{finding.severity.value.upper():5}[/{style}]"
        console.print(f"{label} [bold]{finding.rule:5}[/bold] {escape(finding.message)}")
        if finding.instead:
            console.print(f"            [dim]instead:[/dim] {escape(finding.instead)}")


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
