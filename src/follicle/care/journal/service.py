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
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import platformdirs

from follicle.care.findings import Finding
from follicle.care.journal.entries import KINDS, Device, Entry, Void, parse_details
from follicle.care.journal.recompute import refresh_flags, refresh_flags_after
from follicle.care.journal.store import JournalStore, SQLiteJournalStore
from follicle.care.timezones import local_zone_name, parse_date, parse_instant, zone
from follicle.errors import FollicleInputError
from follicle.provenance import envelope, input_record

#: Entries may be logged this far ahead of the clock (clock skew between devices).
FUTURE_TOLERANCE = timedelta(minutes=10)


def default_journal_path() -> Path:
    """``<user data dir>/follicle/journal.sqlite3`` (e.g. ~/.local/share/follicle on Linux)."""
    return Path(platformdirs.user_data_dir("follicle", appauthor=False)) / "journal.sqlite3"


@dataclass(frozen=True)
class Logged:
    """A stored entry and what the rules said about it (also stored as its flags)."""

    entries: tuple[Entry, ...]
    provenance: dict = field(default_factory=dict, compare=False)

    @property
    def entry(self) -> Entry:
        return self.entries[-1]

    @property
    def flags(self) -> tuple[Finding, ...]:
        return self.entry.flags

    def to_dict(self) -> dict:
        """The JSON of ``follicle journal log ... --json`` (schemas/journal-logged.json)."""
        return {
            "provenance": self.provenance,
            "entry": self.entry.to_dict(),
            "also_stored": [e.to_dict() for e in self.entries[:-1]],
        }


