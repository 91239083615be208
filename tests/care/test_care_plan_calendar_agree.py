"""`plan check` refuses every plan that `plan calendar` refuses (same exit code family)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from follicle.cli import app

runner = CliRunner()
PERSON = """sex = "male"
age_years = 30
[health]
microneedling_experience = true
poor_wound_healing = false
keloid_history = false
hair_loss_onset = "gradual"
hair_loss_pattern = "patterned"
hair_loss_cause_known = true
prescriptions = [{ medicine = "finasteride", prescriber = "Dr Lee" }]
"""
PLANS = {
    "two deep sessions a day": """[[treatment]]
kind = "microneedling"
needle_mm = 1.5
interval_days = 7
times_of_day = ["08:00", "20:00"]
""",
    "two shallow sessions a day": """[[treatment]]
kind = "microneedling"
needle_mm = 0.5
interval_days = 7
times_of_day = ["08:00", "20:00"]
""",
    "three times for two applications": """[[treatment]]
kind = "minoxidil"
concentration_percent = 5
applications_per_day = 2
times_of_day = ["08:00", "14:00", "20:00"]
""",
    "finasteride twice a day": """[[treatment]]
kind = "finasteride"
dose_mg = 1
times_of_day = ["08:00", "20:00"]
""",
    "laser twice a day": """[[treatment]]
kind = "laser"
times_of_day = ["08:00", "20:00"]
""",
    "a valid plan": """[[treatment]]
kind = "minoxidil"
concentration_percent = 5
applications_per_day = 2
times_of_day = ["09:00", "21:00"]
""",
}


@pytest.mark.parametrize("name", sorted(PLANS))
def test_plan_check_refuses_what_the_calendar_refuses(name, tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(f'name = "{name}"\n' + PLANS[name], encoding="utf-8")
    person = tmp_path / "me.toml"
    person.write_text(PERSON, encoding="utf-8")
    check = runner.invoke(app, ["plan", "check", str(plan), "--person", str(person)])
    calendar = runner.invoke(
        app,
        [
            "plan",
            "calendar",
            str(plan),
            "--person",
            str(person),
            "--start",
            "2026-03-02",
            "--tz",
            "UTC",
            "-o",
            str(tmp_path / "plan.ics"),
        ],
    )
    assert "Traceback" not in check.output + calendar.output
    assert (check.exit_code == 0) == (calendar.exit_code == 0), (check.output, calendar.output)
    assert check.exit_code == calendar.exit_code
    if name == "a valid plan":
        assert check.exit_code == 0
    else:
        assert check.exit_code in (1, 2)


def test_two_deep_sessions_a_day_is_an_mn4_block(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(PLANS["two deep sessions a day"], encoding="utf-8")
    result = runner.invoke(app, ["plan", "check", str(plan), "--json"])
    assert result.exit_code == 1
    blocks = [f for f in json.loads(result.stdout)["findings"] if f["severity"] == "block"]
    assert [f["rule"] for f in blocks] == ["MN-4"]
    assert "2 sessions on each session day" in blocks[0]["message"]
