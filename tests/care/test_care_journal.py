"""The journal: validation before writing, rules at entry, storage, migrations, transfer."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from follicle.care.journal import Journal
from follicle.care.journal.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from follicle.care.journal.store import SQLiteJournalStore
from follicle.care.journal.transfer import export_csv, export_json, parse_csv, parse_json
from follicle.errors import FollicleFileError, FollicleInputError

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TZ = "Europe/London"


@pytest.fixture
def journal(tmp_path):
    with Journal.open(tmp_path / "journal.sqlite3") as opened:
        yield opened


def log(journal, kind, details, at, **kwargs):
    return journal.log(kind, details, at=at, tz=kwargs.pop("tz", TZ), now=NOW, **kwargs)


def session(journal, at, needle_mm=1.5, minutes=12, device="roller-1"):
    details = {"device": device, "needle_mm": needle_mm, "duration_minutes": minutes}
    return log(journal, "session", details, at)


def minoxidil(journal, at, route=None):
    details = {"medicine": "minoxidil", **({"route": route} if route else {})}
    return log(journal, "application", details, at)


def rules(logged):
    return [(f.rule, f.severity.value) for f in logged.flags]


# --- storage ---------------------------------------------------------------------


def test_entries_are_stored_in_utc_with_the_zone(journal):
    logged = minoxidil(journal, "2026-03-03T08:00")  # GMT in March
    summer = minoxidil(journal, "2026-05-03T08:00")  # BST
    raw = (
        sqlite3.connect(journal.store.path)
        .execute("SELECT at_utc, tz FROM entries ORDER BY id")
        .fetchall()
    )
    assert raw == [("2026-03-03T08:00:00Z", TZ), ("2026-05-03T07:00:00Z", TZ)]
    assert logged.entry.id == 1 and summer.entry.id == 2
    again = journal.entries()
    assert [e.uid for e in again] == [logged.entry.uid, summer.entry.uid]
    assert again[1].at == datetime(2026, 5, 3, 7, 0, tzinfo=UTC)


def test_database_settings_and_schema(journal):
    db = sqlite3.connect(journal.store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert journal.store.integrity_problems() == []


@pytest.mark.parametrize(
    ("kind", "details", "at", "field"),
    [
        ("session", {"device": "r", "needle_mm": 3.0, "duration_minutes": 10}, "now", "needle_mm"),
        ("session", {"device": "r", "needle_mm": 0.05, "duration_minutes": 10}, "now", "needle_mm"),
        (
            "session",
            {"device": "r", "needle_mm": 1.0, "duration_minutes": 0},
            "now",
            "duration_minutes",
        ),
        ("application", {"medicine": "aspirin"}, "now", "medicine"),
        ("application", {"medicine": "minoxidil", "dose": 1}, "now", "dose"),
        ("symptom", {"symptom": "sneezing"}, "now", "symptom"),
        ("measurement", {"metrics": {"Density": 1.0}}, "now", "Density"),
        ("measurement", {"metrics": {}}, "now", "metrics"),
        ("diary", {}, "now", "kind"),
        ("symptom", {"symptom": "pus"}, "2026-06-02T12:00", "at"),
        ("symptom", {"symptom": "pus"}, "yesterday", "at"),
    ],
)
def test_invalid_entries_are_refused_before_anything_is_written(journal, kind, details, at, field):
    minoxidil(journal, "2026-05-01T08:00")
    with pytest.raises(FollicleInputError) as info:
        journal.log(kind, details, at=None if at == "now" else at, tz=TZ, now=NOW)
    assert field in str(info.value)
    assert "\n" not in str(info.value)
    assert len(journal.entries()) == 1


def test_bad_zone_is_refused(journal):
    with pytest.raises(FollicleInputError, match="tz = 'Moon/Base'"):
        journal.log("symptom", {"symptom": "itching"}, tz="Moon/Base", now=NOW)


def test_sessions_register_and_check_their_device(journal):
    first = session(journal, "2026-03-02T20:00")
    assert [e.kind for e in first.entries] == ["device", "session"]
    assert first.entries[0].details.name == "roller-1"
    assert first.entries[0].at == first.entry.at
    with pytest.raises(FollicleInputError, match=r"needle_mm = 1\.0"):
        session(journal, "2026-03-09T20:00", needle_mm=1.0)
    with pytest.raises(FollicleInputError, match="name = 'roller-1'"):
        log(journal, "device", {"name": "roller-1"}, "2026-03-09T20:00")
    assert len(journal.entries()) == 2
    pen = log(journal, "device", {"name": "pen", "device_type": "pen"}, "2026-03-01T10:00")
    assert pen.flags == ()
    session(journal, "2026-03-16T20:00", needle_mm=1.0, device="pen")
    session(journal, "2026-03-23T20:00", needle_mm=0.5, device="pen")


# --- rules at entry ------------------------------------------------------------------


def test_mn7_minoxidil_within_24_hours_of_a_deep_session_is_flagged(journal):
    session(journal, "2026-03-02T20:00")
    assert rules(minoxidil(journal, "2026-03-02T21:00")) == [("MN-7", "block")]
    assert rules(minoxidil(journal, "2026-03-03T20:11")) == [("MN-7", "block")]
    logged = minoxidil(journal, "2026-03-03T08:00")
    assert "No more minoxidil before Tue 03 Mar 20:12" in logged.flags[0].instead
    assert rules(minoxidil(journal, "2026-03-03T20:13")) == []
    assert rules(minoxidil(journal, "2026-03-02T19:00")) == []  # before the session
    assert rules(minoxidil(journal, "2026-03-03T08:00", route="oral")) == []
    # flags are stored with the entry
    flagged = [e for e in journal.entries(kinds=["application"]) if e.flags]
    assert len(flagged) == 3 and all(e.flags[0].rule == "MN-7" for e in flagged)


def test_mn7_back_dated_session_flags_the_later_application(journal):
    minoxidil(journal, "2026-03-03T08:00")
    logged = session(journal, "2026-03-02T20:00")
    assert ("MN-7", "block") in rules(logged)


def test_mn7_short_needles_are_not_flagged(journal):
    session(journal, "2026-03-02T20:00", needle_mm=0.5, device="short")
    assert rules(minoxidil(journal, "2026-03-02T21:00")) == []


def test_mn4_mn3_sessions_too_close_or_too_long(journal):
    session(journal, "2026-03-02T20:00")
    assert rules(session(journal, "2026-03-06T20:00")) == [("MN-4", "block")]
    assert rules(session(journal, "2026-03-13T20:00")) == []
    assert rules(session(journal, "2026-03-20T20:00", minutes=25)) == [("MN-3", "warn")]
    # short needles may be used more often, but not within 7 days of a deep session
    session(journal, "2026-04-02T20:00", needle_mm=0.5, device="short")
    assert rules(session(journal, "2026-04-04T20:00", needle_mm=0.5, device="short")) == []
    assert rules(session(journal, "2026-03-22T20:00", needle_mm=0.5, device="short")) == [
        ("MN-4", "block")
    ]


def test_mn8_device_age(journal):
    log(journal, "device", {"name": "old", "needle_mm": 1.0}, "2026-01-01T10:00")
    assert rules(session(journal, "2026-02-20T20:00", needle_mm=1.0, device="old")) == []
    assert rules(session(journal, "2026-03-02T20:00", needle_mm=1.0, device="old")) == [
        ("MN-8", "warn")
    ]
    logged = session(journal, "2026-04-01T20:00", needle_mm=1.0, device="old")
    assert rules(logged) == [("MN-8", "block")]
    assert "90 days old" in logged.flags[0].message


@pytest.mark.parametrize("symptom", ["oozing", "extreme_heat", "pus"])
def test_mn12_urgent_after_a_session(journal, symptom):
    session(journal, "2026-03-02T20:00")
    logged = log(journal, "symptom", {"symptom": symptom}, "2026-03-03T10:00")
    (flag,) = logged.flags
    assert (flag.rule, flag.severity.value, flag.triage.value) == ("MN-12", "block", "urgent")
    assert "seek medical attention immediately" in flag.message
    assert "session of Mon 02 Mar 20:00" in flag.message


@pytest.mark.parametrize(
    "symptom",
    [
        "chest_pain",
        "rapid_heartbeat",
        "faintness",
        "dizziness",
        "weight_gain",
        "swollen_hands_feet",
    ],
)
def test_rx5_urgent(journal, symptom):
    (flag,) = log(journal, "symptom", {"symptom": symptom}, "2026-03-03T10:00").flags
    assert flag.rule == "RX-5" and flag.triage.value == "urgent"
    assert "stop minoxidil" in flag.message


def test_mn11_normal_after_a_session_otherwise_ask(journal):
    session(journal, "2026-03-02T20:00")
    redness = log(journal, "symptom", {"symptom": "redness"}, "2026-03-04T10:00")
    assert [(f.rule, f.triage.value) for f in redness.flags] == [("MN-11", "self-care")]
    late = log(journal, "symptom", {"symptom": "swelling"}, "2026-03-08T10:00")
    assert [(f.rule, f.severity.value) for f in late.flags] == [("MN-11", "warn")]
    bruise = log(journal, "symptom", {"symptom": "excessive_bruising"}, "2026-03-03T10:00")
    assert [(f.rule, f.triage.value) for f in bruise.flags] == [("MN-11", "clinician")]
    assert log(journal, "symptom", {"symptom": "itching"}, "2026-03-03T11:00").flags == ()


def test_tl2_shedding_expected_in_the_first_two_months(journal):
    assert log(journal, "symptom", {"symptom": "shedding"}, "2026-01-01T09:00").flags == ()
    minoxidil(journal, "2026-01-01T10:00")
    early = log(journal, "symptom", {"symptom": "shedding"}, "2026-02-10T10:00")
    assert rules(early) == [("TL-2", "info")]
    late = log(journal, "symptom", {"symptom": "shedding"}, "2026-04-10T10:00")
    assert rules(late) == [("TL-2", "warn")]


# --- photos and measurements ------------------------------------------------------


def test_photo_by_path_and_hash(journal, tmp_path):
    image = tmp_path / "vertex.jpg"
    image.write_bytes(b"\xff\xd8 not really a jpeg")
    logged = journal.log_photo(image, region="vertex", at="2026-03-02T09:00", tz=TZ, now=NOW)
    details = logged.entry.details
    assert details.sha256 == hashlib.sha256(image.read_bytes()).hexdigest()
    assert details.path == str(image.resolve()) and details.size_bytes == 20
    with pytest.raises(FollicleInputError, match="path"):
        journal.log_photo(tmp_path / "missing.jpg", tz=TZ, now=NOW)


def test_measurement_from_a_result_file(journal, tmp_path):
    result = tmp_path / "result.json"
    result.write_text(
        json.dumps(
            {
                "region": "vertex",
                "metrics": {
                    "density_per_cm2": 182.5,
                    "vellus_share": 0.21,
                    "label": "x",
                    "ok": True,
                },
            }
        )
    )
    logged = journal.log_measurement_file(result, tz=TZ, now=NOW)
    details = logged.entry.details
    assert details.metrics == {"density_per_cm2": 182.5, "vellus_share": 0.21}
    assert details.region == "vertex" and len(details.source_sha256) == 64
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({"hair_count": 120}))
    assert journal.log_measurement_file(flat, tz=TZ, now=NOW).entry.details.metrics == {
        "hair_count": 120.0
    }
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    with pytest.raises(FollicleInputError, match="numeric metrics"):
        journal.log_measurement_file(empty, tz=TZ, now=NOW)


# --- migrations -----------------------------------------------------------------------


def test_a_version_1_journal_is_migrated_keeping_its_entries(tmp_path):
    path = tmp_path / "old.sqlite3"
    SQLiteJournalStore(path, migrate_to=1).close()
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO entries (uid, kind, at_utc, tz, recorded_utc, note, details) VALUES "
        "(?, 'application', '2026-03-01T08:00:00Z', 'UTC', '2026-03-01T08:00:00Z', 'old', ?)",
        ("a" * 32, json.dumps({"medicine": "finasteride", "dose_mg": 1.0})),
    )
    db.commit()
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    db.close()
    with Journal.open(path) as journal:
        assert journal.store.schema_version == SCHEMA_VERSION
        (entry,) = journal.entries()
        assert (entry.uid, entry.note, entry.details.dose_mg) == ("a" * 32, "old", 1.0)
        assert journal.store.integrity_problems() == []
        logged = log(journal, "symptom", {"symptom": "pus"}, "2026-03-02T08:00")
        assert logged.entry.flags[0].rule == "MN-12"


def test_newer_or_foreign_databases_are_refused(tmp_path):
    newer = tmp_path / "newer.sqlite3"
    SQLiteJournalStore(newer).close()
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(FollicleFileError, match="newer than this follicle"):
        Journal.open(newer)
    foreign = tmp_path / "foreign.sqlite3"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(FollicleFileError, match="not a follicle journal"):
        Journal.open(foreign)
    text = tmp_path / "text.sqlite3"
    text.write_text("hello, I am not a database" * 100)
    with pytest.raises(FollicleFileError, match="not a usable journal"):
        Journal.open(text)


def test_database_constraints_back_the_validation(journal):
    db = sqlite3.connect(journal.store.path)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO entries (uid, kind, at_utc, tz, recorded_utc, details) VALUES "
            "(?, 'application', '2026-03-01 08:00', 'UTC', '2026-03-01T08:00:00Z', '{}')",
            ("b" * 32,),
        )
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO entries (uid, kind, at_utc, tz, recorded_utc, details) VALUES "
            "(?, 'diary', '2026-03-01T08:00:00Z', 'UTC', '2026-03-01T08:00:00Z', '{}')",
            ("c" * 32,),
        )


# --- export and import ----------------------------------------------------------------


def week(journal, tmp_path):
    session(journal, "2026-03-02T20:00")
    minoxidil(journal, "2026-03-03T08:00")
    log(journal, "application", {"medicine": "finasteride", "dose_mg": 1.0}, "2026-03-03T08:05")
    log(
        journal,
        "symptom",
        {"symptom": "redness", "severity": "moderate"},
        "2026-03-03T09:00",
        note='like sunburn, comma, and "quotes"',
    )
    log(
        journal,
        "measurement",
        {"metrics": {"density_per_cm2": 180.0, "vellus_share": 0.2}, "region": "vertex"},
        "2026-03-04T09:00",
    )
    image = tmp_path / "p.jpg"
    image.write_bytes(b"img")
    journal.log_photo(image, region="vertex", at="2026-03-04T09:01", tz=TZ, now=NOW)
    log(
        journal,
        "session",
        {
            "device": "roller-1",
            "needle_mm": 1.5,
            "duration_minutes": 12,
            "regions": ["vertex", "frontal"],
        },
        "2026-03-09T20:00",
    )
    return journal.entries()


def comparable(entries):
    return [
        (e.uid, e.kind, e.at, e.tz, e.note, e.details, [f.rule for f in e.flags]) for e in entries
    ]


@pytest.mark.parametrize("form", ["json", "csv"])
def test_export_import_round_trip(journal, tmp_path, form):
    entries = week(journal, tmp_path)
    assert len(entries) == 8
    text = export_json(entries) if form == "json" else export_csv(entries)
    parsed = parse_json(text, source="x") if form == "json" else parse_csv(text, source="x")
    with Journal.open(tmp_path / "copy.sqlite3") as copy:
        assert copy.import_entries(parsed) == {"added": 8, "skipped": 0, "voided": 0}
        assert comparable(copy.entries()) == comparable(entries)
        assert copy.import_entries(parsed) == {"added": 0, "skipped": 8, "voided": 0}
    # into the original: everything is already there
    assert journal.import_entries(parsed) == {"added": 0, "skipped": 8, "voided": 0}


def test_import_refuses_conflicts_and_bad_rows_without_writing(journal, tmp_path):
    entries = week(journal, tmp_path)
    payload = json.loads(export_json(entries))
    payload["entries"][1]["note"] = "changed"
    with pytest.raises(FollicleInputError, match="changed content"):
        journal.import_entries(parse_json(json.dumps(payload), source="x"))
    assert comparable(journal.entries()) == comparable(entries)
    payload = json.loads(export_json(entries))
    payload["entries"][3]["details"]["needle_mm"] = 9
    with pytest.raises(FollicleInputError, match=r"entries\[3\].*needle_mm = 9"):
        parse_json(json.dumps(payload), source="x.json")
    rows = export_csv(entries).splitlines()
    rows[3] = rows[3].replace("minoxidil", "aspirin")
    with pytest.raises(FollicleInputError, match="line 4"):
        parse_csv("\n".join(rows), source="x.csv")
    with pytest.raises(FollicleInputError, match="format"):
        parse_json('{"entries": []}', source="x.json")


# --- stats --------------------------------------------------------------------------


def test_stats_adherence_missed_doses_and_streaks(journal):
    from care_helpers import regimen

    from follicle.care.journal.stats import journal_stats

    plan = regimen({"kind": "finasteride", "dose_mg": 1.0, "times_of_day": ["08:00"]})
    start = date(2026, 3, 1)
    taken_days = [1, 2, 3, 5, 6, 7, 8, 9, 10]  # missed 4 March
    for day in taken_days:
        log(journal, "application", {"medicine": "finasteride"}, f"2026-03-{day:02d}T08:30")
    log(journal, "application", {"medicine": "finasteride"}, "2026-03-10T21:00")  # extra
    until = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    result = journal_stats(journal.entries(), regimen=plan, start=start, tz=TZ, until=until)
    (fin,) = result.treatments
    assert (fin.expected, fin.taken) == (10, 9)
    assert fin.adherence == pytest.approx(0.9)
    assert fin.missed == (("2026-03-04", 1),)
    assert (fin.current_streak, fin.longest_streak) == (6, 6)
    assert result.findings == ()
    sparse = journal_stats(
        journal.entries(),
        regimen=plan,
        start=start,
        tz=TZ,
        until=datetime(2026, 3, 20, 23, 0, tzinfo=UTC),
    )
    (fin,) = sparse.treatments
    assert (fin.expected, fin.taken, fin.current_streak) == (20, 9, 0)
    (warning,) = sparse.findings
    assert (warning.rule, warning.severity.value) == ("TL-3", "warn")
    assert "45%" in warning.message


def test_stats_do_not_count_pause_skipped_minoxidil_as_missed(journal):
    from care_helpers import MINOXIDIL_PAUSED, regimen

    from follicle.care.journal.stats import journal_stats

    plan = regimen(
        {**MINOXIDIL_PAUSED, "applications_per_day": 1},
        {"kind": "microneedling", "needle_mm": 1.5},
    )
    start = date(2026, 3, 2)
    session(journal, "2026-03-02T20:00")
    for day in (2, 4, 5, 6, 7, 8):  # 3 March 08:00 falls in the pause
        minoxidil(journal, f"2026-03-{day:02d}T08:00")
    until = datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    result = journal_stats(journal.entries(), regimen=plan, start=start, tz=TZ, until=until)
    applications, sessions = result.treatments
    assert (applications.expected, applications.taken, applications.missed) == (6, 6, ())
    assert (sessions.expected, sessions.taken) == (1, 1)
    assert result.counts["application:minoxidil"] == 6


def test_show_filters_by_kind_and_time(journal):
    minoxidil(journal, "2026-03-01T08:00")
    log(journal, "symptom", {"symptom": "itching"}, "2026-03-02T08:00")
    minoxidil(journal, "2026-03-03T08:00")
    since = datetime(2026, 3, 2, tzinfo=UTC)
    assert [e.kind for e in journal.entries(since=since)] == ["symptom", "application"]
    assert len(journal.entries(kinds=["application"])) == 2
    newest = journal.entries(limit=1, newest_first=True)
    assert newest[0].at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


def test_default_location_is_the_user_data_directory(tmp_path, monkeypatch):
    from follicle.care.journal import default_journal_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = default_journal_path()
    assert path.name == "journal.sqlite3" and "follicle" in path.parts
    if sys.platform.startswith("linux"):
        assert path == tmp_path / "data" / "follicle" / "journal.sqlite3"


def test_concurrent_writers_keep_every_entry(tmp_path):
    path = tmp_path / "shared.sqlite3"
    Journal.open(path).close()
    errors = []

    def writer(offset):
        try:
            with Journal.open(path) as journal:
                for i in range(40):
                    journal.log(
                        "application",
                        {"medicine": "finasteride"},
                        at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=offset + i),
                        tz="UTC",
                        now=NOW,
                    )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(k * 1000,)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Journal.open(path) as journal:
        assert len(journal.entries()) == 120
        assert journal.store.integrity_problems() == []


def test_a_locked_journal_gives_a_one_line_error_and_writes_nothing(tmp_path):
    path = tmp_path / "locked.sqlite3"
    with Journal.open(path) as journal:
        minoxidil(journal, "2026-03-01T08:00")
    blocker = sqlite3.connect(path, isolation_level=None, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        journal = Journal(SQLiteJournalStore(path, busy_timeout_ms=100))
        with journal, pytest.raises(FollicleFileError, match="cannot write the journal"):
            minoxidil(journal, "2026-03-02T08:00")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with Journal.open(path) as journal:
        assert len(journal.entries()) == 1


def test_stats_report_device_age_mn8(journal):
    from follicle.care.journal.stats import journal_stats

    log(journal, "device", {"name": "old", "needle_mm": 1.0}, "2026-01-01T10:00")
    session(journal, "2026-03-20T20:00", needle_mm=1.0, device="old")
    log(journal, "device", {"name": "spare", "needle_mm": 1.0}, "2025-06-01T10:00")
    at = datetime(2026, 3, 25, tzinfo=UTC)
    result = journal_stats(journal.entries(), until=at)
    by_name = {d["name"]: d for d in result.devices}
    assert by_name["old"]["age_days"] == 82 and by_name["old"]["in_use"] is True
    assert by_name["spare"]["in_use"] is False
    assert [(f.rule, f.severity.value) for f in result.findings] == [("MN-8", "warn")]
    later = journal_stats(journal.entries(), until=datetime(2026, 4, 10, tzinfo=UTC))
    assert [(f.rule, f.severity.value) for f in later.findings] == [("MN-8", "block")]


def test_now_and_dates_for_at(journal):
    assert log(journal, "symptom", {"symptom": "itching"}, "now").entry.at == NOW
    assert log(journal, "symptom", {"symptom": "itching"}, None).entry.at == NOW
    midnight = log(journal, "symptom", {"symptom": "itching"}, "2026-05-01").entry
    assert midnight.at == datetime(2026, 4, 30, 23, 0, tzinfo=UTC)  # BST midnight
    offset = log(journal, "symptom", {"symptom": "itching"}, "2026-05-01T12:00+02:00").entry
    assert offset.at == datetime(2026, 5, 1, 10, 0, tzinfo=UTC) and offset.tz == TZ
