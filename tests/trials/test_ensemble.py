"""Calibration with uncertainty: the split, the emulator, ABC-SMC, the ensemble file."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from follicle.errors import FollicleInputError
from follicle.model.params import DEFAULT_PARAMETERS
from follicle.trials.calibrate import FREE_PARAMETERS, check_free
from follicle.trials.calibration_config import (
    load_calibration_settings,
    split_targets,
    target_roles,
)
from follicle.trials.ensemble import (
    Emulator,
    Ensemble,
    Observed,
    abc_smc,
    build_ensemble,
    distance,
    epsilon_floor,
    from_unit,
    load_ensemble,
    systematic_resample,
    to_unit,
)
from follicle.trials.targets import load_targets

# --- the split ---------------------------------------------------------------------------


def test_shipped_split_names_existing_targets_and_leaves_most_to_fit():
    targets = load_targets()
    split = split_targets(targets)
    assert split.missing == ()  # every held-out id is a target of the shipped file
    fitted = {t.id for t in split.fitted.target}
    held = {t.id for t in split.holdout.target}
    assert fitted.isdisjoint(held) and fitted | held == {t.id for t in targets.target}
    assert 0 < len(held) < len(fitted)
    roles = target_roles(targets)
    assert {roles[i] for i in held} == {"holdout"} and {roles[i] for i in fitted} == {"fit"}


def test_shipped_ensemble_settings_free_parameters_are_calibrated():
    settings = load_calibration_settings()
    assert check_free(settings.ensemble.free) == list(settings.ensemble.free)


# --- the pieces of the method ------------------------------------------------------------


def test_unit_coordinates_round_trip_on_every_free_parameter():
    for name, (low, high, _) in FREE_PARAMETERS.items():
        for value in (low, (low + high) / 2, high):
            assert from_unit(name, to_unit(name, value)) == pytest.approx(value, rel=1e-9)


def test_emulator_is_exact_on_a_linear_function_and_measures_noise():
    rng = np.random.default_rng(4)
    unit = rng.random((200, 3))
    centre = np.full(3, 0.5)
    truth = 2.0 + (unit - centre) @ np.array([1.0, -3.0, 0.5])
    exact = Emulator.fit(unit, truth[:, None], np.zeros(1), centre)
    assert exact.residual_sd[0] == pytest.approx(0.0, abs=1e-9)
    assert exact.predict(np.array([0.1, 0.2, 0.3]))[0, 0] == pytest.approx(
        2.0 + (-0.4) * 1.0 + (-0.3) * -3.0 + (-0.2) * 0.5
    )
    noisy = Emulator.fit(unit, (truth + rng.normal(0, 0.7, 200))[:, None], np.zeros(1), centre)
    # residual variance / sigma^2 ~ chi2(196) / 196: 99.9% within these bounds
    low, high = (math.sqrt(stats.chi2.ppf(q, 196) / 196) for q in (0.0005, 0.9995))
    assert 0.7 * low < noisy.residual_sd[0] < 0.7 * high


def test_range_targets_count_only_outside_their_range():
    observed = Observed(
        ids=("value", "range"),
        centre=np.array([10.0, 0.0]),
        allowed=np.array([4.0, 1.0]),
        is_range=np.array([False, True]),
        extra_sd=np.array([0.0, 0.0]),
    )
    assert observed.z(np.array([12.0, 0.9])) == pytest.approx([1.0, 0.0])
    assert observed.z(np.array([6.0, -1.5])) == pytest.approx([-2.0, -1.0])
    wider = Observed(**{**observed.__dict__, "extra_sd": np.array([2.0, 0.0])})
    assert wider.z(np.array([12.0, 0.0]))[0] == pytest.approx(2.0 / math.sqrt(8.0))


def test_epsilon_floor_is_the_95th_percentile_of_the_rms_of_unit_normals():
    rng = np.random.default_rng(11)
    n, draws = 25, 20_000
    share = np.mean(distance(rng.standard_normal((draws, n))) <= epsilon_floor(n))
    assert abs(share - 0.95) < 4 * math.sqrt(0.95 * 0.05 / draws)


def test_systematic_resampling_matches_the_weights():
    weights = np.array([0.5, 0.25, 0.125, 0.125])
    counts = np.bincount(systematic_resample(weights, 80, np.random.default_rng(1)), minlength=4)
    assert np.all(np.abs(counts - 80 * weights) <= 1)


def test_abc_smc_posterior_of_a_deterministic_model_is_the_prior_inside_epsilon():
    # one parameter, z = (u - 0.4) / 0.05: ABC with a uniform kernel keeps the prior
    # restricted to |u - 0.4| <= 0.05 eps, i.e. uniform there: mean 0.4, SD 0.05 eps / sqrt 3
    result = abc_smc(
        lambda unit, rng: np.array([(unit[0] - 0.4) / 0.05]),
        low=np.array([0.0]),
        high=np.array([1.0]),
        population_size=400,
        max_generations=6,
        min_acceptance_rate=0.01,
        minimum_epsilon=0.5,
        seed=3,
    )
    eps = result["generations"][-1]["epsilon"]
    u, w = result["particles"][:, 0], result["weights"]
    assert np.all(np.abs(u - 0.4) <= 0.05 * eps * (1 + 1e-9))
    half = 0.05 * eps
    ess = 1 / np.sum(w**2)
    mean = np.sum(w * u)
    sd = math.sqrt(np.sum(w * (u - mean) ** 2))
    # 4 standard errors of a weighted mean and SD of a uniform (SD of SD ~ 0.75 sd / sqrt n)
    assert abs(mean - 0.4) < 4 * (half / math.sqrt(3)) / math.sqrt(ess)
    assert sd == pytest.approx(half / math.sqrt(3), rel=4 * 0.75 / math.sqrt(ess))
    assert len(result["generations"]) >= 2 and eps < result["generations"][0]["epsilon"]


# --- the ensemble file -------------------------------------------------------------------


def test_ensemble_round_trip_and_errors(tmp_path):
    ensemble = Ensemble(
        ("damage_per_cycle", "count_error_cv"), ((0.3, 0.1), (0.25, 0.12)), {"seed": 1}
    )
    path = ensemble.write(tmp_path / "e.json")
    again = load_ensemble(path)
    assert again.members == ensemble.members and again.free == ensemble.free
    assert again.parameter_set(1).params.count_error_cv == 0.12
    data = json.loads(path.read_text())
    for change, field in (
        ({"format": "other"}, "format"),
        ({"free": ["shine", "count_error_cv"]}, "free"),
        ({"members": [[0.3]]}, "members"),
        ({"members": [[99.0, 0.1]]}, "damage_per_cycle"),
    ):
        (tmp_path / "bad.json").write_text(json.dumps({**data, **change}))
        with pytest.raises(FollicleInputError, match=field):
            load_ensemble(tmp_path / "bad.json")
    with pytest.raises(FollicleInputError, match="ensemble"):
        load_ensemble(tmp_path / "missing.json")


def test_shipped_ensemble_is_built_on_the_current_model_and_fitted_targets_only():
    ensemble = load_ensemble()
    assert ensemble.matches(DEFAULT_PARAMETERS), (
        "the shipped ensemble was built on other model parameters: rebuild it with "
        "`follicle calibrate --ensemble --output src/follicle/data/ensemble.json`"
    )
    p = ensemble.provenance
    assert len(ensemble) == p["members"] == p["settings"]["members"]
    held = set(load_calibration_settings().split.holdout)
    assert held == set(p["targets_held_out"]) and held.isdisjoint(p["targets_fitted"])
    # members lie inside the design box, which lies inside the prior
    for name, (low, high) in p["design_box"].items():
        values = [ensemble.values(i)[name] for i in range(len(ensemble))]
        assert low - 1e-9 <= min(values) and max(values) <= high + 1e-9
        assert FREE_PARAMETERS[name][0] <= low <= high <= FREE_PARAMETERS[name][1]


def test_build_ensemble_end_to_end_on_cheap_targets():
    targets = load_targets()
    chosen = ("steady-state-anagen", "steady-state-shedding", "prevalence-men-30")
    targets = targets.model_copy(
        update={"target": tuple(t for t in targets.target if t.id in chosen)}
    )
    settings = load_calibration_settings()
    settings = settings.model_copy(
        update={
            "ensemble": settings.ensemble.model_copy(
                update={
                    "free": ("damage_per_cycle", "androgen_growth_per_decade"),
                    "n_per_arm": 8,
                    "design_runs": 5,
                    "population_size": 50,
                    "max_generations": 3,
                    "members": 12,
                }
            )
        }
    )
    ensemble = build_ensemble(targets, settings=settings, workers=0)
    p = ensemble.provenance
    assert len(ensemble) == 12 and ensemble.free == (
        "damage_per_cycle",
        "androgen_growth_per_decade",
    )
    assert "steady-state-shedding" in p["targets_held_out"]
    assert set(p["targets_fitted"]) == {"steady-state-anagen", "prevalence-men-30"}
    assert ensemble.matches(DEFAULT_PARAMETERS)
    assert 1 <= len(p["generations"]) <= 3
