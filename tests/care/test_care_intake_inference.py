"""Intake: the likely pattern uses the answers it cites (realistic answer sets for each
pattern), unknown contraindications are "check first", new questions feed the rules, and
the saved person file states how its androgen sensitivity was chosen."""

from __future__ import annotations

import itertools
import json
import tomllib

import pytest
from typer.testing import CliRunner

from follicle.care.intake import run_intake
from follicle.cli import app

# The case from issue 14: a woman of 31, widening parting, gradual over 18 months, family
# history, a baby in the months before and more shedding than usual.
POSTPARTUM_FPHL = {
    "sex": "female",
    "age_years": 31,
    "pattern": "widening_part",
    "onset": "gradual",
    "duration_months": 18,
    "shedding": "increased",
    "triggers": ["childbirth"],
    "family_history": "yes",
    "pregnancy_possible": "yes",
    "breastfeeding": "yes",
    "poor_wound_healing": "no",
    "keloid_history": "no",
}
MALE_PATTERN = {
    "sex": "male",
    "age_years": 34,
    "pattern": "temples_crown",
    "onset": "gradual",
    "duration_months": 60,
    "shedding": "normal",
    "family_history": "yes",
    "stage": "norwood_3v",
}
ALOPECIA_AREATA = {
    "sex": "male",
    "age_years": 24,
    "pattern": "patches",
    "onset": "sudden",
    "duration_months": 2,
    "shedding": "clumps",
    "body_hair_patches": "yes",
    "family_history": "no",
}
TELOGEN_EFFLUVIUM = {
    "sex": "female",
    "age_years": 29,
    "pattern": "diffuse",
    "onset": "sudden",
    "duration_months": 2,
    "shedding": "clumps",
    "triggers": ["illness_or_fever"],
    "family_history": "no",
}
UNCLEAR = {
    "sex": "male",
    "age_years": 40,
    "pattern": "widening_part",
    "onset": "gradual",
    "duration_months": 12,
    "family_history": "unknown",
}


def reasons(result) -> str:
    return " | ".join(result.likely.reasons)


def test_issue_case_is_female_pattern_and_reasons_match_the_answers():
    result = run_intake(POSTPARTUM_FPHL)
    assert result.likely.pattern == "female_pattern"
    text = reasons(result)
    assert "widening parting" in text and "typical distribution in females" in text
    assert "gradually, over 18 months" in text
    assert "runs in the family" in text
    assert "childbirth" in text and "more hair than usual" in text
    assert "sudden" not in text and "all over" not in text
    assert result.likely.to_dict()["also_consider"] == [
        "shedding after a trigger (telogen effluvium)"
    ]


@pytest.mark.parametrize(
    ("answers", "pattern", "expected"),
    [
        (MALE_PATTERN, "male_pattern", ["temples", "gradually, over 60 months", "norwood 3v"]),
        (ALOPECIA_AREATA, "alopecia_areata", ["round or oval", "eyebrows", "suddenly"]),
        (TELOGEN_EFFLUVIUM, "shedding_after_trigger", ["illness or fever", "clumps", "all over"]),
        (UNCLEAR, "other", ["does not fit one pattern clearly for a male"]),
        (
            {**TELOGEN_EFFLUVIUM, "onset": "gradual", "shedding": "normal", "triggers": []},
            "female_pattern",
            ["thinning all over, in a woman"],
        ),
    ],
)
def test_each_pattern_with_a_realistic_answer_set(answers, pattern, expected):
    result = run_intake(answers)
    assert result.likely.pattern == pattern
    for words in expected:
        assert words in reasons(result)


def test_long_lasting_shedding_says_so():
    result = run_intake({**TELOGEN_EFFLUVIUM, "duration_months": 14})
    assert result.likely.pattern == "shedding_after_trigger"
    assert "lasted 14 months" in reasons(result)


GRID = list(
    itertools.product(
        ("male", "female"),
        ("temples_crown", "widening_part", "diffuse", "other"),
        ("gradual", "sudden"),
        ("normal", "increased", "clumps"),
        ((), ("childbirth",)),
        ("yes", "no"),
    )
)


