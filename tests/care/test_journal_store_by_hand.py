"""The journal's SQLite store (``care/journal/store.py``) on its own: a read view refuses
every write (and nothing reaches the file), a file damaged behind follicle's back gives
the documented one-line error on reading and on writing and is left as it was, and the
rows written and read back keep every field."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from follicle.care.findings import Finding, Severity, Triage
from follicle.care.journal import Journal
from follicle.care.journal.entries import Entry, Void, parse_details
from follicle.care.journal.migrations import APPLICATION_ID
from follicle.care.journal.store import SQLiteJournalStore
from follicle.errors import FollicleFileError

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def row_counts(path) -> tuple[int, int, int]:
    """(entries, flags, voids) as a new connection sees them: only what was committed."""
    with sqlite3.connect(path) as fresh:
        counts = tuple(
            fresh.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("entries", "flags", "voids")
        )
    fresh.close()
    return counts


def new_entry(kind="symptom", details=None, at=START) -> Entry:
    return Entry(
        uid=uuid.uuid4().hex,
        kind=kind,
        at=at,
        tz="UTC",
        recorded=NOW,
        details=parse_details(kind, details or {"symptom": "itching"}),
    )


def test_a_read_view_refuses_every_write(tmp_path):
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as journal:
        stored = journal.log("symptom", {"symptom": "itching"}, at=START, tz="UTC", now=NOW)
        before = row_counts(path)
        flag = Finding("MN-11", Severity.INFO, "m", triage=Triage.SELF_CARE)
        with journal.store.reading() as view:
            with pytest.raises(RuntimeError) as error:
                view.insert(new_entry())
            assert str(error.value) == "insert outside a write transaction"
            void = Void(target_uid=stored.entry.uid, recorded=NOW, reason="mistake")
            with pytest.raises(RuntimeError) as error:
                view.insert_void(void)
            assert str(error.value) == "insert outside a write transaction"
            with pytest.raises(RuntimeError) as error:
                view.replace_flags(stored.entry.id, (flag,))
            assert str(error.value) == "write outside a write transaction"
        assert row_counts(path) == before == (1, 0, 0)
        assert len(journal.entries()) == 1


def damage(path: Path) -> None:
    """Overwrite every page after the first two: the header (application id, schema
    version) stays readable, the tables' pages are garbage."""
    data = bytearray(path.read_bytes())
    data[2 * 4096 :] = b"\xa5" * (len(data) - 2 * 4096)
    path.write_bytes(bytes(data))


def test_a_damaged_file_gives_one_line_and_is_left_as_it_was(tmp_path):
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as journal:  # enough rows for several pages
        for k in range(150):
            at = START + timedelta(hours=k)
            journal.log("application", {"medicine": "finasteride"}, at=at, tz="UTC", now=NOW,
                        note="x" * 100)  # fmt: skip
    damage(path)
    damaged = path.read_bytes()
    expected = (
        f"{path}: the journal file is damaged (database disk image is malformed); nothing "
        f"was changed. Check it with: sqlite3 {path} 'PRAGMA integrity_check'; restore it "
        "from a backup, or from an export with "
        "`follicle journal import EXPORT.json --db NEW.sqlite3`"
    )
    journal = Journal.open(path)  # the header is intact: opening works
    with pytest.raises(FollicleFileError) as error:
        journal.entries()
    assert str(error.value) == expected
    with pytest.raises(FollicleFileError) as error:
        journal.log("symptom", {"symptom": "itching"}, at=NOW, tz="UTC", now=NOW)
    assert str(error.value) == expected
    journal.close()
    assert path.read_bytes() == damaged


def test_a_damaged_file_whose_rollback_fails_too_still_gives_one_line(tmp_path, monkeypatch):
    """On a damaged file the rollback after a failed write may fail as well; that second
    error is not what the user needs to read: the message stays the damaged-file one."""
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as journal:
        for k in range(150):
            at = START + timedelta(hours=k)
            journal.log("application", {"medicine": "finasteride"}, at=at, tz="UTC", now=NOW,
                        note="x" * 100)  # fmt: skip
    damage(path)

    def failing_rollback(self):
        raise sqlite3.DatabaseError("rollback failed too")

    journal = Journal.open(path)
    monkeypatch.setattr(SQLiteJournalStore, "_rollback", failing_rollback)
    with pytest.raises(FollicleFileError) as error:
        journal.log("symptom", {"symptom": "itching"}, at=NOW, tz="UTC", now=NOW)
    assert str(error.value).startswith(
        f"{path}: the journal file is damaged (database disk image is malformed); nothing "
        "was changed."
    )
    monkeypatch.undo()
    journal.close()


