"""Journal atomicity under an error inside the write transaction.

A failure is injected after some rows are already written inside the transaction (the Nth
insert raises once the row is in); the SQLite file is then opened afresh with plain
sqlite3 and its rows counted: nothing of the failed write may be stored. The last test
shows that the count does see a write that was committed instead of rolled back, so these
tests fail if the rollback in ``SQLiteJournalStore.writing`` turns into a commit.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from follicle.care.journal import Journal
from follicle.care.journal.entries import Entry
from follicle.care.journal.store import SQLiteJournalStore, _SQLiteView
from follicle.care.journal.transfer import export_json, parse_json
from follicle.errors import FollicleFileError, FollicleInputError

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class InjectedError(Exception):
    """The failure planted inside the transaction."""


def stored_rows(path) -> tuple[int, int]:
    """(entries, flags) as a new connection sees them: only what was committed."""
    with sqlite3.connect(path) as fresh:
        entries = fresh.execute("SELECT count(*) FROM entries").fetchone()[0]
        flags = fresh.execute("SELECT count(*) FROM flags").fetchone()[0]
    fresh.close()
    return entries, flags


def fail_on_insert(monkeypatch, nth: int, error: BaseException | None = None):
    """Make the ``nth`` insert (1-based) raise after its rows were written."""
    original = _SQLiteView.insert
    calls = {"n": 0}

    def insert(self, entry):
        stored = original(self, entry)
        calls["n"] += 1
        if calls["n"] == nth:
            raise error or InjectedError(f"insert {nth}")
        return stored

    monkeypatch.setattr(_SQLiteView, "insert", insert)
    return calls


def log(journal, kind, details, at):
    return journal.log(kind, details, at=at, tz="UTC", now=NOW)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "journal.sqlite3"


@pytest.fixture
def journal(path):
    with Journal.open(path) as opened:
        # one committed entry with a flag, so "nothing stored" is not "empty file"
        log(opened, "session", {"device": "r", "needle_mm": 1.5, "duration_minutes": 12}, START)
        log(opened, "application", {"medicine": "minoxidil"}, START + timedelta(hours=2))
        yield opened


def test_the_baseline_is_committed(journal, path):
    # device, session, application; the MN-7 pair is flagged on both of its entries
    assert stored_rows(path) == (3, 2)


def test_a_failure_after_the_first_of_two_rows_stores_neither(journal, path, monkeypatch):
    """A session that registers its device writes two entries in one transaction."""
    before = stored_rows(path)
    calls = fail_on_insert(monkeypatch, 2)
    details = {"device": "new-roller", "needle_mm": 0.5, "duration_minutes": 12}
    with pytest.raises(InjectedError):
        log(journal, "session", details, START + timedelta(days=10))
    assert calls["n"] == 2  # the device row and the session row were both written
    assert stored_rows(path) == before
    monkeypatch.undo()
    assert journal.devices()[-1].details.name == "r"
    # the journal is usable afterwards and the retry stores both rows once
    logged = log(journal, "session", details, START + timedelta(days=10))
    assert [e.kind for e in logged.entries] == ["device", "session"]
    assert stored_rows(path) == (before[0] + 2, before[1])


def test_a_failure_after_an_entry_and_its_flags_stores_neither(journal, path, monkeypatch):
    before = stored_rows(path)
    fail_on_insert(monkeypatch, 1)
    with pytest.raises(InjectedError):  # minoxidil 3 h after the session: an MN-7 flag too
        log(journal, "application", {"medicine": "minoxidil"}, START + timedelta(hours=3))
    assert stored_rows(path) == before


def test_an_sqlite_error_inside_the_transaction_is_one_line_and_stores_nothing(
    journal, path, monkeypatch
):
    before = stored_rows(path)
    fail_on_insert(monkeypatch, 1, sqlite3.OperationalError("disk I/O error"))
    with pytest.raises(FollicleFileError, match="nothing was written"):
        log(journal, "symptom", {"symptom": "itching"}, START + timedelta(days=1))
    assert stored_rows(path) == before


def _exported(tmp_path, count: int):
    with Journal.open(tmp_path / "source.sqlite3") as source:
        for day in range(count):
            log(source, "application", {"medicine": "finasteride"}, START + timedelta(days=day))
        return parse_json(export_json(source.entries()), source="export.json")


@pytest.mark.parametrize("nth", [1, 4, 8])
def test_an_import_that_fails_after_some_rows_stores_none_of_them(
    journal, path, tmp_path, monkeypatch, nth
):
    entries = _exported(tmp_path, 8)
    before = stored_rows(path)
    calls = fail_on_insert(monkeypatch, nth)
    with pytest.raises(InjectedError):
        journal.import_entries(entries)
    assert calls["n"] == nth
    assert stored_rows(path) == before
    monkeypatch.undo()
    assert journal.import_entries(entries) == {"added": 8, "skipped": 0, "voided": 0}
    assert stored_rows(path)[0] == before[0] + 8


def test_an_import_refused_half_way_stores_none_of_it(journal, path, tmp_path):
    """A uid conflict on the last entry, after the others were inserted in the transaction."""
    entries = _exported(tmp_path, 5)
    journal.import_entries(entries[-1:])  # the journal holds the original of the last one
    changed = Entry(**{**entries[-1].__dict__, "note": "changed"})
    before = stored_rows(path)
    with pytest.raises(FollicleInputError, match="changed content"):
        journal.import_entries([*entries[:-1], changed])
    assert stored_rows(path) == before


def test_the_store_rolls_back_its_own_transaction(path):
    store = SQLiteJournalStore(path)
    entries = _exported(path.parent, 3)
    with pytest.raises(InjectedError), store.writing() as view:
        for entry in entries:
            view.insert(entry)
        raise InjectedError("after three inserts")
    assert stored_rows(path) == (0, 0)
    store.close()


def test_the_check_sees_a_commit_instead_of_a_rollback(journal, path, monkeypatch):
    """The mutation the tests above must catch: the rollback on a failed write commits."""
    before = stored_rows(path)

    def commit_instead(self):
        if self._db.in_transaction:
            self._db.execute("COMMIT")

    monkeypatch.setattr(SQLiteJournalStore, "_rollback", commit_instead)
    fail_on_insert(monkeypatch, 1)
    with pytest.raises(InjectedError):
        log(journal, "symptom", {"symptom": "itching"}, START + timedelta(days=1))
    assert stored_rows(path) == (before[0] + 1, before[1])  # the failed write is visible
