"""Every numeric care rule at its threshold and on either side (plans and intake).

Sides come from shared/reference/care-protocols.md:
MN-3 "a session takes 10-15 minutes" (warn outside the range: 10 and 15 are fine);
MN-4 "one session every 1-3 weeks" with 1.0-1.5 mm needles: "block more often than every
7 days at >= 1.0 mm; warn above 21 days" (7 and 21 are fine, 1.0 mm is covered);
MN-5 "warn when a first regimen starts above 0.5 mm" (0.5 is fine);
MN-6 "1.5 mm is the length used in studies ... shorter than 0.5 mm ... unlikely to
stimulate"; MN-7 "needles over 0.5 mm ... Wait 24 hours" (0.5 mm and a 24 h pause are
fine); MN-8 "warn at 60 days, block at 90 days of a device's first use" (at: inclusive);
MN-14 home rollers "fixed at 0.25-1.5 mm"; RX-4 "under 18" (18 is not under 18);
TL-3 "adherence below 80%" (80% is not below).
"""

from __future__ import annotations

import pytest
from care_helpers import FINASTERIDE, MINOXIDIL, NEEDLING_15, person, regimen

from follicle.care.intake import run_intake
from follicle.care.plan import check_plan
from follicle.errors import FollicleInputError


def findings(plan, who=None, rule=None):
    result = check_plan(plan, person=who)
    return [f for f in result.findings if rule is None or f.rule == rule]


def severities(plan, who, rule):
    return [f.severity.value for f in findings(plan, who, rule)]


# --- MN-3 session length -------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "warns"),
    [(9.999, True), (10, False), (10.1, False), (14.9, False), (15, False), (15.001, True)],
)
def test_mn3_ten_to_fifteen_minutes_inclusive(healthy_man, minutes, warns):
    plan = regimen({**NEEDLING_15, "session_minutes": minutes}, FINASTERIDE)
    assert severities(plan, healthy_man, "MN-3") == (["warn"] if warns else [])


# --- MN-4 interval -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval_days", "expected"),
    [
        (6, ["block"]),
        (7, []),
        (8, []),
        (14, []),
        (20, []),
        (21, []),
        (22, ["warn"]),
        (27, ["warn"]),
        (28, ["warn"]),
    ],
)
def test_mn4_one_to_three_weeks_at_one_millimetre(healthy_man, interval_days, expected):
    for needle_mm in (1.0, 1.5):
        plan = regimen(
            {"kind": "microneedling", "needle_mm": needle_mm, "interval_days": interval_days},
            FINASTERIDE,
        )
        assert severities(plan, healthy_man, "MN-4") == expected, needle_mm


@pytest.mark.parametrize("interval_days", [1, 6, 22, 60])
def test_mn4_does_not_apply_below_one_millimetre(healthy_man, interval_days):
    plan = regimen(
        {"kind": "microneedling", "needle_mm": 0.99, "interval_days": interval_days},
        FINASTERIDE,
    )
    assert severities(plan, healthy_man, "MN-4") == []


@pytest.mark.parametrize(
    ("second_start", "second_mm", "blocks"),
    [
        (6, 1.5, True),  # sessions 0, 6, 14, 20, ...: 6 days apart
        (7, 1.5, False),  # 0, 7, 14, 21, ...: 7 days apart is allowed
        (8, 1.5, True),  # 8 and 14 are 6 days apart
        (6, 0.5, True),  # one course at >= 1.0 mm is enough
        (7, 0.5, False),
    ],
)
def test_mn4_two_fortnightly_courses_interleaved(healthy_man, second_start, second_mm, blocks):
    plan = regimen(
        {**NEEDLING_15, "interval_days": 14},
        {**NEEDLING_15, "needle_mm": second_mm, "interval_days": 14, "start_day": second_start},
        FINASTERIDE,
    )
    assert ("block" in severities(plan, healthy_man, "MN-4")) is blocks


def test_mn4_two_short_needle_courses_may_interleave(healthy_man):
    short = {"kind": "microneedling", "needle_mm": 0.5, "interval_days": 14}
    plan = regimen(short, {**short, "needle_mm": 0.99, "start_day": 1}, FINASTERIDE)
    assert severities(plan, healthy_man, "MN-4") == []


# --- MN-5, MN-6, MN-14 needle lengths ----------------------------------------------------


