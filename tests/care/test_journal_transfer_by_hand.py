"""Journal export and import (``care/journal/transfer.py``): the CSV columns of flags and
of voided and amended entries, a round trip that keeps the amend history, and every
refusal of a malformed export word for word (field, value, what is allowed, where)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from follicle.care.journal import Journal
from follicle.care.journal.entries import Entry, Void
from follicle.care.journal.migrations import SCHEMA_VERSION
from follicle.care.journal.transfer import (
    COMMON,
    CSV_COLUMNS,
    DETAILS,
    export_csv,
    export_json,
    parse_csv,
    parse_csv_export,
    parse_json,
    parse_json_export,
    read_export,
    read_export_with_voids,
)
from follicle.errors import FollicleFileError, FollicleInputError

NOW = datetime(2026, 3, 13, tzinfo=UTC)
UID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def journal(tmp_path):
    with Journal.open(tmp_path / "journal.sqlite3") as opened:
        yield opened


def history(journal):
    """A session, topical minoxidil 1 h after it (MN-7 flags it), an itching logged by
    mistake (voided) and a session amended to another duration (voided, replaced)."""
    session = {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 12}
    journal.log("session", session, at="2026-03-02T20:00", tz="UTC", now=NOW)
    journal.log("application", {"medicine": "minoxidil"}, at="2026-03-02T21:00", tz="UTC", now=NOW)
    wrong = journal.log("symptom", {"symptom": "itching"}, at="2026-03-03T09:00", tz="UTC", now=NOW)
    journal.void(wrong.entry.uid, reason="not me", now=NOW)
    later = journal.log("session", session, at="2026-03-09T20:00", tz="UTC", now=NOW)
    fixed = journal.amend(
        later.entry.uid, reason="it was 15 min", changes={"duration_minutes": 15}, now=NOW
    )
    return wrong.entry, later.entry, fixed.entry


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_has_flags_voids_and_replacements_and_reads_back(journal, tmp_path):
    wrong, old, new = history(journal)
    entries, voids = journal.entries(include_voided=True), journal.voids()
    text = export_csv(entries, voids=voids)
    rows = {row["uid"]: row for row in rows_of(text)}
    (flagged,) = [e for e in entries if e.kind == "application"]
    assert rows[flagged.uid]["flag_rules"] == "MN-7"
    assert rows[wrong.uid]["void_reason"] == "not me"
    assert rows[wrong.uid]["voided_utc"] == "2026-03-13T00:00:00Z"
    assert rows[wrong.uid]["replaced_by_uid"] == ""
    assert rows[old.uid]["replaced_by_uid"] == new.uid
    assert rows[old.uid]["void_reason"] == "it was 15 min"
    assert rows[new.uid]["voided_utc"] == "" and rows[new.uid]["flag_rules"] == ""

    parsed, parsed_voids = parse_csv_export(text, source="x.csv")
    assert [v.to_dict() for v in parsed_voids] == [v.to_dict() for v in voids]
    assert [e.uid for e in parsed] == [e.uid for e in entries]
    with Journal.open(tmp_path / "copy.sqlite3") as copy:
        assert copy.import_entries(parsed, parsed_voids) == {
            "added": 6,
            "skipped": 0,
            "voided": 2,
        }
        (link,) = [v for v in copy.voids() if v.target_uid == old.uid]
        assert link.replaced_by_uid == new.uid
        assert [e.uid for e in copy.entries()] == [e.uid for e in journal.entries()]


def csv_text(header, *rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def application_row(**extra):
    row = dict.fromkeys(CSV_COLUMNS, "")
    row.update(
        uid=UID,
        kind="application",
        at_utc="2026-03-01T08:00:00Z",
        tz="UTC",
        recorded_utc="2026-03-01T08:00:00Z",
        medicine="finasteride",
    )
    row.update(extra)
    return [row[c] for c in CSV_COLUMNS]


def refused(parse, text, source="x.csv"):
    with pytest.raises(FollicleInputError) as error:
        parse(text, source=source)
    return str(error.value)


def test_csv_headers_without_the_common_columns_or_with_unknown_ones_are_refused():
    assert refused(parse_csv, csv_text(["uid", "kind"])) == (
        f"x.csv: columns = ['uid', 'kind'] is not allowed; expected a header with {list(COMMON)}"
    )
    header = [*CSV_COLUMNS, "colour", "size"]
    assert refused(parse_csv, csv_text(header)) == (
        f"x.csv: column = 'colour' is not allowed; expected one of {list(CSV_COLUMNS)}"
    )
    # the common columns alone are a valid header
    assert parse_csv(csv_text(list(COMMON)), source="x.csv") == []


def test_csv_rows_of_an_unknown_kind_or_with_another_kind_s_details_are_refused():
    text = csv_text(CSV_COLUMNS, application_row(), application_row(kind="aspirin"))
    assert refused(parse_csv, text) == (
        f"x.csv: line 3: kind = 'aspirin' is not allowed; expected one of {list(DETAILS)}"
    )
    stray = application_row(device="roller-1", needle_mm="1.5")  # a session's columns
    first = next(c for c in CSV_COLUMNS if c in ("device", "needle_mm"))
    value = {"device": "roller-1", "needle_mm": "1.5"}[first]
    assert refused(parse_csv, csv_text(CSV_COLUMNS, stray)) == (
        f"x.csv: line 2: {first} = '{value}' is not allowed; expected empty for kind application"
    )
    (entry,) = parse_csv(csv_text(CSV_COLUMNS, application_row()), source="x.csv")
    assert (entry.uid, entry.details.medicine) == (UID, "finasteride")


def test_csv_void_columns_are_read_as_a_void():
    other = "f" * 32
    row = application_row(voided_utc="2026-03-02T08:00:00Z", void_reason="typo")
    amended = application_row(
        voided_utc="2026-03-02T08:00:00Z", void_reason="dose", replaced_by_uid=other
    )
    _, (void,) = parse_csv_export(csv_text(CSV_COLUMNS, row), source="x.csv")
    assert void.to_dict() == {
        "target_uid": UID,
        "replaced_by_uid": None,
        "recorded_utc": "2026-03-02T08:00:00Z",
        "reason": "typo",
    }
    _, (link,) = parse_csv_export(csv_text(CSV_COLUMNS, amended), source="x.csv")
    assert link.replaced_by_uid == other
    bad = application_row(voided_utc="2026-03-02T08:00:00Z", void_reason=" ")
    assert refused(parse_csv, csv_text(CSV_COLUMNS, bad)) == (
        "x.csv: line 2.reason = ' ' is not allowed; expected text of 1-500 characters"
    )


def json_export(*, entries=(), voids=()):
    return json.dumps(
        {
            "format": "follicle-journal",
            "format_version": 2,
            "entries": list(entries),
            "voids": list(voids),
        }
    )


VOID = {
    "target_uid": UID,
    "replaced_by_uid": None,
    "recorded_utc": "2026-03-02T08:00:00Z",
    "reason": "typo",
}


@pytest.mark.parametrize(
    ("void", "field", "value", "allowed"),
    [
        (5, "", 5, "an object"),
        ({**VOID, "target_uid": "abc"}, ".target_uid", "abc", "32 lower-case hex digits"),
        ({**VOID, "target_uid": None}, ".target_uid", None, "32 lower-case hex digits"),
        ({**VOID, "replaced_by_uid": "ABC"}, ".replaced_by_uid", "ABC", "32 lower-case hex digits"),
        (
            {**VOID, "recorded_utc": "yesterday"},
            ".recorded_utc",
            "yesterday",
            "UTC time as 2026-03-01T19:30:00Z",
        ),
        ({**VOID, "reason": "x" * 501}, ".reason", "x" * 501, "text of 1-500 characters"),
    ],
)
def test_json_voids_are_checked_field_by_field(void, field, value, allowed):
    text = json_export(voids=[VOID, void])
    assert refused(parse_json_export, text, source="x.json") == (
        f"x.json: voids[1]{field} = {value!r} is not allowed; expected {allowed}"
    )


def test_json_voids_read_with_and_without_a_replacement():
    other = "e" * 32
    _, voids = parse_json_export(
        json_export(voids=[VOID, {**VOID, "replaced_by_uid": other}]), source="x.json"
    )
    assert [v.replaced_by_uid for v in voids] == [None, other]
    assert [v.target_uid for v in voids] == [UID, UID]


def test_json_entry_errors_name_the_file_and_the_entry():
    entry = {
        "uid": UID,
        "kind": "application",
        "at_utc": "2026-03-01T08:00:00Z",
        "tz": "UTC",
        "details": {"medicine": "finasteride"},
    }
    assert refused(parse_json, json_export(entries=[entry, 7]), source="x.json") == (
        "x.json: entries[1] = 7 is not allowed; expected an object"
    )
    (parsed,) = parse_json(json_export(entries=[entry]), source="x.json")
    assert parsed.recorded == parsed.at  # no recorded_utc: the entry's own time


def test_void_reasons_from_1_to_500_characters_are_read():
    for reason in ("x", "x" * 500):
        _, (void,) = parse_json_export(json_export(voids=[{**VOID, "reason": reason}]), source="x")
        assert void.reason == reason
    for reason in ("", " " * 3, 5):
        text = json_export(voids=[{**VOID, "reason": reason}])
        assert refused(parse_json_export, text, source="x.json") == (
            f"x.json: voids[0].reason = {reason!r} is not allowed; expected text of 1-500 "
            "characters"
        )


def test_json_export_header():
    text = export_json([], voids=[], now=datetime(2026, 3, 13, 9, 30, tzinfo=UTC))
    assert json.loads(text) == {
        "format": "follicle-journal",
        "format_version": 2,
        "schema_version": SCHEMA_VERSION,
        "exported_utc": "2026-03-13T09:30:00Z",
        "entries": [],
        "voids": [],
    }
    assert text.endswith("}\n")


ENTRY = {
    "uid": UID,
    "kind": "application",
    "at_utc": "2026-03-01T08:00:00Z",
    "tz": "UTC",
    "details": {"medicine": "finasteride"},
}
UTC_TEXT = "UTC time as 2026-03-01T19:30:00Z, years 1900-2199"


@pytest.mark.parametrize(
    ("change", "field", "value", "allowed"),
    [
        *[
            ({key: None}, key, "<missing>", "a value (required)")
            for key in ("uid", "kind", "at_utc", "tz", "details")
        ],
        ({"uid": "ABC"}, "uid", "ABC", "32 lower-case hex digits"),
        ({"uid": 5}, "uid", 5, "32 lower-case hex digits"),
        ({"at_utc": "yesterday"}, "at_utc", "yesterday", UTC_TEXT),
        ({"at_utc": "1800-01-01T00:00:00Z"}, "at_utc", "1800-01-01T00:00:00Z", UTC_TEXT),
        ({"recorded_utc": "soon"}, "recorded_utc", "soon", UTC_TEXT),
        ({"kind": 5}, "kind", 5, "text naming the kind of entry"),
        ({"note": "x" * 2001}, "note", "x" * 2001, "text of at most 2000 characters"),
        ({"note": 7}, "note", 7, "text of at most 2000 characters"),
    ],
)
def test_json_entries_are_checked_field_by_field(change, field, value, allowed):
    entry = {**ENTRY, **change}
    entry = {k: v for k, v in entry.items() if v is not None}
    assert refused(parse_json_export, json_export(entries=[entry]), source="x.json") == (
        f"x.json: entries[0].{field} = {value!r} is not allowed; expected {allowed}"
    )


def test_json_entry_zone_note_and_recorded_time():
    wrong_zone = refused(parse_json, json_export(entries=[{**ENTRY, "tz": "Mars/Base"}]), "x.json")
    assert wrong_zone.startswith("x.json: entries[0].tz = 'Mars/Base' is not allowed; expected")
    (entry,) = parse_json(
        json_export(
            entries=[{**ENTRY, "note": "y" * 2000, "recorded_utc": "2026-03-02T09:00:00Z"}]
        ),
        source="x.json",
    )
    assert entry.note == "y" * 2000
    assert entry.recorded == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert entry.at == datetime(2026, 3, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {"format": "other"},
            "x.json: format = 'other' is not allowed; expected 'follicle-journal' (a follicle "
            "journal export)",
        ),
        (
            [1],
            "x.json: format = None is not allowed; expected 'follicle-journal' (a follicle "
            "journal export)",
        ),
        (
            {"format": "follicle-journal", "format_version": 3},
            "x.json: format_version = 3 is not allowed; expected one of [1, 2]",
        ),
        (
            {"format": "follicle-journal", "format_version": 2, "entries": {}},
            "x.json: entries = 'dict' is not allowed; expected a list",
        ),
        (
            {"format": "follicle-journal", "format_version": 2, "entries": [], "voids": {}},
            "x.json: voids = 'dict' is not allowed; expected a list",
        ),
        (
            {
                "format": "follicle-journal",
                "format_version": 2,
                "entries": [{**ENTRY, "flags": [{"rule": 5}]}],
            },
            "x.json: entries[0].flags = [{'rule': 5}] is not allowed; expected a list of findings",
        ),
    ],
)
def test_json_export_structure_errors(payload, expected):
    assert refused(parse_json_export, json.dumps(payload), source="x.json") == expected


def test_a_format_1_export_has_no_voids():
    text = json.dumps({"format": "follicle-journal", "format_version": 1, "entries": [ENTRY]})
    entries, voids = parse_json_export(text, source="x.json")
    assert ([e.uid for e in entries], voids) == ([UID], [])


def test_import_refusals_name_the_entry_and_what_is_allowed(journal, tmp_path):
    history(journal)
    entries, voids = journal.entries(include_voided=True), journal.voids()
    changed = [Entry(**{**entries[0].__dict__, "note": "changed"}), *entries[1:]]
    with pytest.raises(FollicleInputError) as conflict:
        journal.import_entries(changed, voids)
    assert str(conflict.value) == (
        f"entry {entries[0].uid} = 'changed content' is not allowed; expected the same "
        "content as the journal's entry with this uid (or a new uid)"
    )
    with Journal.open(tmp_path / "other.sqlite3") as other:
        other.log("device", {"name": "roller-1"}, at="2026-02-01T08:00", tz="UTC", now=NOW)
        (device,) = [e for e in entries if e.kind == "device"]
        with pytest.raises(FollicleInputError) as clash:
            other.import_entries(entries, voids)
        assert str(clash.value) == (
            f"entry {device.uid}.details.name = 'roller-1' is not allowed; expected a device "
            "name not already in the journal"
        )
        assert len(other.entries()) == 1
    orphans = [Void(target_uid=u, recorded=NOW, reason="x") for u in ("a" * 32, "b" * 32)]
    with Journal.open(tmp_path / "third.sqlite3") as third:
        with pytest.raises(FollicleInputError) as missing:
            third.import_entries(entries, [*voids, *orphans])
        assert str(missing.value) == (
            f"voids.target_uid = '{'a' * 32}' is not allowed; expected the uid of an entry in "
            "the import"
        )
        assert third.entries(include_voided=True) == []


def test_a_voided_device_and_its_successor_of_the_same_name_import_in_any_order(journal, tmp_path):
    """The replaced device is imported (and voided) before the new one of the same name,
    whatever the order of the export: otherwise the one-device-per-name check refuses."""
    old = journal.log("device", {"name": "roller-1"}, at="2026-03-05T08:00", tz="UTC", now=NOW)
    journal.void(old.entry.uid, reason="lost it", now=NOW)
    journal.log("device", {"name": "roller-1"}, at="2026-01-05T08:00", tz="UTC", now=NOW)
    entries = journal.entries(include_voided=True)
    assert [e.uid == old.entry.uid for e in sorted(entries, key=lambda e: e.at)] == [
        False,
        True,
    ]
    with Journal.open(tmp_path / "copy.sqlite3") as copy:
        assert copy.import_entries(entries, journal.voids()) == {
            "added": 2,
            "skipped": 0,
            "voided": 1,
        }
        assert [e.uid for e in copy.entries()] == [e.uid for e in journal.entries()]


def test_json_export_text_and_what_is_read_back(journal, tmp_path):
    history(journal)
    journal.log(
        "symptom", {"symptom": "other"}, at="2026-03-04T09:00", tz="UTC", note="café", now=NOW
    )
    entries = journal.entries(include_voided=True)
    text = export_json(entries, voids=journal.voids(), now=NOW)
    assert '"note": "café"' in text  # UTF-8 as written, not \\u escapes
    assert '\n  "entries": [\n    {\n      "uid": ' in text  # indented by 2
    payload = json.loads(text)
    assert all("id" not in e for e in payload["entries"])
    parsed = parse_json(text, source="x.json")
    (flagged,) = [e for e in parsed if e.kind == "application"]
    assert [f.rule for f in flagged.flags] == ["MN-7"]  # read for display; recomputed on import
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    assert [e.uid for e in read_export(path)] == [e.uid for e in entries]
    with pytest.raises(FollicleFileError) as broken:
        parse_json_export("{not json", source="x.json")
    assert str(broken.value).startswith("x.json: not valid JSON (Expecting property name")


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_errors_in_an_export_file_name_the_file(tmp_path, suffix):
    path = tmp_path / f"export{suffix}"
    if suffix == ".json":
        path.write_text(json_export(entries=[{**ENTRY, "uid": "ABC"}]), encoding="utf-8")
        expected = f"{path}: entries[0].uid = 'ABC' is not allowed"
    else:
        path.write_text(csv_text(CSV_COLUMNS, application_row(kind="aspirin")), encoding="utf-8")
        expected = f"{path}: line 2: kind = 'aspirin' is not allowed"
    with pytest.raises(FollicleInputError) as error:
        read_export_with_voids(path)
    assert str(error.value).startswith(expected)
