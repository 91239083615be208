"""Schedules and iCalendar export: exact events, times, skipped applications, refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from care_helpers import FINASTERIDE, MINOXIDIL, MINOXIDIL_PAUSED, NEEDLING_15, person, regimen
from dateutil.rrule import rrulestr
from icalendar import Calendar
from typer.testing import CliRunner

from follicle.care.calendar import PlanBlockedError, plan_calendar
from follicle.care.dated_events import add_months, build_schedule
from follicle.cli import app
from follicle.errors import FollicleInputError

LONDON = ZoneInfo("Europe/London")
START = date(2026, 3, 2)  # a Monday; British summer time starts on 29 March 2026
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
EXPERIENCED = person(
    microneedling_experience=True,
    poor_wound_healing=False,
    keloid_history=False,
    prescriptions=[{"medicine": "finasteride", "prescriber": "Dr Lee"}],
)


def four_weeks():
    return regimen(
        {**MINOXIDIL_PAUSED, "stop_day": 28},
        {**NEEDLING_15, "stop_day": 28},
        FINASTERIDE,
    )


def by_key(schedule):
    return {s.key: s for s in schedule.series}


def test_four_weeks_exact_events_and_skipped_applications():
    schedule = build_schedule(four_weeks(), start=START, tz="Europe/London", days=28)
    series = by_key(schedule)
    assert set(series) == {
        "t1-session",
        "t1-pause",
        "t0-dose1",
        "t0-dose2",
        "t2-dose1",
        "review-3m",
    }
    sessions = series["t1-session"].occurrences()
    assert sessions == [datetime(2026, 3, d, 20, 0, tzinfo=LONDON) for d in (2, 9, 16, 23)]
    # morning applications the day after each session fall inside the 24 h pause
    morning = series["t0-dose1"]
    assert morning.skipped == tuple(
        datetime(2026, 3, d, 8, 0, tzinfo=LONDON) for d in (3, 10, 17, 24)
    )
    assert len(morning.occurrences()) == 24
    # evening applications: the session evening and the evening after (20:00 < 20:15 + 24 h)
    evening = series["t0-dose2"]
    assert len(evening.occurrences()) == 20
    assert datetime(2026, 3, 4, 20, 0, tzinfo=LONDON) in evening.occurrences()
    assert datetime(2026, 3, 3, 20, 0, tzinfo=LONDON) not in evening.occurrences()
    pauses = series["t1-pause"]
    assert pauses.first == datetime(2026, 3, 2, 20, 15, tzinfo=LONDON)
    assert pauses.duration == timedelta(hours=24)
    assert len(series["t2-dose1"].occurrences()) == 28
    assert series["review-3m"].occurrences()[0].date() == date(2026, 6, 2)
    assert schedule.to_dict()["event_count"] == 4 + 4 + 24 + 20 + 28 + 1
    # no minoxidil application lies inside any pause window
    for session in sessions:
        window_end = session + timedelta(minutes=15, hours=24)
        for moment in morning.occurrences() + evening.occurrences():
            assert not session <= moment < window_end


def test_wall_clock_times_survive_daylight_saving():
    schedule = build_schedule(four_weeks(), start=START, tz="Europe/London", days=28)
    doses = by_key(schedule)["t2-dose1"].occurrences()
    assert doses[-1] == datetime(2026, 3, 29, 8, 0, tzinfo=LONDON)
    assert doses[-1].utcoffset() == timedelta(hours=1)
    assert doses[0].utcoffset() == timedelta(0)
    assert {d.hour for d in doses} == {8}


def test_times_of_day_are_used_and_checked():
    plan = regimen({**MINOXIDIL, "applications_per_day": 1, "times_of_day": ["07:30"]})
    schedule = build_schedule(plan, start=START, tz="UTC", days=3)
    assert [o.strftime("%d %H:%M") for o in by_key(schedule)["t0-dose1"].occurrences()] == [
        "02 07:30",
        "03 07:30",
        "04 07:30",
    ]
    plan = regimen({**MINOXIDIL, "applications_per_day": 2, "times_of_day": ["07:30"]})
    with pytest.raises(FollicleInputError, match=r"treatment\[0\].times_of_day"):
        build_schedule(plan, start=START, tz="UTC", days=3)


def test_roller_replacement_every_60_days_while_the_course_runs():
    plan = regimen({**NEEDLING_15, "stop_day": 200}, FINASTERIDE)
    replace = by_key(build_schedule(plan, start=START, tz="UTC"))["t0-replace"]
    assert [o.date() for o in replace.occurrences()] == [
        START + timedelta(days=d) for d in (60, 120, 180)
    ]
    assert replace.all_day
    # a roller already 70 days old is replaced at the start
    plan = regimen({**NEEDLING_15, "stop_day": 100, "device_first_use_day": -70})
    replace = by_key(build_schedule(plan, start=START, tz="UTC"))["t0-replace"]
    assert [o.date() for o in replace.occurrences()] == [START, START + timedelta(days=60)]
    pen = regimen({**NEEDLING_15, "device": "pen"})
    assert "t0-replace" not in by_key(build_schedule(pen, start=START, tz="UTC"))


def test_reviews_at_3_6_and_12_months():
    plan = regimen(FINASTERIDE)
    schedule = build_schedule(plan, start=date(2026, 1, 31), tz="UTC")
    reviews = [s.occurrences()[0].date() for s in schedule.series if s.category == "review"]
    assert reviews == [date(2026, 4, 30), date(2026, 7, 31), date(2027, 1, 31)]
    short = build_schedule(plan, start=date(2026, 1, 31), tz="UTC", days=30)
    assert [s.key for s in short.series if s.category == "review"] == ["review-3m"]
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)


def test_laser_prp_and_transplant_events():
    plan = regimen(
        {"kind": "laser", "sessions_per_week": 3, "stop_day": 14},
        {"kind": "prp", "interval_days": 30, "sessions": 3},
        {"kind": "transplant", "day": 10, "grafts": 1200, "region": "frontal"},
        FINASTERIDE,
    )
    series = by_key(build_schedule(plan, start=START, tz="UTC", days=120))
    laser_days = sorted(
        (o.date() - START).days
        for key, s in series.items()
        if key.startswith("t0-laser")
        for o in s.occurrences()
    )
    assert laser_days == [0, 2, 5, 7, 9, 12]
    assert [(o.date() - START).days for o in series["t1-prp"].occurrences()] == [0, 30, 60]
    assert series["t2-transplant"].occurrences()[0].date() == START + timedelta(days=10)


def test_default_horizon():
    assert build_schedule(regimen({**FINASTERIDE, "stop_day": 90}), start=START).days == 90
    assert build_schedule(regimen(FINASTERIDE), start=START).days == 365


def parse(ics: bytes) -> list:
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def expand(event) -> list[datetime]:
    start = event.decoded("dtstart")
    if "RRULE" in event:
        rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
        moments = list(rule)
    else:
        moments = [start]
    skipped = set()
    exdates = event.get("EXDATE")
    for group in exdates if isinstance(exdates, list) else [exdates] if exdates else []:
        skipped |= {item.dt for item in group.dts}
    return [m for m in moments if m not in skipped]


def test_ics_round_trip_matches_the_schedule():
    result = plan_calendar(
        four_weeks(), start=START, tz="Europe/London", days=28, person=EXPERIENCED, stamp=STAMP
    )
    ics = result.to_ical()
    calendar = Calendar.from_ical(ics)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    events = parse(ics)
    assert len(events) == len(result.schedule.series) == 6
    schedule = by_key(result.schedule)
    for event in events:
        key = str(event["UID"]).split("-")[0] + "-" + str(event["UID"]).split("-")[1]
        series = schedule[key]
        expected = series.occurrences()
        got = expand(event)
        if series.all_day:
            assert got == [o.date() for o in expected]
        else:
            assert [g.astimezone(UTC) for g in got] == [e.astimezone(UTC) for e in expected]
            assert got[0].tzinfo is not None
    session = next(e for e in events if "Microneedling" in str(e["SUMMARY"]))
    description = str(session["DESCRIPTION"])
    assert "70% isopropyl alcohol" in description and "MN-12" in description
    assert "not a diagnosis" in description
    # stable output: same input, same bytes (UIDs derive from regimen, start and zone)
    again = plan_calendar(
        four_weeks(), start=START, tz="Europe/London", days=28, person=EXPERIENCED, stamp=STAMP
    )
    assert again.to_ical() == ics


def test_blocked_plan_is_not_exported(tmp_path):
    plan = regimen(MINOXIDIL, NEEDLING_15)
    with pytest.raises(PlanBlockedError) as info:
        plan_calendar(plan, start=START)
    assert [f.rule for f in info.value.check.blocks] == ["MN-7"]


PLAN_BLOCKED = """name = "blocked"
[[treatment]]
kind = "minoxidil"
concentration_percent = 5
[[treatment]]
kind = "microneedling"
needle_mm = 1.5
"""


def test_cli_calendar_writes_ics_and_refuses_blocked_plans(tmp_path):
    runner = CliRunner()
    blocked = tmp_path / "blocked.toml"
    blocked.write_text(PLAN_BLOCKED, encoding="utf-8")
    out = tmp_path / "plan.ics"
    result = runner.invoke(
        app, ["plan", "calendar", str(blocked), "--start", "2026-03-02", "-o", str(out)]
    )
    assert result.exit_code == 1
    assert not out.exists() and list(tmp_path.iterdir()) == [blocked]
    fixed = tmp_path / "fixed.toml"
    fixed.write_text(
        PLAN_BLOCKED.replace(
            "concentration_percent = 5",
            "concentration_percent = 5\npause_after_microneedling_hours = 24",
        ),
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "plan",
            "calendar",
            str(fixed),
            "--start",
            "2026-03-02",
            "--tz",
            "Europe/London",
            "--days",
            "28",
            "-o",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR")
    import json

    data = json.loads(result.stdout)
    assert data["written"] == str(out)
    assert data["event_count"] == 4 + 4 + 24 + 20 + 1
    assert data["check"]["ok"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-02-30"], "--start = '2026-02-30'"),
        (["--start", "2026-03-02", "--tz", "Mars/Olympus"], "--tz = 'Mars/Olympus'"),
        (["--start", "2026-03-02"], "--output"),
    ],
)
def test_cli_calendar_bad_input_is_one_line(tmp_path, args, message):
    plan = tmp_path / "plan.toml"
    plan.write_text('[[treatment]]\nkind = "finasteride"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["plan", "calendar", str(plan), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_default_horizon_for_late_ongoing_courses():
    late = regimen({**FINASTERIDE, "start_day": 28}, {**FINASTERIDE, "stop_day": 20})
    assert build_schedule(late, start=START).days == 365
    later = regimen({**FINASTERIDE, "start_day": 400})
    assert build_schedule(later, start=START).days == 490


@pytest.mark.parametrize(
    ("treatment", "message"),
    [
        ({**MINOXIDIL, "times_of_day": ["07:30"]}, "applications_per_day = 2, the default"),
        ({**FINASTERIDE, "times_of_day": ["08:00", "20:00"]}, "1 time of day (one a day)"),
        ({**NEEDLING_15, "times_of_day": ["08:00", "20:00"]}, "the session's start"),
    ],
)
def test_times_of_day_must_match_the_doses(treatment, message):
    with pytest.raises(FollicleInputError, match=r"treatment\[0\]\.times_of_day") as info:
        build_schedule(regimen(treatment), start=START, tz="UTC", days=7)
    assert message in str(info.value)
