"""`follicle validate --only` and `follicle calibrate --only`: choosing targets."""

import pytest

from follicle.errors import FollicleInputError
from follicle.trials.targets import load_targets, select_targets


def test_patterns_select_targets_and_keep_regimens():
    targets = load_targets(None)
    chosen = select_targets(targets, ["hu2015-*", "steady-state-anagen"])
    ids = [t.id for t in chosen.target]
    assert ids == [
        t.id for t in targets.target if t.id.startswith("hu2015-") or t.id == "steady-state-anagen"
    ]
    assert chosen.regimen == targets.regimen
    assert select_targets(targets, None) is targets


def test_no_match_is_an_input_error():
    with pytest.raises(FollicleInputError, match="--only"):
        select_targets(load_targets(None), ["nothing-*"])


def test_calibrate_only_refuses_an_unknown_target_in_one_line(tmp_path):
    from typer.testing import CliRunner

    from follicle.cli import app

    out = tmp_path / "fit.toml"
    result = CliRunner().invoke(
        app, ["calibrate", "--output", str(out), "--only", "nothing-*", "--workers", "0"]
    )
    assert result.exit_code == 2 and "--only" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not out.exists()
