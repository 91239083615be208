"""A regimen expanded to dated, timed events in the user's time zone.

The schedule is a list of :class:`Series`: an event repeated every ``interval_days`` days,
``count`` times, minus ``skipped`` occurrences. That is exactly what an iCalendar
``RRULE`` with ``EXDATE`` says, so the calendar file stays small and phone calendars show
it as recurring events; :meth:`Series.occurrences` expands it for tests and for JSON.

Default clock times (when a treatment has no ``times_of_day``):

=====================  =====================================================
medicine tablets       08:00
topical minoxidil      08:00 (1 a day); 08:00, 20:00 (2); 08:00, 14:00, 20:00 (3)
microneedling          20:00 (evening: the 24 h minoxidil pause spans a night)
PRP                    10:00 (60 minutes)
laser                  19:00
=====================  =====================================================

Sessions and doses fall on local wall-clock times, so they stay at 08:00 across
daylight-saving changes. The MN-7 pause is real time: 24 hours after the end of a session
in UTC, so across a change of clocks the pause still lasts 24 real hours (the skipped
applications are chosen in UTC). Plan days count from ``start`` (day 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from follicle.care.rules.plan_rules import (
    FIXED_NEEDLE_DEVICES,
    MN3_MINUTES,
    MN7_NEEDLE_MM,
    ROLLER_WARN_DAYS,
)
from follicle.care.settings import emergency_advice
from follicle.care.timezones import zone
from follicle.errors import FollicleInputError
from follicle.regimen import Regimen

DEFAULT_HORIZON_DAYS = 365
MEDICINE_TIMES = ("08:00",)
MINOXIDIL_TIMES = {1: ("08:00",), 2: ("08:00", "20:00"), 3: ("08:00", "14:00", "20:00")}
MICRONEEDLING_TIME = "20:00"
PRP_TIME = "10:00"
PRP_MINUTES = 60
LASER_TIME = "19:00"
MEDICINE_MINUTES = 5
REVIEW_MONTHS = (3, 6, 12)

SESSION_CHECKLIST = (
    "Before (MN-1): wash and dry the scalp; sterilise the roller in 70% isopropyl alcohol.",
    "Technique (MN-2): roll over the thinning areas horizontally, vertically and diagonally, "
    "moderate pressure: pricking, never excruciating.",
    f"Duration (MN-3): {MN3_MINUTES[0]:g}-{MN3_MINUTES[1]:g} minutes.",
    "After (MN-11): redness and swelling like a mild sunburn for 2-3 days and pinpoint "
    "bleeding during the session are normal; excessive bruising is not: ask a clinician.",
    "Urgent (MN-12): oozing, extreme heat or pus: seek medical attention immediately.",
)


@dataclass(frozen=True)
class Series:
    """One repeating event. ``first`` is aware (local zone); all-day events have no duration."""

    key: str
    category: str
    title: str
    description: str
    first: datetime
    duration: timedelta | None
    interval_days: int = 1
    count: int = 1
    skipped: tuple[datetime, ...] = ()
    rules: tuple[str, ...] = ()
    treatment: int | None = None

    @property
    def all_day(self) -> bool:
        return self.duration is None

    def occurrences(self) -> list[datetime]:
        """Start times of every occurrence, skipped ones removed (wall-clock repetition)."""
        skipped = set(self.skipped)
        out = []
        for k in range(self.count):
            local_day = self.first.date() + timedelta(days=k * self.interval_days)
            moment = datetime.combine(local_day, self.first.timetz())
            if moment not in skipped:
                out.append(moment)
        return out

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "category": self.category,
            "title": self.title,
            "all_day": self.all_day,
            "duration_minutes": None
            if self.duration is None
            else self.duration.total_seconds() / 60,
            "rules": list(self.rules),
            "treatment": self.treatment,
            "occurrences": [
                (o.date() if self.all_day else o).isoformat() for o in self.occurrences()
            ],
        }


@dataclass(frozen=True)
class Schedule:
    regimen: Regimen
    start: date
    tz: str
    days: int
    series: tuple[Series, ...] = field(default_factory=tuple)

    @property
    def end(self) -> date:
        """First date after the schedule."""
        return self.start + timedelta(days=self.days)

    def events(self) -> list[tuple[datetime, Series]]:
        """Every occurrence with its series, in time order."""
        items = [(moment, s) for s in self.series for moment in s.occurrences()]
        return sorted(items, key=lambda pair: (pair[0].astimezone(UTC), pair[1].key))

    def to_dict(self) -> dict:
        return {
            "regimen": self.regimen.name,
            "start": self.start.isoformat(),
            "tz": self.tz,
            "days": self.days,
            "event_count": sum(len(s.occurrences()) for s in self.series),
            "series": [s.to_dict() for s in self.series],
        }


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def default_horizon_days(regimen: Regimen) -> int:
    """Through the last stop day (or transplant); a year when a course is ongoing (at least
    90 days past the start of an ongoing course that starts late)."""
    ends = []
    for item in regimen.treatment:
        if item.kind == "transplant":
            ends.append(item.day + 1)
        elif item.stop_day is None:
            ends.append(max(DEFAULT_HORIZON_DAYS, item.start_day + 90))
        else:
            ends.append(item.stop_day)
    return max(ends, default=DEFAULT_HORIZON_DAYS)


def _times(index: int, item, default: tuple[str, ...], *, expected: int = 1, why: str = ""):
    """The clock times of a treatment: its ``times_of_day``, else ``default``; exactly
    ``expected`` of them (one per dose or session of a day)."""
    times = tuple(item.times_of_day) or default
    if len(times) != expected:
        raise FollicleInputError(
            f"treatment[{index}].times_of_day",
            list(times),
            f"{expected} time{'s' if expected != 1 else ''} of day {why or '(one a day)'}",
        )
    return times


def planned_times(index: int, item) -> tuple[str, ...]:
    """The calendar's clock times for ``treatment[index]`` (defaults filled in).

    Raises ``FollicleInputError`` when ``times_of_day`` does not give one time per daily
    dose or session: ``follicle plan check`` and ``plan calendar`` refuse the same plans.
    """
    if item.kind in ("finasteride", "dutasteride"):
        return _times(index, item, MEDICINE_TIMES)
    if item.kind == "minoxidil":
        if item.route == "oral":
            return _times(index, item, MEDICINE_TIMES)
        n = item.daily_applications
        return _times(
            index,
            item,
            MINOXIDIL_TIMES[n],
            expected=n,
            why=f"(one per application; applications_per_day = {n}"
            + (")" if item.applications_per_day is not None else ", the default)"),
        )
    if item.kind == "microneedling":
        return _times(index, item, (MICRONEEDLING_TIME,), why="(the session's start)")
    if item.kind == "prp":
        return _times(index, item, (PRP_TIME,), why="(the session's start)")
    if item.kind == "laser":
        return _times(index, item, (LASER_TIME,), why="(the sessions' start)")
    return ()


class _Builder:
    def __init__(self, regimen: Regimen, start: date, tz: str, days: int):
        self.regimen, self.start, self.tz, self.days = regimen, start, tz, days
        self.zone = zone(tz)
        self.series: list[Series] = []

    def at(self, day: int, clock: str) -> datetime:
        return datetime.combine(self.start + timedelta(days=day), _clock(clock), self.zone)

    def day_range(self, item, interval: int) -> tuple[int, int]:
        """(first day, count) of a course with this interval, clipped to the horizon."""
        stop = self.days if item.stop_day is None else min(item.stop_day, self.days)
        if item.start_day >= stop:
            return item.start_day, 0
        return item.start_day, len(range(item.start_day, stop, interval))

    def add(self, **kwargs) -> None:
        if kwargs.get("count", 1) > 0:
            self.series.append(Series(**kwargs))


def build_schedule(
    regimen: Regimen, *, start: date, tz: str = "UTC", days: int | None = None
) -> Schedule:
    """Expand ``regimen`` to dated events from ``start`` (day 0) in zone ``tz``.

    ``days``: how many days to cover; default through the last stop day, or a year when a
    course is ongoing (export again to extend). The MN-7 pause is applied: topical
    minoxidil applications in the ``pause_after_microneedling_hours`` after a session are
    skipped, and the pause appears as its own event. This function does not check the
    rules; :func:`follicle.care.calendar.plan_calendar` refuses blocked plans.
    """
    if days is None:
        days = default_horizon_days(regimen)
    if not 1 <= days <= 3650:
        raise FollicleInputError("days", days, "a whole number of days from 1 to 3650")
    builder = _Builder(regimen, start, tz, days)
    sessions = _needling(builder)
    _medicines(builder, sessions)
    _procedures(builder)
    _reviews(builder)
    return Schedule(regimen, start, tz, days, tuple(builder.series))


def _needling(b: _Builder) -> list[tuple[datetime, datetime, float]]:
    """Add session, replacement and pause series; return (start, end, needle_mm) per session."""
    sessions = []
    topical = [m for m in b.regimen.of_kind("minoxidil") if m.route == "topical"]
    # the longest pause any topical minoxidil course asks for (the key applies to every session)
    pause_hours = max((m.pause_after_microneedling_hours or 0 for m in topical), default=0)
    for index, item in enumerate(b.regimen.treatment):
        if item.kind != "microneedling":
            continue
        times = planned_times(index, item)
        first_day, count = b.day_range(item, item.interval_days)
        duration = timedelta(minutes=item.session_minutes)
        first = b.at(first_day, times[0])
        b.add(
            key=f"t{index}-session",
            category="microneedling",
            title=f"Microneedling {item.needle_mm:g} mm ({item.device})",
            description="\n".join(SESSION_CHECKLIST) + f" In an emergency, {emergency_advice()}.",
            first=first,
            duration=duration,
            interval_days=item.interval_days,
            count=count,
            rules=("MN-1", "MN-2", "MN-3", "MN-11", "MN-12"),
            treatment=index,
        )
        for k in range(count):
            # real (UTC) times: the 24-hour pause is 24 real hours, also across a DST change
            start = b.at(first_day + k * item.interval_days, times[0]).astimezone(UTC)
            sessions.append((start, start + duration, item.needle_mm))
        if pause_hours > 0:
            b.add(
                key=f"t{index}-pause",
                category="pause",
                title="No minoxidil (MN-7)",
                description=(
                    f"No topical minoxidil for {pause_hours:g} hours after microneedling: after "
                    f"needles over {MN7_NEEDLE_MM:g} mm it can enter the bloodstream too fast "
                    "through the needle channels (palpitations, dizziness). The calendar leaves "
                    "out the applications in this window."
                ),
                first=(first.astimezone(UTC) + duration).astimezone(b.zone),
                duration=timedelta(hours=pause_hours),
                interval_days=item.interval_days,
                count=count,
                rules=("MN-7",),
                treatment=index,
            )
        if item.device in FIXED_NEEDLE_DEVICES and count:
            first_use = (
                item.start_day if item.device_first_use_day is None else (item.device_first_use_day)
            )
            due = max(first_use + ROLLER_WARN_DAYS, item.start_day)
            last = first_day + (count - 1) * item.interval_days  # last session day
            replacements = len(range(due, last + 1, ROLLER_WARN_DAYS))
            b.add(
                key=f"t{index}-replace",
                category="replacement",
                title=f"Replace the {item.device} before the next session (MN-8)",
                description=(
                    f"Replace the {item.device} every {ROLLER_WARN_DAYS}-90 days: blunt needles "
                    "tear the skin and can scar. Log the new device: follicle journal log device."
                ),
                first=b.at(due, "00:00"),
                duration=None,
                interval_days=ROLLER_WARN_DAYS,
                count=replacements,
                rules=("MN-8",),
                treatment=index,
            )
    return sessions


def _medicines(b: _Builder, sessions: list[tuple[datetime, datetime, float]]) -> None:
    for index, item in enumerate(b.regimen.treatment):
        if item.kind in ("finasteride", "dutasteride"):
            times = planned_times(index, item)
            if item.kind == "finasteride" and item.route == "topical":
                what = f"Topical finasteride {item.concentration_percent or 0.25:g}%"
            else:
                dose = item.dose_mg if item.dose_mg is not None else 1.0
                what = f"{item.kind.capitalize()} {dose:g} mg"
            _dose_series(b, index, item, times, what, item.interval_days, (), ("RX-1",))
        elif item.kind == "minoxidil":
            if item.route == "oral":
                times = planned_times(index, item)
                what = f"Oral minoxidil {item.oral_dose_mg:g} mg"
                _dose_series(b, index, item, times, what, 1, (), ("RX-5",))
                continue
            times = planned_times(index, item)
            pause = item.pause_after_microneedling_hours
            windows = [
                (start, end + timedelta(hours=pause))
                for start, end, _needle_mm in sessions
                if pause
            ]
            what = f"Minoxidil {item.strength_percent:g}% on the scalp"
            _dose_series(b, index, item, times, what, 1, windows, ("RX-5", "TL-2", "MN-7"))


def _dose_series(b, index, item, times, what, interval, windows, rules) -> None:
    first_day, count = b.day_range(item, interval)
    for number, clock in enumerate(times, start=1):
        first = b.at(first_day, clock)
        series = Series(
            key=f"t{index}-dose{number}",
            category="medicine",
            title=what if len(times) == 1 else f"{what} ({number} of {len(times)})",
            description=item.note or what,
            first=first,
            duration=timedelta(minutes=MEDICINE_MINUTES),
            interval_days=interval,
            count=count,
            rules=rules,
            treatment=index,
        )
        # compare in UTC: aware datetimes that share a zone compare by wall clock in Python
        skipped = tuple(
            moment
            for moment in series.occurrences()
            if any(start <= moment.astimezone(UTC) < end for start, end in windows)
        )
        if skipped:
            series = Series(**{**series.__dict__, "skipped": skipped})
        if count:
            b.series.append(series)


def _procedures(b: _Builder) -> None:
    for index, item in enumerate(b.regimen.treatment):
        if item.kind == "prp":
            days = [d for d in item.session_days(b.days)]
            if not days:
                continue
            times = planned_times(index, item)
            b.add(
                key=f"t{index}-prp",
                category="procedure",
                title="PRP session",
                description="Platelet-rich plasma injections at the clinic (MN-15).",
                first=b.at(days[0], times[0]),
                duration=timedelta(minutes=PRP_MINUTES),
                interval_days=item.interval_days,
                count=len(days),
                rules=("MN-15",),
                treatment=index,
            )
        elif item.kind == "laser":
            times = planned_times(index, item)
            offsets = sorted(
                {round(k * 7 / item.sessions_per_week) for k in range(item.sessions_per_week)}
            )
            for number, offset in enumerate(offsets, start=1):
                shifted = item.model_copy(update={"start_day": item.start_day + offset})
                if item.stop_day is not None and shifted.start_day >= item.stop_day:
                    continue
                first_day, count = b.day_range(shifted, 7)
                b.add(
                    key=f"t{index}-laser{number}",
                    category="procedure",
                    title="Low-level laser session",
                    description=f"{item.session_minutes:g} minutes (MN-15: complementary).",
                    first=b.at(first_day, times[0]),
                    duration=timedelta(minutes=item.session_minutes),
                    interval_days=7,
                    count=count,
                    rules=("MN-15",),
                    treatment=index,
                )
        elif item.kind == "transplant" and item.day < b.days:
            b.add(
                key=f"t{index}-transplant",
                category="procedure",
                title=f"Hair transplant: {item.grafts} grafts to the {item.region}",
                description=(
                    "A transplant does not stop miniaturization of the other follicles: "
                    "medical treatment continues afterwards (RF-3)."
                ),
                first=b.at(item.day, "00:00"),
                duration=None,
                rules=("RF-3",),
                treatment=index,
            )


def _reviews(b: _Builder) -> None:
    for months in REVIEW_MONTHS:
        day = add_months(b.start, months)
        if months != REVIEW_MONTHS[0] and day > b.start + timedelta(days=b.days):
            continue
        b.add(
            key=f"review-{months}m",
            category="review",
            title=f"Progress review: {months} months (TL-1)",
            description=(
                "Compare photos and hair counts with the start (follicle journal stats). "
                "Visible improvement takes 3-6 months, full results 6-12 months (TL-1). "
                "Review the plan with your clinician."
            ),
            first=datetime.combine(day, time(0), b.zone),
            duration=None,
            rules=("TL-1",),
        )
