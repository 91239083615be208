"""The pieces of the flag recompute (``care/journal/recompute.py``) on their own.

``MemoryView`` is the read side of a journal view over a list of entries (the full
recompute after an import judges every entry against one); it must answer every query
the way the SQLite view (``JournalView``) does: the same entries, oldest first by time
and then by id (entries at the same instant in the order they were stored, whatever the
order of the kinds asked for), ``since``/``until`` inclusive, ``limit`` after the order.
The SQLite view is an independent implementation of that contract (SQL), and a few
answers are also written out by hand. ``refresh_flags`` returns the flags by uid of the
entries that count, and an import that voids an entry already in the journal clears that
entry's stored flags ("voided entries have no flags", the module's docstring).
"""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from follicle.care.journal import Journal
from follicle.care.journal.recompute import MemoryView, _Without, flags_for, refresh_flags
from follicle.care.journal.transfer import export_json, parse_json_export

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DEEP = {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 12}
MINOXIDIL = {"medicine": "minoxidil", "route": "topical"}


def log(journal, kind, details, at):
    return journal.log(kind, details, at=at, tz="UTC", now=NOW)


@pytest.fixture
def journal(tmp_path):
    with Journal.open(tmp_path / "journal.sqlite3") as opened:
        yield opened


@pytest.fixture
def tied(journal):
    """Entries of several kinds, some at the same instant: the session at START registers
    its device at the same second (device stored first); a minoxidil dose, a finasteride
    dose and a symptom share START + 2 h; one measurement is voided."""
    device, session = log(journal, "session", DEEP, START).entries
    minoxidil = log(journal, "application", MINOXIDIL, START + timedelta(hours=2)).entry
    finasteride = log(
        journal, "application", {"medicine": "finasteride"}, START + timedelta(hours=2)
    ).entry
    symptom = log(journal, "symptom", {"symptom": "itching"}, START + timedelta(hours=2)).entry
    voided = log(journal, "measurement", {"metrics": {"density_per_cm2": 150.0}}, START).entry
    journal.void(voided.uid, reason="logged by mistake", now=NOW)
    measurement = log(
        journal, "measurement", {"metrics": {"density_per_cm2": 160.0}}, START + timedelta(days=1)
    ).entry
    later = log(journal, "session", DEEP, START + timedelta(days=8)).entry
    names = {
        "device": device, "session": session, "minoxidil": minoxidil,
        "finasteride": finasteride, "symptom": symptom, "measurement": measurement,
        "later": later, "voided": voided,
    }  # fmt: skip
    return journal, {name: entry.uid for name, entry in names.items()}


def uids(entries) -> list[str]:
    return [e.uid for e in entries]


def test_memory_view_answers_by_hand(tied):
    journal, uid = tied
    with journal.store.reading() as view:
        memory = MemoryView(view.entries())
    in_order = ["device", "session", "minoxidil", "finasteride", "symptom", "measurement", "later"]
    assert uids(memory.entries()) == [uid[n] for n in in_order]
    assert uids(memory.entries(newest_first=True, limit=2)) == [uid["later"], uid["measurement"]]
    assert uids(memory.entries(limit=3)) == [uid["device"], uid["session"], uid["minoxidil"]]
    # the kinds asked for in any order: the same time-then-stored order
    assert uids(memory.entries(kinds=["session", "device"], until=START)) == [
        uid["device"],
        uid["session"],
    ]
    assert uids(memory.entries(kinds=["symptom", "application"], newest_first=True)) == [
        uid["symptom"],
        uid["finasteride"],
        uid["minoxidil"],
    ]
    # since without until, until without since: both inclusive
    two_hours = START + timedelta(hours=2)
    assert uids(memory.entries(kinds=["application", "symptom"], since=two_hours)) == [
        uid["minoxidil"],
        uid["finasteride"],
        uid["symptom"],
    ]
    assert uids(memory.entries(kinds=["session"], since=START + timedelta(seconds=1))) == [
        uid["later"]
    ]
    assert memory.entries(kinds=["photo"]) == []


QUERIES = list(
    itertools.product(
        [None, ["application"], ["session", "application"], ["symptom", "device", "application"],
         ["measurement"], ["photo"]],
        [None, START, START + timedelta(hours=2), START + timedelta(hours=2, seconds=1)],
        [None, START, START + timedelta(hours=2), START + timedelta(days=8)],
        [None, 1, 2, 100],
        [False, True],
    )
)  # fmt: skip


def test_memory_view_answers_every_query_like_the_sqlite_view(tied):
    journal, _ = tied
    with journal.store.reading() as view:
        memory = MemoryView(view.entries())
        for kinds, since, until, limit, newest_first in QUERIES:
            query = {"since": since, "until": until, "limit": limit, "newest_first": newest_first}
            expected = uids(view.entries(kinds=kinds, **query))
            assert uids(memory.entries(kinds=kinds, **query)) == expected, (kinds, query)


