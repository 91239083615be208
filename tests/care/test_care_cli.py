"""The care commands: exit codes, --json, one-line errors, help that teaches."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from follicle.cli import app

runner = CliRunner()

BLOCKED = """name = "blocked"
[[treatment]]
kind = "minoxidil"
concentration_percent = 5
[[treatment]]
kind = "microneedling"
needle_mm = 1.5
"""
FIXED = BLOCKED.replace(
    "concentration_percent = 5", "concentration_percent = 5\npause_after_microneedling_hours = 24"
)


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def one_line_error(result, text):
    assert result.exit_code == 2, result.output
    assert text in result.stderr
    assert result.stderr.startswith("follicle: error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.fixture
def files(tmp_path):
    blocked = tmp_path / "blocked.toml"
    blocked.write_text(BLOCKED, encoding="utf-8")
    fixed = tmp_path / "fixed.toml"
    fixed.write_text(FIXED, encoding="utf-8")
    return blocked, fixed


def test_plan_check_exit_codes_and_json(files, tmp_path):
    blocked, fixed = files
    result = run("plan", "check", blocked)
    assert result.exit_code == 1
    text = " ".join(result.stdout.split())
    assert "MN-7" in text and "pause_after_microneedling_hours = 24" in text
    assert "not a diagnosis" in text
    data = json.loads(run("plan", "check", blocked, "--json").stdout)
    assert data["ok"] is False and data["findings"][0]["rule"] == "MN-7"
    assert data["findings"][0]["severity"] == "block"
    assert run("plan", "check", fixed).exit_code == 0
    quiet = run("plan", "check", fixed, "--quiet").stdout
    assert "INFO" not in quiet and "WARN" in quiet


def test_plan_check_bad_input_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[treatment]]\nkind = "microneedling"\nneedle_mm = 3.0\n', encoding="utf-8")
    one_line_error(run("plan", "check", bad), "treatment[0].needle_mm = 3.0")
    one_line_error(run("plan", "check", tmp_path / "missing.toml"), "file not found")
    person = tmp_path / "p.toml"
    person.write_text('sex = "x"\nage_years = 30\n', encoding="utf-8")
    one_line_error(run("plan", "check", bad, "--person", person), "needle_mm")


def test_help_teaches_with_examples():
    top = run("--help").stdout
    for group in ("plan", "journal", "intake"):
        assert group in top
    for command in (
        ["plan", "check"],
        ["plan", "calendar"],
        ["journal", "log", "application"],
        ["journal", "log", "session"],
        ["journal", "log", "symptom"],
        ["journal", "show"],
        ["journal", "export"],
        ["journal", "import"],
        ["journal", "stats"],
        ["intake"],
    ):
        text = run(*command, "--help").stdout
        assert "Example" in text, command
        assert "--json" in text, command


def test_journal_cli_week(tmp_path):
    db = tmp_path / "j.sqlite3"
    common = ["--db", db, "--tz", "Europe/London"]
    result = run(
        "journal",
        "log",
        "session",
        "--needle-mm",
        "1.5",
        "--duration-minutes",
        "12",
        "--region",
        "vertex",
        "--at",
        "2026-03-02T20:00",
        *common,
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["entry"]["kind"] == "session" and data["also_stored"][0]["kind"] == "device"
    assert data["entry"]["details"]["regions"] == ["vertex"]
    result = run(
        "journal", "log", "application", "minoxidil", "--at", "2026-03-03T08:00", *common, "--json"
    )
    flags = json.loads(result.stdout)["entry"]["flags"]
    assert [(f["rule"], f["severity"]) for f in flags] == [("MN-7", "block")]
    result = run("journal", "log", "symptom", "oozing", "--at", "2026-03-03T09:00", *common)
    assert result.exit_code == 0 and "URGENT" in result.stdout
    assert "seek medical attention immediately" in " ".join(result.stdout.split())
    result = run(
        "journal",
        "log",
        "measurement",
        "--metric",
        "density_per_cm2=182",
        "--region",
        "vertex",
        "--at",
        "2026-03-03T10:00",
        *common,
        "--json",
    )
    assert json.loads(result.stdout)["entry"]["details"]["metrics"] == {"density_per_cm2": 182.0}
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"jpeg")
    assert run("journal", "log", "photo", photo, "--at", "2026-03-03T10:01", *common).exit_code == 0
    assert (
        run(
            "journal",
            "log",
            "device",
            "roller-2",
            "--needle-mm",
            "1.5",
            "--at",
            "2026-03-03T10:02",
            *common,
        ).exit_code
        == 0
    )

    shown = json.loads(run("journal", "show", *common, "--json").stdout)["entries"]
    assert [e["kind"] for e in shown] == [
        "device",
        "session",
        "application",
        "symptom",
        "measurement",
        "photo",
        "device",
    ]
    only = json.loads(run("journal", "show", "--kind", "symptom", *common, "--json").stdout)
    assert [e["details"]["symptom"] for e in only["entries"]] == ["oozing"]
    table = run("journal", "show", *common).stdout
    assert "MN-7:block" in table and "MN-12:block" in table

    for suffix in ("json", "csv"):
        out = tmp_path / f"export.{suffix}"
        assert run("journal", "export", "-o", out, "--db", db).exit_code == 0
        copy = tmp_path / f"copy-{suffix}.sqlite3"
        imported = json.loads(run("journal", "import", out, "--db", copy, "--json").stdout)
        assert imported.pop("provenance")["verb"] == "journal.import"
        assert imported == {"added": 7, "skipped": 0, "voided": 0}
        again = json.loads(run("journal", "import", out, "--db", copy, "--json").stdout)
        assert again.pop("provenance")["inputs"][0]["path"] == str(out)
        assert again == {"added": 0, "skipped": 7, "voided": 0}

    plan = tmp_path / "plan.toml"
    plan.write_text(FIXED, encoding="utf-8")
    stats = run(
        "journal",
        "stats",
        "--regimen",
        plan,
        "--start",
        "2026-03-02",
        "--until",
        "2026-03-03",
        *common,
        "--json",
    )
    assert stats.exit_code == 0, stats.output
    data = json.loads(stats.stdout)
    minoxidil, needling = data["treatments"]
    # 2 March 08:00 expected; 2 March 20:00, 3 March 08:00 and 20:00 fall in the MN-7 pause
    assert (minoxidil["expected"], minoxidil["taken"]) == (1, 0)
    assert needling["expected"] == 1 and needling["taken"] == 1
    assert data["findings"][0]["rule"] == "TL-3"


def test_journal_cli_refuses_bad_entries_without_writing(tmp_path):
    db = tmp_path / "j.sqlite3"
    common = ["--db", db, "--tz", "UTC"]
    one_line_error(
        run("journal", "log", "session", "--needle-mm", "3", "--duration-minutes", "10", *common),
        "needle_mm = 3.0",
    )
    one_line_error(run("journal", "log", "application", "aspirin", *common), "medicine = 'aspirin'")
    one_line_error(
        run("journal", "log", "symptom", "pus", "--at", "3000-01-01T00:00", *common), "at = "
    )
    one_line_error(run("journal", "log", "symptom", "pus", "--at", "soon", *common), "at = 'soon'")
    one_line_error(
        run("journal", "log", "symptom", "pus", "--db", db, "--tz", "Nowhere/X"), "tz = 'Nowhere/X'"
    )
    one_line_error(run("journal", "log", "measurement", "--metric", "x", *common), "--metric")
    one_line_error(run("journal", "show", "--kind", "diary", *common), "--kind = 'diary'")
    one_line_error(run("journal", "export", "-o", tmp_path / "x.txt", "--db", db), "x.txt")
    one_line_error(run("journal", "stats", "--start", "2026-03-01", *common), "--regimen")
    shown = json.loads(run("journal", "show", *common, "--json").stdout)
    assert shown["entries"] == []
    not_db = tmp_path / "not.sqlite3"
    not_db.write_text("plain text, not SQLite " * 50)
    one_line_error(run("journal", "show", "--db", not_db), "not a usable journal")
