"""The ``follicle`` command line: thin front ends over the library.

Each command group lives beside the code it fronts and exposes ``register(app)``.
"""

from __future__ import annotations

import importlib
import sys

import typer

try:  # recent typer vendors click
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer depends on click
    from click.exceptions import NoArgsIsHelpError, UsageError

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
COMMAND_MODULES: tuple[str, ...] = (
    "follicle.simulate_cli",
    "follicle.trials.cli",
    "follicle.measure.cli",
    "follicle.care.cli",
    "follicle.report.cli",
)


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


def reflow_help(text: str | None) -> str | None:
    """Join the hard-wrapped lines of prose paragraphs so the terminal wraps them at its
    own width; indented lines (examples) and list items keep their line breaks."""
    if not text:
        return text
    lines: list[str] = []
    for line in text.split("\n"):
        prose = line[:1] not in ("", " ") and not line.startswith(("- ", "* "))
        if prose and lines and lines[-1][:1] not in ("", " "):
            lines[-1] += " " + line
        else:
            lines.append(line)
    return "\n".join(lines)


def _reflow_all(typer_app: typer.Typer) -> None:
    for command in typer_app.registered_commands:
        command.help = reflow_help(command.help)
    for group in typer_app.registered_groups:
        group.help = reflow_help(group.help)
        _reflow_all(group.typer_instance)


_reflow_all(app)


def main(argv: list[str] | None = None) -> None:
    """Run the app; usage errors (unknown option, missing value) become one line, exit 2."""
    try:
        app(args=argv, standalone_mode=False)
    except NoArgsIsHelpError:
        sys.exit(2)  # the help was printed
    except UsageError as error:
        message = error.format_message()
        path = error.ctx.command_path if error.ctx else "follicle"
        print(f"follicle: error: {message} (see: {path} --help)", file=sys.stderr)
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        print("follicle: aborted", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
