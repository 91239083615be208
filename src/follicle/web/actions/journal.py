"""``follicle journal`` from the web: log, void, list, history, stats."""

from __future__ import annotations

import threading
from typing import Any

from follicle.care.journal.service import Journal, Logged, show_journal, stats_journal
from follicle.care.timezones import parse_date, zone
from follicle.errors import FollicleInputError
from follicle.web.actions.forms import number_field, text_field, toml_dict
from follicle.web.config import WebConfig


def details_from_form(kind: str, fields: dict[str, str]) -> dict[str, Any]:
    """The details of a journal entry from the one short form's fields (empty = not given)."""
    if kind == "application":
        details = {
            "medicine": text_field(fields, "medicine"),
            "route": text_field(fields, "route"),
            "dose_mg": number_field(fields, "dose_mg"),
            "concentration_percent": number_field(fields, "concentration_percent"),
        }
    elif kind == "session":
        region = text_field(fields, "region")
        details = {
            "device": text_field(fields, "device") or "roller-1",
            "needle_mm": number_field(fields, "needle_mm"),
            "duration_minutes": number_field(fields, "duration_minutes"),
            "regions": [region] if region else [],
        }
    elif kind == "symptom":
        details = {
            "symptom": text_field(fields, "symptom"),
            "severity": text_field(fields, "severity"),
        }
    elif kind == "measurement":
        metric = text_field(fields, "metric")
        value = number_field(fields, "value")
        if metric is None or value is None:
            raise FollicleInputError(
                "metric", f"{metric}={value}", "a metric name and its value, e.g. 182"
            )
        details = {"metrics": {metric: value}, "region": text_field(fields, "region")}
    else:
        raise FollicleInputError(
            "kind", kind, "application, session, symptom or measurement (this form)"
        )
    return {k: v for k, v in details.items() if v is not None}


def log_entry(
    config: WebConfig,
    kind: str,
    details: dict[str, Any],
    *,
    at: str | None = None,
    tz: str | None = None,
    note: str = "",
) -> Logged:
    """``follicle journal log``: validate, apply the rules, store. Writes to one journal
    take turns in this process (a lock), rather than racing for SQLite's write lock until
    its busy timeout runs out under many concurrent clients."""
    with _write_lock(config.journal_path), Journal.open(config.journal_path) as journal:
        return journal.log(kind, details, at=at or None, tz=tz or None, note=note or "")


def void_entry(config: WebConfig, reference: str, *, reason: str) -> dict:
    """``follicle journal void``: the entry stays stored but no longer counts; returns
    the payload of ``journal void --json`` (provenance, voided, void)."""
    if not config.journal_path.exists():
        raise FollicleInputError("entry", reference, "the # or uid of a journal entry")
    with (
        _write_lock(config.journal_path),
        Journal.open(config.journal_path, create=False) as journal,
    ):
        return journal.withdraw(reference, reason=reason).to_dict()


def amend_entry(
    config: WebConfig,
    reference: str,
    *,
    reason: str,
    corrections: list[str] | None = None,
    at: str | None = None,
    tz: str | None = None,
    note: str | None = None,
) -> Logged:
    """``follicle journal amend``: ``corrections`` are ``field=value`` items as ``--set``
    takes them; the corrected entry replaces the old one, which stays, voided."""
    from follicle.care.journal.service import parse_corrections

    if not config.journal_path.exists():
        raise FollicleInputError("entry", reference, "the # or uid of a journal entry")
    with (
        _write_lock(config.journal_path),
        Journal.open(config.journal_path, create=False) as journal,
    ):
        old = journal.find(reference)
        changes = parse_corrections(old, corrections or [], field="set")
        if not changes and at is None and tz is None and note is None:
            raise FollicleInputError(
                "set / at / tz / note", "none given", "at least one correction"
            )
        return journal.amend(reference, reason=reason, changes=changes, at=at, tz=tz, note=note)


def export_journal(config: WebConfig, format: str) -> str:
    """``follicle journal export``: every entry, voided and amended ones included."""
    if format not in ("json", "csv"):
        raise FollicleInputError("format", format, "json or csv")
    if not config.journal_path.exists():
        raise FollicleInputError("journal", "empty", "a journal with entries to export")
    with Journal.open(config.journal_path, create=False) as journal:
        return journal.export(format).text


def import_journal(config: WebConfig, data: bytes) -> dict:
    """``follicle journal import`` of an uploaded export (JSON or CSV, judged by its
    content): all entries or none; those already present are skipped."""
    from follicle.care.journal.service import import_into
    from follicle.web.uploads import UploadStore, sniff_table

    suffix = sniff_table(data)
    if suffix not in (".json", ".csv"):
        raise FollicleInputError("journal export", suffix, "a JSON or CSV journal export")
    store = UploadStore(config.uploads_dir)
    name = store.save(data, suffix)
    try:
        with _write_lock(config.journal_path):
            return import_into(config.journal_path, store.path(name))
    finally:
        store.path(name).unlink(missing_ok=True)  # the journal holds the entries now


_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(path) -> threading.Lock:
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(str(path), threading.Lock())


def list_entries(
    config: WebConfig, *, kinds: list[str] | None = None, limit: int = 50, show_all: bool = False
) -> dict:
    """``follicle journal show --json`` (an empty list before the first entry)."""
    if not 1 <= limit <= 10_000:
        raise FollicleInputError("limit", limit, "a whole number from 1 to 10000")
    page = show_journal(config.journal_path, kinds=kinds, limit=limit, include_voided=show_all)
    return page.to_dict()


def history(config: WebConfig, *, limit: int = 100) -> list[dict]:
    """The newest entries first, each as its payload plus ``what`` (one line for people)
    and ``local`` (its time in its own zone)."""
    from follicle.care.journal.entries import describe

    if not config.journal_path.exists():
        return []
    with Journal.open(config.journal_path, create=False) as journal:
        entries = journal.entries(limit=limit, newest_first=True)
    return [
        entry.to_dict()
        | {
            "what": describe(entry),
            "local": f"{entry.at.astimezone(zone(entry.tz)):%a %d %b %Y %H:%M} ({entry.tz})",
        }
        for entry in entries
    ]


def stats(
    config: WebConfig,
    *,
    regimen_toml: str | None = None,
    start: str | None = None,
    tz: str | None = None,
) -> dict:
    """``follicle journal stats --json``: counts, devices and, given a regimen and its
    day 0, adherence and streaks per treatment."""
    from follicle.regimen import parse_regimen

    if bool(regimen_toml) != bool(start):
        raise FollicleInputError(
            "regimen / start", "one given", "both (the plan and its day 0) or neither"
        )
    plan = parse_regimen(toml_dict(regimen_toml, "regimen")) if regimen_toml else None
    day0 = parse_date(start, field="start") if start else None
    return stats_journal(config.journal_path, regimen=plan, start=day0, tz=tz).to_dict()
