"""The journal service's API, each result written out in full: photos and measurement
files (what is recorded and hashed), ``parse_metrics``, ``import_into`` and the reading
of exports by extension, ``show``/``stats``/``export`` and the functions the CLI calls on
a journal that may not exist yet (``show_journal``, ``stats_journal``), and the JSON of
``Logged`` and ``Voided``. Expected values are built in the test from the inputs (the
bytes written, hashed with hashlib), never copied from a run.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from care_helpers import regimen

from follicle.care.journal import Journal
from follicle.care.journal.service import (
    default_journal_path,
    import_into,
    parse_corrections,
    parse_metrics,
    show_journal,
    stats_journal,
)
from follicle.care.journal.transfer import read_export_with_voids
from follicle.errors import FollicleInputError

NOW = datetime(2026, 3, 13, tzinfo=UTC)


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    """Keep the default journal location inside the test's folder (a journal opened at
    the default path by mistake must not touch the user's own)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def journal(tmp_path):
    with Journal.open(tmp_path / "journal.sqlite3") as opened:
        yield opened


def message(error) -> str:
    return str(error.value)


def test_default_journal_path_is_in_the_user_data_folder(tmp_path):
    assert default_journal_path() == tmp_path / "xdg" / "follicle" / "journal.sqlite3"


def test_a_photo_is_logged_by_resolved_path_hash_and_size(journal, tmp_path, monkeypatch):
    data = b"\x89PNG\r\n\x1a\n not really an image"
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "vertex.png").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    logged = journal.log_photo(
        "pics/vertex.png", region="vertex", at="2026-03-03T10:00", tz="UTC", now=NOW
    )
    resolved = str(tmp_path / "pics" / "vertex.png")
    digest = hashlib.sha256(data).hexdigest()
    entry = logged.entry
    assert (entry.kind, entry.at) == ("photo", datetime(2026, 3, 3, 10, tzinfo=UTC))
    assert entry.details.model_dump() == {
        "path": resolved,
        "sha256": digest,
        "size_bytes": len(data),
        "region": "vertex",
    }
    assert logged.provenance["verb"] == "journal.log"
    assert logged.provenance["journal"] == str(tmp_path / "journal.sqlite3")
    assert logged.provenance["inputs"] == [
        {"role": "photo", "path": resolved, "sha256": digest, "digest_of": "file"}
    ]
    # stored as logged; without a region none is recorded
    assert journal.find(entry.uid).details == entry.details
    plain = journal.log_photo("pics/vertex.png", at="2026-03-03T10:05", tz="UTC", now=NOW)
    assert plain.entry.details.region is None


def test_a_missing_photo_is_refused_by_its_path(journal, tmp_path):
    missing = tmp_path / "gone.png"
    with pytest.raises(FollicleInputError) as error:
        journal.log_photo(missing, tz="UTC", now=NOW)
    assert message(error) == (
        f"path = '{missing}' is not allowed; expected an existing, readable image file"
    )
    assert journal.entries() == []


def write_json(path, payload) -> bytes:
    raw = json.dumps(payload).encode()
    path.write_bytes(raw)
    return raw


def test_a_measurement_file_gives_its_numbers_and_the_region_it_names(journal, tmp_path):
    result = tmp_path / "result.json"
    raw = write_json(
        result,
        {
            "region": "vertex",
            "density_per_cm2": 182,  # an int is stored as a float
            "terminal_percent": 61.5,
            "calibrated": True,  # a bool is not a metric
            "image": "a.png",
            "hairs": [1, 2],
        },
    )
    logged = journal.log_measurement_file(result, at="2026-03-03T10:00", tz="UTC", now=NOW)
    details = logged.entry.details
    assert details.metrics == {"density_per_cm2": 182.0, "terminal_percent": 61.5}
    assert isinstance(details.metrics["density_per_cm2"], float)
    assert (details.region, details.source) == ("vertex", str(result.resolve()))
    assert details.source_sha256 == hashlib.sha256(raw).hexdigest()
    assert logged.provenance["verb"] == "journal.log"
    assert logged.provenance["inputs"] == [
        {
            "role": "measurement result",
            "path": str(result),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "digest_of": "file",
        }
    ]


