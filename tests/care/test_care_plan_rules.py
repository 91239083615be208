"""check_plan: each rule fires for the plans it is about and stays quiet otherwise."""

from __future__ import annotations

import pytest
from care_helpers import FINASTERIDE, MINOXIDIL, MINOXIDIL_PAUSED, NEEDLING_15, person, regimen

from follicle.care.findings import Severity
from follicle.care.plan import check_plan
from follicle.care.rules.catalogue import RULE_IDS


def fired(result, severity=None):
    return result.rules_fired(Severity(severity) if severity else None)


def test_every_finding_cites_a_known_rule_and_says_what_to_do_for_blocks(healthy_man):
    plan = regimen(
        MINOXIDIL,
        NEEDLING_15,
        FINASTERIDE,
        {"kind": "transplant", "grafts": 1000, "region": "frontal"},
    )
    result = check_plan(plan, person=healthy_man)
    for finding in result.findings:
        assert finding.rule in RULE_IDS
        assert finding.message
        if finding.severity is not Severity.INFO:
            assert finding.instead, finding
    severities = [f.severity.rank for f in result.findings]
    assert severities == sorted(severities)


# --- MN-7 ------------------------------------------------------------------------


def test_mn7_blocks_minoxidil_without_pause_and_says_how_to_fix(healthy_man):
    result = check_plan(regimen(MINOXIDIL, NEEDLING_15), person=healthy_man)
    assert not result.ok
    (block,) = result.blocks
    assert block.rule == "MN-7"
    assert block.treatment == 0
    assert "pause_after_microneedling_hours = 24" in block.instead


@pytest.mark.parametrize("pause", [0, 12, 23.5])
def test_mn7_blocks_a_pause_shorter_than_24_hours(healthy_man, pause):
    plan = regimen({**MINOXIDIL, "pause_after_microneedling_hours": pause}, NEEDLING_15)
    result = check_plan(plan, person=healthy_man)
    assert "MN-7" in fired(result, "block")
    assert f"only {pause:g} h" in result.blocks[0].message


def test_mn7_fixed_by_a_24_hour_pause(healthy_man):
    result = check_plan(regimen(MINOXIDIL_PAUSED, NEEDLING_15), person=healthy_man)
    assert result.ok, result.blocks
    assert "MN-7" not in fired(result)


@pytest.mark.parametrize("needle_mm", [0.25, 0.5])
def test_mn7_short_needles_need_no_pause(healthy_man, needle_mm):
    plan = regimen(MINOXIDIL, {**NEEDLING_15, "needle_mm": needle_mm})
    assert "MN-7" not in fired(check_plan(plan, person=healthy_man))


def test_mn7_oral_minoxidil_is_not_affected(healthy_man):
    plan = regimen({"kind": "minoxidil", "route": "oral", "dose_mg": 2.5}, NEEDLING_15)
    assert "MN-7" not in fired(check_plan(plan, person=healthy_man))


def test_mn7_courses_that_never_meet_do_not_conflict(healthy_man):
    plan = regimen({**MINOXIDIL, "start_day": 100}, {**NEEDLING_15, "stop_day": 50})
    assert "MN-7" not in fired(check_plan(plan, person=healthy_man))
    # a session on day 99 (start 64, every 7 days: 64..99) is followed by minoxidil on day 100
    plan = regimen({**MINOXIDIL, "start_day": 100}, {**NEEDLING_15, "start_day": 64})
    block = check_plan(plan, person=healthy_man).blocks[0]
    assert block.rule == "MN-7" and "first on day 99" in block.message


# --- MN-3, MN-4, MN-5, MN-6, MN-8 ----------------------------------------------------


@pytest.mark.parametrize(("minutes", "warns"), [(5, True), (10, False), (15, False), (30, True)])
def test_mn3_session_length(healthy_man, minutes, warns):
    plan = regimen({**NEEDLING_15, "session_minutes": minutes}, FINASTERIDE)
    assert ("MN-3" in fired(check_plan(plan, person=healthy_man), "warn")) is warns