class Journal:
    """A treatment journal over a :class:`~follicle.care.journal.store.JournalStore`."""

    def __init__(self, store: JournalStore):
        self.store = store

    @classmethod
    def open(cls, path: str | Path | None = None, *, create: bool = True) -> Journal:
        """Open (creating and migrating if needed) the journal at ``path`` (default location
        from :func:`default_journal_path`). ``create=False`` refuses a path where no journal
        exists (``FollicleFileError``): reading commands never create an empty journal."""
        return cls(
            SQLiteJournalStore(path if path is not None else default_journal_path(), create=create)
        )

    def close(self) -> None:
        self.store.close()

    def provenance(self, verb: str, **fields) -> dict:
        """The envelope of a journal verb; ``journal``: the database it worked on."""
        return envelope(verb, journal=str(self.store.path), **fields)

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
        entry = _new_entry(kind, details, _moment(at, tz, now), tz, now, note)
        with self.store.writing() as view:
            stored = self._store(view, entry)
            fresh = refresh_flags_after(view, stored=stored)
        return Logged(tuple(_with(e, fresh) for e in stored), self.provenance("journal.log"))

    def _store(self, view, entry: Entry) -> list[Entry]:
        """Insert ``entry`` (and the device a session's first use registers) in ``view``'s
        transaction; flags are computed afterwards by :func:`refresh_flags_after`."""
        stored = []
        details = entry.details
        if entry.kind == "session":
            device = view.device(details.device)
            if device is None:
                device = Entry(
                    uid=uuid.uuid4().hex,
                    kind="device",
                    at=entry.at,
                    tz=entry.tz,
                    recorded=entry.recorded,
                    details=Device(name=details.device, needle_mm=details.needle_mm),
                    note="registered by its first session",
                )
                stored.append(view.insert(device))
            else:
                _check_device(device, details.needle_mm, entry.at)
        if entry.kind == "device" and view.device(details.name) is not None:
            raise FollicleInputError(
                "name",
                details.name,
                "a name not used by another device (log a new device "
                "with a new name, e.g. 'roller-2')",
            )
        stored.append(view.insert(entry))
        return stored

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
        logged = self.log("photo", details, **kwargs)
        photo = {"role": "photo", "path": details["path"], "sha256": details["sha256"]}
        inputs = [photo | {"digest_of": "file"}]
        return Logged(logged.entries, self.provenance("journal.log", inputs=inputs))

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
        logged = self.log("measurement", details, **kwargs)
        inputs = [input_record("measurement result", path)]
        return Logged(logged.entries, self.provenance("journal.log", inputs=inputs))

    # --- reading -------------------------------------------------------------------

    def entries(
        self,
        *,
        kinds: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        include_voided: bool = False,
    ) -> list[Entry]:
        """The entries that count (voided ones left out unless ``include_voided``)."""
        with self.store.reading() as view:
            return view.entries(
                kinds=kinds,
                since=since,
                until=until,
                limit=limit,
                newest_first=newest_first,
                include_voided=include_voided,
            )

    def devices(self) -> list[Entry]:
        return self.entries(kinds=["device"])

    def show(
        self,
        *,
        kinds: Iterable[str] | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
        tz: str | None = None,
        limit: int = 50,
        include_voided: bool = False,
    ) -> JournalPage:
        """The ``limit`` newest entries of ``kinds`` between the dates ``since`` and
        ``until`` (whole local days in ``tz``, default this computer's), oldest first, with
        the void of each voided entry (``include_voided`` shows those too)."""
        kinds, window, parameters = _show_query(kinds, since, until, tz, limit, include_voided)
        entries = self.entries(
            kinds=kinds or None,
            since=window.start,
            until=window.end,
            limit=limit,
            newest_first=True,
            include_voided=include_voided,
        )[::-1]
        voids = {v.target_uid: v for v in self.voids()}
        ids = {e.uid: e.id for e in self.entries(include_voided=True)} if voids else {}
        return JournalPage(
            db=str(self.store.path),
            tz=window.tz,
            entries=tuple(entries),
            voids={e.uid: voids[e.uid] for e in entries if e.uid in voids},
            ids=ids,
            provenance=self.provenance("journal.show", parameters=parameters),
        )

    def stats(
        self,
        *,
        regimen=None,
        start: str | date | None = None,
        until: str | date | None = None,
        tz: str | None = None,
        now: datetime | None = None,
    ):
        """Counts, and with ``regimen`` (a Regimen or its TOML file) and its day 0
        ``start``, adherence up to the end of the day ``until`` (default now) in ``tz``."""
        return _stats(
            self.entries(), str(self.store.path), regimen, start, until=until, tz=tz, now=now
        )

    def export(self, format: str) -> Exported:
        """Every entry, voided and amended ones included, as ``"json"`` or ``"csv"`` text."""
        from follicle.care.journal.transfer import export_csv, export_json

        if format not in ("json", "csv"):
            raise FollicleInputError("format", format, "json or csv")
        entries = self.entries(include_voided=True)
        voids = self.voids()
        text = (export_json if format == "json" else export_csv)(entries, voids=voids)
        return Exported(
            text=text,
            format=format,
            entries=len(entries),
            provenance=self.provenance("journal.export", parameters={"format": format}),
        )

    # --- import ----------------------------------------------------------------------

    def import_entries(self, entries: list[Entry], voids: Iterable[Void] = ()) -> dict:
        """Add exported entries (and their voids) in one transaction. Entries already
        present (same uid and content) are skipped; a uid with different content refuses the
        whole import. The flags in the export are not trusted: every entry's flags are
        recomputed afterwards (:func:`refresh_flags`), as after any write."""
        added = skipped = voided = 0
        voids = {v.target_uid: v for v in voids}
        # voided entries first, each voided at once: a replacement may reuse a device name
        ordered = sorted(entries, key=lambda e: (e.uid not in voids, e.at))
        with self.store.writing() as view:
            known = {v.target_uid: v for v in view.voids()}
            for entry in ordered:
                existing = view.by_uid(entry.uid)
                if existing is not None:
                    if not _same(existing, entry):
                        raise FollicleInputError(
                            f"entry {entry.uid}",
                            "changed content",
                            "the same content as the journal's entry with this uid (or a new uid)",
                        )
                    skipped += 1
                else:
                    if entry.kind == "device" and view.device(entry.details.name) is not None:
                        raise FollicleInputError(
                            f"entry {entry.uid}.details.name",
                            entry.details.name,
                            "a device name not already in the journal",
                        )
                    view.insert(Entry(**{**entry.__dict__, "id": None, "flags": ()}))
                    added += 1
                void = voids.get(entry.uid)
                if void is not None and entry.uid not in known:
                    view.insert_void(void)
                    known[entry.uid] = void
                    voided += 1
            missing = [uid for uid in voids if view.by_uid(uid) is None]
            if missing:
                raise FollicleInputError(
                    "voids.target_uid", missing[0], "the uid of an entry in the import"
                )
            refresh_flags(view)
        return {"added": added, "skipped": skipped, "voided": voided}

    # --- corrections (history kept) -----------------------------------------------------

    def find(self, reference: str | int) -> Entry:
        """The entry with this id (``12``) or uid; ``FollicleInputError`` when none."""
        text = str(reference).strip().lstrip("#")
        with self.store.reading() as view:
            if text.isdigit():
                entry = view.by_id(int(text)) if len(text) <= 18 else None  # SQLite int64
            else:
                entry = view.by_uid(text)
        if entry is None:
            raise FollicleInputError("entry", reference, "the # or uid of a journal entry")
        return entry

    def voids(self) -> list[Void]:
        with self.store.reading() as view:
            return view.voids()

    def withdraw(self, reference: str | int, *, reason: str) -> Voided:
        """:meth:`void`, returning the entry withdrawn as well (for ``journal void``)."""
        target = self.find(reference)
        done = self.void(target.uid, reason=reason)
        return Voided(
            target=target,
            void=done,
            provenance=self.provenance("journal.void", parameters={"reason": reason}),
        )

    def void(self, reference: str | int, *, reason: str, now: datetime | None = None) -> Void:
        """Withdraw an entry (logged by mistake): it stays stored, exported and shown by
        ``journal show --all``, but no longer counts (rules, stats, projections)."""
        now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        target = self.find(reference)
        void = Void(target_uid=target.uid, recorded=now, reason=_reason(reason))
        with self.store.writing() as view:
            _check_not_voided(view, target)
            view.insert_void(void)
            refresh_flags_after(view, voided=[target])
        return void

    def amend(
        self,
        reference: str | int,
        *,
        reason: str,
        changes: dict | None = None,
        at: datetime | str | None = None,
        tz: str | None = None,
        note: str | None = None,
        now: datetime | None = None,
    ) -> Logged:
        """Correct an entry: a new entry with the corrected values replaces it, and the old
        one is voided with ``reason`` and a link to its replacement (both are kept).

        ``changes``: detail fields to change (``{"needle_mm": 1.0}``); ``at``/``tz``/
        ``note``: the corrected time, zone or note (default: the old entry's).
        """
        now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        old = self.find(reference)
        if old.kind == "device" and changes and "name" in changes:
            raise FollicleInputError(
                "name", changes["name"], "the same name (sessions refer to a device by name)"
            )
        tz = tz or old.tz
        zone(tz)
        details = {**old.details.model_dump(mode="json", exclude_none=True), **(changes or {})}
        details = {k: v for k, v in details.items() if v is not None}
        moment = old.at if at is None else _moment(at, tz, now)
        entry = _new_entry(old.kind, details, moment, tz, now, old.note if note is None else note)
        void = Void(
            target_uid=old.uid, recorded=now, reason=_reason(reason), replaced_by_uid=entry.uid
        )
        with self.store.writing() as view:
            _check_not_voided(view, old)
            view.insert_void(void)
            stored = self._store(view, entry)
            fresh = refresh_flags_after(view, stored=stored, voided=[old])
        return Logged(
            tuple(_with(e, fresh) for e in stored),
            self.provenance("journal.amend", parameters={"reason": reason}),
        )


