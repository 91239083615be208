"""A trial over ensemble members: the spread between members is parameter uncertainty."""

from __future__ import annotations

import pytest

from follicle.errors import FollicleInputError
from follicle.trials.ensemble import Ensemble
from follicle.trials.ensemble_trial import choose_members, run_trial_over_ensemble
from follicle.trials.run import run_trial
from follicle.trials.trial_file import load_trial


def test_each_member_runs_the_same_people_with_its_parameters(examples):
    trial = load_trial(examples / "trials" / "finasteride-vs-placebo.toml")
    trial = trial.model_copy(update={"n_per_arm": 8, "endpoint": trial.endpoint[:1]})
    # the second member halves the damage: each member's difference must be what a direct
    # run of the trial with that member's parameters gives
    ensemble = Ensemble(
        ("damage_per_cycle", "treatment_response_log_sd"), ((0.30, 0.5), (0.15, 0.5)), {}
    )
    result = run_trial_over_ensemble(trial, ensemble=ensemble, members=2, seed=5, workers=0)
    assert set(result.per_member["member"]) == {0, 1}
    for index in (1,):  # one direct run keeps the test short
        direct = run_trial(trial, seed=5, params=ensemble.parameter_set(index).params)
        mine = result.per_member[result.per_member["member"] == index]
        assert mine["difference"].iloc[0] == pytest.approx(direct.comparisons["difference"].iloc[0])
    row = result.summary.iloc[0]
    assert (
        row["members"] == 2
        and row["difference_p10"] <= row["difference_p50"] <= row["difference_p90"]
    )
    assert 0 <= row["share_significant"] <= 1
    assert result.includes[0].startswith("parameter uncertainty (2 members")


def test_member_choice_is_seeded_and_bounded():
    ensemble = Ensemble(("damage_per_cycle",), tuple((0.1 + 0.01 * i,) for i in range(30)), {})
    assert choose_members(ensemble, 5, 1) == choose_members(ensemble, 5, 1)
    assert len(set(choose_members(ensemble, 30, 2))) == 30
    with pytest.raises(FollicleInputError, match="members"):
        choose_members(ensemble, 31, 1)