@pytest.mark.parametrize(
    ("needle_mm", "interval_days", "expected"),
    [
        (1.5, 3, "block"),
        (1.0, 6, "block"),
        (1.0, 7, None),
        (1.5, 21, None),
        (1.5, 28, "warn"),
        (0.5, 2, None),
        (0.75, 30, None),
    ],
)
def test_mn4_interval(healthy_man, needle_mm, interval_days, expected):
    plan = regimen(
        {"kind": "microneedling", "needle_mm": needle_mm, "interval_days": interval_days},
        FINASTERIDE,
    )
    result = check_plan(plan, person=healthy_man)
    mn4 = [f for f in result.findings if f.rule == "MN-4"]
    assert [f.severity.value for f in mn4] == ([expected] if expected else [])


def test_mn4_two_weekly_courses_that_overlap_are_too_frequent(healthy_man):
    plan = regimen(NEEDLING_15, {**NEEDLING_15, "start_day": 3}, FINASTERIDE)
    result = check_plan(plan, person=healthy_man)
    (block,) = [f for f in result.blocks if f.rule == "MN-4"]
    assert "days 0 and 3" in block.message
    # back to back courses are fine
    plan = regimen({**NEEDLING_15, "stop_day": 28}, {**NEEDLING_15, "start_day": 28})
    assert "MN-4" not in fired(check_plan(plan, person=healthy_man))


def test_mn5_beginners_start_at_half_a_millimetre():
    beginner = person(microneedling_experience=False)
    result = check_plan(regimen(NEEDLING_15), person=beginner)
    (warning,) = [f for f in result.findings if f.rule == "MN-5"]
    assert warning.severity is Severity.WARN
    assert warning.message.startswith("You have not microneedled before")
    plan = regimen(
        {**NEEDLING_15, "needle_mm": 0.5, "stop_day": 56}, {**NEEDLING_15, "start_day": 56}
    )
    assert "MN-5" not in fired(check_plan(plan, person=beginner))
    experienced = person(microneedling_experience=True)
    assert "MN-5" not in fired(check_plan(regimen(NEEDLING_15), person=experienced))


def test_mn6_says_what_each_length_does(healthy_man):
    plan = regimen({**NEEDLING_15, "needle_mm": 0.25}, {**NEEDLING_15, "start_day": 200})
    messages = [
        f.message for f in check_plan(plan, person=healthy_man).findings if f.rule == "MN-6"
    ]
    assert "unlikely to stimulate" in messages[0]
    assert "reach the follicle bulge" in messages[1]


@pytest.mark.parametrize(
    ("first_use", "expected"), [(-100, "block"), (-90, "block"), (-60, "warn"), (-59, "info")]
)
def test_mn8_roller_age_at_the_first_session(healthy_man, first_use, expected):
    plan = regimen({**NEEDLING_15, "device_first_use_day": first_use}, FINASTERIDE)
    (finding,) = [f for f in check_plan(plan, person=healthy_man).findings if f.rule == "MN-8"]
    assert finding.severity.value == expected


def test_mn8_pens_have_cartridges(healthy_man):
    plan = regimen({**NEEDLING_15, "device": "pen", "device_first_use_day": -200}, FINASTERIDE)
    assert "MN-8" not in fired(check_plan(plan, person=healthy_man))


# --- MN-9, MN-10 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "health",
    [
        {"scalp_conditions": ["acne"]},
        {"scalp_conditions": ["infection"]},
        {"scalp_conditions": ["psoriasis"]},
        {"scalp_conditions": ["eczema"]},
        {"poor_wound_healing": True},
        {"keloid_history": True},
    ],
)
def test_mn9_contraindications_block(health):
    result = check_plan(regimen(NEEDLING_15, FINASTERIDE), person=person(**health))
    assert "MN-9" in fired(result, "block")


def test_mn9_without_a_profile_says_check_with_a_clinician_first():
    result = check_plan(regimen(NEEDLING_15))
    (finding,) = [f for f in result.findings if f.rule == "MN-9"]
    assert finding.severity is Severity.WARN and "keloid" in finding.message
    assert "MN-9" not in fired(check_plan(regimen(FINASTERIDE)))


