"""The journal's repository layer: entries in and out of SQLite, nothing else.

The service (:mod:`follicle.care.journal.service`) validates entries and applies the
rules; this module only stores. Another backend (a server database) can replace it by
providing the same :class:`JournalStore` and :class:`JournalView` methods.

Durability: WAL journal, ``synchronous=FULL`` (a commit is on disk before it returns),
one ``BEGIN IMMEDIATE`` transaction per logged entry (an entry and its flags, or a
session and the device it registers, land together or not at all), schema migrations in
the same transaction as the version bump.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Protocol

from follicle.care.findings import Finding, Severity, Triage
from follicle.care.journal.entries import DETAILS, Entry, Void, parse_details
from follicle.care.journal.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from follicle.care.timezones import from_utc_text, to_utc_text
from follicle.errors import FollicleFileError, FollicleInputError

BUSY_TIMEOUT_MS = 10_000


class JournalView(Protocol):
    """Reads (and, inside a write transaction, writes) on one consistent snapshot."""

    def entries(
        self,
        *,
        kinds: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        include_voided: bool = False,
    ) -> list[Entry]: ...

    def device(self, name: str) -> Entry | None: ...

    def by_uid(self, uid: str) -> Entry | None: ...

    def by_id(self, entry_id: int) -> Entry | None: ...

    def insert(self, entry: Entry) -> Entry: ...

    def voids(self) -> list[Void]: ...

    def insert_void(self, void: Void) -> None: ...

    def replace_flags(self, entry_id: int, flags: tuple[Finding, ...]) -> None: ...


class JournalStore(Protocol):
    path: str

    @property
    def schema_version(self) -> int: ...

    def reading(self) -> AbstractContextManager[JournalView]:
        """A consistent snapshot for reads."""
        ...

    def writing(self) -> AbstractContextManager[JournalView]:
        """One atomic write transaction (reads inside see its own writes)."""
        ...

    def integrity_problems(self) -> list[str]: ...

    def close(self) -> None: ...


class _SQLiteView:
    def __init__(self, connection: sqlite3.Connection, *, writable: bool):
        self._db = connection
        self._writable = writable

    def entries(
        self,
        *,
        kinds=None,
        since=None,
        until=None,
        limit=None,
        newest_first=False,
        include_voided=False,
    ):
        where, args = [], []
        if not include_voided:
            where.append("uid NOT IN (SELECT target_uid FROM voids)")
        if kinds is not None:
            kinds = list(kinds)
            where.append(f"kind IN ({','.join('?' * len(kinds))})")
            args.extend(kinds)
        if since is not None:
            where.append("at_utc >= ?")
            args.append(to_utc_text(since))
        if until is not None:
            where.append("at_utc <= ?")
            args.append(to_utc_text(until))
        sql = "SELECT * FROM entries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = "DESC" if newest_first else "ASC"
        sql += f" ORDER BY at_utc {order}, id {order}"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(int(limit))
        rows = self._db.execute(sql, args).fetchall()
        return self._with_flags(rows)

    def device(self, name):
        rows = self._db.execute(
            "SELECT * FROM entries WHERE kind = 'device' AND json_extract(details, '$.name') = ? "
            "AND uid NOT IN (SELECT target_uid FROM voids)",
            (name,),
        ).fetchall()
        found = self._with_flags(rows)
        return found[0] if found else None

    def by_uid(self, uid):
        rows = self._db.execute("SELECT * FROM entries WHERE uid = ?", (uid,)).fetchall()
        found = self._with_flags(rows)
        return found[0] if found else None

    def by_id(self, entry_id):
        rows = self._db.execute("SELECT * FROM entries WHERE id = ?", (entry_id,)).fetchall()
        found = self._with_flags(rows)
        return found[0] if found else None

    def voids(self) -> list[Void]:
        return [
            Void(
                target_uid=row["target_uid"],
                recorded=from_utc_text(row["recorded_utc"]),
                reason=row["reason"],
                replaced_by_uid=row["replaced_by_uid"],
            )
            for row in self._db.execute("SELECT * FROM voids ORDER BY recorded_utc, rowid")
        ]

    def insert_void(self, void: Void) -> None:
        if not self._writable:
            raise RuntimeError("insert outside a write transaction")
        self._db.execute(
            "INSERT INTO voids (target_uid, replaced_by_uid, recorded_utc, reason) "
            "VALUES (?, ?, ?, ?)",
            (void.target_uid, void.replaced_by_uid, to_utc_text(void.recorded), void.reason),
        )

    def replace_flags(self, entry_id: int, flags: tuple[Finding, ...]) -> None:
        """Flags are derived from the entries (recomputed after every write); the entry
        itself is never changed."""
        if not self._writable:
            raise RuntimeError("write outside a write transaction")
        self._db.execute("DELETE FROM flags WHERE entry_id = ?", (entry_id,))
        self._insert_flags(entry_id, flags)

    def insert(self, entry: Entry) -> Entry:
        if not self._writable:
            raise RuntimeError("insert outside a write transaction")
        details = entry.details.model_dump(mode="json", exclude_none=True)
        cursor = self._db.execute(
            "INSERT INTO entries (uid, kind, at_utc, tz, recorded_utc, note, details) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                entry.uid,
                entry.kind,
                to_utc_text(entry.at),
                entry.tz,
                to_utc_text(entry.recorded),
                entry.note,
                json.dumps(details, sort_keys=True, separators=(",", ":")),
            ),
        )
        entry_id = cursor.lastrowid
        self._insert_flags(entry_id, entry.flags)
        return Entry(**{**entry.__dict__, "id": entry_id})

    def _insert_flags(self, entry_id: int, flags: tuple[Finding, ...]) -> None:
        self._db.executemany(
            "INSERT INTO flags (entry_id, position, rule, severity, message, instead, triage) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    entry_id,
                    position,
                    f.rule,
                    f.severity.value,
                    f.message,
                    f.instead,
                    f.triage.value if f.triage else None,
                )
                for position, f in enumerate(flags)
            ],
        )

    def _with_flags(self, rows) -> list[Entry]:
        if not rows:
            return []
        flags: dict[int, list[Finding]] = {}
        ids = [row["id"] for row in rows]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for flag in self._db.execute(
                f"SELECT * FROM flags WHERE entry_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY entry_id, position",
                chunk,
            ):
                flags.setdefault(flag["entry_id"], []).append(
                    Finding(
                        rule=flag["rule"],
                        severity=Severity(flag["severity"]),
                        message=flag["message"],
                        instead=flag["instead"],
                        triage=Triage(flag["triage"]) if flag["triage"] else None,
                    )
                )
        return [self._entry(row, tuple(flags.get(row["id"], ()))) for row in rows]

    @staticmethod
    def _entry(row: sqlite3.Row, flags: tuple[Finding, ...]) -> Entry:
        return Entry(
            uid=row["uid"],
            kind=row["kind"],
            at=from_utc_text(row["at_utc"]),
            tz=row["tz"],
            recorded=from_utc_text(row["recorded_utc"]),
            details=_stored_details(row["kind"], json.loads(row["details"])),
            note=row["note"],
            id=row["id"],
            flags=flags,
        )


def _stored_details(kind: str, data: dict):
    """Details as stored. A value that a newer follicle refuses (e.g. a density of -50
    logged before the ranges were checked) is still read, unvalidated, so the journal stays
    readable and the entry can be amended or voided."""
    try:
        return parse_details(kind, data)
    except FollicleInputError:
        return DETAILS[kind].model_construct(**data)


class SQLiteJournalStore:
    """A journal in one SQLite file (created and migrated on open)."""

    def __init__(
        self,
        path: str | Path,
        *,
        migrate_to: int = SCHEMA_VERSION,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        create: bool = True,
    ):
        self.path = str(path)
        if not create and self.path != ":memory:" and not Path(self.path).is_file():
            # a mistyped --db must not become a new, empty journal
            raise FollicleFileError(
                f"{self.path}: no journal there; check --db (`follicle journal log` starts "
                "a new journal)"
            )
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path,
                isolation_level=None,
                timeout=busy_timeout_ms / 1000,
                check_same_thread=False,
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self._db.execute("PRAGMA journal_mode = WAL").fetchone()
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate(migrate_to)
        except OSError as error:
            raise FollicleFileError(f"{self.path}: cannot create the journal ({error})") from None
        except sqlite3.OperationalError as error:
            raise FollicleFileError(f"{self.path}: cannot open the journal ({error})") from None
        except sqlite3.DatabaseError as error:
            raise FollicleFileError(
                f"{self.path}: not a usable journal database ({error})"
            ) from None

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self, target: int) -> None:
        current = self._db.execute("PRAGMA application_id").fetchone()[0]
        if current == APPLICATION_ID and self.schema_version == target:
            return  # up to date: no write lock needed to open
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = self.schema_version
            app_id = self._db.execute("PRAGMA application_id").fetchone()[0]
            tables = self._db.execute(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
            ).fetchone()[0]
            if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables and version == 0):
                raise FollicleFileError(
                    f"{self.path}: this SQLite file is not a follicle journal; "
                    "choose another --db path"
                )
            if version > SCHEMA_VERSION:
                raise FollicleFileError(
                    f"{self.path}: journal schema version {version} is newer than this "
                    f"follicle understands ({SCHEMA_VERSION}); upgrade follicle"
                )
            for number in range(version + 1, target + 1):
                for statement in MIGRATIONS[number - 1]:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")
            if app_id == 0:
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _damaged(self, error: sqlite3.DatabaseError) -> FollicleFileError:
        """A damaged file (valid header, broken pages): say what to do, not a traceback."""
        return FollicleFileError(
            f"{self.path}: the journal file is damaged ({error}); nothing was changed. Check "
            f"it with: sqlite3 {self.path} 'PRAGMA integrity_check'; restore it from a backup, "
            "or from an export with `follicle journal import EXPORT.json --db NEW.sqlite3`"
        )

    @contextmanager
    def reading(self) -> Iterator[_SQLiteView]:
        try:
            self._db.execute("BEGIN")
            try:
                yield _SQLiteView(self._db, writable=False)
            finally:
                self._db.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            if type(error) is not sqlite3.DatabaseError:  # only "malformed", "not a database"
                raise
            raise self._damaged(error) from None

    @contextmanager
    def writing(self) -> Iterator[_SQLiteView]:
        """One atomic write: everything inside commits together (and is on disk) or not.

        SQLite failures (locked beyond the busy timeout, disk full, read-only file) become a
        one-line ``FollicleFileError``; nothing is written then.
        """
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise FollicleFileError(f"{self.path}: cannot write the journal ({error})") from None
        try:
            yield _SQLiteView(self._db, writable=True)
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            self._rollback()
            raise FollicleFileError(
                f"{self.path}: cannot write the journal ({error}); nothing was written"
            ) from None
        except sqlite3.DatabaseError as error:
            if type(error) is not sqlite3.DatabaseError:
                self._rollback()
                raise
            with contextlib.suppress(sqlite3.DatabaseError):
                self._rollback()
            raise self._damaged(error) from None
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def integrity_problems(self) -> list[str]:
        """Empty when the database is consistent (``integrity_check`` and foreign keys)."""
        problems = [row[0] for row in self._db.execute("PRAGMA integrity_check")]
        problems = [] if problems == ["ok"] else problems
        # foreign_key_check rows are (table, rowid, parent table, key id): name the entry
        for table, rowid, parent, _ in self._db.execute("PRAGMA foreign_key_check").fetchall():
            if table == "flags":
                (entry_id,) = self._db.execute(
                    "SELECT entry_id FROM flags WHERE rowid = ?", (rowid,)
                ).fetchone()
                problems.append(f"flag of missing entry {entry_id}")
            else:
                problems.append(f"{table} row {rowid}: refers to a missing row of {parent}")
        return problems

    def close(self) -> None:
        self._db.close()