@pytest.mark.parametrize(("needle_mm", "warns"), [(0.25, False), (0.5, False), (0.501, True)])
def test_mn5_beginners_above_half_a_millimetre(needle_mm, warns):
    beginner = person(microneedling_experience=False)
    plan = regimen({**NEEDLING_15, "needle_mm": needle_mm})
    assert severities(plan, beginner, "MN-5") == (["warn"] if warns else [])


@pytest.mark.parametrize(
    ("needle_mm", "text"),
    [
        (0.499, "unlikely to stimulate"),
        (0.5, "stimulate the scalp"),
        (1.499, "stimulate the scalp"),
        (1.5, "is the length studies used"),
        (2.0, "is the length studies used"),
    ],
)
def test_mn6_what_each_length_does(healthy_man, needle_mm, text):
    plan = regimen({**NEEDLING_15, "needle_mm": needle_mm}, FINASTERIDE)
    (finding,) = findings(plan, healthy_man, "MN-6")
    assert text in finding.message


@pytest.mark.parametrize(
    ("device", "needle_mm", "informs"),
    [("roller", 1.5, False), ("roller", 1.501, True), ("pen", 2.0, False), ("stamp", 2.0, False)],
)
def test_mn14_home_rollers_up_to_one_and_a_half_millimetres(
    healthy_man, device, needle_mm, informs
):
    plan = regimen({**NEEDLING_15, "needle_mm": needle_mm, "device": device}, FINASTERIDE)
    assert severities(plan, healthy_man, "MN-14") == (["info"] if informs else [])


# --- MN-7 minoxidil after microneedling ----------------------------------------------


@pytest.mark.parametrize(("needle_mm", "blocks"), [(0.5, False), (0.501, True), (1.0, True)])
def test_mn7_needles_over_half_a_millimetre(healthy_man, needle_mm, blocks):
    plan = regimen(MINOXIDIL, {**NEEDLING_15, "needle_mm": needle_mm})
    assert ("block" in severities(plan, healthy_man, "MN-7")) is blocks


@pytest.mark.parametrize(("pause", "blocks"), [(23.9, True), (24, False), (48, False)])
def test_mn7_a_pause_of_24_hours(healthy_man, pause, blocks):
    plan = regimen({**MINOXIDIL, "pause_after_microneedling_hours": pause}, NEEDLING_15)
    assert ("block" in severities(plan, healthy_man, "MN-7")) is blocks


@pytest.mark.parametrize(
    ("minoxidil", "blocks"),
    [
        ({"start_day": 1}, True),  # the day after the only session: within 24 h
        ({"start_day": 2}, False),
        ({"start_day": 0, "stop_day": 1}, True),  # same day as the session
    ],
)
def test_mn7_the_day_of_the_session_and_the_next(healthy_man, minoxidil, blocks):
    only_session = {**NEEDLING_15, "stop_day": 1}  # one session, on day 0
    plan = regimen({**MINOXIDIL, **minoxidil}, only_session)
    assert ("block" in severities(plan, healthy_man, "MN-7")) is blocks


def test_mn7_minoxidil_stopped_before_the_session_is_fine(healthy_man):
    plan = regimen({**MINOXIDIL, "stop_day": 1}, {**NEEDLING_15, "start_day": 1})
    assert severities(plan, healthy_man, "MN-7") == []


# --- MN-8 device age -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_use", "expected"),
    [
        (-59, ["info"]),
        (-60, ["warn"]),
        (-61, ["warn"]),
        (-89, ["warn"]),
        (-90, ["block"]),
        (-91, ["block"]),
    ],
)
def test_mn8_warn_at_60_block_at_90_days(healthy_man, first_use, expected):
    plan = regimen({**NEEDLING_15, "device_first_use_day": first_use, "stop_day": 28}, FINASTERIDE)
    assert severities(plan, healthy_man, "MN-8") == expected


@pytest.mark.parametrize(("stop_day", "informs"), [(60, False), (61, True), (None, True)])
def test_mn8_a_course_longer_than_60_days_schedules_replacements(healthy_man, stop_day, informs):
    plan = regimen({**NEEDLING_15, "stop_day": stop_day}, FINASTERIDE)
    assert severities(plan, healthy_man, "MN-8") == (["info"] if informs else [])