def test_mn10_active_alopecia_areata_blocks_until_cleared():
    plan = regimen(NEEDLING_15, FINASTERIDE)
    assert "MN-10" in fired(check_plan(plan, person=person(active_alopecia_areata=True)), "block")
    cleared = person(active_alopecia_areata=True, clearances=[{"rule": "MN-10", "by": "Dr Ng"}])
    result = check_plan(plan, person=cleared)
    assert "MN-10" not in fired(result, "block")
    assert "Dr Ng" in next(f.message for f in result.findings if f.rule == "MN-10")


def test_mn10_without_a_profile_is_a_reminder():
    (finding,) = [f for f in check_plan(regimen(NEEDLING_15)).findings if f.rule == "MN-10"]
    assert finding.severity is Severity.INFO and "consult a doctor" in finding.message
    assert "MN-10" not in fired(check_plan(regimen(NEEDLING_15), person=person()))


def test_mn10_alopecia_episode_during_the_course_blocks():
    episode = {"start_day": 30, "duration_days": 60, "region": "vertex"}
    plan = regimen({**NEEDLING_15, "stop_day": 20}, FINASTERIDE)
    assert "MN-10" not in fired(check_plan(plan, person=person(alopecia_areata=[episode])))
    plan = regimen({**NEEDLING_15, "stop_day": 40}, FINASTERIDE)
    assert "MN-10" in fired(check_plan(plan, person=person(alopecia_areata=[episode])), "block")


# --- MN-13, MN-14, MN-15, MN-1, MN-2 ---------------------------------------------------


def test_microneedling_information_rules(healthy_man):
    alone = check_plan(regimen({**NEEDLING_15, "needle_mm": 2.0}), person=healthy_man)
    assert {"MN-1", "MN-2", "MN-13", "MN-14", "MN-15"} <= fired(alone, "info")
    combined = check_plan(regimen(NEEDLING_15, FINASTERIDE), person=healthy_man)
    assert "MN-13" not in fired(combined) and "MN-14" not in fired(combined)
    without = check_plan(regimen(FINASTERIDE), person=healthy_man)
    assert not {"MN-1", "MN-2", "MN-13", "MN-15"} & fired(without)


# --- RX ---------------------------------------------------------------------------


def test_rx1_prescription_medicines_need_a_prescriber(healthy_man):
    assert "RX-1" in fired(check_plan(regimen(FINASTERIDE), person=person()), "warn")
    assert "RX-1" not in fired(check_plan(regimen(FINASTERIDE), person=healthy_man))
    dutasteride = regimen({"kind": "dutasteride"})
    assert "RX-1" in fired(check_plan(dutasteride, person=healthy_man), "warn")


def test_rx2_combination_information():
    both = check_plan(regimen(FINASTERIDE, MINOXIDIL))
    assert "94%" in next(f.message for f in both.findings if f.rule == "RX-2")
    assert "RX-2" not in fired(check_plan(regimen(NEEDLING_15)))


def test_rx3_blocks_anti_androgens_for_women_unless_overridden():
    plan = regimen(FINASTERIDE)
    result = check_plan(plan, person=person(sex="female", pregnancy_possible=True))
    (block,) = result.blocks
    assert block.rule == "RX-3" and "crushed or broken tablets" in block.message
    assert "RX-3" in fired(
        check_plan(regimen({"kind": "dutasteride"}), person=person(sex="female")), "block"
    )
    override = person(sex="female", clearances=[{"rule": "RX-3", "by": "Dr Ng"}])
    assert check_plan(plan, person=override).ok
    assert "RX-3" in fired(check_plan(plan, person=person()), "info")
    assert "RX-3" in fired(check_plan(plan), "warn")