def test_a_metrics_object_wins_over_top_level_numbers_and_a_region_given_wins(journal, tmp_path):
    result = tmp_path / "analyze.json"
    write_json(
        result,
        {"region": "vertex", "n_images": 3, "metrics": {"mean_diameter_um": 55.5, "ok": False}},
    )
    logged = journal.log_measurement_file(
        result, region="frontal", at="2026-03-03T10:00", tz="UTC", now=NOW
    )
    assert logged.entry.details.metrics == {"mean_diameter_um": 55.5}
    assert logged.entry.details.region == "frontal"
    # no region anywhere: none recorded
    write_json(result, {"density_per_cm2": 150})
    plain = journal.log_measurement_file(result, at="2026-03-03T10:05", tz="UTC", now=NOW)
    assert plain.entry.details.region is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[1, 2]", "a JSON object of metrics"),
        (b'{"image": "a.png", "calibrated": true}', "a result with numeric metrics"),
        (b'{"metrics": [1, 2]}', "a result with numeric metrics"),
        (
            b"{not json",
            "a JSON result file (Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1))",
        ),
    ],
)
def test_measurement_files_without_metrics_are_refused(journal, tmp_path, content, expected):
    result = tmp_path / "result.json"
    result.write_bytes(content)
    with pytest.raises(FollicleInputError) as error:
        journal.log_measurement_file(result, tz="UTC", now=NOW)
    assert message(error) == f"from_result = '{result}' is not allowed; expected {expected}"
    assert journal.entries() == []


def test_a_missing_measurement_file_is_refused(journal, tmp_path):
    missing = tmp_path / "none.json"
    with pytest.raises(FollicleInputError) as error:
        journal.log_measurement_file(missing, tz="UTC", now=NOW)
    assert message(error).startswith(
        f"from_result = '{missing}' is not allowed; expected a JSON result file ([Errno 2] "
    )


def test_parse_metrics_reads_name_equals_number():
    assert parse_metrics([" density_per_cm2 =182", "terminal_percent=61.5", "x_count=1e3"]) == {
        "density_per_cm2": 182.0,
        "terminal_percent": 61.5,
        "x_count": 1000.0,
    }
    assert parse_metrics([]) == {}


@pytest.mark.parametrize(
    "item", ["density_per_cm2", "=3", " =3", "density_per_cm2=many", "a=", "density_per_cm2=1=2"]
)
def test_parse_metrics_refuses_an_item_by_its_text(item):
    with pytest.raises(FollicleInputError) as error:
        parse_metrics(["terminal_percent=61.5", item], field="--metric")
    assert message(error) == f"--metric = {item!r} is not allowed; expected name=number"
    with pytest.raises(FollicleInputError) as default_field:
        parse_metrics([item])
    assert message(default_field).startswith("metric = ")


def small_journal(journal):
    journal.log(
        "application", {"medicine": "finasteride"}, at="2026-03-01T08:00", tz="UTC", now=NOW
    )
    session = {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 12}
    journal.log("session", session, at="2026-03-02T20:00", tz="UTC", now=NOW)
    wrong = journal.log("symptom", {"symptom": "itching"}, at="2026-03-03T09:00", tz="UTC", now=NOW)
    journal.void(wrong.entry.uid, reason="logged by mistake", now=NOW)


