"""The ``follicle`` command line: thin front ends over the library.

Each face's commands live in a module of this package that exposes ``register(app)``.
Commands load lazily: ``follicle --help`` and ``follicle journal log`` import only what
they use, so start-up stays well under a second (bench/startup.py).

To add a command: give its module a ``register(app: typer.Typer)`` function and add one
line to ``LAZY_COMMANDS`` below (command name -> module, one-line help for
``follicle --help``). tests/test_cli_startup.py checks the one-line help against the
command's own.

Exit codes (docs/cli.md): 0 success; 1 a blocking finding or a failed check; 2 bad input
(one line on stderr, never a traceback); 70 an internal error, i.e. a bug (one line; set
``FOLLICLE_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from difflib import get_close_matches

import typer
import typer.core

try:  # recent typer vendors click
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer depends on click
    from click.exceptions import NoArgsIsHelpError, UsageError

from follicle._version import __version__

EXIT_OK = 0
EXIT_FINDING = 1  # a blocking finding or a failed check
EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 70  # EX_SOFTWARE (sysexits.h): a bug, not the user's input

# Modules that add commands; each defines register(app: typer.Typer).
COMMAND_MODULES: tuple[str, ...] = (
    "follicle.cli.simulate",
    "follicle.cli.trials",
    "follicle.cli.measure",
    "follicle.cli.care",
    "follicle.cli.report",
    "follicle.cli.serve",
)

# Top-level command -> (where it comes from, one-line help), in the order `follicle --help`
# lists them. "module" means the command that module's register(app) adds under this
# name; "module:attribute" adds that Typer app (a group) or function (a command) directly,
# so a quick command need not import its module's heavier siblings. A module in
# COMMAND_MODULES that no line here names is imported eagerly (works, only slower).
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "simulate": (
        "follicle.cli.simulate",
        "Simulate a person's scalp, untreated or under a regimen.",
    ),
    "params": (
        "follicle.cli.simulate",
        "List the model's parameters: name, default value and source.",
    ),
    "demo": (
        "follicle.cli.simulate",
        "The main job: an untreated and a treated man over 10 years, a table and a plot.",
    ),
    "validate": (
        "follicle.cli.trials",
        "Run every published target as a virtual trial: model vs published.",
    ),
    "calibrate": (
        "follicle.cli.trials",
        "Fit free model parameters and the population distribution to targets.",
    ),
    "trial": (
        "follicle.cli.trials",
        "Run a virtual clinical trial described by a trial file.",
    ),
    "measure": (
        "follicle.cli.measure",
        "Miniaturization metrics from a hairs table; optional criteria and visit change.",
    ),
    "analyze": (
        "follicle.cli.measure",
        "Find hairs in trichoscopy images and measure them in micrometres.",
    ),
    "render": (
        "follicle.cli.measure",
        "Draw a synthetic trichoscopy image with exact ground truth.",
    ),
    "intake": (
        "follicle.cli.intake:intake",
        "Screen your hair loss before a consultation: likely pattern, red flags, "
        "contraindications.",
    ),
    "project": (
        "follicle.cli.care",
        "What to expect under each regimen, against no treatment.",
    ),
    "plan": (
        "follicle.cli.care:plan_app",
        "Check a regimen against the care rules and turn it into a calendar.",
    ),
    "journal": (
        "follicle.cli.journal:journal_app",
        "Keep a treatment journal (SQLite, local): doses, sessions, symptoms, measurements.",
    ),
    "report": (
        "follicle.cli.report",
        "Reports to read and hand over (self-contained HTML, or PDF).",
    ),
    "serve": (
        "follicle.cli.serve",
        "Open follicle in the browser: journal, plan and measure pages, and a JSON API.",
    ),
}


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
        # help= text or, as typer would use, the function's docstring
        text = command.help or (inspect.getdoc(command.callback) if command.callback else None)
        command.help = reflow_help(text)
    for group in typer_app.registered_groups:
        group.help = reflow_help(group.help)
        _reflow_all(group.typer_instance)


def registered_app(source: str, name: str) -> typer.Typer:
    """A Typer app holding command ``name`` from ``source`` (a LAZY_COMMANDS value)."""
    module_name, _, attribute = source.partition(":")
    module = importlib.import_module(module_name)
    holder = typer.Typer(add_completion=False)
    if not attribute:
        module.register(holder)
    elif isinstance(target := getattr(module, attribute), typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    _reflow_all(holder)
    return holder


class LazyGroup(typer.core.TyperGroup):
    """The root group: imports a command's module only when that command is looked up to
    run (or for its own --help); the root --help lists the one-line helps of the table."""

    _listing = False

    def list_commands(self, ctx) -> list[str]:
        eager = [name for name in self.commands if name not in LAZY_COMMANDS]
        return [*LAZY_COMMANDS, *eager]

    def get_command(self, ctx, cmd_name: str):
        if cmd_name in self.commands or cmd_name not in LAZY_COMMANDS:
            return self.commands.get(cmd_name)
        source, short_help = LAZY_COMMANDS[cmd_name]
        if self._listing:
            return typer.core.TyperCommand(name=cmd_name, help=short_help)
        group = typer.main.get_group(registered_app(source, cmd_name))
        for name, command in group.commands.items():
            self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    def format_help(self, ctx, formatter) -> None:
        self._listing = True
        try:
            return super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx, args):
        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as error:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches:
                suggestions = ", ".join(f"{m!r}" for m in matches)
                error.message = f"{error.message.rstrip('.')}. Did you mean {suggestions}?"
            raise


app = typer.Typer(
    name="follicle",
    cls=LazyGroup,
    help=(
        "A digital twin of the scalp for hair follicle miniaturization.\n\n"
        "follicle informs and plans; it does not diagnose or prescribe."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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


_LAZY_MODULES = {source.partition(":")[0] for source, _ in LAZY_COMMANDS.values()}
for _module in COMMAND_MODULES:
    if _module not in _LAZY_MODULES:
        importlib.import_module(_module).register(app)
_reflow_all(app)


def loaded_app() -> typer.Typer:
    """The whole command tree as one Typer app, every module imported (for tests, docs)."""
    full = typer.Typer(name="follicle", add_completion=False)
    for module_name in dict.fromkeys(COMMAND_MODULES):
        importlib.import_module(module_name).register(full)
    _reflow_all(full)
    return full


def main(argv: list[str] | None = None) -> int:
    """Run the app and return the exit code (the console script passes it to sys.exit).

    Usage errors (unknown option, missing value) become one line and exit 2. An
    unexpected exception is a bug: one line naming it, exit 70, the traceback only with
    FOLLICLE_DEBUG=1.
    """
    try:
        code = app(args=argv, standalone_mode=False)
    except NoArgsIsHelpError:
        return EXIT_BAD_INPUT  # the help was printed
    except UsageError as error:
        message = " ".join(error.format_message().split())
        path = error.ctx.command_path if error.ctx else "follicle"
        print(f"follicle: error: {message} (see: {path} --help)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        print("follicle: aborted", file=sys.stderr)
        return EXIT_FINDING
    except Exception as error:
        if os.environ.get("FOLLICLE_DEBUG"):
            raise
        text = " ".join(f"{type(error).__name__}: {error}".split())[:300]
        print(
            f"follicle: internal error ({text}); this is a bug, please report it with the "
            "command you ran (FOLLICLE_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR
    return code if isinstance(code, int) else EXIT_OK