def _moment(at: datetime | str | None, tz: str, now: datetime) -> datetime:
    """When an entry happened, in UTC to the second; never in the future."""
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
    return moment


def _new_entry(kind, details: dict, moment: datetime, tz: str, now: datetime, note: str):
    if len(note) > 2000:
        raise FollicleInputError("note", note[:20] + "...", "at most 2000 characters")
    return Entry(
        uid=uuid.uuid4().hex,
        kind=kind,
        at=moment,
        tz=tz,
        recorded=now,
        details=parse_details(kind, details),
        note=note,
    )


def _with(entry: Entry, fresh: dict) -> Entry:
    return Entry(**{**entry.__dict__, "flags": fresh.get(entry.uid, ())})


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise FollicleInputError("reason", reason, "why the entry is corrected (1-500 characters)")
    return reason


def _check_not_voided(view, entry: Entry) -> None:
    void = next((v for v in view.voids() if v.target_uid == entry.uid), None)
    if void is not None:
        replaced = f" (replaced by {void.replaced_by_uid})" if void.replaced_by_uid else ""
        raise FollicleInputError(
            "entry", entry.id, f"an entry that is not already voided{replaced}"
        )


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


@dataclass(frozen=True)
class JournalPage:
    """Entries as ``journal show`` lists them: oldest first, with their voids."""

    db: str
    tz: str
    entries: tuple[Entry, ...]
    voids: dict[str, Void]  # entry uid -> its void (only for entries on this page)
    ids: dict[str, int]  # uid -> id, to name the entry that replaced an amended one
    provenance: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        """The JSON of ``follicle journal show --json`` (schemas/journal-show.json)."""
        rows = []
        for entry in self.entries:
            row = entry.to_dict()
            if entry.uid in self.voids:
                row["voided"] = self.voids[entry.uid].to_dict()
            rows.append(row)
        return {"provenance": self.provenance, "db": self.db, "entries": rows}


