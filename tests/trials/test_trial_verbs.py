"""The verbs behind ``follicle trial``, ``validate`` and ``calibrate`` (follicle.trials.verbs):
the command's options are checked and applied in the library, errors name the keyword,
and the command line says the option."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from follicle.errors import FollicleInputError
from follicle.trials.verbs import (
    MAX_N_PER_ARM,
    resolve_execution,
    run_calibration,
    run_trial_file,
    run_validation,
    trial_with_overrides,
)

TRIAL = Path(__file__).resolve().parents[2] / "examples" / "trials" / "finasteride-vs-placebo.toml"


def test_overrides_replace_the_files_options_and_only_those():
    trial = trial_with_overrides(TRIAL, n_per_arm=3, keep_observations=1, block_size=2)
    untouched = trial_with_overrides(TRIAL)
    assert (trial.n_per_arm, trial.keep_observations_per_arm, trial.block_size) == (3, 1, 2)
    assert untouched.n_per_arm == 100  # the file's
    assert trial.model_dump(exclude={"n_per_arm", "keep_observations_per_arm", "block_size"}) == (
        untouched.model_dump(exclude={"n_per_arm", "keep_observations_per_arm", "block_size"})
    )


def test_a_trial_file_runs_with_its_overrides_and_the_envelope():
    result = run_trial_file(TRIAL, n_per_arm=3, seed=5, workers=0)
    assert result.trial.n_per_arm == 3 and result.seed == 5
    assert set(result.values.groupby("arm")["person"].nunique()) == {3}
    envelope = result.to_dict()["provenance"]
    assert envelope["verb"] == "run_trial" and envelope["seed"] == 5


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"n_per_arm": 0}, "n_per_arm"),
        ({"n_per_arm": MAX_N_PER_ARM + 1}, "n_per_arm"),
        ({"block_size": 0}, "block_size"),
        ({"keep_observations": -1}, "keep_observations"),
        ({"seed": -1}, "seed"),
        ({"workers": 10_000}, "workers"),
        ({"workers": 1, "scheduler": "tcp://127.0.0.1:1"}, "workers"),
        ({"over_ensemble": 2, "parameters": TRIAL}, "parameters"),
    ],
)
def test_bad_trial_options_name_the_keyword_before_anything_runs(options, field):
    with pytest.raises(FollicleInputError) as error:
        run_trial_file(TRIAL, **options)
    assert error.value.field == field


def test_every_core_unless_told():
    assert resolve_execution() == (os.cpu_count() or 1, None)
    assert resolve_execution(workers=0) == (0, None)
    assert resolve_execution(scheduler="tcp://x:1") == (None, "tcp://x:1")


def test_validation_and_calibration_check_their_options():
    with pytest.raises(FollicleInputError) as error:
        run_validation(n_per_arm=1)
    assert error.value.field == "n_per_arm"
    with pytest.raises(FollicleInputError) as error:  # a held-out target only
        run_calibration(only=["hu2015-12m-finasteride"], workers=0)
    assert error.value.field == "targets"
    with pytest.raises(FollicleInputError) as error:
        run_calibration(only=["steady-state-density"], max_evaluations=0, workers=0)
    assert error.value.field == "max_evaluations"


@pytest.mark.parametrize(
    ("option", "value"), [("--block-size", "0"), ("--keep-observations", "-1")]
)
def test_the_command_names_the_option(option, value):
    follicle = Path(sys.executable).with_name("follicle")
    if not follicle.exists():
        pytest.skip("the follicle console script is not installed")
    done = subprocess.run(
        [str(follicle), "trial", str(TRIAL), option, value, "--workers", "0"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"follicle: error: {option} = {value}")
    assert "Traceback" not in done.stderr


def test_validate_uses_one_default_people_per_arm_on_every_face():
    """The verb, the command and the web form run the same point trial by default."""
    import inspect

    from follicle.trials.predictive import VALIDATION_N_PER_ARM
    from follicle.trials.verbs import run_validation
    from follicle.web.actions.trials import parse_validate_options

    assert inspect.signature(run_validation).parameters["n_per_arm"].default == (
        VALIDATION_N_PER_ARM
    )
    web = parse_validate_options(n_per_arm=None, seed=None, only=None, ensemble=False)
    assert web["n_per_arm"] == VALIDATION_N_PER_ARM
    help_text = subprocess.run(
        [str(Path(sys.executable).parent / "follicle"), "validate", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=True,
    ).stdout
    (line,) = [x for x in help_text.splitlines() if "Virtual people per arm." in x]
    assert f"[default: {VALIDATION_N_PER_ARM}]" in line
