"""Virtual trials end to end: determinism (serial = 2 Dask workers), staging, endpoints."""

import numpy as np
import pandas as pd
import pytest

from follicle.model.params import DEFAULT_PARAMETERS
from follicle.trials import parse_trial, run_trial
from follicle.trials.staging import NORWOOD_STAGES, parse_stage_range

# Without the trial's count error, endpoint values are exactly the observations' changes
# (the count error has its own tests: tests/test_heterogeneity.py).
EXACT = DEFAULT_PARAMETERS.replace(count_error_cv=0.0)


def small_trial(**changes):
    data = {
        "name": "small",
        "n_per_arm": 7,
        "block_size": 3,  # 3 blocks per arm, the last one partial
        "seed": 5,
        "population": {"sex": "male", "age_years": [20, 30], "androgen_sensitivity": [0.3, 1]},
        "target_area": {"region": "vertex", "area_cm2": 0.5},
        "arm": [
            {"name": "placebo"},
            {"name": "finasteride", "treatment": [{"kind": "finasteride", "dose_mg": 1.0}]},
        ],
        "endpoint": [
            {"measure": "change", "column": "hairs", "day": 120},
            {"measure": "value", "column": "non_vellus_per_cm2", "day": 60},
            {"measure": "fraction_improved", "day": 120},
        ],
    }
    data.update(changes)
    return parse_trial(data)


@pytest.fixture(scope="module")
def serial_result():
    return run_trial(small_trial(), workers=None, params=EXACT)


def test_two_dask_workers_give_exactly_the_serial_result(serial_result):
    on_cluster = run_trial(small_trial(), workers=2, params=EXACT)
    names = ("people", "observations", "values", "moments", "stage_counts", "arms", "comparisons")
    for name in names:
        pd.testing.assert_frame_equal(
            getattr(serial_result, name), getattr(on_cluster, name), check_exact=True
        )
    assert on_cluster.candidates == serial_result.candidates


def test_same_seed_same_result_and_other_seed_differs(serial_result):
    again = run_trial(small_trial(), params=EXACT)
    pd.testing.assert_frame_equal(serial_result.observations, again.observations)
    # the count error changes the measured endpoint values, not the simulated scalps
    counted = run_trial(small_trial())
    pd.testing.assert_frame_equal(serial_result.observations, counted.observations)
    label = "change hairs day 120"
    assert not serial_result.values[label].equals(counted.values[label])
    other = run_trial(small_trial(), seed=6)
    assert not serial_result.observations["hairs"].equals(other.observations["hairs"])


def test_result_shape_and_endpoints_follow_the_observations(serial_result):
    r = serial_result
    assert len(r.people) == 14 and list(r.people["person"][:7]) == list(range(7))
    assert set(r.observations["day"]) == set(range(0, 121, 30))
    obs = r.observations.set_index(["arm", "person", "day"])
    for arm in ("placebo", "finasteride"):
        values = r.values[r.values["arm"] == arm]
        for person in range(7):
            change = obs.loc[(arm, person, 120), "hairs"] - obs.loc[(arm, person, 0), "hairs"]
            assert values["change hairs day 120"].iloc[person] == change
    summary = r.endpoint("change hairs day 120").set_index("arm")
    mean = r.values.groupby("arm")["change hairs day 120"].mean()
    assert summary.loc["placebo", "mean"] == pytest.approx(mean["placebo"])
    assert set(r.comparisons["arm"]) == {"finasteride"}
    assert r.provenance["seed"] == 5 and "damage_per_cycle" in r.provenance["parameters"]
    improved = r.values["fraction_improved day 120"]
    assert set(np.unique(improved)) <= {0.0, 1.0}


def test_people_really_are_at_the_wanted_stage_at_baseline():
    trial = small_trial(
        n_per_arm=6,
        population={"sex": "male", "age_years": [25, 40], "stage": "III vertex to V"},
        arm=[{"name": "placebo"}],
        endpoint=[{"measure": "fraction_with_pattern_loss", "day": 0}],
    )
    result = run_trial(trial)
    low, high = parse_stage_range("III vertex to V", "male")
    allowed = set(NORWOOD_STAGES[low : high + 1])
    assert set(result.people["baseline_stage"]) <= allowed
    day0 = result.observations[result.observations["day"] == 0]
    assert day0["stage"].between(low, high).all()
    assert result.candidates["placebo"] >= 6
    # everyone at III vertex or beyond has pattern loss by the Norwood II definition
    assert result.arms["mean"].iloc[0] == 1.0