# --- opening and migrating ----------------------------------------------------------


def schema(path) -> set[tuple[str, str, str]]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT type, name, sql FROM sqlite_schema").fetchall()
    db.close()
    return {(kind, name, " ".join((sql or "").split())) for kind, name, sql in rows}


def pragmas(path) -> tuple[int, int]:
    with sqlite3.connect(path) as db:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
    db.close()
    return version, app_id


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_journal_is_migrated_to_the_schema_of_a_new_one(tmp_path, version):
    """Migrations are append-only: running the later ones on an old journal gives exactly
    the schema a new journal gets (tables, indexes, the device trigger), and its entries."""
    fresh = tmp_path / "fresh.sqlite3"
    SQLiteJournalStore(fresh).close()
    old = tmp_path / "old.sqlite3"
    SQLiteJournalStore(old, migrate_to=version).close()
    tables = {name for kind, name, _ in schema(old) if kind == "table"}
    assert (
        tables
        == {1: {"entries", "sqlite_sequence"}, 2: {"entries", "sqlite_sequence", "flags"}}[version]
    )
    assert pragmas(old) == (version, APPLICATION_ID)
    with sqlite3.connect(old) as db:
        db.execute(
            "INSERT INTO entries (uid, kind, at_utc, tz, recorded_utc, note, details) VALUES "
            "(?, 'device', '2026-03-01T08:00:00Z', 'UTC', '2026-03-01T08:00:00Z', '', ?)",
            ("a" * 32, '{"name":"roller-1","needle_mm":1.5}'),
        )
    db.close()
    with Journal.open(old) as journal:
        assert journal.store.schema_version == 3
        assert [(e.uid, e.details.name) for e in journal.devices()] == [("a" * 32, "roller-1")]
    assert pragmas(old) == pragmas(fresh) == (3, APPLICATION_ID)
    assert schema(old) == schema(fresh)


def test_a_journal_without_the_application_id_is_adopted(tmp_path):
    """A journal of schema 1 written before the application id was set (id 0, tables
    present): migrated, and marked as a follicle journal."""
    path = tmp_path / "old.sqlite3"
    SQLiteJournalStore(path, migrate_to=1).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA application_id = 0")
    db.close()
    assert pragmas(path) == (1, 0)
    SQLiteJournalStore(path).close()
    assert pragmas(path) == (3, APPLICATION_ID)


def test_a_failed_migration_leaves_the_old_schema(tmp_path):
    """Migration 3 fails half-way (a table it creates is there already): the version bump,
    the tables and the index it dropped are all rolled back."""
    path = tmp_path / "old.sqlite3"
    SQLiteJournalStore(path, migrate_to=2).close()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE voids (x)")
    db.close()
    before = schema(path)
    with pytest.raises(FollicleFileError) as error:
        SQLiteJournalStore(path)
    assert str(error.value) == f"{path}: cannot open the journal (table voids already exists)"
    assert pragmas(path) == (2, APPLICATION_ID)
    assert schema(path) == before


