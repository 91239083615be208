"""The command line loads lazily: quick commands import neither pandas nor numpy, and the
one-line helps of the lazy table match the commands' own (issue 11)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from follicle.cli import COMMAND_MODULES, LAZY_COMMANDS, loaded_app, registered_app

HEAVY = ("pandas", "numpy", "scipy", "skimage", "dask", "matplotlib")


def _imported_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint('HEAVY:', *[m for m in {HEAVY!r} if m in sys.modules])\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.strip().splitlines()[-1].split()[1:])


@pytest.mark.parametrize(
    "argv",
    [["--version"], ["--help"], ["journal", "--help"], ["journal", "log", "application", "--help"]],
)
def test_quick_commands_do_not_import_heavy_libraries(argv):
    code = f"from follicle.cli import main\ncode = main({argv!r})\nassert code == 0, code"
    assert _imported_after(code) == set()


def test_logging_a_dose_does_not_import_heavy_libraries(tmp_path):
    db = tmp_path / "journal.sqlite3"
    argv = ["journal", "log", "application", "finasteride", "--dose-mg", "1", "--db", str(db)]
    code = f"from follicle.cli import main\ncode = main({argv!r})\nassert code == 0, code"
    assert _imported_after(code) == set()
    assert db.exists()


def test_import_follicle_is_lazy_but_complete():
    assert _imported_after("import follicle") == set()
    assert "pandas" in _imported_after("import follicle\nfollicle.simulate")
    import follicle

    for name in follicle.__all__:
        assert getattr(follicle, name) is not None
    assert callable(follicle.measure)  # the package doubles as metrics.measure


def _first_paragraph(text: str | None) -> str:
    return " ".join((text or "").strip().split("\n\n")[0].split())


def _help_of(info) -> str:
    if isinstance(info, typer.models.TyperInfo):
        return info.help or info.typer_instance.info.help
    return info.help or (info.callback.__doc__ if info.callback else "")


@pytest.mark.parametrize("name", list(LAZY_COMMANDS))
def test_lazy_one_line_help_matches_the_command(name):
    source, short_help = LAZY_COMMANDS[name]
    holder = registered_app(source, name)
    infos = [c for c in holder.registered_commands if (c.name or c.callback.__name__) == name]
    infos += [g for g in holder.registered_groups if (g.name or g.typer_instance.info.name) == name]
    assert len(infos) == 1, f"{source} does not register {name!r}"
    assert _first_paragraph(_help_of(infos[0])) == " ".join(short_help.split())


def test_every_registered_command_is_in_the_lazy_table():
    full = loaded_app()
    names = [c.name for c in full.registered_commands]
    names += [g.name or g.typer_instance.info.name for g in full.registered_groups]
    assert sorted(names) == sorted(LAZY_COMMANDS)
    modules = {source.partition(":")[0] for source, _ in LAZY_COMMANDS.values()}
    assert modules <= set(COMMAND_MODULES) | {
        "follicle.cli.intake",
        "follicle.cli.journal",
    }
