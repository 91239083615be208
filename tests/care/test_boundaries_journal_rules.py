"""The journal's care rules at each time and length threshold, and on either side.

Sides from shared/reference/care-protocols.md: MN-7 "Wait 24 hours" after a session with
needles over 0.5 mm (an application exactly 24 h after the session's end is allowed);
MN-4 sessions at >= 1.0 mm at least 7 days apart; MN-3 sessions of 10-15 minutes;
MN-8 "warn at 60 days, block at 90 days of a device's first use"; MN-11 redness and
swelling "for 2-3 days" after a session are normal; TL-2 minoxidil shedding "in the first
2 months" (the code counts 60 days, day 60 included); TL-3 adherence "below 80%".
All times are UTC so that the thresholds are plain clock arithmetic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from follicle.care.journal import Journal
from follicle.care.journal.stats import journal_stats

NOW = datetime(2026, 9, 1, tzinfo=UTC)
SESSION_AT = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


@pytest.fixture
def journal(tmp_path):
    with Journal.open(tmp_path / "journal.sqlite3") as opened:
        yield opened


def log(journal, kind, details, at):
    return journal.log(kind, details, at=at, tz="UTC", now=NOW)


def session(journal, at, *, needle_mm=1.5, minutes=12.0, device=None):
    device = device or f"roller-{needle_mm:g}"
    details = {"device": device, "needle_mm": needle_mm, "duration_minutes": minutes}
    return log(journal, "session", details, at)


def minoxidil(journal, at):
    return log(journal, "application", {"medicine": "minoxidil"}, at)


def rules(logged, rule):
    return [f.severity.value for f in logged.flags if f.rule == rule]


# --- MN-7 ------------------------------------------------------------------------------

# A 12-minute session at 20:00 ends at 20:12; no minoxidil until 20:12 the next day.
PAUSE_END = SESSION_AT + timedelta(minutes=12) + timedelta(hours=24)


@pytest.mark.parametrize(
    ("at", "blocked"),
    [
        (SESSION_AT - SECOND, False),  # before the session
        (SESSION_AT, True),
        (PAUSE_END - SECOND, True),
        (PAUSE_END, False),
        (PAUSE_END + SECOND, False),
    ],
)
def test_mn7_application_in_the_24_hours_after_a_session(journal, at, blocked):
    session(journal, SESSION_AT)
    assert rules(minoxidil(journal, at), "MN-7") == (["block"] if blocked else [])


@pytest.mark.parametrize(
    ("minutes", "at", "blocked"),
    [
        (120.0, SESSION_AT + timedelta(hours=26) - SECOND, True),
        (120.0, SESSION_AT + timedelta(hours=26), False),
    ],
)
def test_mn7_counts_from_the_end_of_a_long_session(journal, minutes, at, blocked):
    session(journal, SESSION_AT, minutes=minutes)
    assert rules(minoxidil(journal, at), "MN-7") == (["block"] if blocked else [])


@pytest.mark.parametrize(("needle_mm", "blocked"), [(0.5, False), (0.501, True)])
def test_mn7_needles_over_half_a_millimetre(journal, needle_mm, blocked):
    session(journal, SESSION_AT, needle_mm=needle_mm)
    logged = minoxidil(journal, SESSION_AT + timedelta(hours=1))
    assert rules(logged, "MN-7") == (["block"] if blocked else [])


@pytest.mark.parametrize(
    ("at", "blocked"),
    [
        (SESSION_AT, True),
        (PAUSE_END - SECOND, True),
        (PAUSE_END, False),
        (PAUSE_END + SECOND, False),
    ],
)
def test_mn7_back_dated_session_and_the_application_after_it(journal, at, blocked):
    minoxidil(journal, at)
    assert rules(session(journal, SESSION_AT), "MN-7") == (["block"] if blocked else [])


# --- MN-4, MN-3 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gap", "blocked"),
    [
        (7 * DAY - SECOND, True),
        (7 * DAY, False),
        (7 * DAY + SECOND, False),
        (-7 * DAY + SECOND, True),
    ],
)
def test_mn4_seven_days_between_deep_sessions(journal, gap, blocked):
    session(journal, SESSION_AT)
    assert rules(session(journal, SESSION_AT + gap), "MN-4") == (["block"] if blocked else [])


@pytest.mark.parametrize(
    ("first_mm", "second_mm", "blocked"),
    [(0.99, 0.99, False), (1.0, 0.5, True), (0.5, 1.0, True), (0.5, 0.5, False)],
)
def test_mn4_applies_when_either_session_is_one_millimetre_or_more(
    journal, first_mm, second_mm, blocked
):
    session(journal, SESSION_AT, needle_mm=first_mm)
    logged = session(journal, SESSION_AT + 3 * DAY, needle_mm=second_mm)
    assert rules(logged, "MN-4") == (["block"] if blocked else [])


@pytest.mark.parametrize(
    ("minutes", "warns"), [(9.999, True), (10.0, False), (15.0, False), (15.001, True)]
)
def test_mn3_session_length(journal, minutes, warns):
    assert rules(session(journal, SESSION_AT, minutes=minutes), "MN-3") == (
        ["warn"] if warns else []
    )


# --- MN-8 device age at a session, and in the stats -------------------------------------

BOUGHT = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (60 * DAY - SECOND, []),
        (60 * DAY, ["warn"]),
        (90 * DAY - SECOND, ["warn"]),
        (90 * DAY, ["block"]),
        (91 * DAY, ["block"]),
    ],
)
def test_mn8_device_age_at_a_session(journal, age, expected):
    log(journal, "device", {"name": "old", "needle_mm": 1.0}, BOUGHT)
    logged = session(journal, BOUGHT + age, needle_mm=1.0, device="old")
    assert rules(logged, "MN-8") == expected


def test_mn8_pens_are_not_aged(journal):
    log(journal, "device", {"name": "pen", "device_type": "pen"}, BOUGHT)
    assert rules(session(journal, BOUGHT + 100 * DAY, needle_mm=1.0, device="pen"), "MN-8") == []


@pytest.mark.parametrize(
    ("days", "expected"),
    [(59, []), (60, ["warn"]), (89, ["warn"]), (90, ["block"])],
)
def test_mn8_in_the_stats(journal, days, expected):
    log(journal, "device", {"name": "old", "needle_mm": 1.0}, BOUGHT)
    session(journal, BOUGHT + 20 * DAY, needle_mm=1.0, device="old")
    session(journal, BOUGHT + (days - 5) * DAY, needle_mm=1.0, device="old")
    result = journal_stats(journal.entries(), until=BOUGHT + days * DAY)
    assert [f.severity.value for f in result.findings if f.rule == "MN-8"] == expected
    (row,) = result.devices
    assert row["age_days"] == days


@pytest.mark.parametrize(("idle_days", "in_use"), [(30, True), (31, False)])
def test_mn8_stats_only_for_a_device_used_in_the_last_30_days(journal, idle_days, in_use):
    log(journal, "device", {"name": "old", "needle_mm": 1.0}, BOUGHT)
    session(journal, BOUGHT + 70 * DAY, needle_mm=1.0, device="old")
    result = journal_stats(journal.entries(), until=BOUGHT + (70 + idle_days) * DAY)
    assert result.devices[0]["in_use"] is in_use
    assert bool([f for f in result.findings if f.rule == "MN-8"]) is in_use


# --- MN-11, TL-2 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "expected"), [(3 * DAY, "info"), (3 * DAY + SECOND, "warn"), (DAY, "info")]
)
def test_mn11_redness_within_3_days_of_a_session_is_normal(journal, after, expected):
    session(journal, SESSION_AT)
    logged = log(journal, "symptom", {"symptom": "redness"}, SESSION_AT + after)
    assert rules(logged, "MN-11") == [expected]


@pytest.mark.parametrize(
    ("after", "expected"), [(60 * DAY, "info"), (60 * DAY + SECOND, "warn"), (DAY, "info")]
)
def test_tl2_shedding_in_the_first_60_days_of_minoxidil(journal, after, expected):
    minoxidil(journal, SESSION_AT)
    logged = log(journal, "symptom", {"symptom": "shedding"}, SESSION_AT + after)
    assert rules(logged, "TL-2") == [expected]


# --- TL-3 adherence in the stats -----------------------------------------------------------


@pytest.mark.parametrize(
    ("last_day", "adherence", "warns"), [(24, 19 / 24, True), (25, 0.8, False)]
)
def test_tl3_adherence_below_80_percent(journal, last_day, adherence, warns):
    from care_helpers import regimen

    plan = regimen({"kind": "finasteride", "dose_mg": 1.0, "times_of_day": ["08:00"]})
    missed = {3, 7, 11, 15, 19}
    for day in range(1, 26):
        if day not in missed:
            log(
                journal,
                "application",
                {"medicine": "finasteride"},
                datetime(2026, 3, day, 8, 30, tzinfo=UTC),
            )
    until = datetime(2026, 3, last_day, 23, 0, tzinfo=UTC)
    result = journal_stats(
        journal.entries(), regimen=plan, start=date(2026, 3, 1), tz="UTC", until=until
    )
    (fin,) = result.treatments
    assert fin.adherence == pytest.approx(adherence)
    assert [f.rule for f in result.findings] == (["TL-3"] if warns else [])


@pytest.mark.parametrize(("after", "names_session"), [(14 * DAY, True), (14 * DAY + SECOND, False)])
def test_mn12_names_a_session_of_the_last_14_days(journal, after, names_session):
    session(journal, SESSION_AT)
    logged = log(journal, "symptom", {"symptom": "pus"}, SESSION_AT + after)
    (flag,) = logged.flags
    assert (flag.rule, flag.severity.value, flag.triage.value) == ("MN-12", "block", "urgent")
    assert ("after the microneedling session of Mon 02 Mar 20:00" in flag.message) is names_session
    assert flag.message.endswith("seek medical attention immediately.")


def test_mn8_age_counts_only_the_sessions_of_that_device(journal):
    # another roller was used long before this one was bought: it does not age this one
    session(journal, BOUGHT - 80 * DAY, needle_mm=1.0, device="older-roller")
    log(journal, "device", {"name": "new", "needle_mm": 1.0}, BOUGHT)
    assert rules(session(journal, BOUGHT + 30 * DAY, needle_mm=1.0, device="new"), "MN-8") == []


def test_mn11_only_a_session_makes_redness_expected(journal):
    minoxidil(journal, SESSION_AT)  # an application, not a session, the day before
    logged = log(journal, "symptom", {"symptom": "redness"}, SESSION_AT + DAY)
    (flag,) = [f for f in logged.flags if f.rule == "MN-11"]
    assert (flag.severity.value, flag.triage.value) == ("warn", "clinician")


@pytest.mark.parametrize(
    ("symptom", "after", "rule", "triage"),
    [
        ("redness", DAY, "MN-11", "self-care"),
        ("swelling", 4 * DAY, "MN-11", "clinician"),
        ("excessive_bruising", DAY, "MN-11", "clinician"),
        ("oozing", DAY, "MN-12", "urgent"),
        ("dizziness", DAY, "RX-5", "urgent"),
    ],
)
def test_who_to_turn_to_after_a_session(journal, symptom, after, rule, triage):
    session(journal, SESSION_AT)
    (flag,) = log(journal, "symptom", {"symptom": symptom}, SESSION_AT + after).flags
    assert (flag.rule, flag.triage.value) == (rule, triage)


@pytest.mark.parametrize(("after", "triage"), [(30 * DAY, "self-care"), (90 * DAY, "clinician")])
def test_tl2_who_to_turn_to_about_shedding(journal, after, triage):
    minoxidil(journal, SESSION_AT)
    (flag,) = log(journal, "symptom", {"symptom": "shedding"}, SESSION_AT + after).flags
    assert (flag.rule, flag.triage.value) == ("TL-2", triage)


# --- entries logged late (back-dated): only what came before counts -----------------------


def test_mn7_back_dated_session_ignores_minoxidil_before_it(journal):
    minoxidil(journal, SESSION_AT - SECOND)
    assert rules(session(journal, SESSION_AT), "MN-7") == []


@pytest.mark.parametrize(("needle_mm", "blocked"), [(0.5, False), (0.501, True)])
def test_mn7_back_dated_session_needles_over_half_a_millimetre(journal, needle_mm, blocked):
    minoxidil(journal, SESSION_AT + timedelta(hours=1))
    logged = session(journal, SESSION_AT, needle_mm=needle_mm)
    assert rules(logged, "MN-7") == (["block"] if blocked else [])


def test_mn11_a_session_logged_after_the_symptom_does_not_explain_it(journal):
    session(journal, SESSION_AT)
    logged = log(journal, "symptom", {"symptom": "redness"}, SESSION_AT - DAY)
    assert rules(logged, "MN-11") == ["warn"]


def test_tl2_minoxidil_started_after_the_shedding_does_not_explain_it(journal):
    minoxidil(journal, SESSION_AT)
    assert rules(log(journal, "symptom", {"symptom": "shedding"}, SESSION_AT - DAY), "TL-2") == []


def test_mn8_message_names_the_device_kind(journal):
    log(journal, "device", {"name": "old", "needle_mm": 1.0}, BOUGHT)
    (flag,) = session(journal, BOUGHT + 70 * DAY, needle_mm=1.0, device="old").flags
    assert flag.message.startswith("The roller 'old' is 70 days old")


def test_mn7_times_are_shown_in_the_users_zone(journal):
    # 20:00 British Summer Time is 19:00 UTC; the pause ends at 20:12 BST the next day
    at = datetime(2026, 7, 6, 19, 0, tzinfo=UTC)
    details = {"device": "r", "needle_mm": 1.5, "duration_minutes": 12}
    journal.log("session", details, at=at, tz="Europe/London", now=NOW)
    logged = journal.log(
        "application", {"medicine": "minoxidil"}, at=at + DAY, tz="Europe/London", now=NOW
    )
    (flag,) = logged.flags
    assert "session at Mon 06 Jul 20:00" in flag.message
    assert "No more minoxidil before Tue 07 Jul 20:12" in flag.instead


def test_mn8_a_session_before_the_device_was_logged_dates_its_first_use(journal):
    log(journal, "device", {"name": "r", "needle_mm": 1.0}, BOUGHT + 10 * DAY)
    session(journal, BOUGHT, needle_mm=1.0, device="r")  # logged late, used before
    logged = session(journal, BOUGHT + 65 * DAY, needle_mm=1.0, device="r")
    assert rules(logged, "MN-8") == ["warn"]  # 65 days from the first session, not 55
