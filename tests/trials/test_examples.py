"""Every shipped trial file and parameter set loads, and a large trial runs small."""

from pathlib import Path

import pytest

from follicle.trials import run_trial
from follicle.trials.calibrate import load_parameter_set
from follicle.trials.trial_file import load_trial

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "trials"
TRIALS = sorted(p for p in EXAMPLES.glob("*.toml") if not p.name.startswith("fitted-"))
PARAMETER_SETS = sorted(EXAMPLES.glob("fitted-*.toml"))


@pytest.mark.parametrize("path", TRIALS, ids=lambda p: p.name)
def test_trial_examples_load(path):
    trial = load_trial(path)
    assert trial.n_per_arm >= 1 and trial.endpoint


@pytest.mark.parametrize("path", PARAMETER_SETS, ids=lambda p: p.name)
def test_parameter_sets_load_with_provenance(path):
    parameter_set = load_parameter_set(path)
    assert parameter_set.provenance["software"] == "follicle"


def test_the_large_cohort_example_keeps_few_observations():
    trial = load_trial(EXAMPLES / "large-cohort.toml")
    assert 2 * trial.n_per_arm == 1_000_000
    small = trial.model_copy(update={"n_per_arm": 30, "block_size": 10})
    result = run_trial(small.model_copy(update={"keep_observations_per_arm": 12}))
    assert len(result.values) == 60 and result.values["person"].max() == 29
    assert set(result.observations["person"]) == set(range(12))