@dataclass(frozen=True)
class Voided:
    """An entry withdrawn by ``void`` and the void record."""

    target: Entry
    void: Void
    provenance: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        return {
            "provenance": self.provenance,
            "voided": self.target.to_dict(),
            "void": self.void.to_dict(),
        }


@dataclass(frozen=True)
class Exported:
    """A journal export: the text to write and how many entries it holds."""

    text: str
    format: str
    entries: int
    provenance: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class DayWindow:
    """Whole local days: ``start`` (00:00 of ``since``) to ``end`` (the last second of
    ``until``) in the zone ``tz``; None where no date was given."""

    tz: str
    since: date | None
    until: date | None
    start: datetime | None
    end: datetime | None


def _stats(entries, db: str, regimen, start, *, until, tz, now):
    """``Journal.stats`` over ``entries`` of the journal ``db``."""
    from follicle.care.journal.stats import journal_stats
    from follicle.regimen import Regimen, load_regimen

    if (regimen is None) != (start is None):
        raise FollicleInputError(
            "regimen / start", "one of them", "both (the plan and its day 0) or neither"
        )
    window = day_window(None, until, tz=tz)
    day0 = _date(start, field="start")
    plan = regimen if regimen is None or isinstance(regimen, Regimen) else load_regimen(regimen)
    result = journal_stats(
        entries,
        regimen=plan,
        start=day0,
        tz=window.tz,
        until=window.end or (now or datetime.now(UTC)),
    )
    inputs = [] if regimen is None else [input_record("regimen", regimen)]
    parameters = {"start": day0, "until": window.until, "tz": window.tz}
    return dataclass_replace(
        result,
        provenance=envelope("journal.stats", parameters=parameters, inputs=inputs, journal=db),
    )


def stats_journal(
    path: str | Path,
    *,
    regimen=None,
    start: str | date | None = None,
    until: str | date | None = None,
    tz: str | None = None,
    now: datetime | None = None,
):
    """``Journal.stats`` on the journal at ``path``, without creating it (before the first
    entry: zero counts, with the same provenance as any other)."""
    path = Path(path)
    if path.exists():
        with Journal.open(path, create=False) as journal:
            return journal.stats(regimen=regimen, start=start, until=until, tz=tz, now=now)
    return _stats([], str(path), regimen, start, until=until, tz=tz, now=now)


