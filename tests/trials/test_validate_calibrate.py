"""Targets files, validation (model vs published) and the calibration machinery."""

import json

import pytest
from typer.testing import CliRunner

from follicle.cli import app
from follicle.errors import FollicleInputError
from follicle.model.params import DEFAULT_PARAMETERS
from follicle.trials.calibrate import calibrate, check_free, load_parameter_set
from follicle.trials.targets import load_targets
from follicle.trials.validate import validate

runner = CliRunner()

HEADER = """
[regimen.untreated]
treatment = []
[regimen.placebo]
treatment = []
[regimen."minoxidil 5%"]
treatment = [{ kind = "minoxidil", concentration_percent = 5 }]
"""


def targets_file(path, targets: str):
    path.write_text(HEADER + targets)
    return path


# Targets of kinds the shipped file does not use: other endpoints, other populations
CUSTOM = """
[[target]]
id = "young-men-terminal-density"
source = "test"
population = { sex = "male", age_years = 22, androgen_sensitivity = 0.5 }
target_area = { region = "vertex", area_cm2 = 0.5 }
endpoint = "terminal_per_cm2"
value = 100
tolerance = 1000

[[target]]
id = "women-minoxidil-percent"
source = "test"
population = { sex = "female", age_years = [40, 50], androgen_sensitivity = "high" }
target_area = { region = "midscalp", area_cm2 = 0.5 }
arms = ["placebo", "minoxidil 5%"]
endpoint = "difference_in_percent_change"
column = "non_vellus_hairs"
day = 90
value = 1.0e6
tolerance = 1
"""


def test_shipped_targets_parse_and_keep_their_sources():
    targets = load_targets()
    assert len(targets.target) >= 14
    assert all(t.source for t in targets.target)


def test_validate_runs_targets_of_other_kinds(tmp_path):
    report = validate(targets_file(tmp_path / "t.toml", CUSTOM), n_per_arm=4, seed=2)
    table = report.table.set_index("id")
    assert table.loc["young-men-terminal-density", "pass"]  # within a huge tolerance
    assert not table.loc["women-minoxidil-percent", "pass"]  # a million percent: no
    assert table["model_ci_low"].le(table["model"]).all()
    assert report.passed == 1 and report.to_dict()["total"] == 2
    # the difference is the treated arm's mean minus the control arm's
    result = report.trials[1]
    values = result.values.groupby("arm")[result.trial.endpoint[0].label].mean()
    expected = values["minoxidil 5%"] - values["placebo"]
    assert table.loc["women-minoxidil-percent", "model"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('arms = ["nothing"]', "arms"),
        ('endpoint = "happiness"', "endpoint"),
        ('endpoint = "change"', "column"),
        ('endpoint = "difference_in_hair_count_change"', "two arms"),
    ],
)
def test_bad_targets_name_the_field(tmp_path, text, field):
    target = (
        '[[target]]\nid = "x"\nsource = "s"\npopulation = { sex = "male", age_years = 30 }\n'
        'endpoint = "density_per_cm2"\nvalue = 1\ntolerance = 1\n'
    )
    key = text.split(" = ")[0]
    lines = [line for line in target.splitlines() if not line.startswith(key + " ")]
    path = targets_file(tmp_path / "t.toml", "\n".join([*lines, text]) + "\n")
    with pytest.raises(FollicleInputError, match=field):
        load_targets(path)


def test_calibration_recovers_a_parameter_from_a_synthetic_target(tmp_path):
    """Publish the model's own value at damage_per_cycle = 0.6; the fit must find ~0.6."""
    population = '{ sex = "male", age_years = 24, androgen_sensitivity = 1.0 }'
    body = (
        f'[[target]]\nid = "synthetic"\nsource = "the model"\npopulation = {population}\n'
        'target_area = { region = "vertex", area_cm2 = 0.5 }\n'
        'endpoint = "non_vellus_per_cm2"\nvalue = VALUE\ntolerance = 5\n'
    )
    path = targets_file(tmp_path / "t.toml", body.replace("VALUE", "0"))
    truth = DEFAULT_PARAMETERS.replace(damage_per_cycle=0.6)
    published = validate(path, n_per_arm=6, seed=4, params=truth).table["model"].iloc[0]
    path = targets_file(tmp_path / "t.toml", body.replace("VALUE", repr(float(published))))
    result = calibrate(path, free=["damage_per_cycle"], n_per_arm=6, seed=4, max_evaluations=25)
    assert result.objective_fitted < result.objective_start
    assert result.objective_fitted < 0.05
    assert result.fitted["damage_per_cycle"] == pytest.approx(0.6, rel=0.15)
    # the written parameter set reads back, with provenance
    (tmp_path / "p.toml").write_text(result.to_toml())
    pset = load_parameter_set(tmp_path / "p.toml")
    assert pset.params.damage_per_cycle == pytest.approx(result.fitted["damage_per_cycle"])
    assert pset.provenance["free"] == ["damage_per_cycle"]
    # the one envelope, written to TOML and read back whole (no null in TOML: None left out)
    envelope = {k: v for k, v in result.provenance.items() if v is not None}
    assert envelope["verb"] == "calibrate" and envelope["inputs"][0]["role"] == "targets"
    envelope["inputs"] = [{k: v for k, v in r.items() if v is not None} for r in envelope["inputs"]]
    assert {k: pset.provenance[k] for k in envelope} == envelope


def test_only_calibrated_parameters_are_free():
    with pytest.raises(FollicleInputError, match=r"calibrated|one of"):
        check_free(["anagen_mean_days"])


def test_validate_cli_json_and_report(tmp_path):
    path = targets_file(tmp_path / "t.toml", CUSTOM)
    args = ["validate", "--targets", str(path), "--n-per-arm", "3", "--workers", "0"]
    args.append("--no-ensemble")  # the predictive check: tests/trials/test_predictive.py
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["total"] == 2 and {"published", "model", "pass"} <= set(payload["targets"][0])
    result = runner.invoke(app, [*args, "--report", str(tmp_path / "v.html")])
    assert result.exit_code == 0, result.output
    assert "FAIL" in result.output and "pass" in result.output
    assert "<img" in (tmp_path / "v.html").read_text()


def test_validate_cli_bad_targets_file(tmp_path):
    path = targets_file(tmp_path / "t.toml", "[[target]]\nid = 3\n")
    result = runner.invoke(app, ["validate", "--targets", str(path), "--workers", "0"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
