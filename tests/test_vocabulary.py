"""One vocabulary (docs/json.md): the engine's cohort tables, a Trajectory and the trial
and target files name each quantity the same way; the old names are read with a
DeprecationWarning."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from follicle.care.projection import Projection
from follicle.sim.batch import simulate_cohort
from follicle.sim.simulate import simulate
from follicle.trials.targets import Target
from follicle.trials.trial_file import load_trial, parse_trial
from follicle.vocabulary import RENAMED

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PERSON = EXAMPLES / "man-25-high.toml"


def test_a_cohort_table_and_a_trajectory_use_the_same_columns_and_units():
    kwargs = {"days": 60, "observe_every_days": 30, "area": {"vertex": 0.5}, "seed": 3}
    trajectory = simulate(PERSON, None, **kwargs)
    cohort = simulate_cohort([PERSON], None, **kwargs).table
    assert set(cohort.columns) - {"person"} == set(trajectory.table.columns)
    assert not set(RENAMED) & set(cohort.columns)
    # the same person and seed: the same numbers under the same names
    mine = cohort.drop(columns="person").reset_index(drop=True)
    theirs = trajectory.table[mine.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, theirs, check_dtype=False)
    share = cohort["thin_share_percent"].dropna()
    assert ((share >= 0) & (share <= 100)).all() and share.max() > 1  # percent, not 0-1
    assert np.allclose(cohort["density_per_cm2"], cohort["hairs"] / cohort["area_cm2"])


def test_old_column_names_in_a_trial_file_warn_and_read_as_the_new_ones():
    data = load_trial(EXAMPLES / "trials" / "finasteride-vs-placebo.toml").model_dump(mode="json")
    data["endpoint"][0]["column"] = "thin_share"
    data["endpoint"][1]["column"] = "hairs_per_cm2"
    with pytest.warns(DeprecationWarning, match="thin_share_percent"):
        trial = parse_trial(data)
    assert [e.column for e in trial.endpoint[:2]] == ["thin_share_percent", "density_per_cm2"]
    data["endpoint"][0]["column"] = "thin_hairs_per_cm2"  # not an old name: refused
    with pytest.raises(Exception, match="thin_hairs_per_cm2"):
        parse_trial(data)


@pytest.mark.parametrize(
    ("endpoint", "current"),
    [
        ("hairs_per_cm2", "density_per_cm2"),
        ("sd_of_hairs_per_cm2", "sd_of_density_per_cm2"),
        ("difference_in_hairs_per_cm2", "difference_in_density_per_cm2"),
    ],
)
def test_old_endpoint_names_in_a_targets_file_warn_and_read_as_the_new_ones(endpoint, current):
    base = {"id": "t", "source": "s", "population": {"sex": "male", "age_years": 30}}
    arms = {"arms": ["a", "b"]} if "difference" in endpoint else {}
    with pytest.warns(DeprecationWarning, match="density_per_cm2"):
        target = Target(**base, **arms, endpoint=endpoint, value=1, tolerance=1)
    assert target.endpoint == current
    assert target.measure_and_column[1] == "density_per_cm2"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the current name: no warning
        Target(**base, **arms, endpoint=current, value=1, tolerance=1)


def test_projection_bands_use_the_new_name_and_read_the_old_one_with_a_warning():
    bands = pd.DataFrame(
        {
            "regimen": ["no treatment"],
            "region": ["vertex"],
            "day": [0.0],
            "measure": ["density_per_cm2"],
            "p10": [1.0],
            "p50": [2.0],
            "p90": [3.0],
        }
    )
    projection = Projection(bands=bands, provenance={})
    with pytest.warns(DeprecationWarning, match="density_per_cm2"):
        old = projection.at(0, region="vertex", measure="hairs_per_cm2")
    assert old.equals(projection.at(0, region="vertex", measure="density_per_cm2"))