def test_an_unreachable_stage_is_an_input_error_not_an_endless_loop():
    from follicle.errors import FollicleInputError

    trial = small_trial(
        n_per_arm=2,
        max_candidates_factor=2,
        population={"sex": "male", "age_years": 20, "androgen_sensitivity": "none", "stage": "VII"},
        arm=[{"name": "placebo"}],
        endpoint=[{"measure": "value", "column": "hairs", "day": 0}],
    )
    with pytest.raises(FollicleInputError, match=r"population\.stage"):
        run_trial(trial)


def test_progress_reaches_one_and_json_is_complete(serial_result):
    seen = []
    run_trial(small_trial(n_per_arm=3), progress=seen.append)
    assert seen[-1] == pytest.approx(1.0) and seen == sorted(seen)
    payload = serial_result.to_dict()
    assert payload["n_per_arm"] == 7 and len(payload["endpoints"]) == 6
    assert payload["provenance"]["trial"]["population"]["sex"] == "male"


def test_trajectory_bands(serial_result):
    bands = serial_result.trajectory_bands("hairs", change=True)
    assert (bands[bands["day"] == 0]["mean"] == 0).all()
    last = bands[(bands["day"] == 120) & (bands["arm"] == "finasteride")].iloc[0]
    values = serial_result.values
    expected = values.loc[values["arm"] == "finasteride", "change hairs day 120"].mean()
    assert last["mean"] == pytest.approx(expected)
    assert last["ci_low"] <= last["mean"] <= last["ci_high"]
    assert last["p10"] <= last["p90"]


def test_prevalence_by_age_follows_people_over_the_years():
    trial = small_trial(
        n_per_arm=4,
        population={"sex": "male", "age_years": [30.2, 30.5], "androgen_sensitivity": [0, 1.5]},
        target_area={"region": "vertex", "area_cm2": 0.5},
        staging_patch_cm2=0.5,
        days=730,
        observe_every_days=365,
        arm=[{"name": "untreated"}],
        endpoint=[{"measure": "fraction_with_pattern_loss", "day": d} for d in (0, 365, 730)],
    )
    result = run_trial(trial)
    table = result.prevalence_by_age()
    assert list(table["age_years"]) == [30, 31, 32]
    assert (table["people"] == 4).all()
    expected = [result.arms["mean"].iloc[i] for i in range(3)]
    assert list(table["prevalence"]) == pytest.approx(expected)


def test_kept_observations_change_nothing_but_the_observations(serial_result):
    lean = run_trial(small_trial(keep_observations_per_arm=2), params=EXACT)
    for name in ("people", "values", "arms", "comparisons", "moments"):
        pd.testing.assert_frame_equal(getattr(serial_result, name), getattr(lean, name))
    assert set(lean.observations["person"]) == {0, 1}
    full = serial_result.observations
    pd.testing.assert_frame_equal(
        lean.observations, full[full["person"] < 2].reset_index(drop=True)
    )
    bands, lean_bands = (r.trajectory_bands("hairs") for r in (serial_result, lean))
    pd.testing.assert_series_equal(bands["mean"], lean_bands["mean"])
    kept = full[(full["person"] < 2) & (full["day"] == 120) & (full["arm"] == "placebo")]
    row = lean_bands[(lean_bands["day"] == 120) & (lean_bands["arm"] == "placebo")].iloc[0]
    assert row["p10"] == pytest.approx(kept["hairs"].quantile(0.1))


def test_band_moments_equal_direct_statistics_over_everyone(serial_result):
    obs = serial_result.observations
    bands = serial_result.trajectory_bands("non_vellus_per_cm2").set_index(["arm", "day"])
    direct = obs.groupby(["arm", "day"])["non_vellus_per_cm2"].agg(
        mean_direct="mean", std_direct="std", count_direct="count"
    )
    joined = bands.join(direct)
    assert np.allclose(joined["mean"], joined["mean_direct"], rtol=1e-12)
    assert np.allclose(joined["std"], joined["std_direct"], rtol=1e-9)
    assert (joined["count"] == joined["count_direct"]).all()


def test_local_workers_keep_glibcs_adaptive_malloc():
    # Dask's default MALLOC_TRIM_THRESHOLD_ made blocks 40% slower in workers.
    import os

    from follicle.trials.execution import dask_client

    before = os.environ.get("MALLOC_TRIM_THRESHOLD_")  # the nanny also sets it here
    with dask_client(workers=1) as client:
        seen = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert list(seen.values()) == [before]