@pytest.mark.parametrize("suffix", [".json", ".csv", ".JSON", ".Csv"])
def test_import_into_a_new_journal_reads_the_export_by_its_extension(journal, tmp_path, suffix):
    small_journal(journal)
    exported = journal.export("csv" if suffix.lower() == ".csv" else "json")
    source = tmp_path / f"export{suffix}"
    source.write_text(exported.text, encoding="utf-8")
    entries, voids = read_export_with_voids(source)
    assert sorted(e.uid for e in entries) == sorted(
        e.uid for e in journal.entries(include_voided=True)
    )
    assert [v.to_dict() for v in voids] == [v.to_dict() for v in journal.voids()]

    target = tmp_path / "copy.sqlite3"
    result = import_into(target, source)
    provenance = result.pop("provenance")
    assert result == {"added": 4, "skipped": 0, "voided": 1}
    assert provenance["verb"] == "journal.import"
    assert provenance["journal"] == str(target)
    assert provenance["inputs"] == [
        {
            "role": "journal export",
            "path": str(source),
            "sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
            "digest_of": "file",
        }
    ]
    with Journal.open(target, create=False) as copy:
        assert [e.uid for e in copy.entries()] == [e.uid for e in journal.entries()]
        assert [v.target_uid for v in copy.voids()] == [v.target_uid for v in journal.voids()]
    again = import_into(target, source)
    again.pop("provenance")
    assert again == {"added": 0, "skipped": 4, "voided": 0}
    assert not (tmp_path / "xdg").exists()  # the journal at the default path was not used


def test_an_export_is_read_by_extension_only(tmp_path):
    source = tmp_path / "export.txt"
    source.write_text("{}", encoding="utf-8")
    with pytest.raises(FollicleInputError) as error:
        read_export_with_voids(source)
    assert message(error) == (
        f"file = '{source}' is not allowed; expected a .json or .csv journal export"
    )


def test_a_refused_import_keeps_an_existing_journal_as_it_was(journal, tmp_path):
    small_journal(journal)
    source = tmp_path / "export.json"
    source.write_text(journal.export("json").text, encoding="utf-8")
    target = tmp_path / "journal.sqlite3"  # the journal itself: every uid is there
    with Journal.open(tmp_path / "other.sqlite3") as other:
        other.log(
            "device",
            {"name": "roller-1", "needle_mm": 1.0},
            at="2026-02-01T08:00",
            tz="UTC",
            now=NOW,
        )
        other_export = tmp_path / "other.json"
        other_export.write_text(other.export("json").text, encoding="utf-8")
    before = [e.to_dict() for e in journal.entries(include_voided=True)]
    with pytest.raises(FollicleInputError) as error:
        import_into(target, other_export)  # another device with the same name
    assert "a device name not already in the journal" in message(error)
    assert target.exists()
    with Journal.open(target, create=False) as reopened:
        assert [e.to_dict() for e in reopened.entries(include_voided=True)] == before


def test_export_formats_count_every_entry_and_refuse_others(journal):
    small_journal(journal)
    exported = journal.export("json")
    assert (exported.format, exported.entries) == ("json", 4)  # the voided one too
    assert exported.provenance["verb"] == "journal.export"
    assert exported.provenance["parameters"] == {"format": "json"}
    payload = json.loads(exported.text)
    assert [e["kind"] for e in payload["entries"]] == [
        "application",
        "device",
        "session",
        "symptom",
    ]
    assert [v["reason"] for v in payload["voids"]] == ["logged by mistake"]
    csv_text = journal.export("csv").text
    assert "\r" not in csv_text  # one "\n" per row
    assert len(csv_text.splitlines()) == 5
    with pytest.raises(FollicleInputError) as error:
        journal.export("xml")
    assert message(error) == "format = 'xml' is not allowed; expected json or csv"


def test_show_pages_whole_local_days_newest_with_voids(journal, tmp_path):
    small_journal(journal)
    page = journal.show(tz="UTC", include_voided=True)
    assert [e.kind for e in page.entries] == ["application", "device", "session", "symptom"]
    (symptom,) = [e for e in page.entries if e.kind == "symptom"]
    assert list(page.voids) == [symptom.uid]
    assert page.ids == {e.uid: e.id for e in page.entries}
    rows = page.to_dict()
    assert rows["db"] == str(tmp_path / "journal.sqlite3")
    assert rows["provenance"]["verb"] == "journal.show"
    assert rows["provenance"]["parameters"] == {
        "kinds": [],
        "since": None,
        "until": None,
        "tz": "UTC",
        "limit": 50,
        "include_voided": True,
    }
    assert [r.get("voided", {}).get("reason") for r in rows["entries"]] == [
        None,
        None,
        None,
        "logged by mistake",
    ]
    # without --all the voided entry is left out; the newest two, oldest first
    assert [e.kind for e in journal.show(tz="UTC", limit=2).entries] == ["device", "session"]
    # whole days in the zone: 2 March 20:00 UTC is 3 March in Auckland
    auckland = journal.show(since="2026-03-03", until="2026-03-03", tz="Pacific/Auckland")
    assert [e.kind for e in auckland.entries] == ["device", "session"]
    utc_day = journal.show(since="2026-03-02", until="2026-03-02", tz="UTC")
    assert [e.kind for e in utc_day.entries] == ["device", "session"]
    assert [e.kind for e in journal.show(kinds=["application"], tz="UTC").entries] == [
        "application"
    ]
    assert journal.show(until="2026-02-28", tz="UTC").entries == ()


