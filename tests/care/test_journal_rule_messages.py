"""The exact words of every journal flag: what the user reads right after logging.

These are safety instructions (seek care now, stop minoxidil, wait 24 hours, replace a
blunt roller), checked against care-protocols.md when they were written; a change to
them should be a deliberate, reviewed edit of this file too. Each text is written out
with the facts it must carry (times in the user's zone, needle length, days, device
name, the emergency number), so a wrong number, a dropped phrase or a garbled sentence
fails. The rules' thresholds are tested in ``test_boundaries_journal_rules.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from follicle.care.journal import Journal
from follicle.care.settings import DEFAULT_EMERGENCY, EMERGENCY_ENV

NOW = datetime(2026, 9, 1, tzinfo=UTC)
MONDAY = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # Mon 02 Mar 2026, 20:00 UTC
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@pytest.fixture
def journal(tmp_path, monkeypatch):
    monkeypatch.delenv(EMERGENCY_ENV, raising=False)
    with Journal.open(tmp_path / "journal.sqlite3") as opened:
        yield opened


def log(journal, kind, details, at, tz="UTC"):
    return journal.log(kind, details, at=at, tz=tz, now=NOW)


def session(journal, at, *, minutes=12.0, needle_mm=1.5, device="old"):
    details = {"device": device, "needle_mm": needle_mm, "duration_minutes": minutes}
    return log(journal, "session", details, at)


def texts(logged, rule):
    return [(f.severity.value, f.message, f.instead) for f in logged.flags if f.rule == rule]


def triage(logged, rule):
    return [f.triage.value for f in logged.flags if f.rule == rule]


MN7_INSTEAD = (
    "No more minoxidil before {end}. On chest pain, a rapid heartbeat, faintness or "
    "dizziness, stop minoxidil and get medical help (RX-5)."
)


def test_mn7_minoxidil_after_a_session_in_the_user_zone(journal):
    session(journal, MONDAY, minutes=20)  # ends 20:20 UTC
    # 10:00 UTC is 11:00 in Berlin (CET); the pause ends 21:20 Berlin time on Tuesday
    logged = log(
        journal, "application", {"medicine": "minoxidil"}, MONDAY + 14 * HOUR, tz="Europe/Berlin"
    )
    assert texts(logged, "MN-7") == [
        (
            "block",
            "Topical minoxidil at Tue 03 Mar 11:00 is within 24 hours of the 1.5 mm "
            "microneedling session at Mon 02 Mar 20:00: through the needle channels it can "
            "enter the bloodstream too fast (palpitations, dizziness).",
            MN7_INSTEAD.format(end="Tue 03 Mar 21:20"),
        )
    ]


def test_mn7_back_dated_session_after_minoxidil(journal):
    log(journal, "application", {"medicine": "minoxidil"}, MONDAY + 3 * HOUR)
    logged = session(journal, MONDAY, needle_mm=0.75)
    assert texts(logged, "MN-7") == [
        (
            "block",
            "Topical minoxidil at Mon 02 Mar 23:00 is within 24 hours of the 0.75 mm "
            "microneedling session at Mon 02 Mar 20:00: through the needle channels it can "
            "enter the bloodstream too fast (palpitations, dizziness).",
            MN7_INSTEAD.format(end="Tue 03 Mar 20:12"),
        )
    ]


def test_mn3_session_length(journal):
    assert texts(session(journal, MONDAY, minutes=20), "MN-3") == [
        (
            "warn",
            "The session took 20 minutes; a session takes 10-15 minutes.",
            "Aim for 10-15 minutes next time.",
        )
    ]
    assert texts(session(journal, MONDAY + 30 * DAY, minutes=7.5), "MN-3") == [
        (
            "warn",
            "The session took 7.5 minutes; a session takes 10-15 minutes.",
            "Aim for 10-15 minutes next time.",
        )
    ]


@pytest.mark.parametrize(("gap", "shown"), [(3 * DAY + 2 * HOUR, "3.1"), (-5.5 * DAY, "5.5")])
def test_mn4_gap_between_deep_sessions(journal, gap, shown):
    session(journal, MONDAY)
    assert texts(session(journal, MONDAY + gap), "MN-4") == [
        (
            "block",
            f"This session is {shown} days from the one at Mon 02 Mar 20:00; with needles of "
            "1 mm or more the scalp needs 1-3 weeks to regenerate.",
            "Leave at least 7 days between sessions.",
        )
    ]


@pytest.mark.parametrize(("age_days", "left_days"), [(60, 30), (70, 20), (89, 1)])
def test_mn8_warns_with_the_days_left(journal, age_days, left_days):
    log(journal, "device", {"name": "old", "needle_mm": 1.5}, MONDAY - age_days * DAY)
    assert texts(session(journal, MONDAY), "MN-8") == [
        (
            "warn",
            f"The roller 'old' is {age_days} days old; replace it within {left_days} days "
            "(60-90 days of use).",
            "Buy a replacement and log it (follicle journal log device).",
        )
    ]


def test_mn8_blocks_an_old_stamp(journal):
    details = {"name": "blue stamp", "needle_mm": 1.5, "device_type": "stamp"}
    log(journal, "device", details, MONDAY - 95 * DAY)
    assert texts(session(journal, MONDAY, device="blue stamp"), "MN-8") == [
        (
            "block",
            "The stamp 'blue stamp' was 95 days old at this session; after 90 days blunt "
            "needles tear the skin and can scar.",
            "Replace it before the next session and log the new one (follicle journal log device).",
        )
    ]


def symptom(journal, name, at):
    return log(journal, "symptom", {"symptom": name}, at)


MN12_INSTEAD = (
    "Contact your GP, an urgent care service or dermatology now; if you feel very unwell "
    "(fever, spreading redness), {emergency}. Do not microneedle again until a clinician "
    "has seen the scalp."
)


def test_mn12_infection_signs_after_a_session(journal):
    session(journal, MONDAY)
    logged = symptom(journal, "extreme_heat", MONDAY + 2 * DAY)
    assert texts(logged, "MN-12") == [
        (
            "block",
            "Extreme heat after the microneedling session of Mon 02 Mar 20:00: seek medical "
            "attention immediately.",
            MN12_INSTEAD.format(emergency=DEFAULT_EMERGENCY),
        )
    ]
    assert triage(logged, "MN-12") == ["urgent"]


def test_mn12_without_a_session_and_with_an_emergency_number(journal, monkeypatch):
    monkeypatch.setenv(EMERGENCY_ENV, "112")
    logged = symptom(journal, "pus", MONDAY)
    assert texts(logged, "MN-12") == [
        (
            "block",
            "Pus: seek medical attention immediately.",
            MN12_INSTEAD.format(emergency="call 112"),
        )
    ]


def test_rx5_minoxidil_warning_signs(journal):
    logged = symptom(journal, "swollen_hands_feet", MONDAY)
    assert texts(logged, "RX-5") == [
        (
            "block",
            "Swollen hands feet: stop minoxidil and ask a doctor now [label].",
            "Do not apply or take minoxidil again until a doctor says so; for chest pain or "
            f"faintness {DEFAULT_EMERGENCY}.",
        )
    ]
    assert triage(logged, "RX-5") == ["urgent"]


RX7_INSTEAD = (
    "Tell the prescriber soon: they can check other causes and discuss changing or stopping "
    "the treatment. If your mood is low too, say so; thoughts of self-harm need help at once "
    "({emergency})."
)


def test_rx7_names_the_anti_androgen_taken(journal):
    log(journal, "application", {"medicine": "dutasteride", "dose_mg": 0.5}, MONDAY - 30 * DAY)
    logged = symptom(journal, "sexual_side_effects", MONDAY)
    assert texts(logged, "RX-7") == [
        (
            "warn",
            "Sexual side effects (lower sex drive, erection or ejaculation problems) are a "
            "known side effect of dutasteride [label].",
            RX7_INSTEAD.format(emergency=DEFAULT_EMERGENCY),
        )
    ]
    assert triage(logged, "RX-7") == ["clinician"]


def test_rx7_without_an_anti_androgen_in_the_last_year(journal):
    log(journal, "application", {"medicine": "finasteride"}, MONDAY - 400 * DAY)
    logged = symptom(journal, "sexual_side_effects", MONDAY)
    assert texts(logged, "RX-7") == [
        (
            "warn",
            "Sexual side effects (lower sex drive, erection or ejaculation problems) are a "
            "known side effect of finasteride and dutasteride [label], and of other medicines "
            "and conditions.",
            RX7_INSTEAD.format(emergency=DEFAULT_EMERGENCY),
        )
    ]


def test_mn11_bruising_and_the_normal_reactions(journal):
    bruising = symptom(journal, "excessive_bruising", MONDAY)
    assert texts(bruising, "MN-11") == [
        (
            "warn",
            "Excessive bruising is not a normal reaction to microneedling.",
            "Stop sessions and ask a clinician; check the needle length and pressure.",
        )
    ]
    assert triage(bruising, "MN-11") == ["clinician"]
    session(journal, MONDAY + DAY)
    normal = symptom(journal, "pinpoint_bleeding", MONDAY + 2 * DAY)
    assert texts(normal, "MN-11") == [
        (
            "info",
            "Pinpoint bleeding in the days after a session is normal (like a mild sunburn "
            "for 2-3 days; pinpoint bleeding during the session).",
            "Keep the scalp clean; if it lasts beyond 3 days or gets worse, ask a clinician.",
        )
    ]
    assert triage(normal, "MN-11") == ["self-care"]
    late = symptom(journal, "swelling", MONDAY + 10 * DAY)
    assert texts(late, "MN-11") == [
        (
            "warn",
            "Swelling with no microneedling session in the last 3 days is not the expected "
            "after-session reaction.",
            "If it persists or spreads, ask a clinician; do not microneedle an irritated "
            "scalp (RX-4, MN-9).",
        )
    ]
    assert triage(late, "MN-11") == ["clinician"]


def test_tl2_shedding_early_and_late(journal):
    assert texts(symptom(journal, "shedding", MONDAY - DAY), "TL-2") == []  # no minoxidil
    log(journal, "application", {"medicine": "minoxidil"}, MONDAY)
    log(journal, "application", {"medicine": "minoxidil"}, MONDAY + 20 * DAY)
    early = symptom(journal, "shedding", MONDAY + 40 * DAY)
    assert texts(early, "TL-2") == [
        (
            "info",
            "Extra shedding 40 days after starting minoxidil is expected in the first weeks "
            "and passes.",
            "Keep going; do not stop minoxidil because of it.",
        )
    ]
    assert triage(early, "TL-2") == ["self-care"]
    late = symptom(journal, "shedding", MONDAY + 75 * DAY)
    assert texts(late, "TL-2") == [
        (
            "warn",
            "Shedding 75 days after starting minoxidil is past the first two months, when "
            "minoxidil shedding is expected.",
            "Mention it to your clinician at the next review.",
        )
    ]
    assert triage(late, "TL-2") == ["clinician"]


RX7_GENERIC = (
    "Sexual side effects (lower sex drive, erection or ejaculation problems) are a known "
    "side effect of finasteride and dutasteride [label], and of other medicines and "
    "conditions."
)


def rx7_message(logged):
    return [message for _, message, _ in texts(logged, "RX-7")]


def test_rx7_names_finasteride_within_the_year_and_not_before(journal):
    # within 365 days: named; 1 hour earlier than that: a year and more ago, not named
    log(journal, "application", {"medicine": "finasteride"}, MONDAY - 365 * DAY - HOUR)
    assert rx7_message(symptom(journal, "sexual_side_effects", MONDAY)) == [RX7_GENERIC]
    log(journal, "application", {"medicine": "finasteride"}, MONDAY - 365 * DAY + HOUR)
    assert rx7_message(symptom(journal, "sexual_side_effects", MONDAY)) == [
        "Sexual side effects (lower sex drive, erection or ejaculation problems) are a "
        "known side effect of finasteride [label]."
    ]


def test_rx7_looks_at_medicines_taken_before_the_symptom_only(journal):
    # a back-dated symptom: finasteride started after it is not its cause; other kinds of
    # entries in the year (a session, a device, minoxidil) are not medicines to name
    log(journal, "device", {"name": "old", "needle_mm": 1.5}, MONDAY - 20 * DAY)
    session(journal, MONDAY - 10 * DAY)
    log(journal, "application", {"medicine": "minoxidil"}, MONDAY - 5 * DAY)
    log(journal, "application", {"medicine": "finasteride"}, MONDAY + 2 * DAY)
    assert rx7_message(symptom(journal, "sexual_side_effects", MONDAY)) == [RX7_GENERIC]


def test_mn4_message_rounds_the_gap_from_seconds(journal):
    session(journal, MONDAY)
    gap = 3 * DAY + timedelta(hours=1, minutes=12, seconds=2)
    [(_, message, _)] = texts(session(journal, MONDAY + gap), "MN-4")
    assert message.startswith("This session is 3.1 days from the one at Mon 02 Mar 20:00;")
