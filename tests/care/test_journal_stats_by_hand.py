"""``journal_stats`` on a twelve-day journal worked out by hand, compared as a whole.

The plan (UTC, from 1 March 2026): finasteride daily at 08:00, oral minoxidil daily at
09:00, microneedling 1.5 mm weekly (planned 1 and 8 March). Logged: finasteride every day
but 4 March; oral minoxidil on 1-3 and 12 March, a topical application on 4 March (another
route: not a dose of this treatment); a 1.5 mm session on 2 March (one day from the
planned 1 March, within the 3-day slack) with a roller first logged on 5 January, and a
1.0 mm session on 8 March with a new roller (logged with the session; another needle: not
this course's session). Stats at 12 March 23:00.

By hand: finasteride 11 of 12, missed 4 March, streak 8 (5-12 March), longest 8. Oral
minoxidil 4 of 12 (33%, below 80%: TL-3), missed 4-11 March, streak 1, longest 3.
Microneedling: 1 March done; 8 March is before the grace date (12 - 3 = 9 March), so it
counts and is missed: 1 of 2 (50%: TL-3), streak 0, longest 1. The roller: first use 5
January 10:00, 66 days 13 hours before -> 66 days, in use (a session 10 days ago): MN-8
warns (60-90 days); the new roller is 4 days old (8 March 20:00 to 12 March 23:00).
Counts cover the entries from 1 March: 11 + 4 + 1 applications, 2 sessions, 1 device.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from care_helpers import regimen

from follicle.care.findings import DISCLAIMER
from follicle.care.journal import Journal
from follicle.care.journal.stats import journal_stats
from follicle.errors import FollicleInputError

UNTIL = datetime(2026, 3, 12, 23, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 13, tzinfo=UTC)
TL3_INSTEAD = (
    "Set reminders (follicle plan calendar) and log each dose; if side effects make doses "
    "hard to keep, talk to your clinician."
)


@pytest.fixture(params=["UTC", "Pacific/Honolulu", "Pacific/Kiritimati"])
def machine_zone(request, monkeypatch):
    """The machine's own zone (``TZ``) must not matter: the stats count days in the plan's
    zone. Honolulu (UTC-10) and Kiritimati (UTC+14) put 08:00 and 20:00 UTC, and 08:00 in
    Auckland, on another local date than the plan's zone does, so a conversion to the
    machine's zone (``astimezone()`` without an argument) moves doses to other days."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def journal(tmp_path):
    with Journal.open(tmp_path / "journal.sqlite3") as opened:
        yield opened


def log(journal, kind, details, at):
    journal.log(kind, details, at=at, tz="UTC", now=NOW)


