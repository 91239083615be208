"""Options and helpers shared by the care command groups."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated

import typer


def teaching_help(function):
    """Join the wrapped lines of each docstring paragraph so ``--help`` reflows them.

    Indented lines (examples) stay as they are.
    """
    paragraphs = inspect.cleandoc(function.__doc__ or "").split("\n\n")
    out = []
    for paragraph in paragraphs:
        lines = paragraph.splitlines()
        if lines and lines[0].startswith("    "):
            out.append(paragraph)
        else:
            out.append(" ".join(line.strip() for line in lines))
    function.__doc__ = "\n\n".join(out)
    return function


RegimenArg = Annotated[
    Path, typer.Argument(help=r"Regimen TOML file (\[\[treatment]] entries, as for `simulate`).")
]
PersonOpt = Annotated[
    Path | None,
    typer.Option(
        "--person",
        "-p",
        help=r"Person TOML file; its \[health] table feeds the rules (sex, age, conditions...).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