# --- MN-10 alopecia areata during the course --------------------------------------------


@pytest.mark.parametrize(
    ("course", "blocks"),
    [
        ({"stop_day": 30}, False),  # course ends (exclusive) the day the episode starts
        ({"stop_day": 31}, True),
        ({"start_day": 89}, True),  # episode: days 30-89
        ({"start_day": 90}, False),  # starts the day the episode has ended
    ],
)
def test_mn10_episode_overlap_at_its_edges(course, blocks):
    episode = {"start_day": 30, "duration_days": 60, "region": "vertex"}
    plan = regimen({**NEEDLING_15, **course}, FINASTERIDE)
    who = person(alopecia_areata=[episode])
    assert ("block" in severities(plan, who, "MN-10")) is blocks


# --- RX-4 and intake: under 18 ----------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "blocks"), [(16, True), (17, True), (17.9, True), (18, False), (19, False)]
)
def test_rx4_minoxidil_under_18(age, blocks):
    who = person(
        age_years=age,
        hair_loss_onset="gradual",
        hair_loss_pattern="patterned",
        hair_loss_cause_known=True,
    )
    result = findings(regimen(MINOXIDIL), who, "RX-4")
    assert (["block"] if blocks else []) == [f.severity.value for f in result]
    if blocks:
        assert f"under 18 ({age:g})" in result[0].message


INTAKE = {
    "sex": "male",
    "age_years": 28,
    "pattern": "temples_crown",
    "onset": "gradual",
    "duration_months": 18,
    "family_history": "yes",
    "poor_wound_healing": "no",
    "keloid_history": "no",
}


@pytest.mark.parametrize(("age", "flagged"), [(16, True), (17, True), (18, False), (19, False)])
def test_intake_flags_topical_minoxidil_under_18(age, flagged):
    result = run_intake({**INTAKE, "age_years": age})
    rx4 = [f for f in result.red_flags if f.rule == "RX-4"]
    assert bool(rx4) is flagged
    status = {t.treatment: t.status for t in result.treatments}["minoxidil (topical)"]
    assert (status == "not now") is flagged
    if flagged:
        assert f"under 18 ({age:g})" in rx4[0].message


@pytest.mark.parametrize(("age", "ok"), [(11.9, False), (12, True), (100, True), (100.1, False)])
def test_intake_age_range(age, ok):
    if ok:
        assert run_intake({**INTAKE, "age_years": age}).person.age_years == age
    else:
        with pytest.raises(FollicleInputError, match="age_years"):
            run_intake({**INTAKE, "age_years": age})


# --- TL-3 planned adherence ------------------------------------------------------------


@pytest.mark.parametrize(("adherence", "warns"), [(0.79, True), (0.8, False), (0.81, False)])
def test_tl3_planned_adherence_below_80_percent(healthy_man, adherence, warns):
    plan = regimen({**FINASTERIDE, "adherence": adherence})
    assert severities(plan, healthy_man, "TL-3") == (["warn"] if warns else [])


# --- RX-6, RF-3: does treatment continue? ---------------------------------------------


@pytest.mark.parametrize(
    ("next_course", "warns"),
    [
        ({"start_day": 180}, False),  # starts the day the first stops: continued
        ({"start_day": 181}, True),  # a gap of a day
        ({"start_day": 100, "stop_day": 180}, True),  # ends with it: not continued
        ({"start_day": 100, "stop_day": 181}, False),
    ],
)
def test_rx6_a_medicine_continued_without_a_gap(healthy_man, next_course, warns):
    plan = regimen(
        {**FINASTERIDE, "stop_day": 180}, {"kind": "finasteride", "route": "topical", **next_course}
    )
    first = [f for f in findings(plan, healthy_man, "RX-6") if f.treatment == 0]
    assert bool(first) is warns


@pytest.mark.parametrize(
    ("stop_day", "warns"), [(30, True), (31, True), (32, False), (None, False)]
)
def test_rf3_medicine_must_continue_after_the_transplant_day(healthy_man, stop_day, warns):
    transplant = {"kind": "transplant", "day": 30, "grafts": 1500, "region": "frontal"}
    plan = regimen(transplant, {**FINASTERIDE, "stop_day": stop_day})
    assert severities(plan, healthy_man, "RF-3") == (["warn"] if warns else ["info"])