def _show_query(kinds, since, until, tz, limit, include_voided):
    """``journal show``'s options checked: (kinds, day window, the parameters recorded)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 2**63 - 1:
        raise FollicleInputError("limit", limit, "a whole number from 1 to 2**63-1")
    kinds = list(kinds or [])
    for item in kinds:
        if item not in KINDS:
            raise FollicleInputError("kind", item, f"one of {list(KINDS)}")
    window = day_window(since, until, tz=tz)
    parameters = {
        "kinds": kinds,
        "since": window.since,
        "until": window.until,
        "tz": window.tz,
        "limit": limit,
        "include_voided": include_voided,
    }
    return kinds, window, parameters


def show_journal(
    path: str | Path,
    *,
    kinds: Iterable[str] | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    tz: str | None = None,
    limit: int = 50,
    include_voided: bool = False,
) -> JournalPage:
    """``Journal.show`` on the journal at ``path``, without creating it: before the first
    entry (no file yet) an empty page, with the same provenance as any other."""
    path = Path(path)
    if path.exists():
        with Journal.open(path, create=False) as journal:
            return journal.show(
                kinds=kinds,
                since=since,
                until=until,
                tz=tz,
                limit=limit,
                include_voided=include_voided,
            )
    _, window, parameters = _show_query(kinds, since, until, tz, limit, include_voided)
    return JournalPage(
        db=str(path),
        tz=window.tz,
        entries=(),
        voids={},
        ids={},
        provenance=envelope("journal.show", parameters=parameters, journal=str(path)),
    )


def day_window(
    since: str | date | None, until: str | date | None, *, tz: str | None = None
) -> DayWindow:
    """The instants bounding the days ``since`` .. ``until`` (inclusive) in ``tz``
    (default: this computer's zone); dates as YYYY-MM-DD."""
    zone_name = tz or local_zone_name()
    local = zone(zone_name, field="tz")
    first = _date(since, field="since")
    last = _date(until, field="until")
    start = datetime.combine(first, datetime.min.time(), local) if first else None
    end = None
    if last is not None:  # parse_date keeps dates well inside the calendar
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), local)
        end -= timedelta(seconds=1)
    return DayWindow(tz=zone_name, since=first, until=last, start=start, end=end)


def parse_metrics(items: Iterable[str], *, field: str = "metric") -> dict[str, float]:
    """``["density_per_cm2=182", ...]`` -> ``{"density_per_cm2": 182.0}`` (unit in the
    name); anything else is a FollicleInputError naming the item."""
    metrics = {}
    for item in items:
        name, sep, value = str(item).partition("=")
        try:
            number = float(value)
        except ValueError:
            number = None
        if not sep or not name.strip() or number is None:
            raise FollicleInputError(field, item, "name=number")
        metrics[name.strip()] = number
    return metrics


def parse_corrections(entry: Entry, items: Iterable[str], *, field: str = "set") -> dict:
    """``amend --set`` items (``field=value``) for ``entry``'s kind -> the changes dict;
    lists are ``;``-separated (``regions=vertex;frontal``), dicts ``k=v;k=v``."""
    from follicle.care.journal.transfer import _split

    fields = type(entry.details).model_fields
    changes = {}
    for item in items:
        name, sep, value = str(item).partition("=")
        name = name.strip()
        if not sep or name not in fields:
            raise FollicleInputError(
                field,
                item,
                f"field=value with a field of {entry.kind} entries: {', '.join(fields)}",
            )
        changes[name] = _split(entry.kind, name, value.strip())
    return changes


def _date(value: str | date | None, *, field: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return parse_date(value, field=field)


def import_into(path: str | Path, source: str | Path) -> dict:
    """``journal import``: read the export at ``source`` and import it into the journal at
    ``path``. When the journal did not exist and the import is refused, the new file is
    removed again: a failed import leaves nothing behind."""
    from follicle.care.journal.transfer import read_export_with_voids

    entries, voids = read_export_with_voids(source)
    path = Path(path)
    new = not path.exists()
    try:
        with Journal.open(path) as journal:
            counts = journal.import_entries(entries, voids)
            provenance = journal.provenance(
                "journal.import", inputs=[input_record("journal export", source)]
            )
            return {"provenance": provenance, **counts}
    except BaseException:
        if new:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
        raise