def test_refusals_when_opening_word_for_word(tmp_path):
    newer = tmp_path / "newer.sqlite3"
    SQLiteJournalStore(newer).close()
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version = 4")
    db.close()
    with pytest.raises(FollicleFileError) as error:
        SQLiteJournalStore(newer)
    assert str(error.value) == (
        f"{newer}: journal schema version 4 is newer than this follicle understands (3); "
        "upgrade follicle"
    )
    assert pragmas(newer) == (4, APPLICATION_ID)
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("PRAGMA application_id = 1234")
    db.close()
    with pytest.raises(FollicleFileError) as error:
        SQLiteJournalStore(foreign)
    assert str(error.value) == (
        f"{foreign}: this SQLite file is not a follicle journal; choose another --db path"
    )
    assert pragmas(foreign) == (0, 1234)
    text = tmp_path / "text.sqlite3"
    text.write_text("hello, I am not a database" * 100)
    with pytest.raises(FollicleFileError) as error:
        SQLiteJournalStore(text)
    assert str(error.value) == f"{text}: not a usable journal database (file is not a database)"
    missing = tmp_path / "typo.sqlite3"
    with pytest.raises(FollicleFileError) as error:
        SQLiteJournalStore(missing, create=False)
    assert str(error.value) == (
        f"{missing}: no journal there; check --db (`follicle journal log` starts a new journal)"
    )
    assert not missing.exists()
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    with pytest.raises(FollicleFileError) as error:
        SQLiteJournalStore(blocked / "journal.sqlite3")
    assert str(error.value).startswith(
        f"{blocked / 'journal.sqlite3'}: cannot create the journal ("
    )


def test_new_journals_in_new_folders_and_in_memory(tmp_path):
    nested = tmp_path / "a" / "b" / "journal.sqlite3"
    SQLiteJournalStore(nested).close()
    assert pragmas(nested) == (3, APPLICATION_ID)
    memory = SQLiteJournalStore(":memory:", create=False)
    assert memory.schema_version == 3 and memory.path == ":memory:"
    memory.close()
    assert not Path(":memory:").exists()


def test_connection_settings(tmp_path):
    """Durability and integrity settings of the store's own connection (module docstring):
    every commit on disk (synchronous FULL = 2), foreign keys enforced, the busy timeout."""
    store = SQLiteJournalStore(tmp_path / "journal.sqlite3", busy_timeout_ms=1234)
    db = store._db
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 1234
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_an_up_to_date_journal_opens_while_another_process_writes(tmp_path):
    """Opening takes no write lock unless it migrates: with another connection holding
    the write lock, a current journal opens and reads at once, an old one waits for the
    lock and gives up after the busy timeout."""
    current, old = tmp_path / "current.sqlite3", tmp_path / "old.sqlite3"
    SQLiteJournalStore(current).close()
    SQLiteJournalStore(old, migrate_to=2).close()
    holders = []
    for path in (current, old):
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("PRAGMA journal_mode = WAL")
        holder.execute("BEGIN IMMEDIATE")
        holders.append(holder)
    store = SQLiteJournalStore(current, busy_timeout_ms=50)
    with store.reading() as view:
        assert view.entries() == []
    store.close()
    with pytest.raises(FollicleFileError) as error:
        SQLiteJournalStore(old, busy_timeout_ms=50)
    assert str(error.value) == f"{old}: cannot open the journal (database is locked)"
    for holder in holders:
        holder.execute("ROLLBACK")
        holder.close()
    assert pragmas(old) == (2, APPLICATION_ID)


def test_rows_written_and_read_back_keep_every_field(tmp_path):
    """An entry inserted with its flags reads back equal (by uid and by id), flags in
    their order; the row holds UTC text to the second (the schema's CHECK) and the
    details as given: compact JSON, keys sorted, no nulls for fields left out."""
    path = tmp_path / "journal.sqlite3"
    store = SQLiteJournalStore(path)
    flags = (
        Finding("MN-4", Severity.WARN, "too soon", "wait a week"),
        Finding("MN-12", Severity.BLOCK, "oozing", triage=Triage.URGENT),
    )
    entry = Entry(
        uid="e" * 32,
        kind="session",
        at=datetime(2026, 3, 2, 9, 30, 15, tzinfo=UTC),
        tz="Europe/Paris",
        recorded=datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC),
        details=parse_details(
            "session", {"needle_mm": 1.5, "device": "roller-1", "duration_minutes": 12}
        ),
        note="left side",
        flags=flags,
    )
    with store.writing() as view:
        stored = view.insert(entry)
    assert stored.id == 1 and stored.flags == flags
    with store.reading() as view:
        assert view.by_uid(entry.uid) == stored
        assert view.by_id(1) == stored
        assert view.by_id(2) is None and view.by_uid("f" * 32) is None
    store.close()
    with sqlite3.connect(path) as db:
        row = db.execute(
            "SELECT id, uid, kind, at_utc, tz, recorded_utc, note, details FROM entries"
        ).fetchone()
        flag_rows = db.execute(
            "SELECT entry_id, position, rule, severity, message, instead, triage FROM flags "
            "ORDER BY position"
        ).fetchall()
    db.close()
    assert row == (
        1,
        "e" * 32,
        "session",
        "2026-03-02T09:30:15Z",
        "Europe/Paris",
        "2026-03-02T10:00:00Z",
        "left side",
        '{"device":"roller-1","duration_minutes":12.0,"needle_mm":1.5,"regions":[]}',
    )
    assert flag_rows == [
        (1, 0, "MN-4", "warn", "too soon", "wait a week", None),
        (1, 1, "MN-12", "block", "oozing", "", "urgent"),
    ]
    # an application without its optional fields: none of them stored as null
    with Journal.open(path) as journal:
        journal.log("application", {"medicine": "minoxidil"}, at=START, tz="UTC", now=NOW)
    with sqlite3.connect(path) as db:
        (details,) = db.execute("SELECT details FROM entries WHERE id = 2").fetchone()
    db.close()
    assert details == '{"medicine":"minoxidil"}'


