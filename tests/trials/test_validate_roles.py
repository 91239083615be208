"""`follicle validate` reports fitted and held-out targets apart (installed command)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