def test_show_and_stats_of_a_journal_that_does_not_exist_yet(tmp_path):
    path = tmp_path / "new.sqlite3"
    page = show_journal(path, kinds=["symptom"], since="2026-03-01", tz="UTC", limit=5)
    assert (page.db, page.tz, page.entries, page.voids, page.ids) == (str(path), "UTC", (), {}, {})
    assert page.provenance["verb"] == "journal.show"
    assert page.provenance["journal"] == str(path)
    assert page.provenance["parameters"] == {
        "kinds": ["symptom"],
        "since": "2026-03-01",
        "until": None,
        "tz": "UTC",
        "limit": 5,
        "include_voided": False,
    }
    stats = stats_journal(path, until="2026-03-12", tz="UTC")
    got = stats.to_dict()
    assert (got["counts"], got["treatments"], got["until"]) == ({}, [], "2026-03-12T23:59:59+00:00")
    assert got["provenance"]["verb"] == "journal.stats"
    assert got["provenance"]["journal"] == str(path)
    assert got["provenance"]["parameters"] == {"start": None, "until": "2026-03-12", "tz": "UTC"}
    assert not path.exists()  # reading never creates a journal
    with pytest.raises(FollicleInputError) as limit:
        show_journal(path, limit=0)
    assert message(limit) == "limit = 0 is not allowed; expected a whole number from 1 to 2**63-1"


def test_stats_of_an_existing_journal_end_at_the_last_second_of_until(journal, tmp_path):
    small_journal(journal)
    plan = regimen({"kind": "finasteride", "dose_mg": 1.0, "times_of_day": ["08:00"]})
    stats = stats_journal(
        tmp_path / "journal.sqlite3",
        regimen=plan,
        start="2026-03-01",
        until="2026-03-02",
        tz="UTC",
    )
    (fin,) = stats.treatments
    assert (fin.expected, fin.taken, fin.missed) == (2, 1, (("2026-03-02", 1),))
    assert stats.until == "2026-03-02T23:59:59+00:00"
    # the voided symptom is not counted; the session registered its device
    assert stats.counts == {
        "application": 1,
        "application:finasteride": 1,
        "device": 1,
        "session": 1,
    }
    assert stats.provenance["parameters"] == {
        "start": "2026-03-01",
        "until": "2026-03-02",
        "tz": "UTC",
    }
    assert stats.provenance["inputs"][0]["role"] == "regimen"
    # without until: up to now
    now = datetime(2026, 3, 4, 12, tzinfo=UTC)
    (later,) = journal.stats(regimen=plan, start=date(2026, 3, 1), tz="UTC", now=now).treatments
    assert (later.expected, later.taken) == (4, 1)
    for only in ({"regimen": plan}, {"start": "2026-03-01"}):
        with pytest.raises(FollicleInputError) as error:
            journal.stats(tz="UTC", **only)
        assert message(error) == (
            "regimen / start = 'one of them' is not allowed; expected both (the plan and its "
            "day 0) or neither"
        )