@pytest.mark.parametrize(("sex", "pattern", "onset", "shedding", "triggers", "family"), GRID)
def test_reasons_never_contradict_the_answers(sex, pattern, onset, shedding, triggers, family):
    answers = {
        "sex": sex,
        "age_years": 35,
        "pattern": pattern,
        "onset": onset,
        "duration_months": 12,
        "shedding": shedding,
        "triggers": list(triggers),
        "family_history": family,
    }
    text = reasons(run_intake(answers))
    if onset != "sudden":
        assert "sudden" not in text
    if onset != "gradual":
        assert "gradually" not in text
    if pattern != "diffuse":
        assert "all over" not in text
    if not triggers:
        assert "childbirth" not in text and "trigger in the" not in text
    if shedding != "clumps":
        assert "clumps" not in text
    if shedding != "increased":
        assert "more hair than usual" not in text
    if family != "yes":
        assert "family" not in text


def screen(result):
    return {t.treatment: t for t in result.treatments}


def test_unknown_keloid_history_is_check_first():
    result = run_intake({**MALE_PATTERN, "poor_wound_healing": "no"})  # keloid unknown
    needling = screen(result)["microneedling"]
    assert needling.status == "check first"
    (finding,) = [f for f in needling.findings if f.rule == "MN-9"]
    assert finding.severity.value == "warn" and "keloid" in finding.message
    assert "clinician" in finding.message


def test_irritated_scalp_warns_against_microneedling():
    result = run_intake(
        {
            **MALE_PATTERN,
            "poor_wound_healing": "no",
            "keloid_history": "no",
            "scalp_symptoms": ["itching"],
        }
    )
    needling = screen(result)["microneedling"]
    assert needling.status == "check first"
    assert "MN-16" in {f.rule for f in needling.findings}


def test_pregnancy_and_breastfeeding_caution_topical_minoxidil():
    result = run_intake(POSTPARTUM_FPHL)
    topical = screen(result)["minoxidil (topical)"]
    assert topical.status == "check first"
    (rx8,) = [f for f in topical.findings if f.rule == "RX-8"]
    assert "pregnant" in rx8.message and "breastfeeding" in rx8.message
    assert result.person.health.breastfeeding is True


def test_heart_disease_blocks_oral_minoxidil_and_questions_are_asked():
    result = run_intake({**MALE_PATTERN, "heart_condition": "yes", "blood_pressure": "normal"})
    oral = screen(result)["minoxidil (oral)"]
    assert oral.status == "not now" and oral.findings[0].rule == "RX-9"
    assert screen(result)["minoxidil (topical)"].status == "check first"  # RX-9 topical
    fine = run_intake({**MALE_PATTERN, "heart_condition": "no", "blood_pressure": "normal"})
    assert "RX-9" not in {f.rule for f in screen(fine)["minoxidil (oral)"].findings}


def test_finasteride_counselling_is_shown():
    finasteride = screen(run_intake(MALE_PATTERN))["finasteride"]
    (rx7,) = [f for f in finasteride.findings if f.rule == "RX-7"]
    for words in ("sexual side effects", "depression", "breast", "semen", "PSA"):
        assert words in rx7.message


def test_saved_person_has_estimated_sensitivity_stated_as_such(tmp_path):
    answers = tmp_path / "a.toml"
    data = {**MALE_PATTERN, "stage": "norwood_5"}
    answers.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in data.items()))
    me = tmp_path / "me.toml"
    result = CliRunner().invoke(
        app, ["intake", "--answers", str(answers), "--save-person", str(me)]
    )
    assert result.exit_code == 0, result.output
    text = me.read_text(encoding="utf-8")
    assert tomllib.loads(text)["androgen_sensitivity"] == "high"
    assert "# androgen_sensitivity: estimated from the stage you gave (norwood 5)" in text
    no_stage = run_intake({**MALE_PATTERN, "stage": "unknown"})
    assert "not estimated (no stage given)" in no_stage.person_file()
    assert 'androgen_sensitivity = "moderate"' in no_stage.person_file()
