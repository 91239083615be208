"""The plan as an iCalendar file (RFC 5545) that phone and desktop calendars import.

Each :class:`~follicle.care.dated_events.Series` becomes one ``VEVENT`` with an ``RRULE``
(``FREQ=DAILY;INTERVAL=n;COUNT=c``) and ``EXDATE`` for skipped applications, in the
user's time zone (``TZID`` plus its ``VTIMEZONE``). UIDs are stable for a given regimen,
start date and zone, so importing a re-exported plan updates events instead of
duplicating them. A plan that breaks a block rule is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from icalendar import Alarm, Calendar, Event
from icalendar.prop import vDuration

from follicle import __version__
from follicle.care.dated_events import Schedule, Series, build_schedule
from follicle.care.findings import DISCLAIMER
from follicle.care.plan import PlanCheck, check_plan
from follicle.person import Person
from follicle.regimen import Regimen

PRODID = f"-//follicle//care {__version__}//EN"
REMINDED = ("medicine", "microneedling", "procedure")


class ExactDuration(vDuration):
    """A duration written in hours, minutes and seconds (``PT24H``), never in days.

    RFC 5545 reads ``P1D`` as a nominal day (wall clock: 23 or 25 real hours across a
    daylight-saving change) and ``PT24H`` as exact time; the MN-7 pause is 24 real hours.
    """

    def to_ical(self) -> bytes:
        seconds = int(self.td.total_seconds())
        hours, rest = divmod(abs(seconds), 3600)
        minutes, seconds = divmod(rest, 60)
        text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
        text += f"{seconds}S" if seconds or text == "PT" else ""
        return text.encode()


class PlanBlockedError(Exception):
    """The plan has blocking findings; ``check`` holds them. Nothing was written."""

    def __init__(self, check: PlanCheck):
        self.check = check
        rules = ", ".join(sorted({f.rule for f in check.blocks}))
        super().__init__(f"the plan is blocked by {rules}; fix it (follicle plan check) first")


@dataclass(frozen=True)
class PlanCalendar:
    """A checked plan and its schedule; ``to_ical()`` gives the file's bytes."""

    check: PlanCheck
    schedule: Schedule
    calendar: Calendar

    def to_ical(self) -> bytes:
        return self.calendar.to_ical()

    def to_dict(self) -> dict:
        """The JSON of ``follicle plan calendar --json`` (schemas/plan-calendar.json)."""
        from follicle.provenance import envelope

        provenance = envelope(
            "plan_calendar",
            parameters={
                "start": self.schedule.start,
                "tz": self.schedule.tz,
                "days": self.schedule.days,
            },
            inputs=self.check.provenance.get("inputs", []),
        )
        return {"provenance": provenance, **self.schedule.to_dict(), "check": self.check.to_dict()}


def plan_calendar(
    regimen: Regimen | str | Path,
    *,
    start: date | str,
    tz: str | None = "UTC",
    days: int | None = None,
    person: Person | str | Path | None = None,
    stamp: datetime | None = None,
) -> PlanCalendar:
    """Check ``regimen`` and expand it to an iCalendar calendar from ``start`` (day 0).

    ``regimen`` and ``person``: models or TOML paths; ``start``: a date or YYYY-MM-DD;
    ``tz``: an IANA zone (None: this computer's). Raises :class:`PlanBlockedError` when a
    rule blocks the plan. ``stamp`` is the ``DTSTAMP`` written into each event (default:
    now), fixed in tests for identical output.
    """
    from follicle.care.timezones import local_zone_name, parse_date, zone

    if not isinstance(start, date):
        start = parse_date(start, field="start")
    tz = tz or local_zone_name()
    zone(tz, field="tz")
    check = check_plan(regimen, person=person)
    if not check.ok:
        raise PlanBlockedError(check)
    schedule = build_schedule(check.regimen, start=start, tz=tz, days=days)
    return PlanCalendar(check, schedule, to_calendar(schedule, stamp=stamp))


def _uid_seed(schedule: Schedule) -> str:
    text = json.dumps(
        [schedule.regimen.to_toml_dict(), schedule.start.isoformat(), schedule.tz],
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def to_calendar(schedule: Schedule, *, stamp: datetime | None = None) -> Calendar:
    """The schedule as an ``icalendar.Calendar`` (with ``VTIMEZONE`` for the zone)."""
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"follicle: {schedule.regimen.name}")
    calendar.add("x-wr-timezone", schedule.tz)
    seed = _uid_seed(schedule)
    for series in schedule.series:
        calendar.add_component(_event(series, seed, stamp))
    # VTIMEZONE with the zone's rules over the plan's dates only (icalendar >= 6.1)
    calendar.add_missing_timezones(
        first_date=schedule.start - timedelta(days=1), last_date=schedule.end + timedelta(days=2)
    )
    return calendar


def _event(series: Series, seed: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{series.key}-{seed}@follicle")
    event.add("dtstamp", stamp)
    event.add("summary", series.title)
    rules = ", ".join(series.rules)
    event.add(
        "description",
        f"{series.description}\n\nRules: {rules} (care-protocols.md).\n{DISCLAIMER}",
    )
    event.add("categories", [series.category])
    if series.all_day:
        event.add("dtstart", series.first.date())
        event.add("dtend", series.first.date() + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        event.add("dtstart", series.first)
        event.add("duration", ExactDuration(series.duration))
        event.add("transp", "TRANSPARENT" if series.category == "pause" else "OPAQUE")
    if series.count > 1:
        event.add(
            "rrule", {"freq": "daily", "interval": series.interval_days, "count": series.count}
        )
    if series.skipped:
        event.add("exdate", list(series.skipped))
    if series.category in REMINDED:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", series.title)
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
    return event
