"""`follicle validate` reports fitted and held-out targets apart (installed command)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from follicle.trials.calibration_config import load_calibration_settings

FOLLICLE = str(Path(sys.executable).with_name("follicle"))
STEADY = ["--only", "steady-state-*", "--n-per-arm", "6", "--workers", "0", "--no-ensemble"]


def run(*args):
    return subprocess.run([FOLLICLE, *args], capture_output=True, text=True, check=False)


def test_json_counts_each_role_and_tags_each_target(tmp_path):
    done = run("validate", *STEADY, "--json", "--report", str(tmp_path / "v.html"))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    held = set(load_calibration_settings().split.holdout)
    roles = {row["id"]: row["role"] for row in data["targets"]}
    assert roles == {i: ("holdout" if i in held else "fit") for i in roles}
    counts = data["passed_by_role"]
    assert counts["fit"]["total"] + counts["holdout"]["total"] == data["total"] == 3
    assert counts["fit"]["passed"] + counts["holdout"]["passed"] == data["passed"]
    page = (tmp_path / "v.html").read_text()
    assert page.index("Fitted targets") < page.index("Held-out targets")


def test_text_prints_two_tables_with_their_pass_counts():
    done = run("validate", *STEADY)
    assert done.returncode == 0, done.stderr
    assert "fitted targets (calibration used them)" in done.stdout
    assert "held-out targets (no fit saw them" in done.stdout
    assert "fitted targets pass" in done.stdout and "held-out targets pass" in done.stdout


def test_calibrate_refuses_when_every_target_is_held_out(tmp_path):
    done = run("calibrate", "--only", "steady-state-shedding", "--output", str(tmp_path / "x.toml"))
    assert done.returncode == 2 and "held out" in done.stderr + done.stdout
    assert not (tmp_path / "x.toml").exists()


def test_informed_held_out_targets_are_marked_in_json_text_and_report(tmp_path):
    """calibration.toml's split.informed (held-out targets after whose misses a model
    change was looked for) reaches every output of the installed command."""
    informed = set(load_calibration_settings().split.informed)
    assert informed == {"hu2015-12m-combination"}
    args = ["--only", "hu2015-12m-combination", "--only", "steady-state-anagen"]
    quick = ["--n-per-arm", "6", "--workers", "0", "--no-ensemble"]
    done = run("validate", *args, *quick, "--json", "--report", str(tmp_path / "v.html"))
    assert done.returncode in (0, 1), done.stderr
    flags = {row["id"]: row["informed"] for row in json.loads(done.stdout)["targets"]}
    assert flags == {"hu2015-12m-combination": True, "steady-state-anagen": False}
    page = (tmp_path / "v.html").read_text()
    assert "Informed: hu2015-12m-combination" in page and "weaker evidence" in page
    text = run("validate", *args, *quick).stdout
    assert "hu2015-12m-combination *" in text and "* informed" in text


def test_an_informed_target_must_be_held_out(tmp_path):
    settings = tmp_path / "calibration.toml"
    settings.write_text(
        '[split]\nholdout = ["steady-state-shedding"]\ninformed = ["steady-state-anagen"]\n\n'
        '[ensemble]\nfree = ["damage_per_cycle"]\n'
    )
    from follicle.errors import FollicleInputError

    with pytest.raises(FollicleInputError, match=r"split\.informed.*steady-state-anagen"):
        load_calibration_settings(settings)
