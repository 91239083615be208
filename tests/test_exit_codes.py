"""Exit codes of the installed ``follicle`` command, run as a user runs it (docs/cli.md):
0 success, 1 a blocking finding, 2 bad input (one line on stderr, no traceback)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PLAN_FIXED = EXAMPLES / "care" / "plan-fixed.toml"
PLAN_VIOLATION = EXAMPLES / "care" / "plan-violation.toml"
PERSON = EXAMPLES / "care" / "person.toml"
MAN = EXAMPLES / "man-35-moderate.toml"
TRIAL = EXAMPLES / "trials" / "finasteride-vs-placebo.toml"


def _script() -> str:
    beside = Path(sys.executable).with_name("follicle")
    found = str(beside) if beside.exists() else shutil.which("follicle")
    if not found:
        pytest.skip("the follicle console script is not installed")
    return found


FOLLICLE = _script()


def follicle(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "FOLLICLE_DEBUG"}
    return subprocess.run(
        [FOLLICLE, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def test_success_exits_0(tmp_path):
    db = tmp_path / "journal.sqlite3"
    for args in (
        ["--version"],
        ["--help"],
        ["plan", "check", PLAN_FIXED, "--person", PERSON],
        ["plan", "calendar", PLAN_FIXED, "-s", "2026-03-02", "--tz", "UTC", "-o", "plan.ics"],
        ["journal", "log", "application", "finasteride", "--dose-mg", "1", "--db", db],
        ["journal", "show", "--db", db],
        ["render", "scene.png", "--seed", "3", "--truth", "truth.csv"],
        ["measure", "truth.csv", "--area-cm2", "0.5"],
        ["simulate", MAN, "--years", "0.1", "--area", "vertex:0.1", "--seed", "1"],
    ):
        done = follicle(*args, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert (tmp_path / "plan.ics").exists()


def test_a_blocked_plan_exits_1(tmp_path):
    done = follicle("plan", "check", PLAN_VIOLATION, "--person", PERSON, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "block" in (done.stdout + done.stderr).lower()
    done = follicle("plan", "check", PLAN_VIOLATION, "--json", cwd=tmp_path)
    assert done.returncode == 1
    done = follicle(
        "plan", "calendar", PLAN_VIOLATION, "-s", "2026-03-02", "--tz", "UTC", "-o", "x.ics",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert not (tmp_path / "x.ics").exists()


BAD_INPUT = [
    (["--no-such-option"], "--no-such-option"),
    (["simulat"], "simulate"),
    (["measure", "missing.csv", "--area-cm2", "1"], "missing.csv"),
    (["measure", "truth.csv", "--area-cm2", "-1"], "area"),
    (["plan", "check", "missing.toml"], "missing.toml"),
    (["plan", "calendar", PLAN_FIXED, "-s", "9999-12-31", "--json"], "2199-12-31"),
    (["journal", "log", "application", "finasteride", "--at", "0001-01-01T00:00", "--tz",
      "UTC", "--db", "j.sqlite3"], "1900-01-01"),
    (["journal", "log", "application", "finasteride", "--at", "1900-01-01T00:00", "--tz",
      "Etc/GMT-14", "--db", "j.sqlite3"], "1900-01-01"),  # in range locally, not in UTC
    (["journal", "show", "--limit", "9223372036854775808", "--db", "j.sqlite3"], "--limit"),
    (["render", "x.png", "--seed", "-1"], "seed"),
    (["simulate", MAN, "--years", "nan"], "--years"),
    (["trial", TRIAL, "--n-per-arm", "9223372036854775808", "--workers", "0"], "--n-per-arm"),
    (["validate", "--seed", "-1", "--workers", "0", "--only", "steady-state-anagen"], "--seed"),
]  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("exit-codes")
    done = follicle("render", "scene.png", "--seed", "3", "--truth", "truth.csv", cwd=folder)
    assert done.returncode == 0, done.stderr
    # the journal the journal cases read: made here so that no case depends on another
    # having run first on the same worker (pytest -n splits a module across workers)
    done = follicle("journal", "log", "symptom", "itching", "--tz", "UTC", "--db", "j.sqlite3",
                    cwd=folder)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return folder


@pytest.mark.parametrize(("args", "named"), BAD_INPUT, ids=lambda a: " ".join(map(str, a)))
def test_bad_input_exits_2_with_one_line(folder, args, named):
    done = follicle(*args, cwd=folder)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("follicle: error:"), done.stderr
    assert named in lines[0]
    assert "Traceback" not in done.stderr


def test_no_arguments_prints_help_and_exits_2(tmp_path):
    done = follicle(cwd=tmp_path)
    assert done.returncode == 2
    assert "Usage" in done.stdout + done.stderr


def test_a_damaged_journal_exits_2_and_says_what_to_do(tmp_path):
    db = tmp_path / "journal.sqlite3"
    for minute in range(30):  # enough entries to fill pages past the first
        at = f"2026-03-02T08:{minute:02d}"
        done = follicle("journal", "log", "symptom", "redness", "--note", "x" * 500,
                        "--at", at, "--tz", "UTC", "--db", db, cwd=tmp_path)  # fmt: skip
        assert done.returncode == 0, done.stderr
    data = bytearray(db.read_bytes())
    assert len(data) > 3 * 4096
    data[4096:] = bytes([0xA5]) * (len(data) - 4096)  # the header page survives
    db.write_bytes(bytes(data))
    for args in (["journal", "show"], ["journal", "log", "symptom", "itching"]):
        done = follicle(*args, "--db", db, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "damaged" in done.stderr and "integrity_check" in done.stderr
        assert "Traceback" not in done.stderr


def test_a_bug_is_one_line_and_exit_70(tmp_path):
    """An unexpected exception (simulated by a broken command module) is reported as an
    internal error with its own exit code, so the fuzz test and scripts can tell it from
    bad input; FOLLICLE_DEBUG=1 shows the traceback."""
    module = tmp_path / "broken_cli.py"
    module.write_text(
        "import typer\n"
        "def register(app: typer.Typer) -> None:\n"
        "    @app.command('explode')\n"
        "    def explode() -> None:\n"
        "        raise RuntimeError('boom')\n"
    )
    code = (
        "import sys, follicle.cli as cli\n"
        "cli.LAZY_COMMANDS['explode'] = ('broken_cli', 'Explode.')\n"
        "sys.exit(cli.main(['explode']))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop("FOLLICLE_DEBUG", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 70
    assert done.stderr.startswith("follicle: internal error (RuntimeError: boom)")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    env["FOLLICLE_DEBUG"] = "1"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 1 and "Traceback" in done.stderr and "boom" in done.stderr