def test_logged_and_voided_as_json(journal):
    session = {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 12}
    logged = journal.log("session", session, at="2026-03-02T20:00", tz="UTC", now=NOW)
    got = logged.to_dict()
    assert got["provenance"] is logged.provenance
    assert got["entry"] == logged.entry.to_dict()
    assert got["entry"]["kind"] == "session"
    assert [e["kind"] for e in got["also_stored"]] == ["device"]
    assert got["also_stored"][0]["note"] == "registered by its first session"
    withdrawn = journal.withdraw(logged.entry.id, reason="wrong day")
    voided = withdrawn.to_dict()
    assert voided["provenance"]["verb"] == "journal.void"
    assert voided["provenance"]["parameters"] == {"reason": "wrong day"}
    assert voided["voided"] == journal.find(logged.entry.uid).to_dict()
    assert voided["void"]["target_uid"] == logged.entry.uid
    assert voided["void"]["reason"] == "wrong day"
    assert voided["void"]["replaced_by_uid"] is None


def test_integrity_problems_name_a_damaged_index_and_a_flag_without_its_entry(tmp_path):
    """A journal damaged behind follicle's back: an index whose definition no longer
    matches its rows (SQLite's integrity_check names each row), a flag whose entry is gone
    (named by the entry's id: the first version named the table, "entries") and a void of
    an entry that is not there (the foreign key checks). A sound journal has none."""
    path = tmp_path / "damaged.sqlite3"
    with Journal.open(path) as journal:
        for day in (1, 2):
            journal.log(
                "application",
                {"medicine": "finasteride"},
                at=f"2026-03-0{day}T08:00",
                tz="UTC",
                now=NOW,
            )
        assert journal.store.integrity_problems() == []
    db = sqlite3.connect(path)
    db.execute("PRAGMA writable_schema = ON")
    db.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX entries_at ON entries (tz)' "
        "WHERE name = 'entries_at'"
    )
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute(
        "INSERT INTO flags (entry_id, position, rule, severity, message) "
        "VALUES (99, 0, 'MN-7', 'warn', 'orphan')"
    )
    db.execute(
        "INSERT INTO voids (target_uid, recorded_utc, reason) "
        f"VALUES ('{'f' * 32}', '2026-03-03T00:00:00Z', 'gone')"
    )
    db.commit()
    db.close()
    with Journal.open(path) as journal:
        problems = journal.store.integrity_problems()
    # integrity_check's rows first; SQLite chooses the order of the tables it checks
    assert problems[:2] == [
        "row 1 missing from index entries_at",
        "row 2 missing from index entries_at",
    ]
    assert sorted(problems[2:]) == [
        "flag of missing entry 99",
        "voids row 1: refers to a missing row of entries",
    ]


@pytest.mark.parametrize("limit", [0, -1, 2**63, True, 1.5, "5"])
def test_show_refuses_a_limit_outside_1_to_2_63_minus_1(journal, limit):
    with pytest.raises(FollicleInputError) as error:
        journal.show(tz="UTC", limit=limit)
    assert message(error) == (
        f"limit = {limit!r} is not allowed; expected a whole number from 1 to 2**63-1"
    )


def test_show_accepts_the_limits_and_refuses_an_unknown_kind(journal):
    small_journal(journal)
    assert [e.kind for e in journal.show(tz="UTC", limit=1).entries] == ["session"]
    assert len(journal.show(tz="UTC", limit=2**63 - 1).entries) == 3
    with pytest.raises(FollicleInputError) as error:
        journal.show(kinds=["session", "haircut"], tz="UTC")
    assert message(error) == (
        "kind = 'haircut' is not allowed; expected one of ['application', 'session', 'device', "
        "'symptom', 'measurement', 'photo']"
    )


def test_show_lists_the_newest_50_by_default_and_leaves_voided_entries_out(journal):
    for minute in range(52):
        journal.log(
            "symptom",
            {"symptom": "itching"},
            at=f"2026-03-01T08:{minute:02d}",
            tz="UTC",
            now=NOW,
            note=str(minute),
        )
    newest = journal.entries()[-1]
    journal.void(newest.uid, reason="twice", now=NOW)
    page = journal.show(tz="UTC")
    assert [e.note for e in page.entries] == [str(m) for m in range(1, 51)]
    assert page.provenance["parameters"]["limit"] == 50
    assert page.provenance["parameters"]["include_voided"] is False


