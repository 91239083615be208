"""Intake: likely pattern with reasons, red flags, contraindications, summaries, prompts."""

from __future__ import annotations

import json
import tomllib
from datetime import date

import pytest
from typer.testing import CliRunner

from follicle.care.intake import QUESTIONS, person_toml, run_intake
from follicle.care.plan import check_plan
from follicle.care.summary import to_html, to_markdown
from follicle.cli import app
from follicle.errors import FollicleInputError
from follicle.person import parse_person

MAN = {
    "sex": "male",
    "age_years": 28,
    "pattern": "temples_crown",
    "onset": "gradual",
    "duration_months": 18,
    "family_history": "yes",
    "poor_wound_healing": "no",
    "keloid_history": "no",
}


def screen(result):
    return {t.treatment: t.status for t in result.treatments}


def test_typical_male_pattern():
    result = run_intake(MAN)
    assert result.likely.pattern == "male_pattern"
    assert any("runs in the family" in r for r in result.likely.reasons)
    assert [f.rule for f in result.red_flags] == ["RF-1"]
    assert screen(result) == {
        "finasteride": "check first",  # RX-1: prescription medicine
        "dutasteride": "check first",
        "minoxidil (topical)": "no contraindication found",
        "minoxidil (oral)": "check first",  # RX-9: heart and blood pressure not answered
        "microneedling": "no contraindication found",
        "prp": "no contraindication found",
        "laser": "no contraindication found",
    }
    assert result.treatments[0].findings[0].rule == "RX-1"


def test_female_pattern_blocks_anti_androgens():
    answers = {**MAN, "sex": "female", "pattern": "widening_part", "pregnancy_possible": "yes"}
    result = run_intake(answers)
    assert result.likely.pattern == "female_pattern"
    assert screen(result)["finasteride"] == "not now"
    assert "RX-3" in {f.rule for f in result.treatments[0].findings}
    assert result.person.health.pregnancy_possible is True


def test_patches_suggest_alopecia_areata_and_refer():
    answers = {**MAN, "pattern": "patches", "onset": "sudden", "alopecia_areata_diagnosed": "yes"}
    result = run_intake(answers)
    assert result.likely.pattern == "alopecia_areata"
    assert {"RF-2", "RX-4", "RF-1"} <= {f.rule for f in result.red_flags}
    assert screen(result)["microneedling"] == "not now"  # MN-10
    assert screen(result)["minoxidil (topical)"] == "not now"  # RX-4 sudden/patchy


def test_shedding_after_a_trigger():
    answers = {
        **MAN,
        "pattern": "diffuse",
        "onset": "sudden",
        "shedding": "clumps",
        "triggers": ["illness_or_fever"],
    }
    result = run_intake(answers)
    assert result.likely.pattern == "shedding_after_trigger"
    assert "illness or fever" in result.likely.reasons[0]
    assert "RF-2" in {f.rule for f in result.red_flags}


def test_unclear_pattern_means_cause_unknown_for_minoxidil():
    result = run_intake({**MAN, "pattern": "other"})
    assert result.likely.pattern == "other"
    assert result.person.health.hair_loss_cause_known is False
    assert screen(result)["minoxidil (topical)"] == "not now"
    rx4 = next(f for f in result.red_flags if f.rule == "RX-4")
    assert "cause is unknown" in rx4.message


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        ({"scalp_symptoms": ["pustules"]}, "not now"),  # infection: MN-9
        ({"scalp_conditions": ["psoriasis"]}, "not now"),
        ({"keloid_history": "yes"}, "not now"),
        ({"poor_wound_healing": "yes"}, "not now"),
    ],
)
def test_microneedling_contraindications(answers, status):
    assert screen(run_intake({**MAN, **answers}))["microneedling"] == status


def test_red_scalp_or_under_18_flags_minoxidil():
    result = run_intake({**MAN, "scalp_symptoms": ["red", "itching"]})
    rx4 = next(f for f in result.red_flags if f.rule == "RX-4")
    assert "irritated, red" in rx4.message
    teen = run_intake({**MAN, "age_years": 16})
    assert "under 18" in next(f for f in teen.red_flags if f.rule == "RX-4").message
    assert screen(teen)["minoxidil (topical)"] == "not now"


def test_answers_are_validated():
    with pytest.raises(FollicleInputError, match="pattern = 'bald'"):
        run_intake({**MAN, "pattern": "bald"})
    with pytest.raises(FollicleInputError, match="pregnancy_possible"):
        run_intake({**MAN, "pregnancy_possible": "yes"})
    with pytest.raises(FollicleInputError, match="colour"):
        run_intake({**MAN, "colour": "red"})


