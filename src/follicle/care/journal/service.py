"""The journal: validate, apply the rules, store. The API behind ``follicle journal``.

    >>> journal = Journal.open("journal.sqlite3")            # doctest: +SKIP
    >>> logged = journal.log("application", {"medicine": "minoxidil"}, at="2026-03-03T08:00",
    ...                      tz="Europe/London")               # doctest: +SKIP
    >>> [f.rule for f in logged.flags]                         # doctest: +SKIP
    ['MN-7']

Entries are refused (``FollicleInputError``, nothing written) when a value is out of range,
the time is in the future or a session's device does not match; otherwise they are
stored in one transaction with the findings the rules raise (MN-7, MN-12, ...).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import platformdirs

from follicle.care.findings import Finding, sort_findings
from follicle.care.journal.entries import Device, Entry, parse_details
from follicle.care.journal.store import JournalStore, SQLiteJournalStore
from follicle.care.rules.journal_rules import entry_findings
from follicle.care.timezones import local_zone_name, parse_instant, zone
from follicle.errors import FollicleInputError

#: Entries may be logged this far ahead of the clock (clock skew between devices).
FUTURE_TOLERANCE = timedelta(minutes=10)


def default_journal_path() -> Path:
    """``<user data dir>/follicle/journal.sqlite3`` (e.g. ~/.local/share/follicle on Linux)."""
    return Path(platformdirs.user_data_dir("follicle", appauthor=False)) / "journal.sqlite3"


@dataclass(frozen=True)
class Logged:
    """A stored entry and what the rules said about it (also stored as its flags)."""

    entries: tuple[Entry, ...]

    @property
    def entry(self) -> Entry:
        return self.entries[-1]

    @property
    def flags(self) -> tuple[Finding, ...]:
        return self.entry.flags

    def to_dict(self) -> dict:
        return {
            "entry": self.entry.to_dict(),
            "also_stored": [e.to_dict() for e in self.entries[:-1]],
        }


class Journal:
    """A treatment journal over a :class:`~follicle.care.journal.store.JournalStore`."""

    def __init__(self, store: JournalStore):
        self.store = store

    @classmethod
    def open(cls, path: str | Path | None = None) -> Journal:
        """Open (creating and migrating if needed) the journal at ``path`` (default location
        from :func:`default_journal_path`)."""
        return cls(SQLiteJournalStore(path if path is not None else default_journal_path()))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- writing -------------------------------------------------------------------

    def log(
        self,
        kind: str,
        details: dict,
        *,
        at: datetime | str | None = None,
        tz: str | None = None,
        note: str = "",
        now: datetime | None = None,
    ) -> Logged:
        """Validate and store one entry; returns it with the rules' findings.

        ``at``: when it happened (aware datetime, ISO text read in ``tz``, or None = now);
        ``tz``: the user's IANA zone, recorded with the entry (default: this computer's).
        """
        tz = tz or local_zone_name()
        zone(tz)
        now = (now or datetime.now(UTC)).astimezone(UTC)
        if at is None or (isinstance(at, str) and at.strip().lower() == "now"):
            moment = now
        elif isinstance(at, str):
            moment = parse_instant(at, tz=tz)
        else:
            if at.tzinfo is None:
                raise FollicleInputError("at", at.isoformat(), "a time with a zone (aware)")
            moment = at
        moment = moment.astimezone(UTC).replace(microsecond=0)
        if moment > now + FUTURE_TOLERANCE:
            raise FollicleInputError(
                "at", moment.isoformat(), f"a time not in the future (now is {now:%Y-%m-%dT%H:%MZ})"
            )
        if len(note) > 2000:
            raise FollicleInputError("note", note[:20] + "...", "at most 2000 characters")
        parsed = parse_details(kind, details)
        entry = Entry(
            uid=uuid.uuid4().hex,
            kind=kind,
            at=moment,
            tz=tz,
            recorded=now,
            details=parsed,
            note=note,
        )
        with self.store.writing() as view:
            stored = []
            device = None
            if kind == "session":
                device = view.device(parsed.device)
                if device is None:
                    device = Entry(
                        uid=uuid.uuid4().hex,
                        kind="device",
                        at=moment,
                        tz=tz,
                        recorded=now,
                        details=Device(name=parsed.device, needle_mm=parsed.needle_mm),
                        note="registered by its first session",
                    )
                    stored.append(view.insert(device))
                else:
                    _check_device(device, parsed.needle_mm, moment)
            if kind == "device" and view.device(parsed.name) is not None:
                raise FollicleInputError(
                    "name",
                    parsed.name,
                    "a name not used by another device (log a new device "
                    "with a new name, e.g. 'roller-2')",
                )
            flags = tuple(sort_findings(entry_findings(entry, view, device=device)))
            stored.append(view.insert(Entry(**{**entry.__dict__, "flags": flags})))
        return Logged(tuple(stored))

    def log_photo(self, path: str | Path, *, region: str | None = None, **kwargs) -> Logged:
        """Log a photo by path and SHA-256 of its content (the file must exist)."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError:
            raise FollicleInputError(
                "path", str(path), "an existing, readable image file"
            ) from None
        details = {
            "path": str(path.resolve()),
            "sha256": hashlib.sha256(data).hexdigest(),
            "size_bytes": len(data),
        }
        if region is not None:
            details["region"] = region
        return self.log("photo", details, **kwargs)

    def log_measurement_file(self, path: str | Path, *, region: str | None = None, **kwargs):
        """Log the numeric metrics of a JSON result (``follicle measure``/``analyze --json``).

        Top-level numbers are taken, or those of a ``metrics`` object when there is one;
        ``region`` falls back to the result's own ``region``.
        """
        import json

        path = Path(path)
        try:
            raw = path.read_bytes()
            data = json.loads(raw)
        except (OSError, ValueError) as error:
            raise FollicleInputError(
                "from_result", str(path), f"a JSON result file ({error})"
            ) from None
        if not isinstance(data, dict):
            raise FollicleInputError("from_result", str(path), "a JSON object of metrics")
        source = data.get("metrics", data)
        metrics = {
            key: float(value)
            for key, value in (source.items() if isinstance(source, dict) else [])
            if isinstance(value, int | float) and not isinstance(value, bool)
        }
        if not metrics:
            raise FollicleInputError("from_result", str(path), "a result with numeric metrics")
        details = {
            "metrics": metrics,
            "source": str(path.resolve()),
            "source_sha256": hashlib.sha256(raw).hexdigest(),
        }
        region = region or data.get("region")
        if region is not None:
            details["region"] = region
        return self.log("measurement", details, **kwargs)

    # --- reading -------------------------------------------------------------------

    def entries(
        self,
        *,
        kinds: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[Entry]:
        with self.store.reading() as view:
            return view.entries(
                kinds=kinds, since=since, until=until, limit=limit, newest_first=newest_first
            )

    def devices(self) -> list[Entry]:
        return self.entries(kinds=["device"])

    # --- import ----------------------------------------------------------------------

    def import_entries(self, entries: list[Entry]) -> dict:
        """Add exported entries in one transaction. Entries already present (same uid and
        content) are skipped; a uid with different content refuses the whole import."""
        added = skipped = 0
        with self.store.writing() as view:
            for entry in sorted(entries, key=lambda e: e.at):
                existing = view.by_uid(entry.uid)
                if existing is not None:
                    if _same(existing, entry):
                        skipped += 1
                        continue
                    raise FollicleInputError(
                        f"entry {entry.uid}",
                        "changed content",
                        "the same content as the journal's entry with this uid (or a new uid)",
                    )
                if entry.kind == "device" and view.device(entry.details.name) is not None:
                    raise FollicleInputError(
                        f"entry {entry.uid}.details.name",
                        entry.details.name,
                        "a device name not already in the journal",
                    )
                flags = entry.flags
                if not flags:
                    device = view.device(entry.details.device) if entry.kind == "session" else None
                    flags = tuple(sort_findings(entry_findings(entry, view, device=device)))
                view.insert(Entry(**{**entry.__dict__, "id": None, "flags": flags}))
                added += 1
        return {"added": added, "skipped": skipped}


def _same(a: Entry, b: Entry) -> bool:
    keys = ("uid", "kind", "tz", "note")
    return (
        all(getattr(a, k) == getattr(b, k) for k in keys)
        and a.at == b.at
        and a.details == b.details
    )


def _check_device(device: Entry, needle_mm: float, moment: datetime) -> None:
    details = device.details
    fixed = details.device_type in ("roller", "stamp") and details.needle_mm is not None
    if fixed and abs(details.needle_mm - needle_mm) > 1e-9:
        raise FollicleInputError(
            "needle_mm",
            needle_mm,
            f"{details.needle_mm:g}, the needle length of "
            f"{details.device_type} '{details.name}' (or log a new device)",
        )
