"""Journal export and import as JSON (complete, with flags) or CSV (one row per entry).

JSON::

    {"format": "follicle-journal", "format_version": 2, "schema_version": 3,
     "exported_utc": "...", "entries": [{"uid": ..., "kind": ..., "at_utc": ...,
     "tz": ..., "recorded_utc": ..., "note": ..., "details": {...}, "flags": [...]}],
     "voids": [{"target_uid": ..., "replaced_by_uid": ..., "recorded_utc": ...,
                "reason": ...}]}

CSV has the common columns, then one column per detail field (``regions`` joined with
``;``, ``metrics`` as ``name=value;...``), then ``flag_rules``, then ``voided_utc``,
``void_reason`` and ``replaced_by_uid`` for an entry that was voided or amended.
Flags in an export are for reading only: on import every entry's flags are recomputed
(as after any write), so an imported journal has exactly the flags of the original.
Importing is all-or-nothing and idempotent: entries already in the journal (same uid and
content) are skipped. Exports in format 1 (no voids) are still read.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from follicle.care.findings import Finding
from follicle.care.journal.entries import DETAILS, Entry, Void, parse_details
from follicle.care.journal.migrations import SCHEMA_VERSION
from follicle.care.timezones import check_date_range, from_utc_text, to_utc_text, zone
from follicle.config_io import read_text_file
from follicle.errors import FollicleFileError, FollicleInputError

FORMAT = "follicle-journal"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
COMMON = ("uid", "kind", "at_utc", "tz", "recorded_utc", "note")
DETAIL_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(name for model in DETAILS.values() for name in model.model_fields)
)
VOID_COLUMNS = ("voided_utc", "void_reason", "replaced_by_uid")
CSV_COLUMNS = (*COMMON, *DETAIL_COLUMNS, "flag_rules", *VOID_COLUMNS)
_UID = re.compile(r"^[0-9a-f]{32}$")


def export_json(
    entries: list[Entry], *, voids: list[Void] = (), now: datetime | None = None
) -> str:
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": SCHEMA_VERSION,
        "exported_utc": to_utc_text(now or datetime.now(UTC)),
        "entries": [{k: v for k, v in e.to_dict().items() if k != "id"} for e in entries],
        "voids": [v.to_dict() for v in voids],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(
            f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in value.items()
        )
    return str(value)


def export_csv(entries: list[Entry], *, voids: list[Void] = ()) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    by_target = {v.target_uid: v for v in voids}
    for entry in entries:
        data = entry.to_dict()
        row = {key: data[key] for key in COMMON}
        row.update({key: _cell(value) for key, value in data["details"].items()})
        row["flag_rules"] = ";".join(f["rule"] for f in data["flags"])
        void = by_target.get(entry.uid)
        if void is not None:
            row["voided_utc"] = to_utc_text(void.recorded)
            row["void_reason"] = void.reason
            row["replaced_by_uid"] = void.replaced_by_uid or ""
        writer.writerow(row)
    return buffer.getvalue()


def _entry_from(data: dict, *, where: str, flags=()) -> Entry:
    for key in ("uid", "kind", "at_utc", "tz", "details"):
        if key not in data:
            raise FollicleInputError(f"{where}.{key}", "<missing>", "a value (required)")
    uid = data["uid"]
    if not isinstance(uid, str) or not _UID.match(uid):
        raise FollicleInputError(f"{where}.uid", uid, "32 lower-case hex digits")
    moments = {}
    for key in ("at_utc", "recorded_utc"):
        text = data.get(key) or data["at_utc"]
        try:
            moments[key] = from_utc_text(text)
            check_date_range(moments[key].date(), text, f"{where}.{key}")
        except (TypeError, ValueError):
            raise FollicleInputError(
                f"{where}.{key}", text, "UTC time as 2026-03-01T19:30:00Z, years 1900-2199"
            ) from None
    zone(data["tz"], field=f"{where}.tz")
    if not isinstance(data["kind"], str):
        raise FollicleInputError(f"{where}.kind", data["kind"], "text naming the kind of entry")
    details = parse_details(data["kind"], data["details"], source=where)
    note = data.get("note") or ""
    if not isinstance(note, str) or len(note) > 2000:
        raise FollicleInputError(f"{where}.note", note, "text of at most 2000 characters")
    return Entry(
        uid=uid,
        kind=data["kind"],
        at=moments["at_utc"],
        tz=data["tz"],
        recorded=moments["recorded_utc"],
        details=details,
        note=note,
        flags=tuple(flags),
    )


def _finding(data: dict) -> Finding:
    """A stored flag; ``TypeError`` unless its texts are text (the journal stores them)."""
    finding = Finding.from_dict(data)
    texts = (finding.rule, finding.message, finding.instead, finding.treatment or "")
    if not all(isinstance(text, str) for text in texts):
        raise TypeError("a finding's rule, message, instead and treatment are text")
    return finding


def _void_from(data: dict, *, where: str) -> Void:
    if not isinstance(data, dict):
        raise FollicleInputError(where, data, "an object")
    for key in ("target_uid", "replaced_by_uid"):
        uid = data.get(key)
        if (uid is not None or key == "target_uid") and (
            not isinstance(uid, str) or not _UID.match(uid)
        ):
            raise FollicleInputError(f"{where}.{key}", uid, "32 lower-case hex digits")
    try:
        recorded = from_utc_text(data.get("recorded_utc"))
    except (TypeError, ValueError):
        raise FollicleInputError(
            f"{where}.recorded_utc", data.get("recorded_utc"), "UTC time as 2026-03-01T19:30:00Z"
        ) from None
    reason = data.get("reason")
    if not isinstance(reason, str) or not 0 < len(reason.strip()) <= 500:
        raise FollicleInputError(f"{where}.reason", reason, "text of 1-500 characters")
    return Void(
        target_uid=data["target_uid"],
        recorded=recorded,
        reason=reason,
        replaced_by_uid=data.get("replaced_by_uid"),
    )


def parse_json(text: str, *, source: str) -> list[Entry]:
    return parse_json_export(text, source=source)[0]


def parse_json_export(text: str, *, source: str) -> tuple[list[Entry], list[Void]]:
    """Entries and voids of a JSON export."""
    try:
        payload = json.loads(text)
    except ValueError as error:
        raise FollicleFileError(f"{source}: not valid JSON ({error})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise FollicleInputError(
            "format",
            payload.get("format") if isinstance(payload, dict) else None,
            f"'{FORMAT}' (a follicle journal export)",
            source=source,
        )
    if payload.get("format_version") not in READABLE_VERSIONS:
        raise FollicleInputError(
            "format_version",
            payload.get("format_version"),
            f"one of {list(READABLE_VERSIONS)}",
            source=source,
        )
    items = payload.get("entries")
    if not isinstance(items, list):
        raise FollicleInputError("entries", type(items).__name__, "a list", source=source)
    entries = []
    for index, item in enumerate(items):
        where = f"{source}: entries[{index}]"
        if not isinstance(item, dict):
            raise FollicleInputError(where, item, "an object")
        try:
            flags = [_finding(f) for f in item.get("flags", [])]
        except (KeyError, ValueError, TypeError):
            raise FollicleInputError(
                f"{where}.flags", item.get("flags"), "a list of findings"
            ) from None
        entries.append(_entry_from(item, where=where, flags=flags))
    raw_voids = payload.get("voids", [])
    if not isinstance(raw_voids, list):
        raise FollicleInputError("voids", type(raw_voids).__name__, "a list", source=source)
    voids = [_void_from(v, where=f"{source}: voids[{i}]") for i, v in enumerate(raw_voids)]
    return entries, voids


def _split(kind: str, name: str, text: str):
    model = DETAILS[kind]
    annotation = str(model.model_fields[name].annotation)
    if "dict" in annotation:
        pairs = {}
        for part in filter(None, text.split(";")):
            key, _, value = part.partition("=")
            pairs[key.strip()] = value.strip()
        return pairs
    if "tuple" in annotation:
        return [part for part in text.split(";") if part]
    return text


def parse_csv(text: str, *, source: str) -> list[Entry]:
    return parse_csv_export(text, source=source)[0]


def parse_csv_export(text: str, *, source: str) -> tuple[list[Entry], list[Void]]:
    """Entries and voids of a CSV export."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COMMON if c not in (reader.fieldnames or [])]
    if missing:
        raise FollicleInputError(
            f"{source}: columns", reader.fieldnames, f"a header with {list(COMMON)}"
        )
    unknown = [c for c in reader.fieldnames if c not in CSV_COLUMNS]
    if unknown:
        raise FollicleInputError(f"{source}: column", unknown[0], f"one of {list(CSV_COLUMNS)}")
    entries, voids = [], []
    for line, row in enumerate(reader, start=2):
        where = f"{source}: line {line}"
        kind = row.get("kind", "")
        if kind not in DETAILS:
            raise FollicleInputError(f"{where}: kind", kind, f"one of {list(DETAILS)}")
        fields = DETAILS[kind].model_fields
        details = {
            name: _split(kind, name, value)
            for name, value in row.items()
            if name in fields and value not in ("", None)
        }
        stray = [n for n in DETAIL_COLUMNS if n not in fields and row.get(n)]
        if stray:
            raise FollicleInputError(
                f"{where}: {stray[0]}", row[stray[0]], f"empty for kind {kind}"
            )
        data = {key: row.get(key) for key in COMMON}
        data["details"] = details
        entries.append(_entry_from(data, where=where))
        if row.get("voided_utc"):
            void = {
                "target_uid": row.get("uid"),
                "replaced_by_uid": row.get("replaced_by_uid") or None,
                "recorded_utc": row.get("voided_utc"),
                "reason": row.get("void_reason"),
            }
            voids.append(_void_from(void, where=where))
    return entries, voids


def read_export(path: str | Path) -> list[Entry]:
    """Entries from a JSON or CSV export (chosen by the file's extension)."""
    return read_export_with_voids(path)[0]


def read_export_with_voids(path: str | Path) -> tuple[list[Entry], list[Void]]:
    """Entries and voids from a JSON or CSV export (chosen by the file's extension)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise FollicleInputError("file", str(path), "a .json or .csv journal export")
    text = read_text_file(path)
    if suffix == ".json":
        return parse_json_export(text, source=str(path))
    return parse_csv_export(text, source=str(path))