def test_person_toml_round_trips_and_feeds_plan_check():
    answers = {
        **MAN,
        "current_medicines": ["finasteride"],
        "prescriber": "Dr Lee",
        "microneedling_experience": "yes",
    }
    result = run_intake(answers)
    person = parse_person(tomllib.loads(person_toml(result.person)))
    assert person == result.person
    assert person.health.prescriptions[0].prescriber == "Dr Lee"
    from care_helpers import regimen

    assert "RX-1" not in check_plan(regimen({"kind": "finasteride"}), person=person).rules_fired()


def test_summaries_say_the_same_thing_and_are_not_a_diagnosis():
    result = run_intake({**MAN, "scalp_symptoms": ["red"]}, today=date(2026, 3, 1))
    markdown = to_markdown(result)
    page = to_html(result)
    for text in (markdown, page):
        assert "2026-03-01" in text
        assert "not a diagnosis" in text
        assert "male pattern hair loss" in text
        assert "RX-4" in text and "RF-1" in text
    assert markdown.startswith("# Hair loss: summary for a consultation")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    evil = run_intake(
        {**MAN, "prescriber": "<script>alert(1)</script>", "current_medicines": ["finasteride"]}
    )
    assert "<script>" not in to_html(evil) and "&lt;script&gt;" in to_html(evil)


def test_every_question_is_an_answer_key():
    from follicle.care.intake import IntakeAnswers

    assert [q.key for q in QUESTIONS] == list(IntakeAnswers.model_fields)


# --- CLI ----------------------------------------------------------------------------

INTERACTIVE = [
    "female",  # sex
    "-3",  # age: each refused at once and asked again
    "0",
    "5",
    "150",
    "34",
    "bald",  # pattern: invalid, asked again
    "widening_part",
    "gradual",
    "24",
    "",  # shedding: default normal
    "",  # triggers: none
    "",  # body hair patches
    "itching, nope",  # scalp symptoms: invalid, asked again
    "",
    "",  # scalp conditions
    "ludwig_1",  # stage
    "yes",  # family history
    "no",  # pregnancy possible (asked: female)
    "no",  # breastfeeding (asked: female)
    "no",  # heart disease
    "normal",  # blood pressure
    "no",
    "no",
    "no",
    "",
    "",
    "",
    "",
]


def test_cli_interactive_prompts_driven_by_stdin(tmp_path):
    markdown, page = tmp_path / "s.md", tmp_path / "s.html"
    result = CliRunner().invoke(
        app,
        ["intake", "--markdown", str(markdown), "--html", str(page), "--json"],
        input="\n".join(INTERACTIVE) + "\n",
    )
    assert result.exit_code == 0, result.output
    # the test runner echoes the typed answers to stdout; a terminal shows them itself
    data = json.loads(result.stdout[result.stdout.index("{\n") :])
    assert data["likely"]["pattern"] == "female_pattern"
    assert data["answers"]["pregnancy_possible"] == "no"
    assert data["answers"]["shedding"] == "normal"
    assert "'bald' is not one of" in result.stderr
    assert "'nope' is not one of" in result.stderr
    for age in ("-3.0", "0.0", "5.0", "150.0"):
        assert f"age_years = {age} is not allowed; expected a number from 12 to 100" in (
            result.stderr
        )
    assert data["answers"]["age_years"] == 34
    assert data["answers"]["stage"] == "ludwig_1"
    assert data["answers"]["heart_condition"] == "no"
    assert markdown.read_text().startswith("# Hair loss")
    assert data["written"] == [str(markdown), str(page)]


def test_cli_answers_file_and_person_output(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text(
        "\n".join(f"{k} = {json.dumps(v)}" for k, v in MAN.items()) + "\n", encoding="utf-8"
    )
    person = tmp_path / "me.toml"
    result = CliRunner().invoke(
        app, ["intake", "--answers", str(answers), "--save-person", str(person)]
    )
    assert result.exit_code == 0, result.output
    assert "male pattern hair loss" in result.stdout
    assert "not a diagnosis" in result.stdout
    plan = tmp_path / "plan.toml"
    plan.write_text('[[treatment]]\nkind = "minoxidil"\n', encoding="utf-8")
    check = CliRunner().invoke(app, ["plan", "check", str(plan), "--person", str(person)])
    assert check.exit_code == 0, check.output


def test_cli_bad_answers_and_early_end(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({**MAN, "age_years": 7}), encoding="utf-8")
    result = CliRunner().invoke(app, ["intake", "--answers", str(answers)])
    assert result.exit_code == 2
    assert "age_years = 7" in result.stderr and len(result.stderr.splitlines()) == 1
    result = CliRunner().invoke(app, ["intake"], input="male\n")
    assert result.exit_code == 2
    assert "end of input" in result.stderr
