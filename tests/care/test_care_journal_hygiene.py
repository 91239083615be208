"""Journal hygiene: reading never creates a journal, a refused import leaves nothing,
impossible measurements are refused, entries are corrected by amend/void with the history
kept, and flags are the same however the journal was built (logged or imported)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from follicle.care.journal import Journal
from follicle.care.journal.transfer import export_csv, export_json
from follicle.care.projection import anchor_from_journal
from follicle.cli import app
from follicle.errors import FollicleFileError, FollicleInputError

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TZ = "Europe/London"
runner = CliRunner()


def one_line_error(result, text):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("follicle: error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert text in result.stderr


@pytest.fixture
def journal(tmp_path):
    with Journal.open(tmp_path / "journal.sqlite3") as opened:
        yield opened


def log(journal, kind, details, at):
    return journal.log(kind, details, at=at, tz=TZ, now=NOW)


def session(journal, at, needle_mm=1.5):
    details = {"device": "roller-1", "needle_mm": needle_mm, "duration_minutes": 12}
    return log(journal, "session", details, at)


def minoxidil(journal, at):
    return log(journal, "application", {"medicine": "minoxidil"}, at)


def flags_by_uid(journal):
    return {
        e.uid: [(f.rule, f.severity.value, f.message) for f in e.flags]
        for e in journal.entries(include_voided=True)
    }


# --- a journal that does not exist -----------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["journal", "show"],
        ["journal", "stats"],
        ["journal", "export", "-o", "OUT/x.json"],
        ["journal", "void", "1", "--reason", "x"],
        ["journal", "amend", "1", "--reason", "x", "--note", "y"],
    ],
)
def test_reading_commands_refuse_a_missing_journal(tmp_path, command):
    missing = tmp_path / "mistyped.sqlite3"
    args = [a.replace("OUT", str(tmp_path)) for a in command]
    one_line_error(runner.invoke(app, [*args, "--db", str(missing)]), "no journal there")
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


def test_library_open_without_create(tmp_path):
    with pytest.raises(FollicleFileError, match="no journal there"):
        Journal.open(tmp_path / "nope.sqlite3", create=False)
    assert not (tmp_path / "nope.sqlite3").exists()


# --- imports ---------------------------------------------------------------------------


def test_refused_import_into_a_new_file_leaves_no_journal(journal, tmp_path):
    log(journal, "device", {"name": "roller-9", "needle_mm": 1.0}, "2026-03-01T10:00")
    payload = json.loads(export_json(journal.entries()))
    twin = dict(payload["entries"][0], uid="f" * 32, at_utc="2026-03-02T10:00:00Z")
    payload["entries"].append(twin)  # a second device with the same name: refused
    source = tmp_path / "export.json"
    source.write_text(json.dumps(payload), encoding="utf-8")
    target = tmp_path / "new.sqlite3"
    result = runner.invoke(app, ["journal", "import", str(source), "--db", str(target)])
    one_line_error(result, "roller-9")
    assert not target.exists()
    assert not (tmp_path / "new.sqlite3-wal").exists()
    assert not (tmp_path / "new.sqlite3-shm").exists()


# --- impossible measurements ----------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "value"),
    [
        ("density_per_cm2", -50),
        ("density_per_cm2", 5000),
        ("vellus_share", 1.5),
        ("mean_diameter_um", -3),
    ],
)
def test_impossible_measurements_are_refused(journal, metric, value):
    with pytest.raises(FollicleInputError, match=metric):
        log(journal, "measurement", {"metrics": {metric: value}, "region": "vertex"}, "now")
    assert journal.entries() == []


def test_cli_refuses_negative_density(tmp_path):
    db = tmp_path / "j.sqlite3"
    result = runner.invoke(
        app,
        [
            "journal",
            "log",
            "measurement",
            "--metric",
            "density_per_cm2=-50",
            "--region",
            "vertex",
            "--db",
            str(db),
            "--tz",
            "UTC",
        ],
    )
    one_line_error(result, "density_per_cm2")
    assert "from 0 to 600" in result.stderr


def test_an_old_impossible_measurement_can_be_read_and_amended(journal):
    log(
        journal,
        "measurement",
        {"metrics": {"density_per_cm2": 150}, "region": "vertex"},
        "2026-05-01T09:00",
    )
    db = sqlite3.connect(journal.store.path)  # as an older follicle could have stored it
    db.execute("UPDATE entries SET details = json_set(details, '$.metrics.density_per_cm2', -50)")
    db.commit()
    db.close()
    (entry,) = journal.entries()
    with pytest.raises(FollicleInputError, match=f"entry #{entry.id}.*journal amend"):
        anchor_from_journal(journal)
    journal.amend(entry.id, reason="typo", changes={"metrics": {"density_per_cm2": 50}}, now=NOW)
    anchor = anchor_from_journal(journal)
    assert anchor.value == 50 and anchor.region == "vertex"


# --- amend and void ----------------------------------------------------------------------


def test_void_keeps_the_entry_and_clears_the_flags_it_caused(journal):
    wrong = session(journal, "2026-03-02T20:00")
    dose = minoxidil(journal, "2026-03-03T08:00")
    assert [f.rule for f in dose.flags] == ["MN-7"]
    journal.void(wrong.entry.id, reason="logged on the wrong day", now=NOW)
    assert [e.kind for e in journal.entries()] == ["device", "application"]
    assert journal.entries(kinds=["application"])[0].flags == ()
    everything = journal.entries(include_voided=True)
    assert len(everything) == 3  # nothing deleted
    (void,) = journal.voids()
    assert void.target_uid == wrong.entry.uid and void.reason == "logged on the wrong day"
    with pytest.raises(FollicleInputError, match="not already voided"):
        journal.void(wrong.entry.id, reason="again", now=NOW)


def test_amend_replaces_and_links_and_recomputes(journal):
    wrong = session(journal, "2026-03-02T20:00", needle_mm=1.5)
    minoxidil(journal, "2026-03-03T08:00")
    amended = journal.amend(
        wrong.entry.id,
        reason="it was the 0.5 mm roller",
        changes={"needle_mm": 0.5, "device": "roller-05"},
        now=NOW,
    )
    new = amended.entries[-1]
    assert new.kind == "session" and new.details.needle_mm == 0.5
    assert new.at == wrong.entry.at and new.uid != wrong.entry.uid
    (void,) = journal.voids()
    assert void.target_uid == wrong.entry.uid and void.replaced_by_uid == new.uid
    assert journal.entries(kinds=["application"])[0].flags == ()  # 0.5 mm: no MN-7
    # the old session is kept; the 0.5 mm roller is registered by the corrected session
    assert len(journal.entries(include_voided=True)) == 5


def test_amend_the_time_moves_the_flag(journal):
    dose = minoxidil(journal, "2026-03-04T08:00")
    assert dose.flags == ()
    late = session(journal, "2026-03-01T20:00")
    journal.amend(late.entry.id, reason="wrong day", at="2026-03-03T20:00", now=NOW)
    (application,) = journal.entries(kinds=["application"])
    assert [f.rule for f in application.flags] == ["MN-7"]


def test_cli_amend_void_and_show_all(tmp_path):
    db = tmp_path / "j.sqlite3"
    base = ["--db", str(db), "--tz", "UTC"]
    session_args = [
        "journal",
        "log",
        "session",
        "--needle-mm",
        "1.5",
        "--duration-minutes",
        "12",
        "--at",
        "2026-03-02T20:00",
    ]
    assert runner.invoke(app, [*session_args, *base]).exit_code == 0
    result = runner.invoke(
        app,
        ["journal", "amend", "2", "--set", "duration_minutes=14", "--reason", "it took 14", *base],
    )
    assert result.exit_code == 0, result.output
    assert "Entry #2 is kept, voided: it took 14" in result.stdout
    one_line_error(
        runner.invoke(
            app, ["journal", "amend", "3", "--set", "colour=red", "--reason", "x", *base]
        ),
        "colour=red",
    )
    one_line_error(
        runner.invoke(app, ["journal", "void", "99", "--reason", "x", "--db", str(db)]),
        "entry = '99'",
    )
    assert (
        runner.invoke(app, ["journal", "void", "3", "--reason", "twice", "--db", str(db)]).exit_code
        == 0
    )
    shown = runner.invoke(app, ["journal", "show", *base], env={"COLUMNS": "200"}).stdout
    assert "14 min" not in shown and "12 min" not in shown
    everything = runner.invoke(
        app, ["journal", "show", "--all", *base], env={"COLUMNS": "200"}
    ).stdout
    assert "[amended by #3: it took 14]" in everything
    assert "[voided: twice]" in everything
    data = json.loads(runner.invoke(app, ["journal", "show", "--all", "--json", *base]).stdout)
    assert [e["id"] for e in data["entries"] if "voided" in e] == [2, 3]


# --- flags are the same however the journal was built -----------------------------------


def build(journal):
    minoxidil(journal, "2026-03-03T08:00")  # logged before the session it follows
    session(journal, "2026-03-02T20:00")  # back-dated: flags the application above
    log(journal, "symptom", {"symptom": "redness"}, "2026-03-03T09:00")
    log(journal, "symptom", {"symptom": "shedding"}, "2026-03-20T09:00")
    wrong = minoxidil(journal, "2026-03-05T08:00")
    journal.amend(wrong.entry.id, reason="was the evening", at="2026-03-05T20:00", now=NOW)
    extra = session(journal, "2026-03-20T20:00")
    journal.void(extra.entry.id, reason="did not happen", now=NOW)


def test_flags_are_recomputed_for_every_entry(journal):
    build(journal)
    (first, *_rest) = journal.entries(kinds=["application"])
    assert [f.rule for f in first.flags] == ["MN-7"]  # gained when the session was logged


@pytest.mark.parametrize("form", ["json", "csv"])
def test_imported_journal_has_exactly_the_same_flags(journal, tmp_path, form):
    from follicle.care.journal.transfer import parse_csv_export, parse_json_export

    build(journal)
    entries, voids = journal.entries(include_voided=True), journal.voids()
    if form == "json":
        parsed = parse_json_export(export_json(entries, voids=voids), source="x")
    else:
        parsed = parse_csv_export(export_csv(entries, voids=voids), source="x")
    with Journal.open(tmp_path / "copy.sqlite3") as copy:
        result = copy.import_entries(*parsed)
        assert result == {"added": len(entries), "skipped": 0, "voided": 2}
        assert flags_by_uid(copy) == flags_by_uid(journal)
        assert [e.uid for e in copy.entries()] == [e.uid for e in journal.entries()]
        assert copy.import_entries(*parsed)["added"] == 0
        assert flags_by_uid(copy) == flags_by_uid(journal)


def test_reimported_json_gains_no_flags_the_original_did_not_have(journal, tmp_path):
    from follicle.care.journal.transfer import parse_json

    minoxidil(journal, "2026-03-03T08:00")
    session(journal, "2026-03-02T20:00")  # back-dated, logged after the application
    log(journal, "symptom", {"symptom": "redness"}, "2026-03-03T09:00")
    parsed = parse_json(export_json(journal.entries()), source="x")
    with Journal.open(tmp_path / "copy.sqlite3") as copy:
        copy.import_entries(parsed)

        def flags(source):
            return {e.uid: [(f.rule, f.message) for f in e.flags] for e in source.entries()}

        assert flags(copy) == flags(journal)
        (application,) = journal.entries(kinds=["application"])
        assert [f.rule for f in application.flags] == ["MN-7"]


def test_installed_command_does_not_create_a_mistyped_journal(tmp_path):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    follicle = shutil.which("follicle", path=str(Path(sys.executable).parent))
    missing = tmp_path / "jornal.sqlite3"
    result = subprocess.run(
        [follicle, "journal", "show", "--db", str(missing)], capture_output=True, text=True
    )
    assert "no journal there" in result.stderr and "0 entries" not in result.stdout
    assert "Traceback" not in result.stderr
    assert not missing.exists()


def test_format_1_exports_are_still_imported(journal, tmp_path):
    from follicle.care.journal.transfer import parse_json_export

    minoxidil(journal, "2026-03-03T08:00")
    payload = json.loads(export_json(journal.entries()))
    payload["format_version"] = 1
    del payload["voids"]
    entries, voids = parse_json_export(json.dumps(payload), source="old.json")
    assert len(entries) == 1 and voids == []
    with Journal.open(tmp_path / "copy.sqlite3") as copy:
        assert copy.import_entries(entries, voids)["added"] == 1
