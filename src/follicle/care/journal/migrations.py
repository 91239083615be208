"""Schema versions of the journal database and the migrations between them.

The version lives in SQLite's ``user_version``; migration ``n`` takes a database from
version ``n - 1`` to ``n`` and runs in the same transaction as the version bump, so a
crash leaves either the old or the new schema, never a mix. Migrations are append-only:
never edit a released one, add the next.
"""

from __future__ import annotations

#: Identifies a follicle journal (SQLite ``application_id``): "Fjnl".
APPLICATION_ID = 0x466A6E6C

_KINDS = "('application', 'session', 'device', 'symptom', 'measurement', 'photo')"
_UTC = "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: entries, one row each; details are JSON validated by follicle.care.journal.entries
    (
        f"""CREATE TABLE entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE CHECK (length(uid) = 32),
            kind TEXT NOT NULL CHECK (kind IN {_KINDS}),
            at_utc TEXT NOT NULL CHECK (at_utc GLOB {_UTC}),
            tz TEXT NOT NULL CHECK (length(tz) > 0),
            recorded_utc TEXT NOT NULL CHECK (recorded_utc GLOB {_UTC}),
            note TEXT NOT NULL DEFAULT '',
            details TEXT NOT NULL CHECK (json_valid(details) AND json_type(details) = 'object')
        )""",
        "CREATE INDEX entries_kind_at ON entries (kind, at_utc)",
        "CREATE INDEX entries_at ON entries (at_utc)",
    ),
    # 2: findings raised when an entry was logged (MN-7, MN-12, ...); one device per name
    (
        """CREATE TABLE flags (
            entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            rule TEXT NOT NULL CHECK (rule GLOB '[A-Z][A-Z]-[0-9]*'),
            severity TEXT NOT NULL CHECK (severity IN ('block', 'warn', 'info')),
            message TEXT NOT NULL,
            instead TEXT NOT NULL DEFAULT '',
            triage TEXT CHECK (triage IN ('self-care', 'clinician', 'urgent')),
            PRIMARY KEY (entry_id, position)
        )""",
        """CREATE UNIQUE INDEX devices_by_name ON entries (json_extract(details, '$.name'))
            WHERE kind = 'device'""",
    ),
    # 3: corrections that keep the history: a void record marks an entry as withdrawn (and,
    #    for an amendment, names the entry that replaces it); nothing is deleted. One device
    #    per name among the entries that are not voided (a trigger: an index cannot see voids)
    (
        f"""CREATE TABLE voids (
            target_uid TEXT PRIMARY KEY REFERENCES entries (uid),
            replaced_by_uid TEXT REFERENCES entries (uid) DEFERRABLE INITIALLY DEFERRED,
            recorded_utc TEXT NOT NULL CHECK (recorded_utc GLOB {_UTC}),
            reason TEXT NOT NULL CHECK (length(reason) > 0)
        )""",
        "DROP INDEX devices_by_name",
        """CREATE INDEX devices_by_name ON entries (json_extract(details, '$.name'))
            WHERE kind = 'device'""",
        """CREATE TRIGGER one_device_per_name BEFORE INSERT ON entries
            WHEN NEW.kind = 'device' AND EXISTS (
                SELECT 1 FROM entries AS e
                WHERE e.kind = 'device'
                AND json_extract(e.details, '$.name') = json_extract(NEW.details, '$.name')
                AND e.uid NOT IN (SELECT target_uid FROM voids))
            BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: device name'); END""",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