def test_amend_keeps_or_replaces_each_field_and_links_the_correction(journal):
    session = {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 12}
    old = journal.log(
        "session", session, at="2026-03-02T20:00", tz="Europe/London", note="evening", now=NOW
    ).entry
    fixed = journal.amend(
        f"#{old.id}", reason=" wrong length ", changes={"duration_minutes": 15}, now=NOW
    )
    new = fixed.entry
    assert (new.at, new.tz, new.note) == (old.at, "Europe/London", "evening")
    assert new.details.model_dump() == {**old.details.model_dump(), "duration_minutes": 15.0}
    assert fixed.provenance["verb"] == "journal.amend"
    assert fixed.provenance["parameters"] == {"reason": " wrong length "}
    (void,) = journal.voids()
    assert (void.target_uid, void.replaced_by_uid, void.reason) == (
        old.uid,
        new.uid,
        "wrong length",
    )
    assert void.recorded == NOW
    moved = journal.amend(
        new.uid, reason="other day", at="2026-03-03T21:00", tz="UTC", note="", now=NOW
    ).entry
    assert (moved.at, moved.tz, moved.note) == (datetime(2026, 3, 3, 21, tzinfo=UTC), "UTC", "")
    assert moved.details == new.details
    with pytest.raises(FollicleInputError) as twice:
        journal.amend(old.uid, reason="again", changes={"duration_minutes": 10}, now=NOW)
    assert message(twice) == (
        f"entry = {old.id} is not allowed; expected an entry that is not already voided "
        f"(replaced by {new.uid})"
    )
    with pytest.raises(FollicleInputError) as void_twice:
        journal.void(old.id, reason="again", now=NOW)
    assert message(void_twice).endswith(f"already voided (replaced by {new.uid})")


def test_a_device_keeps_its_name_and_plain_voids_say_so(journal):
    device = journal.log("device", {"name": "roller-1"}, at="2026-03-01T08:00", tz="UTC", now=NOW)
    with pytest.raises(FollicleInputError) as renamed:
        journal.amend(device.entry.uid, reason="typo", changes={"name": "roller-2"}, now=NOW)
    assert message(renamed) == (
        "name = 'roller-2' is not allowed; expected the same name (sessions refer to a device "
        "by name)"
    )
    symptom = journal.log(
        "symptom", {"symptom": "itching"}, at="2026-03-01T09:00", tz="UTC", now=NOW
    ).entry
    journal.void(symptom.id, reason="not me", now=NOW)
    with pytest.raises(FollicleInputError) as again:
        journal.void(symptom.uid, reason="not me", now=NOW)
    assert message(again) == (
        f"entry = {symptom.id} is not allowed; expected an entry that is not already voided"
    )


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_correction_needs_a_reason_of_1_to_500_characters(journal, reason):
    entry = journal.log(
        "symptom", {"symptom": "itching"}, at="2026-03-01T09:00", tz="UTC", now=NOW
    ).entry
    with pytest.raises(FollicleInputError) as error:
        journal.void(entry.uid, reason=reason, now=NOW)
    assert message(error) == (
        f"reason = {reason.strip()!r} is not allowed; expected why the entry is corrected "
        "(1-500 characters)"
    )
    assert journal.voids() == []
    journal.void(entry.uid, reason="x" * 500, now=NOW)
    assert journal.voids()[0].reason == "x" * 500


def test_find_by_number_or_uid(journal):
    entry = journal.log(
        "symptom", {"symptom": "itching"}, at="2026-03-01T09:00", tz="UTC", now=NOW
    ).entry
    for reference in (entry.id, str(entry.id), f" #{entry.id} ", entry.uid, f" {entry.uid}"):
        assert journal.find(reference).uid == entry.uid
    for reference in ("#99", "9" * 19, "f" * 32, ""):
        with pytest.raises(FollicleInputError) as error:
            journal.find(reference)
        assert message(error) == (
            f"entry = {reference!r} is not allowed; expected the # or uid of a journal entry"
        )


