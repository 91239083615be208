"""Heterogeneity between people and the trial measurement model.

- the person-level treatment-response multipliers (one for the stimulating treatments,
  one for the DHT-lowering drugs) are drawn with the intended mean, spread and
  correlation, scale treatment effects only (r = 0 is untreated), each only its own
  treatments, and a stronger responder gains more;
- the count error of a trial visit adds the intended variance to an arm's change.
"""

import numpy as np
import pandas as pd
import pytest

from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.sim.simulate import simulate
from follicle.trials.cohorts import Population, draw_candidates
from follicle.trials.execution import BlockTask, with_count_error
from follicle.trials.trial_file import Endpoint

BOTH = {
    "name": "both",
    "treatment": [
        {"kind": "finasteride", "dose_mg": 1.0},
        {"kind": "minoxidil", "concentration_percent": 5},
    ],
}


def test_response_multipliers_have_the_intended_mean_and_spread():
    population = Population(sex="male", age_years=[20, 40])
    n = 20_000
    people = draw_candidates(population, n, np.random.SeedSequence(5), params=P)
    r = np.array([p["treatment_response"] for p in people])
    s = P.treatment_response_log_sd
    # lognormal with mean 1: E r = 1, Var r = exp(s^2) - 1; log r has SD s
    se_mean = np.sqrt(np.expm1(s**2) / n)
    assert r.mean() == pytest.approx(1.0, abs=4 * se_mean)
    assert np.log(r).std() == pytest.approx(s, abs=4 * s / np.sqrt(2 * n))
    # the other draws are as they were without the multiplier (drawn last)
    without = draw_candidates(
        population, 50, np.random.SeedSequence(5), params=P.replace(treatment_response_log_sd=0.0)
    )
    assert [p["age_years"] for p in without] == [p["age_years"] for p in people[:50]]
    assert all(p["treatment_response"] == 1.0 for p in without)


def test_the_two_responses_are_drawn_alike_and_correlated_as_set():
    """The DHT-drug multiplier has the same lognormal law; the logs of the two are
    uncorrelated at the default (sample correlation SE 1/sqrt(n)), correlated 0.6 when
    set (SE (1 - rho^2)/sqrt(n)), and identical at 1 (the model's single multiplier)."""
    population = Population(sex="male", age_years=[20, 40])
    n = 20_000
    s = P.treatment_response_log_sd

    def logs(params):
        people = draw_candidates(population, n, np.random.SeedSequence(5), params=params)
        pairs = np.array([(p["treatment_response"], p["dht_drug_response"]) for p in people])
        return np.log(pairs).T

    stimulating, dht = logs(P)
    assert P.treatment_response_correlation == 0.0
    assert np.exp(dht).mean() == pytest.approx(1.0, abs=4 * np.sqrt(np.expm1(s**2) / n))
    assert dht.std() == pytest.approx(s, abs=4 * s / np.sqrt(2 * n))
    assert abs(np.corrcoef(stimulating, dht)[0, 1]) < 4 / np.sqrt(n)
    stimulating, dht = logs(P.replace(treatment_response_correlation=0.6))
    assert np.corrcoef(stimulating, dht)[0, 1] == pytest.approx(0.6, abs=4 * 0.64 / np.sqrt(n))
    stimulating, dht = logs(P.replace(treatment_response_correlation=1.0))
    assert np.array_equal(stimulating, dht)


def test_each_response_scales_only_its_own_treatments():
    """A non-responder to the DHT-lowering drugs gains nothing from finasteride but the
    full minoxidil effect, and a non-responder to the stimulating treatments the reverse
    (mean gains over 10 seeds compared within 4 standard errors)."""
    finasteride = {"name": "f", "treatment": [{"kind": "finasteride", "dose_mg": 1.0}]}
    minoxidil = {"name": "m", "treatment": [{"kind": "minoxidil", "concentration_percent": 5}]}
    seeds = range(10)

    def gains(regimen, **responses):
        return np.array([_gain(1.0, regimen, seeds=[seed], **responses) for seed in seeds], float)

    def same(a, b) -> bool:
        se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        return abs(a.mean() - b.mean()) < 4 * se

    untreated = gains(None)
    assert same(gains(finasteride, dht_drug_response=0.0), untreated)
    assert not same(gains(finasteride, treatment_response=0.0, dht_drug_response=1.0), untreated)
    assert same(gains(minoxidil, treatment_response=0.0, dht_drug_response=1.0), untreated)
    assert not same(gains(minoxidil, dht_drug_response=0.0), untreated)


