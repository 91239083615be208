"""Time zones and timestamps: IANA zone names, the user's zone, UTC ISO-8601 text."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from follicle.errors import FollicleInputError

_ZONE_HELP = "an IANA time zone name such as 'Europe/London' or 'UTC'"

# The calendar range follicle accepts (docs/cli.md): wide enough for any real plan or
# journal, narrow enough that shifting by a time zone or a plan's length stays valid.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
_DATE_RANGE = f"from {EARLIEST_DATE} to {LATEST_DATE}"


def check_date_range(day: date, text: str, field: str) -> None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise FollicleInputError(field, text, f"a date {_DATE_RANGE}")


def zone(name: str, *, field: str = "tz") -> ZoneInfo:
    """The zone called ``name``; a ``FollicleInputError`` naming ``field`` otherwise."""
    try:
        if not isinstance(name, str) or not name or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise FollicleInputError(field, name, _ZONE_HELP) from None


def local_zone_name() -> str:
    """The user's IANA zone: ``$TZ``, ``/etc/timezone``, the ``/etc/localtime`` link, else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for candidate in candidates:
        if candidate:
            try:
                zone(candidate)
                return candidate
            except FollicleInputError:
                continue
    return "UTC"


def parse_date(text: str, *, field: str) -> date:
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise FollicleInputError(field, text, f"a date as YYYY-MM-DD, {_DATE_RANGE}") from None
    check_date_range(day, text, field)
    return day


def parse_instant(text: str, *, tz: str, field: str = "at") -> datetime:
    """An aware datetime from ISO-8601 text; a time without offset is read in zone ``tz``.

    ``"now"`` is the current time. A bare date means midnight local time.
    """
    if text.strip().lower() == "now":
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise FollicleInputError(
            field, text, "a time like 2026-03-01T20:30 (local), 2026-03-01T19:30Z or 'now'"
        ) from None
    check_date_range(value.date(), text, field)  # first: converting 9999-12-31 would overflow
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz))
    check_date_range(value.astimezone(UTC).date(), text, field)  # as stored
    return value


def to_utc_text(value: datetime) -> str:
    """``2026-03-01T19:30:00Z``: UTC, second precision, sortable as text."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_utc_text(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
