"""The journal's SQLite store (``care/journal/store.py``) on its own: a read view refuses
every write (and nothing reaches the file), a file damaged behind follicle's back gives
the documented one-line error on reading and on writing and is left as it was, and the
rows written and read back keep every field."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from follicle.care.findings import Finding, Severity, Triage
from follicle.care.journal import Journal
from follicle.care.journal.entries import Entry, Void, parse_details
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
