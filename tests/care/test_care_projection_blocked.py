"""`follicle project` does not project a regimen that a care rule blocks for the person."""

from __future__ import annotations

import json

from care_helpers import FINASTERIDE, MINOXIDIL, person, regimen
from typer.testing import CliRunner

from follicle.care.projection import project
from follicle.cli import app

runner = CliRunner()


def test_library_leaves_out_a_blocked_regimen_and_says_why():
    woman = person(sex="female", age_years=31, pregnancy_possible=True)
    plans = {"finasteride": regimen(FINASTERIDE), "minoxidil": regimen(MINOXIDIL)}
    result = project(woman, plans, years=0.5, futures=5, seed=1)
    assert set(result.blocked) == {"finasteride"}
    assert [f.rule for f in result.blocked["finasteride"]] == ["RX-3"]
    assert set(result.bands["regimen"]) == {"no treatment", "minoxidil"}
    data = result.to_dict()
    assert data["blocked"]["finasteride"][0]["rule"] == "RX-3"
    assert data["provenance"]["blocked_not_projected"] == ["finasteride"]


def test_cli_mn7_violating_plan_is_not_projected():
    result = runner.invoke(
        app,
        [
            "project",
            "examples/care/person.toml",
            "--regimen",
            "examples/care/plan-violation.toml",
            "--years",
            "1",
            "--futures",
            "5",
            "--seed",
            "1",
        ],
        env={"COLUMNS": "100"},
    )
    assert result.exit_code == 1, result.output
    text = " ".join(result.stdout.split())
    assert "Not projected: Finasteride, minoxidil and microneedling is blocked by MN-7" in text
    assert "BLOCK MN-7" in text
    assert "vs none" in text  # the table still shows no treatment
    table = result.stdout.split("Not projected")[0]
    assert "Finasteride, minoxidil and microneedling" not in table


def test_cli_rx3_blocked_for_a_woman_who_may_become_pregnant(tmp_path):
    me = tmp_path / "me.toml"
    me.write_text(
        'sex = "female"\nage_years = 31\n[health]\npregnancy_possible = true\n', encoding="utf-8"
    )
    result = runner.invoke(
        app,
        [
            "project",
            str(me),
            "--regimen",
            "examples/finasteride.toml",
            "--years",
            "1",
            "--futures",
            "5",
            "--seed",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    (label,) = data["blocked"]
    assert data["blocked"][label][0]["rule"] == "RX-3"
    assert {row["regimen"] for row in data["bands"]} == {"no treatment"}


def test_a_plan_that_passes_is_projected():
    result = project(person(), {"finasteride": regimen(FINASTERIDE)}, years=0.5, futures=5, seed=1)
    assert result.blocked == {}
    assert "finasteride" in set(result.bands["regimen"])


def test_project_says_when_it_uses_the_default_sensitivity(tmp_path):
    me = tmp_path / "me.toml"
    me.write_text('sex = "male"\nage_years = 30\n', encoding="utf-8")
    args = ["--regimen", "examples/finasteride.toml", "--years", "1", "--futures", "5"]
    result = runner.invoke(app, ["project", str(me), *args, "--seed", "1"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "androgen sensitivity: default ('moderate'): the person file does not set" in text
    given = runner.invoke(app, ["project", "examples/man-25-high.toml", *args, "--json"])
    provenance = json.loads(given.stdout)["provenance"]
    assert provenance["androgen_sensitivity_source"] == "person file"