def test_show_and_stats_of_an_existing_journal_by_path(journal, tmp_path):
    small_journal(journal)
    path = tmp_path / "journal.sqlite3"
    page = show_journal(path, kinds=["session"], since="2026-03-02", until="2026-03-02", tz="UTC")
    assert [e.kind for e in page.entries] == ["session"]
    assert page.provenance["parameters"] == {
        "kinds": ["session"],
        "since": "2026-03-02",
        "until": "2026-03-02",
        "tz": "UTC",
        "limit": 50,
        "include_voided": False,
    }
    every = show_journal(path, tz="UTC", limit=2, include_voided=True)
    assert [e.kind for e in every.entries] == ["session", "symptom"]
    assert list(every.voids) == [every.entries[1].uid]
    plan = regimen({"kind": "finasteride", "dose_mg": 1.0, "times_of_day": ["08:00"]})
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    stats = stats_journal(path, regimen=plan, start="2026-03-01", tz="UTC", now=now)
    (fin,) = stats.treatments
    assert (fin.expected, fin.taken) == (2, 1)
    assert stats.until == now.isoformat()
    empty = stats_journal(
        tmp_path / "none.sqlite3", regimen=plan, start="2026-03-01", tz="UTC", now=now
    )
    assert (empty.treatments[0].expected, empty.treatments[0].taken) == (2, 0)
    assert empty.provenance["inputs"][0]["role"] == "regimen"
    assert empty.provenance["parameters"]["start"] == "2026-03-01"


@pytest.mark.parametrize(
    ("options", "field", "value", "allowed"),
    [
        ({"since": "March"}, "since", "March", "a date as YYYY-MM-DD"),
        ({"until": "2026-13-01"}, "until", "2026-13-01", "a date as YYYY-MM-DD"),
        ({"tz": "Mars/Base"}, "tz", "Mars/Base", "an IANA time zone name"),
    ],
)
def test_show_options_name_the_bad_field(journal, options, field, value, allowed):
    with pytest.raises(FollicleInputError) as error:
        journal.show(**{"tz": "UTC", **options})
    assert message(error).startswith(f"{field} = {value!r} is not allowed; expected {allowed}")


def test_stats_options_name_the_bad_field(journal):
    plan = regimen({"kind": "finasteride", "dose_mg": 1.0})
    for options, expected in [
        ({"until": "March"}, "until = 'March' is not allowed; expected a date as YYYY-MM-DD"),
        ({"tz": "Mars/Base"}, "tz = 'Mars/Base' is not allowed; expected an IANA time zone"),
        (
            {"regimen": plan, "start": "soon"},
            "start = 'soon' is not allowed; expected a date as YYYY-MM-DD",
        ),
    ]:
        with pytest.raises(FollicleInputError) as error:
            journal.stats(**{"tz": "UTC", **options})
        assert message(error).startswith(expected)


EXAMPLES = Path(__file__).parents[2] / "examples"


def test_stats_read_a_regimen_file_and_record_it(journal, tmp_path):
    small_journal(journal)
    plan = EXAMPLES / "finasteride.toml"
    stats = journal.stats(regimen=plan, start="2026-03-01", until="2026-03-02", tz="UTC")
    assert [t.kind for t in stats.treatments] == ["finasteride"]
    assert stats.provenance["journal"] == str(tmp_path / "journal.sqlite3")
    assert stats.provenance["inputs"] == [
        {
            "role": "regimen",
            "path": str(plan),
            "sha256": hashlib.sha256(plan.read_bytes()).hexdigest(),
            "digest_of": "file",
        }
    ]
    missing = show_journal(tmp_path / "none.sqlite3", until="2026-03-05", tz="UTC")
    assert missing.provenance["parameters"]["until"] == "2026-03-05"


def test_a_plain_entry_stores_nothing_else_and_measurement_files_keep_their_time(journal, tmp_path):
    logged = journal.log(
        "symptom", {"symptom": "itching"}, at="2026-03-01T09:00", tz="UTC", now=NOW
    )
    assert logged.to_dict()["also_stored"] == []
    result = tmp_path / "result.json"
    write_json(result, {"density_per_cm2": 150})
    measured = journal.log_measurement_file(
        result, at="2026-03-03T10:00", tz="Europe/London", now=NOW
    ).entry
    assert (measured.at, measured.tz) == (datetime(2026, 3, 3, 10, tzinfo=UTC), "Europe/London")