@pytest.mark.parametrize(
    ("age", "health", "reason"),
    [
        (30, {"hair_loss_onset": "sudden"}, "sudden"),
        (30, {"hair_loss_pattern": "patchy"}, "patchy"),
        (30, {"hair_loss_cause_known": False}, "unknown"),
        (16, {}, "under 18"),
        (30, {"scalp_conditions": ["red"]}, "red"),
        (30, {"scalp_conditions": ["painful", "irritated"]}, "painful, irritated"),
    ],
)
def test_rx4_minoxidil_label_blocks(age, health, reason):
    result = check_plan(regimen(MINOXIDIL), person=person(age_years=age, **health))
    (block,) = [f for f in result.blocks if f.rule == "RX-4"]
    assert reason in block.message
    cleared = person(age_years=age, clearances=[{"rule": "RX-4", "by": "Dr Ng"}], **health)
    assert "RX-4" in fired(check_plan(regimen(MINOXIDIL), person=cleared), "info")


def test_rx4_does_not_apply_to_a_healthy_adult_or_oral_minoxidil(healthy_man):
    assert "RX-4" not in fired(check_plan(regimen(MINOXIDIL), person=healthy_man))
    oral = regimen({"kind": "minoxidil", "route": "oral"})
    assert "RX-4" not in fired(check_plan(oral, person=person(hair_loss_onset="sudden")))


def test_rx5_and_tl2_with_minoxidil(healthy_man):
    result = check_plan(regimen(MINOXIDIL), person=healthy_man)
    assert {"RX-5", "TL-2"} <= fired(result, "info")
    assert not {"RX-5", "TL-2"} & fired(check_plan(regimen(FINASTERIDE), person=healthy_man))


def test_rx6_warns_when_a_medicine_stops(healthy_man):
    result = check_plan(regimen({**FINASTERIDE, "stop_day": 180}), person=healthy_man)
    (warning,) = [f for f in result.findings if f.rule == "RX-6"]
    assert "day 180" in warning.message and "about a year" in warning.message
    continued = regimen(
        {**FINASTERIDE, "stop_day": 180},
        {"kind": "finasteride", "route": "topical", "start_day": 180},
    )
    assert "RX-6" not in fired(check_plan(continued, person=healthy_man))


# --- TL, RF ------------------------------------------------------------------------


def test_timing_and_referral_information_is_in_every_plan():
    result = check_plan(regimen())
    assert {"TL-1", "TL-4", "RF-1"} <= fired(result, "info")
    assert result.ok


def test_tl3_low_planned_adherence_warns(healthy_man):
    plan = regimen({**FINASTERIDE, "adherence": 0.7})
    assert "TL-3" in fired(check_plan(plan, person=healthy_man), "warn")
    plan = regimen({**FINASTERIDE, "adherence": 0.8})
    assert "TL-3" not in fired(check_plan(plan, person=healthy_man))


def test_rf1_acknowledges_a_confirmed_cause(healthy_man):
    result = check_plan(regimen(FINASTERIDE), person=healthy_man)
    assert "review this plan" in next(f.message for f in result.findings if f.rule == "RF-1")


@pytest.mark.parametrize("health", [{"hair_loss_onset": "sudden"}, {"hair_loss_pattern": "patchy"}])
def test_rf2_refers_sudden_or_patchy_loss(health):
    result = check_plan(regimen(FINASTERIDE), person=person(**health))
    (finding,) = [f for f in result.findings if f.rule == "RF-2"]
    assert finding.severity is Severity.WARN and finding.triage.value == "clinician"


def test_rf3_transplant_needs_continued_treatment(healthy_man):
    transplant = {"kind": "transplant", "day": 30, "grafts": 1500, "region": "frontal"}
    alone = check_plan(regimen(transplant), person=healthy_man)
    assert "RF-3" in fired(alone, "warn")
    with_medicine = check_plan(regimen(transplant, FINASTERIDE), person=healthy_man)
    assert "RF-3" in fired(with_medicine, "info")


def test_check_plan_reads_paths(tmp_path):
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text('[[treatment]]\nkind = "finasteride"\n', encoding="utf-8")
    person_file = tmp_path / "me.toml"
    person_file.write_text('sex = "female"\nage_years = 30\n', encoding="utf-8")
    result = check_plan(plan_file, person=person_file)
    assert result.blocks[0].rule == "RX-3"
    data = result.to_dict()
    assert data["ok"] is False and data["counts"]["block"] == 1
    assert data["findings"][0]["rule"] == "RX-3"