def test_flags_of_more_entries_than_one_query_reads(tmp_path):
    """Flags are read 500 entry ids per query: 1,001 entries, each with one flag of its
    own, read back in one call: every entry has exactly its flag."""
    store = SQLiteJournalStore(tmp_path / "journal.sqlite3")
    with store.writing() as view:
        for k in range(1001):
            entry = new_entry(at=START + timedelta(minutes=k))
            flag = Finding("MN-11", Severity.INFO, f"entry {k}")
            view.insert(Entry(**{**entry.__dict__, "flags": (flag,)}))
    with store.reading() as view:
        entries = view.entries()
    assert len(entries) == 1001
    assert [[f.message for f in e.flags] for e in entries] == [[f"entry {k}"] for k in range(1001)]
    store.close()


def test_a_locked_journal_refuses_a_write_in_one_line(tmp_path):
    path = tmp_path / "journal.sqlite3"
    journal = Journal(SQLiteJournalStore(path, busy_timeout_ms=50))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(FollicleFileError) as error:
        journal.log("symptom", {"symptom": "itching"}, at=START, tz="UTC", now=NOW)
    assert str(error.value) == f"{path}: cannot write the journal (database is locked)"
    holder.execute("ROLLBACK")
    holder.close()
    assert row_counts(path) == (0, 0, 0)
    journal.log("symptom", {"symptom": "itching"}, at=START, tz="UTC", now=NOW)
    assert row_counts(path) == (1, 0, 0)
    journal.close()


def test_a_foreign_sqlite_file_without_an_application_id_is_refused(tmp_path):
    """A SQLite file of another program (tables, no application id, version 0) is not
    taken over: refused, and left without the journal's tables."""
    foreign = tmp_path / "notes.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    db.close()
    before = schema(foreign)
    with pytest.raises(FollicleFileError) as error:
        SQLiteJournalStore(foreign)
    assert str(error.value) == (
        f"{foreign}: this SQLite file is not a follicle journal; choose another --db path"
    )
    assert schema(foreign) == before and pragmas(foreign) == (0, 0)


def test_a_current_journal_without_the_application_id_is_adopted(tmp_path):
    path = tmp_path / "journal.sqlite3"
    SQLiteJournalStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA application_id = 0")
    db.close()
    with Journal.open(path) as journal:
        assert journal.entries() == []
    assert pragmas(path) == (3, APPLICATION_ID)


def test_a_journal_opened_in_one_thread_is_used_from_another(tmp_path):
    """The web server opens a journal and serves requests from worker threads."""
    journal = Journal.open(tmp_path / "journal.sqlite3")
    errors, found = [], []

    def work():
        try:
            journal.log("symptom", {"symptom": "itching"}, at=START, tz="UTC", now=NOW)
            found.extend(journal.entries())
        except Exception as error:  # reported below, in the main thread
            errors.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert errors == [] and [e.kind for e in found] == ["symptom"]
    journal.close()
