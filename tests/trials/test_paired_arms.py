"""Paired ("counterfactual") arms: each person's past simulated once, branched per arm.

Exactness: each paired arm is exactly the unpaired run of its regimen with the first
arm's streams (the history up to day 0 does not depend on the regimen). Statistics:
paired and unpaired trials estimate the same difference between arms, the paired one
with a much smaller variance. Reproducibility: the same on 1 and 2 Dask workers.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from follicle.model.params import DEFAULT_PARAMETERS
from follicle.sim.batch import simulate_cohort, simulate_cohort_arms
from follicle.trials import parse_trial, run_trial
from follicle.trials.statistics import paired_difference

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MINOXIDIL = {"kind": "minoxidil", "concentration_percent": 5}


def test_each_branched_regimen_is_exactly_its_own_unpaired_run():
    """Day-0 epochs of every kind: an alopecia areata episode starting on day 0, clock
    changes, microneedling sessions, a transplant; two people with different histories."""
    persons = [
        {
            "sex": "male",
            "age_years": 30,
            "androgen_sensitivity": "high",
            "alopecia_areata": [
                {
                    "start_day": 0,
                    "duration_days": 100,
                    "region": "vertex",
                    "patch_area_cm2": 1.0,
                    "attack_mean_days": 14,
                }
            ],
        },
        {"sex": "male", "age_years": 45, "androgen_sensitivity": 0.5},
    ]
    regimens = [
        None,
        EXAMPLES / "minoxidil-5.toml",
        EXAMPLES / "transplant.toml",
        EXAMPLES / "microneedling-minoxidil.toml",
    ]
    area = {"vertex": 1.5, "frontal": 0.5, "occipital": 0.5, "midscalp": 0.5}
    arms = simulate_cohort_arms(persons, regimens, days=120, area=area, seed=4)
    tables = [arm.table for arm in arms]
    for regimen, table in zip(regimens, tables, strict=True):
        alone = simulate_cohort(persons, regimen, days=120, area=area, seed=4).table
        pd.testing.assert_frame_equal(table, alone, check_exact=True)
    # the same day 0 in every arm (the transplant on day 90 comes later), then they differ
    day0 = [t[t["day"] == 0].reset_index(drop=True) for t in tables]
    for other in day0[1:]:
        pd.testing.assert_frame_equal(day0[0], other)
    assert not tables[0]["hairs"].equals(tables[1]["hairs"])


def two_arm_trial(**changes):
    data = {
        "name": "paired",
        "n_per_arm": 7,
        "block_size": 3,  # 3 blocks, the last one partial
        "seed": 5,
        "days": 120,
        "population": {"sex": "male", "age_years": [20, 30], "androgen_sensitivity": [0.3, 1]},
        "target_area": {"region": "vertex", "area_cm2": 0.5},
        "arm": [
            {"name": "placebo"},
            {"name": "finasteride", "treatment": [{"kind": "finasteride", "dose_mg": 1.0}]},
            {"name": "minoxidil", "treatment": [MINOXIDIL]},
        ],
        "endpoint": [
            {"measure": "change", "column": "hairs", "day": 120},
            {"measure": "fraction_improved", "day": 120},
        ],
    }
    data.update(changes)
    return parse_trial(data)


@pytest.fixture(scope="module")
def paired_serial():
    return run_trial(two_arm_trial(paired=True))


def test_paired_trials_are_reproducible_on_one_and_two_workers(paired_serial):
    names = ("people", "observations", "values", "moments", "arms", "comparisons")
    for workers in (1, 2):
        on_cluster = run_trial(two_arm_trial(), paired=True, workers=workers)
        for name in names:
            pd.testing.assert_frame_equal(
                getattr(paired_serial, name), getattr(on_cluster, name), check_exact=True
            )
    again = run_trial(two_arm_trial(paired=True))
    pd.testing.assert_frame_equal(paired_serial.values, again.values, check_exact=True)


def test_paired_arms_hold_the_same_people_and_each_is_its_unpaired_arm(paired_serial):
    trial = two_arm_trial()
    people = paired_serial.people
    first = people[people["arm"] == "placebo"].drop(columns="arm").reset_index(drop=True)
    for arm in ("finasteride", "minoxidil"):
        same = people[people["arm"] == arm].drop(columns="arm").reset_index(drop=True)
        pd.testing.assert_frame_equal(first, same)
    # arm k of a paired trial = a one-arm trial of arm k (the first arm's streams)
    for arm in trial.arm:
        alone = run_trial(trial.model_copy(update={"arm": (arm,), "control_arm": None}))
        values = paired_serial.values
        mine = values[values["arm"] == arm.name].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.values.reset_index(drop=True))
    # the unpaired trial's first arm is the paired trial's first arm
    unpaired = run_trial(trial)
    pd.testing.assert_frame_equal(
        unpaired.values[unpaired.values["arm"] == "placebo"],
        paired_serial.values[paired_serial.values["arm"] == "placebo"],
    )
    assert paired_serial.provenance["trial"]["paired"] is True


def minoxidil_trial(seed: int, n: int):
    return parse_trial(
        {
            "name": "minoxidil vs placebo",
            "n_per_arm": n,
            "seed": seed,
            "days": 180,
            "observe_every_days": 90,
            "population": {"sex": "male", "age_years": [20, 40]},
            "target_area": {"region": "vertex", "area_cm2": 1.0},
            "arm": [{"name": "placebo"}, {"name": "minoxidil", "treatment": [MINOXIDIL]}],
            "endpoint": [{"measure": "change", "column": "hairs", "day": 180}],
        }
    )


def test_paired_and_unpaired_agree_on_the_difference_and_paired_varies_less():
    """Independent people (seeds 11 and 12), 300 per arm: the two estimates of the mean
    difference agree within 3.29 combined standard errors (two-sided 0.1%); the paired
    estimate's variance is far below the unpaired one's at equal people."""
    n, label = 300, "change hairs day 180"
    paired = run_trial(minoxidil_trial(11, n), paired=True, params=DEFAULT_PARAMETERS)
    unpaired = run_trial(minoxidil_trial(12, n), params=DEFAULT_PARAMETERS)

    def arm(result, name):
        return result.values.loc[result.values["arm"] == name, label].to_numpy(float)

    treated, control = arm(paired, "minoxidil"), arm(paired, "placebo")
    d_paired = float(np.mean(treated - control))
    se_paired = float(np.std(treated - control, ddof=1)) / math.sqrt(n)
    a, b = arm(unpaired, "minoxidil"), arm(unpaired, "placebo")
    d_unpaired = float(a.mean() - b.mean())
    se_unpaired = math.sqrt(a.var(ddof=1) / n + b.var(ddof=1) / n)
    tolerance = 3.29 * math.hypot(se_paired, se_unpaired)
    # the test can fail: a paired run that lost the treatment (difference 0) would
    assert tolerance < 0.75 * abs(d_unpaired)
    assert abs(d_paired - d_unpaired) <= tolerance
    # the reported comparison is the paired one
    row = paired.comparisons.set_index("endpoint").loc[label]
    assert row["difference"] == pytest.approx(d_paired, rel=1e-12)
    # variance of the difference at equal people: paired vs the same people unpaired
    unpaired_formula = treated.var(ddof=1) / n + control.var(ddof=1) / n
    assert se_paired**2 < 0.5 * unpaired_formula  # measured 0.12 (docs/performance.md)


def test_paired_difference_is_the_paired_t_test_and_mcnemar():
    rng = np.random.default_rng(1)
    control = rng.normal(10, 3, 40)
    treated = control + rng.normal(1, 1, 40)
    treated[3] = np.nan  # left out with its pair
    diff = paired_difference(treated, control)
    keep = np.isfinite(treated)
    reference = stats.ttest_rel(treated[keep], control[keep])
    assert diff.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    low, high = reference.confidence_interval(0.95)
    assert (diff.ci_low, diff.ci_high) == pytest.approx((low, high), rel=1e-9)
    # binary: 9 gained, 3 lost of 30 -> McNemar z = 6 / sqrt(12)
    before = np.array([0] * 9 + [1] * 3 + [1] * 8 + [0] * 10, float)
    after = np.array([1] * 9 + [0] * 3 + [1] * 8 + [0] * 10, float)
    diff = paired_difference(after, before, binary=True)
    assert diff.difference == pytest.approx(6 / 30)
    assert diff.p_value == pytest.approx(2 * stats.norm.sf(6 / math.sqrt(12)))
    with pytest.raises(Exception, match="treated"):
        paired_difference(after[:5], before)


def test_cli_paired_flag(tmp_path):
    trial = tmp_path / "t.toml"
    trial.write_text(
        'name = "cli paired"\nn_per_arm = 4\nblock_size = 2\nseed = 3\ndays = 60\n'
        '[population]\nsex = "male"\nage_years = 25\nandrogen_sensitivity = 0.6\n'
        '[target_area]\nregion = "vertex"\narea_cm2 = 0.5\n'
        '[[arm]]\nname = "placebo"\n'
        '[[arm]]\nname = "minoxidil"\n[[arm.treatment]]\nkind = "minoxidil"\n'
        '[[endpoint]]\nmeasure = "change"\ncolumn = "hairs"\nday = 60\n'
    )
    follicle = Path(sys.executable).parent / "follicle"
    done = subprocess.run(
        [str(follicle), "trial", str(trial), "--workers", "0", "--json", "--paired"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    paired = json.loads(done.stdout)
    assert paired["provenance"]["trial"]["paired"] is True
    expected = run_trial(trial, paired=True).comparisons["difference"].iloc[0]
    unpaired = run_trial(trial).comparisons["difference"].iloc[0]
    assert paired["comparisons"][0]["difference"] == pytest.approx(expected, rel=1e-12)
    assert paired["comparisons"][0]["difference"] != unpaired


def test_every_branch_compiles_its_regimen_from_the_unpaired_schedule_stream(monkeypatch):
    """No treatment draws at compile time today; one that does (missed doses) must see
    the stream the unpaired run gives it, or the branches would no longer be exact."""
    import copy

    from follicle.sim import simulate as simulate_module

    seen = []
    compile_regimen = simulate_module.compile_regimen

    def recording(regimen, **kwargs):
        seen.append(copy.deepcopy(kwargs["rng"]).random())
        return compile_regimen(regimen, **kwargs)

    monkeypatch.setattr(simulate_module, "compile_regimen", recording)
    person = [{"sex": "male", "age_years": 30, "androgen_sensitivity": 0.5}]
    simulate_cohort(person, None, days=10, area="vertex:0.2", seed=8)
    unpaired = seen[-1]
    seen.clear()
    simulate_cohort_arms(person, [None, None, None], days=10, area="vertex:0.2", seed=8)
    assert seen and all(value == unpaired for value in seen)


def test_a_staged_paired_trial_enrols_once_and_each_arm_is_its_one_arm_trial():
    """Entry by baseline stage is decided once; the enrolled people are every arm's."""
    population = {"sex": "male", "age_years": [30, 50], "stage": "II or more"}
    trial = two_arm_trial(n_per_arm=4, block_size=4, population=population)
    result = run_trial(trial, paired=True)
    stages = result.people.pivot(index="person", columns="arm", values="baseline_stage")
    assert (stages.nunique(axis=1) == 1).all() and not stages.isin(["", "I"]).any().any()
    alone = run_trial(trial.model_copy(update={"arm": (trial.arm[2],), "control_arm": None}))
    mine = result.values[result.values["arm"] == "minoxidil"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, alone.values.reset_index(drop=True))