def test_a_fixed_needle_device_refuses_another_length_and_a_pen_does_not(journal):
    journal.log(
        "device",
        {"name": "stamp-1", "device_type": "stamp", "needle_mm": 1.0},
        at="2026-03-01T08:00",
        tz="UTC",
        now=NOW,
    )
    session = {"device": "stamp-1", "needle_mm": 1.5, "duration_minutes": 10}
    with pytest.raises(FollicleInputError) as error:
        journal.log("session", session, at="2026-03-02T20:00", tz="UTC", now=NOW)
    assert message(error) == (
        "needle_mm = 1.5 is not allowed; expected 1, the needle length of stamp 'stamp-1' "
        "(or log a new device)"
    )
    journal.log(
        "device",
        {"name": "pen-1", "device_type": "pen", "needle_mm": 1.0},
        at="2026-03-01T08:00",
        tz="UTC",
        now=NOW,
    )
    pen = journal.log(
        "session", {**session, "device": "pen-1"}, at="2026-03-02T20:00", tz="UTC", now=NOW
    )
    assert pen.entry.details.needle_mm == 1.5
    # a device's own needle length can be corrected (only its name is fixed)
    (stamp,) = [e for e in journal.devices() if e.details.name == "stamp-1"]
    fixed = journal.amend(stamp.uid, reason="it is 1.5", changes={"needle_mm": 1.5}, now=NOW)
    assert fixed.entry.details.needle_mm == 1.5


def test_parse_corrections_names_the_fields_of_the_kind(journal):
    entry = journal.log(
        "symptom", {"symptom": "itching"}, at="2026-03-01T09:00", tz="UTC", now=NOW
    ).entry
    assert parse_corrections(entry, ["severity=mild"]) == {"severity": "mild"}
    for item in ("colour=red", "severity"):
        with pytest.raises(FollicleInputError) as error:
            parse_corrections(entry, [item])
        assert message(error) == (
            f"set = {item!r} is not allowed; expected field=value with a field of symptom "
            "entries: symptom, severity"
        )


def test_parse_corrections_split_at_the_first_equals_sign(journal):
    """``field=value``: the field is the text before the first ``=``, the rest is the
    value (a device name may hold ``=``; a metric item ``name=value`` likewise)."""
    session = journal.log(
        "session",
        {"device": "pen", "needle_mm": 0.5, "duration_minutes": 12},
        at="2026-03-01T09:00",
        tz="UTC",
        now=NOW,
    ).entry
    assert parse_corrections(session, ["device=pen=2"]) == {"device": "pen=2"}
    assert parse_corrections(session, ["regions=vertex;frontal"]) == {
        "regions": ["vertex", "frontal"]
    }
    measured = journal.log(
        "measurement", {"metrics": {"density_per_cm2": 150.0}}, at="2026-03-01T10:00",
        tz="UTC", now=NOW,
    ).entry  # fmt: skip
    assert parse_corrections(measured, ["metrics=density_per_cm2=1=2;thin_percent=12"]) == {
        "metrics": {"density_per_cm2": "1=2", "thin_percent": "12"}
    }


def test_csv_flag_rules_are_joined_by_semicolons(journal):
    """Two flags on one session (MN-3: 5 minutes; MN-4: 3 days after a 1.5 mm session):
    its ``flag_rules`` cell lists both rules, ``;``-separated (the module docstring)."""
    import csv
    import io

    first = {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 12}
    journal.log("session", first, at="2026-03-01T09:00", tz="UTC", now=NOW)
    second = journal.log(
        "session", {**first, "duration_minutes": 5}, at="2026-03-04T09:00", tz="UTC", now=NOW
    ).entry
    rules = [f.rule for f in second.flags]
    assert sorted(rules) == ["MN-3", "MN-4"]
    rows = list(csv.DictReader(io.StringIO(journal.export("csv").text)))
    (row,) = [r for r in rows if r["uid"] == second.uid]
    assert row["flag_rules"] == ";".join(rules)