def test_journal_stats_of_a_twelve_day_journal_by_hand(journal, machine_zone):
    plan = regimen(
        {"kind": "finasteride", "dose_mg": 1.0, "times_of_day": ["08:00"]},
        {"kind": "minoxidil", "route": "oral", "dose_mg": 2.5, "times_of_day": ["09:00"]},
        {"kind": "microneedling", "needle_mm": 1.5, "interval_days": 7},
    )
    log(journal, "device", {"name": "roller-1", "needle_mm": 1.5}, "2026-01-05T10:00")
    for day in [1, 2, 3, *range(5, 13)]:
        log(journal, "application", {"medicine": "finasteride"}, f"2026-03-{day:02d}T08:10")
    for day in (1, 2, 3, 12):
        details = {"medicine": "minoxidil", "route": "oral"}
        log(journal, "application", details, f"2026-03-{day:02d}T09:05")
    log(journal, "application", {"medicine": "minoxidil", "route": "topical"}, "2026-03-04T09:05")
    session = {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 12}
    log(journal, "session", session, "2026-03-02T20:00")
    clinic = {**session, "device": "clinic", "needle_mm": 1.0}  # a new device
    log(journal, "session", clinic, "2026-03-08T20:00")

    result = journal_stats(journal.entries(), regimen=plan, start=date(2026, 3, 1), until=UNTIL)
    got = result.to_dict()
    got.pop("provenance")
    minoxidil_missed = [{"date": f"2026-03-{d:02d}", "doses": 1} for d in range(4, 12)]
    assert got == {
        "since": "2026-03-01",
        "until": "2026-03-12T23:00:00+00:00",
        "counts": {
            "application": 16,
            "application:finasteride": 11,
            "application:minoxidil": 5,
            "device": 1,
            "session": 2,
        },
        "treatments": [
            {
                "treatment": 0,
                "kind": "finasteride",
                "label": "treatment[0] finasteride",
                "expected": 12,
                "taken": 11,
                "adherence": 11 / 12,
                "missed": [{"date": "2026-03-04", "doses": 1}],
                "current_streak": 8,
                "longest_streak": 8,
            },
            {
                "treatment": 1,
                "kind": "minoxidil",
                "label": "treatment[1] oral minoxidil",
                "expected": 12,
                "taken": 4,
                "adherence": 4 / 12,
                "missed": minoxidil_missed,
                "current_streak": 1,
                "longest_streak": 3,
            },
            {
                "treatment": 2,
                "kind": "microneedling",
                "label": "treatment[2] microneedling 1.5 mm",
                "expected": 2,
                "taken": 1,
                "adherence": 0.5,
                "missed": [{"date": "2026-03-08", "doses": 1}],
                "current_streak": 0,
                "longest_streak": 1,
            },
        ],
        "devices": [
            {
                "name": "roller-1",
                "device_type": "roller",
                "first_use_utc": "2026-01-05T10:00:00+00:00",
                "age_days": 66,
                "sessions": 1,
                "in_use": True,
            },
            {
                "name": "clinic",
                "device_type": "roller",
                "first_use_utc": "2026-03-08T20:00:00+00:00",
                "age_days": 4,
                "sessions": 1,
                "in_use": True,
            },
        ],
        "findings": [
            {
                "rule": "TL-3",
                "severity": "warn",
                "message": "treatment[1] oral minoxidil: adherence 33% (4 of 12) is below 80%; "
                "sporadic treatment gives sporadic results.",
                "instead": TL3_INSTEAD,
                "treatment": 1,
                "triage": None,
            },
            {
                "rule": "TL-3",
                "severity": "warn",
                "message": "treatment[2] microneedling 1.5 mm: adherence 50% (1 of 2) is below "
                "80%; sporadic treatment gives sporadic results.",
                "instead": TL3_INSTEAD,
                "treatment": 2,
                "triage": None,
            },
            {
                "rule": "MN-8",
                "severity": "warn",
                "message": "The roller 'roller-1' is 66 days old; replace it every 60-90 days "
                "(blunt needles tear the skin and can scar).",
                "instead": "Replace it before the next session and log the new one "
                "(follicle journal log device).",
                "treatment": None,
                "triage": None,
            },
        ],
        "disclaimer": DISCLAIMER,
    }


def test_journal_stats_without_a_plan_counts_every_entry_and_ages_devices(journal, machine_zone):
    log(journal, "device", {"name": "roller-1", "needle_mm": 1.5}, "2026-01-05T10:00")
    log(journal, "application", {"medicine": "finasteride"}, "2026-02-01T08:10")
    log(journal, "application", {"medicine": "finasteride"}, "2026-03-01T08:10")
    got = journal_stats(journal.entries(), until=UNTIL).to_dict()
    assert (got["since"], got["until"]) == (None, "2026-03-12T23:00:00+00:00")
    assert got["counts"] == {"application": 2, "application:finasteride": 2, "device": 1}
    assert got["treatments"] == []
    # 66 days old but no session in the last 30 days: listed, no MN-8 finding
    assert [(d["name"], d["age_days"], d["in_use"]) for d in got["devices"]] == [
        ("roller-1", 66, False)
    ]
    assert got["findings"] == []


def test_journal_stats_start_must_be_given_and_on_or_before_the_last_day(journal, machine_zone):
    plan = regimen({"kind": "finasteride", "dose_mg": 1.0, "times_of_day": ["08:00"]})
    entries = journal.entries()
    with pytest.raises(FollicleInputError) as missing:
        journal_stats(entries, regimen=plan, until=UNTIL)
    assert str(missing.value) == (
        "start = None is not allowed; expected the plan's start date (YYYY-MM-DD) with a regimen"
    )
    with pytest.raises(FollicleInputError) as late:
        journal_stats(entries, regimen=plan, start=date(2026, 3, 13), until=UNTIL)
    assert str(late.value) == (
        "start = '2026-03-13' is not allowed; expected a date on or before 2026-03-12"
    )
    # a plan that starts on the last day: one expected dose, none taken
    (fin,) = journal_stats(entries, regimen=plan, start=date(2026, 3, 12), until=UNTIL).treatments
    assert (fin.expected, fin.taken) == (1, 0)


