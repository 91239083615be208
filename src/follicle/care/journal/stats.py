"""Adherence, streaks and missed doses: the journal compared with the plan (TL-3).

Expected doses come from the same schedule the calendar exports
(:func:`follicle.care.dated_events.build_schedule`), so applications the MN-7 pause skips
are not counted as missed. A day's doses are matched by local date in the plan's zone:
``taken`` on a day is at most what that day expected.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from follicle.care.dated_events import build_schedule
from follicle.care.findings import DISCLAIMER, Finding, Severity
from follicle.care.journal.entries import Entry
from follicle.care.rules.plan_rules import (
    ADHERENCE_WARN,
    FIXED_NEEDLE_DEVICES,
    ROLLER_BLOCK_DAYS,
    ROLLER_WARN_DAYS,
)
from follicle.care.timezones import zone
from follicle.errors import FollicleInputError
from follicle.regimen import Regimen

#: A logged session counts for a planned one up to this many days away.
SESSION_SLACK_DAYS = 3
#: A device with a session in this many days is in use (MN-8 applies to it).
IN_USE_DAYS = 30


@dataclass(frozen=True)
class TreatmentStats:
    treatment: int
    kind: str
    label: str
    expected: int
    taken: int
    missed: tuple[tuple[str, int], ...]  # (local date, doses missed that day)
    current_streak: int
    longest_streak: int

    @property
    def adherence(self) -> float | None:
        return self.taken / self.expected if self.expected else None

    def to_dict(self) -> dict:
        return {
            "treatment": self.treatment,
            "kind": self.kind,
            "label": self.label,
            "expected": self.expected,
            "taken": self.taken,
            "adherence": self.adherence,
            "missed": [{"date": d, "doses": n} for d, n in self.missed],
            "current_streak": self.current_streak,
            "longest_streak": self.longest_streak,
        }


@dataclass(frozen=True)
class JournalStats:
    since: str | None
    until: str
    counts: dict[str, int]
    treatments: tuple[TreatmentStats, ...]
    findings: tuple[Finding, ...]
    devices: tuple[dict, ...] = ()
    provenance: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        return {
            "provenance": self.provenance,
            "since": self.since,
            "until": self.until,
            "counts": self.counts,
            "treatments": [t.to_dict() for t in self.treatments],
            "devices": list(self.devices),
            "findings": [f.to_dict() for f in self.findings],
            "disclaimer": DISCLAIMER,
        }


def _counts(entries: list[Entry]) -> dict[str, int]:
    counter = Counter()
    for entry in entries:
        counter[entry.kind] += 1
        if entry.kind == "application":
            counter[f"application:{entry.details.medicine}"] += 1
    return dict(sorted(counter.items()))


def _streaks(days: list[date], complete: dict[date, bool]) -> tuple[int, int]:
    longest = run = 0
    for day in days:
        run = run + 1 if complete[day] else 0
        longest = max(longest, run)
    return run, longest


def journal_stats(
    entries: list[Entry],
    *,
    regimen: Regimen | None = None,
    start: date | None = None,
    tz: str = "UTC",
    until: datetime | None = None,
) -> JournalStats:
    """Counts of entries and, with a ``regimen`` and its ``start`` date, adherence per
    treatment (taken / expected doses up to ``until``, default now), the days with missed
    doses and streaks of complete days. Adherence below 80% raises a TL-3 warning."""
    until = (until or datetime.now(UTC)).astimezone(UTC)
    local = zone(tz)
    devices, device_findings = _devices(entries, until)
    if regimen is None:
        return JournalStats(
            None, until.isoformat(), _counts(entries), (), tuple(device_findings), devices
        )
    if start is None:
        raise FollicleInputError("start", None, "the plan's start date (YYYY-MM-DD) with a regimen")
    days = (until.astimezone(local).date() - start).days + 1
    if days < 1:
        raise FollicleInputError(
            "start", start.isoformat(), f"a date on or before {until:%Y-%m-%d}"
        )
    schedule = build_schedule(regimen, start=start, tz=tz, days=min(days, 3650))
    since = datetime.combine(start, datetime.min.time(), local)
    window = [e for e in entries if since <= e.at <= until]
    results = []
    for index, item in enumerate(regimen.treatment):
        if item.kind in ("finasteride", "dutasteride", "minoxidil"):
            results.append(_dose_stats(index, item, schedule, window, local, until))
        elif item.kind == "microneedling":
            results.append(_session_stats(index, item, schedule, window, local, until))
    findings = [
        Finding(
            "TL-3",
            Severity.WARN,
            f"{t.label}: adherence {t.adherence:.0%} ({t.taken} of {t.expected}) is below "
            f"{ADHERENCE_WARN:.0%}; sporadic treatment gives sporadic results.",
            "Set reminders (follicle plan calendar) and log each dose; if side effects make "
            "doses hard to keep, talk to your clinician.",
            treatment=t.treatment,
        )
        for t in results
        if t.adherence is not None and t.adherence < ADHERENCE_WARN
    ]
    return JournalStats(
        start.isoformat(),
        until.isoformat(),
        _counts(window),
        tuple(results),
        tuple(findings + device_findings),
        devices,
    )


def _devices(entries: list[Entry], until: datetime) -> tuple[tuple[dict, ...], list[Finding]]:
    """Age of each device (MN-8), from its first use or first session, whichever is earlier.

    A roller or stamp in use (a session in the last ``IN_USE_DAYS``) warns at 60 days and
    blocks at 90; devices no longer used are listed without a finding.
    """
    sessions: dict[str, list[datetime]] = {}
    for entry in entries:
        if entry.kind == "session" and entry.at <= until:
            sessions.setdefault(entry.details.device, []).append(entry.at)
    rows, findings = [], []
    for entry in entries:
        if entry.kind != "device" or entry.at > until:
            continue
        name = entry.details.name
        used = sessions.get(name, [])
        first_use = min([entry.at, *used])
        age_days = int((until - first_use).total_seconds() // 86400)
        last = max(used) if used else None
        in_use = last is not None and (until - last) <= timedelta(days=IN_USE_DAYS)
        fixed = entry.details.device_type in FIXED_NEEDLE_DEVICES
        rows.append(
            {
                "name": name,
                "device_type": entry.details.device_type,
                "first_use_utc": first_use.isoformat(),
                "age_days": age_days,
                "sessions": len(used),
                "in_use": in_use,
            }
        )
        if fixed and in_use and age_days >= ROLLER_WARN_DAYS:
            block = age_days >= ROLLER_BLOCK_DAYS
            findings.append(
                Finding(
                    "MN-8",
                    Severity.BLOCK if block else Severity.WARN,
                    f"The {entry.details.device_type} '{name}' is {age_days} days old; replace it "
                    f"every {ROLLER_WARN_DAYS}-{ROLLER_BLOCK_DAYS} days (blunt needles tear the "
                    "skin and can scar).",
                    "Replace it before the next session and log the new one "
                    "(follicle journal log device).",
                )
            )
    return tuple(rows), findings


def _expected_by_day(schedule, index: int, local, until: datetime, category: str) -> Counter:
    expected = Counter()
    for series in schedule.series:
        if series.treatment == index and series.category == category:
            for moment in series.occurrences():
                if moment <= until:
                    expected[moment.astimezone(local).date()] += 1
    return expected


def _label(index: int, item) -> str:
    if item.kind == "microneedling":
        return f"treatment[{index}] microneedling {item.needle_mm:g} mm"
    route = f" {item.route}" if item.kind == "minoxidil" else ""
    return f"treatment[{index}]{route} {item.kind}"


def _dose_stats(index, item, schedule, entries, local, until) -> TreatmentStats:
    expected = _expected_by_day(schedule, index, local, until, "medicine")
    route = getattr(item, "route", "oral")
    logged = Counter(
        e.at.astimezone(local).date()
        for e in entries
        if e.kind == "application"
        and e.details.medicine == item.kind
        and e.details.effective_route == route
    )
    days = sorted(expected)
    taken = {day: min(logged[day], expected[day]) for day in days}
    missed = tuple((d.isoformat(), expected[d] - taken[d]) for d in days if taken[d] < expected[d])
    complete = {day: taken[day] == expected[day] for day in days}
    # today is not over: an incomplete today does not break the streak
    today = until.astimezone(local).date()
    streak_days = days[:-1] if days and days[-1] == today and not complete[today] else days
    current, longest = _streaks(streak_days, complete)
    return TreatmentStats(
        index,
        item.kind,
        _label(index, item),
        sum(expected.values()),
        sum(taken.values()),
        missed,
        current,
        longest,
    )


def _session_stats(index, item, schedule, entries, local, until) -> TreatmentStats:
    planned = sorted(_expected_by_day(schedule, index, local, until, "microneedling"))
    logged = sorted(
        e.at.astimezone(local).date()
        for e in entries
        if e.kind == "session" and abs(e.details.needle_mm - item.needle_mm) < 1e-9
    )
    unused = list(logged)
    complete = {}
    for day in planned:
        match = next((d for d in unused if abs((d - day).days) <= SESSION_SLACK_DAYS), None)
        complete[day] = match is not None
        if match is not None:
            unused.remove(match)
    # a planned session in the last few days may still be done within the slack
    grace = until.astimezone(local).date() - timedelta(days=SESSION_SLACK_DAYS)
    counted = [d for d in planned if complete[d] or d < grace]
    current, longest = _streaks(counted, complete)
    missed = tuple((d.isoformat(), 1) for d in counted if not complete[d])
    return TreatmentStats(
        index,
        "microneedling",
        _label(index, item),
        len(counted),
        sum(complete[d] for d in counted),
        missed,
        current,
        longest,
    )
