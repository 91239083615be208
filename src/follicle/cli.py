"""The ``follicle`` command line: thin front ends over the library.

Each command group lives beside the code it fronts and exposes ``register(app)``.
"""

from __future__ import annotations

import importlib

import typer

from follicle import __version__

app = typer.Typer(
    name="follicle",
    help=(
        "A digital twin of the scalp for hair follicle miniaturization.\n\n"
        "follicle informs and plans; it does not diagnose or prescribe."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules that add commands; each defines register(app: typer.Typer).
COMMAND_MODULES: tuple[str, ...] = ("follicle.simulate_cli", "follicle.trials.cli")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"follicle {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """A digital twin of the scalp for hair follicle miniaturization."""


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