def test_journal_stats_count_days_in_the_plan_zone_and_include_both_ends(journal, machine_zone):
    """Auckland (UTC+13 in March): 08:00 there is 19:00 UTC the day before, so counting by
    UTC date would shift every dose a day. The stats end at 20:00 local on 3 March, the
    moment of the last planned minoxidil dose and of a logged one: both count. A dose
    logged at exactly midnight on 1 March (the start) is in the window.

    Finasteride (08:00): taken 1 and 2 March, not yet on 3 March: 2 of 3, the 3rd missed,
    and today's missing dose does not break the streak (2). Minoxidil topical (08:00 and
    20:00): 2 + 1 + 2 of 6, 2 March missing one dose: streak 1, longest 1."""
    tz = "Pacific/Auckland"
    plan = regimen(
        {"kind": "finasteride", "dose_mg": 1.0, "times_of_day": ["08:00"]},
        {
            "kind": "minoxidil",
            "concentration_percent": 5,
            "applications_per_day": 2,
            "times_of_day": ["08:00", "20:00"],
        },
    )

    def local(kind, details, at):
        journal.log(kind, details, at=at, tz=tz, now=NOW)

    for at in ("2026-03-01T00:00", "2026-03-01T08:10", "2026-03-02T08:10"):
        local("application", {"medicine": "finasteride"}, at)
    for at in ("01T08:05", "01T20:05", "02T08:05", "03T08:05", "03T20:00"):
        local("application", {"medicine": "minoxidil"}, f"2026-03-{at}")
    until = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # 20:00 in Auckland
    result = journal_stats(
        journal.entries(), regimen=plan, start=date(2026, 3, 1), tz=tz, until=until
    )
    assert result.counts == {
        "application": 8,
        "application:finasteride": 3,
        "application:minoxidil": 5,
    }
    fin, mino = result.treatments
    assert (fin.expected, fin.taken, fin.missed) == (3, 2, (("2026-03-03", 1),))
    assert (fin.current_streak, fin.longest_streak) == (2, 2)
    assert (mino.expected, mino.taken, mino.missed) == (6, 5, (("2026-03-02", 1),))
    assert (mino.current_streak, mino.longest_streak) == (1, 1)


def test_session_slack_and_grace_at_their_edges_and_dutasteride_doses(journal, machine_zone):
    """A session 3 days after the planned one (1 March) still counts for it (slack 3 days,
    inclusive); the session planned on 8 March is not counted yet on 11 March (the grace
    date is 11 - 3 = 8 March and a planned day counts once it is before it). Dutasteride,
    taken every day, has its own dose count."""
    plan = regimen(
        {"kind": "microneedling", "needle_mm": 1.5, "interval_days": 7},
        {"kind": "dutasteride", "times_of_day": ["08:00"]},
    )
    session = {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 12}
    log(journal, "session", session, "2026-03-04T20:00")
    for day in range(1, 12):
        log(journal, "application", {"medicine": "dutasteride"}, f"2026-03-{day:02d}T08:10")
    until = datetime(2026, 3, 11, 23, 0, tzinfo=UTC)
    needling, dutasteride = journal_stats(
        journal.entries(), regimen=plan, start=date(2026, 3, 1), until=until
    ).treatments
    assert (needling.expected, needling.taken, needling.missed) == (1, 1, ())
    assert (dutasteride.kind, dutasteride.expected, dutasteride.taken) == ("dutasteride", 11, 11)
    assert dutasteride.label == "treatment[1] dutasteride"


def test_a_device_and_a_session_exactly_at_until_count(journal):
    """The stats include their last moment: a device logged exactly at ``until`` is listed
    (0 days old), and a session exactly at ``until`` is a use of the older roller (2
    sessions, in use)."""
    log(journal, "device", {"name": "roller-1", "needle_mm": 1.5}, "2026-01-05T10:00")
    session = {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 12}
    log(journal, "session", session, "2026-01-06T10:00")
    log(journal, "session", session, "2026-03-12T23:00")
    log(journal, "device", {"name": "roller-2", "needle_mm": 1.0}, "2026-03-12T23:00")
    devices = journal_stats(journal.entries(), until=UNTIL).devices
    assert [(d["name"], d["age_days"], d["sessions"], d["in_use"]) for d in devices] == [
        ("roller-1", 66, 2, True),
        ("roller-2", 0, 0, False),
    ]
    # a second earlier, neither the session nor the new device is there yet
    earlier = journal_stats(journal.entries(), until=UNTIL - timedelta(seconds=1)).devices
    assert [(d["name"], d["sessions"], d["in_use"]) for d in earlier] == [("roller-1", 1, False)]
