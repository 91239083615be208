"""The MN-7 pause is real time: across the spring daylight-saving change the calendar
leaves out every application in the 24 real hours after a session, and the journal agrees."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from care_helpers import person, regimen
from dateutil.rrule import rrulestr
from icalendar import Calendar

from follicle.care.calendar import plan_calendar
from follicle.care.journal.service import Journal

LONDON = ZoneInfo("Europe/London")
# Saturday 28 March 2026, 20:00 GMT; clocks go forward at 01:00 UTC on Sunday 29 March
START = date(2026, 3, 28)
PERSON = person(
    microneedling_experience=True,
    poor_wound_healing=False,
    keloid_history=False,
    hair_loss_onset="gradual",
    hair_loss_pattern="patterned",
    hair_loss_cause_known=True,
)
PLAN = regimen(
    {
        "kind": "minoxidil",
        "concentration_percent": 5,
        "applications_per_day": 2,
        "times_of_day": ["09:00", "21:00"],
        "pause_after_microneedling_hours": 24,
    },
    {
        "kind": "microneedling",
        "needle_mm": 1.5,
        "interval_days": 7,
        "session_minutes": 10,
        "times_of_day": ["20:00"],
    },
)


def _expand(event) -> list[datetime]:
    start = event.decoded("dtstart")
    rule = event.get("RRULE")
    moments = list(rrulestr(rule.to_ical().decode(), dtstart=start)) if rule else [start]
    skipped = set()
    exdates = event.get("EXDATE")
    for group in exdates if isinstance(exdates, list) else [exdates] if exdates else []:
        skipped |= {item.dt for item in group.dts}
    return [m for m in moments if m not in skipped]


def _calendar():
    result = plan_calendar(PLAN, start=START, tz="Europe/London", days=21, person=PERSON)
    return Calendar.from_ical(result.to_ical())


def _events(calendar, word):
    return [e for e in calendar.walk("VEVENT") if word in str(e["SUMMARY"])]


def test_dst_gap_between_session_end_and_next_dose_is_at_least_24_real_hours():
    calendar = _calendar()
    sessions = [
        (start.astimezone(UTC), (start + event.decoded("duration")).astimezone(UTC))
        for event in _events(calendar, "Microneedling")
        for start in _expand(event)
    ]
    doses = sorted(
        moment.astimezone(UTC)
        for event in _events(calendar, "Minoxidil")
        for moment in _expand(event)
    )
    assert sessions[0][0] == datetime(2026, 3, 28, 20, 0, tzinfo=UTC)  # 20:00 GMT
    assert len(sessions) == 3
    for _start, end in sessions:
        following = [d for d in doses if d >= end]
        assert following[0] - end >= timedelta(hours=24), (end, following[0])
    # the 21:00 BST dose on Sunday 29 March (23 h 50 min after the session ended) is left out
    sunday_evening = datetime(2026, 3, 29, 21, 0, tzinfo=LONDON).astimezone(UTC)
    assert sunday_evening not in doses
    # and the doses outside the pauses are kept at their wall-clock times
    assert datetime(2026, 3, 30, 9, 0, tzinfo=LONDON).astimezone(UTC) in doses
    assert datetime(2026, 3, 28, 9, 0, tzinfo=LONDON).astimezone(UTC) in doses


def test_dst_pause_event_lasts_24_real_hours():
    ics = plan_calendar(PLAN, start=START, tz="Europe/London", days=21, person=PERSON).to_ical()
    blocks = ics.decode().split("BEGIN:VEVENT")
    pause_block = next(b for b in blocks if "SUMMARY:No minoxidil" in b)
    assert "DURATION:PT24H\r\n" in pause_block  # exact time, not the nominal day P1D
    pauses = _events(Calendar.from_ical(ics), "No minoxidil")
    assert len(pauses) == 1
    pause = pauses[0]
    first = pause.decoded("dtstart")
    assert first == datetime(2026, 3, 28, 20, 10, tzinfo=LONDON)
    end = first.astimezone(UTC) + pause.decoded("duration")
    assert end == datetime(2026, 3, 29, 20, 10, tzinfo=UTC)  # 21:10 BST


def test_dst_journal_does_not_flag_the_doses_the_calendar_keeps(tmp_path):
    calendar = _calendar()
    with Journal.open(tmp_path / "journal.sqlite3") as journal:
        for event in _events(calendar, "Microneedling"):
            for start in _expand(event)[:1]:
                journal.log(
                    "session",
                    {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 10},
                    at=start,
                    tz="Europe/London",
                )
        doses = sorted(m for e in _events(calendar, "Minoxidil") for m in _expand(e) if m.day <= 31)
        flagged = []
        for moment in doses:
            if moment.month != 3:
                continue
            logged = journal.log(
                "application", {"medicine": "minoxidil"}, at=moment, tz="Europe/London"
            )
            flagged += [f.rule for f in logged.flags]
    assert doses and flagged == []


def test_dst_installed_command_writes_the_real_time_pause(tmp_path):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    follicle = shutil.which("follicle", path=str(Path(sys.executable).parent))
    assert follicle is not None
    plan = tmp_path / "plan.toml"
    plan.write_text(
        """name = "dst"
[[treatment]]
kind = "minoxidil"
concentration_percent = 5
applications_per_day = 2
times_of_day = ["09:00", "21:00"]
pause_after_microneedling_hours = 24
[[treatment]]
kind = "microneedling"
needle_mm = 1.5
interval_days = 7
session_minutes = 10
times_of_day = ["20:00"]
""",
        encoding="utf-8",
    )
    person_file = tmp_path / "me.toml"
    person_file.write_text(
        'sex = "male"\nage_years = 30\n[health]\nmicroneedling_experience = true\n'
        "poor_wound_healing = false\nkeloid_history = false\n"
        'hair_loss_onset = "gradual"\nhair_loss_pattern = "patterned"\n'
        "hair_loss_cause_known = true\n",
        encoding="utf-8",
    )
    output = tmp_path / "plan.ics"
    subprocess.run(
        [
            follicle,
            "plan",
            "calendar",
            str(plan),
            "--person",
            str(person_file),
            "--start",
            "2026-03-28",
            "--tz",
            "Europe/London",
            "--days",
            "21",
            "-o",
            str(output),
        ],
        check=False,
        capture_output=True,
    )
    calendar = Calendar.from_ical(output.read_bytes())
    ends = [
        (start + event.decoded("duration")).astimezone(UTC)
        for event in _events(calendar, "Microneedling")
        for start in _expand(event)
    ]
    doses = sorted(m.astimezone(UTC) for e in _events(calendar, "Minoxidil") for m in _expand(e))
    assert len(ends) == 3
    for end in ends:
        assert min(d for d in doses if d >= end) - end >= timedelta(hours=24)