def test_memory_view_leaves_out_the_entry_being_judged(tied):
    journal, uid = tied
    with journal.store.reading() as view:
        effective = view.entries()
        memory = MemoryView(effective)
    minoxidil = next(e for e in effective if e.uid == uid["minoxidil"])
    memory.exclude = minoxidil.uid
    assert uid["minoxidil"] not in uids(memory.entries(kinds=["application"]))
    memory.exclude = None
    assert uid["minoxidil"] in uids(memory.entries(kinds=["application"]))
    # flags_for judges against every other entry, then lets the view see all of them again
    assert [f.rule for f in flags_for(minoxidil, memory)] == ["MN-7"]
    assert uids(memory.entries(kinds=["application"])) == [uid["minoxidil"], uid["finasteride"]]


def test_memory_view_devices(tied):
    journal, uid = tied
    with journal.store.reading() as view:
        effective = view.entries()
    assert MemoryView(effective).device("roller-1").uid == uid["device"]
    assert MemoryView(effective).device("roller-9") is None
    # no device entry at all (an imported session without its device)
    without_devices = [e for e in effective if e.kind != "device"]
    assert MemoryView(without_devices).device("roller-1") is None
    assert MemoryView([]).device("roller-1") is None
    assert MemoryView([]).entries() == []


def test_a_view_without_one_entry(tied):
    journal, uid = tied
    with journal.store.reading() as view:
        without = _Without(view, uid["session"])
        assert uids(without.entries(kinds=["session"])) == [uid["later"]]
        assert without.device("roller-1").uid == uid["device"]
        assert without.device("roller-9") is None


def test_refresh_flags_returns_the_flags_of_the_entries_that_count(tied):
    journal, uid = tied
    with journal.store.writing() as view:
        fresh = refresh_flags(view)
    # every entry not voided, with the flags the rules give (MN-7: topical minoxidil 2 h
    # after a 1.5 mm session; none for finasteride or the device), as stored
    assert set(fresh) == set(uid.values()) - {uid["voided"]}
    assert [f.rule for f in fresh[uid["minoxidil"]]] == ["MN-7"]
    assert fresh[uid["finasteride"]] == () and fresh[uid["device"]] == ()
    for name, entry_uid in uid.items():
        if name != "voided":
            assert journal.find(entry_uid).flags == fresh[entry_uid], name


def flag_rows(path, entry_id: int) -> int:
    with sqlite3.connect(path) as db:
        query = "SELECT count(*) FROM flags WHERE entry_id = ?"
        (count,) = db.execute(query, (entry_id,)).fetchone()
    db.close()
    return count


def test_an_import_that_voids_a_flagged_entry_clears_its_flags(tmp_path):
    """Two copies of a journal: the minoxidil dose flagged MN-7 is voided in the second;
    importing the second's export into the first voids it there too, and its stored flag
    goes (voided entries have no flags), while the session keeps counting."""
    first = Journal.open(tmp_path / "first.sqlite3")
    log(first, "session", DEEP, START)
    dose = log(first, "application", MINOXIDIL, START + timedelta(hours=2)).entry
    assert [f.rule for f in dose.flags] == ["MN-7"]
    assert flag_rows(tmp_path / "first.sqlite3", dose.id) == 1
    with Journal.open(tmp_path / "second.sqlite3") as second:
        entries, voids = parse_json_export(
            export_json(first.entries(include_voided=True)), source="first"
        )
        second.import_entries(entries, voids)
        second.void(dose.uid, reason="logged twice", now=NOW)
        entries, voids = parse_json_export(
            export_json(second.entries(include_voided=True), voids=second.voids()),
            source="second",
        )
    counts = first.import_entries(entries, voids)
    assert counts == {"added": 0, "skipped": 3, "voided": 1}
    assert flag_rows(tmp_path / "first.sqlite3", dose.id) == 0
    assert first.find(dose.uid).flags == ()
    assert [e.kind for e in first.entries()] == ["device", "session"]
    first.close()


@pytest.mark.parametrize(
    "minutes, after, flagged",
    [
        (12, timedelta(hours=22), True),  # well inside the 24 h after a short session's end
        (12, timedelta(hours=24, minutes=11, seconds=59), True),
        (12, timedelta(hours=24, minutes=12), False),  # exactly 24 h after the end
        (120, timedelta(hours=25, minutes=59), True),  # a 2 h session ends 2 h later
        (120, timedelta(hours=26), False),
    ],
)
def test_a_back_dated_session_flags_minoxidil_up_to_24_hours_after_its_end(
    journal, minutes, after, flagged
):
    """MN-7 (care-protocols.md): no topical minoxidil for 24 h after a session deeper
    than 0.5 mm, counted from the session's end. The dose is logged first, the session
    back-dated afterwards: the dose's stored flag must follow."""
    dose = log(journal, "application", MINOXIDIL, START + after).entry
    assert dose.flags == ()
    log(journal, "session", {**DEEP, "duration_minutes": minutes}, START)
    assert [f.rule for f in journal.find(dose.uid).flags] == (["MN-7"] if flagged else [])