def _gain(response: float, regimen, seeds=range(6), **responses) -> float:
    person = {
        "sex": "male",
        "age_years": 32,
        "androgen_sensitivity": "high",
        "treatment_response": response,
        **responses,
    }
    gains = []
    for seed in seeds:
        table = simulate(person, regimen, days=360, area="vertex:2", seed=seed).table
        vertex = table[table["region"] == "vertex"]
        gains.append(vertex["hairs"].iloc[-1] - vertex["hairs"].iloc[0])
    return float(np.mean(gains))


def test_a_non_responder_is_the_untreated_model():
    """r = 0 on both drugs: the same distribution of outcomes as untreated (the random
    draws come in another order once the drugs' epochs split the run, so the comparison
    is statistical: mean gains within 4 standard errors)."""
    seeds = range(10)
    person = {"sex": "male", "age_years": 32, "androgen_sensitivity": "high"}

    def gains(response, regimen):
        out = []
        for seed in seeds:
            table = simulate(
                {**person, "treatment_response": response},
                regimen,
                days=360,
                area="vertex:2",
                seed=seed,
            ).table
            vertex = table[table["region"] == "vertex"]
            out.append(vertex["hairs"].iloc[-1] - vertex["hairs"].iloc[0])
        return np.array(out, float)

    treated, untreated = gains(0.0, BOTH), gains(1.0, None)
    se = np.sqrt(treated.var(ddof=1) / treated.size + untreated.var(ddof=1) / untreated.size)
    assert abs(treated.mean() - untreated.mean()) < 4 * se
    assert gains(1.0, BOTH).mean() - untreated.mean() > 4 * se  # and r = 1 is not


def test_stronger_responders_gain_more():
    gains = [_gain(r, BOTH) for r in (0.0, 1.0, 2.5)]
    assert gains[0] < gains[1] < gains[2]


def test_count_error_adds_the_intended_variance_to_a_change():
    """Known true counts: measured change = x1 (1 + cv e1) - x0 (1 + cv e0), so its SD is
    cv sqrt(x0^2 + x1^2) around the true change."""
    n, x0, x1 = 20_000, 150.0, 160.0
    observations = pd.DataFrame(
        {
            "person": np.repeat(np.arange(n), 2),
            "day": np.tile([0, 336], n),
            "non_vellus_per_cm2": np.tile([x0, x1], n),
            "anagen_fraction": 0.8,
        }
    )
    task = BlockTask(
        arm_index=0,
        block_index=0,
        size=n,
        seed=3,
        population=Population(sex="male", age_years=30),
        regimen=None,
        days=336,
        observe_every_days=336,
        target_region="vertex",
        target_area_cm2=1.0,
        staging_patch_cm2=None,
        params=P,
        max_candidates=n,
        endpoints=(Endpoint(measure="change", column="non_vellus_per_cm2", day=336),),
    )
    counted = with_count_error(task, observations)
    wide = counted.pivot(index="person", columns="day", values="non_vellus_per_cm2")
    change = wide[336] - wide[0]
    expected_sd = P.count_error_cv * np.hypot(x0, x1)
    assert change.mean() == pytest.approx(x1 - x0, abs=4 * expected_sd / np.sqrt(n))
    assert change.std() == pytest.approx(expected_sd, rel=4 / np.sqrt(2 * n))
    # shares are not counted: untouched; the same task gives the same errors
    assert (counted["anagen_fraction"] == 0.8).all()
    assert with_count_error(task, observations).equals(counted)


def test_every_regimen_starts_from_the_same_scalp():
    """Day 0 is an epoch of every run: the past is simulated identically whatever the
    regimen, so day-0 observations are equal exactly (not only in distribution)."""
    person = {"sex": "male", "age_years": 35, "androgen_sensitivity": "high"}
    first = None
    for regimen in (None, BOTH, {"name": "d", "treatment": [{"kind": "dutasteride"}]}):
        table = simulate(person, regimen, days=60, area="vertex:1", seed=3).table
        day0 = table[table["day"] == 0].drop(columns=["shed_per_day"]).reset_index(drop=True)
        if first is None:
            first = day0
        else:
            pd.testing.assert_frame_equal(day0, first)
