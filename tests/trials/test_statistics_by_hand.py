"""Statistics helpers, endpoints and target tolerances against published or hand values.

Sources of the expected numbers:
- Wilson intervals: Newcombe 1998 (Stat Med 17:857), Table I, method 3: 81/263 ->
  0.2553-0.3662, 15/148 -> 0.0624-0.1605, 0/20 -> 0-0.1611, 1/29 -> 0.0061-0.1718,
  0/10 -> 0-0.2775;
- sample sizes: Cohen 1988, Table 2.4.1 (d = 0.5: 96 per group at two-sided alpha 0.01
  and power 0.8; 86 at alpha 0.05 and power 0.9; d = 0.2: 527 at power 0.9); power 0.8075
  for d = 0.8 with 26 per group (G*Power); two proportions 0.5 vs 0.4 without continuity
  correction (Fleiss 1981): 388 per group at power 0.8, 519 at 0.9;
- Welch intervals at other confidence levels: scipy's own ttest_ind(...).confidence_interval,
  an implementation independent of follicle's;
- endpoints and tolerances: arithmetic on the numbers in each test.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from follicle.errors import FollicleInputError
from follicle.trials.endpoints import endpoint_values
from follicle.trials.statistics import (
    difference,
    power_two_means,
    sample_size_two_means,
    sample_size_two_proportions,
    summarize,
    wilson_interval,
)
from follicle.trials.targets import Target
from follicle.trials.trial_file import Endpoint, Improvement
from follicle.trials.validate import _label, _model_value

# --- summaries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_intervals_from_newcombe(successes, n, low, high):
    got_low, got_high = wilson_interval(successes, n)
    assert (got_low, got_high) == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))
    assert 0.0 <= got_low <= got_high <= 1.0
    summary = summarize([1.0] * successes + [0.0] * (n - successes), binary=True)
    p = successes / n
    assert (summary.n, summary.mean) == (n, pytest.approx(p))
    assert summary.sd == pytest.approx(math.sqrt(p * (1 - p)))  # SD of one Bernoulli draw
    assert (summary.ci_low, summary.ci_high) == (pytest.approx(got_low), pytest.approx(got_high))


def test_wilson_interval_of_nothing_is_undefined():
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


def test_summary_at_90_percent_confidence():
    s = summarize([1.0, 2.0, 3.0, 4.0, 5.0], confidence=0.9)
    half = 2.131847 * math.sqrt(2.5) / math.sqrt(5)  # t(0.95, 4) = 2.131847
    assert (s.ci_low, s.ci_high) == (pytest.approx(3 - half), pytest.approx(3 + half))


def test_summary_drops_non_finite_values_and_needs_two_for_an_interval():
    s = summarize([1.0, math.nan, math.inf, 3.0])
    assert (s.n, s.mean, s.sd) == (2, 2.0, pytest.approx(math.sqrt(2)))
    half = 12.706205 * math.sqrt(2) / math.sqrt(2)  # t(0.975, 1) = 12.706205
    assert (s.ci_low, s.ci_high) == (pytest.approx(2 - half), pytest.approx(2 + half))
    one = summarize([4.0])
    assert (one.n, one.mean) == (1, 4.0)
    assert all(math.isnan(x) for x in (one.sd, one.ci_low, one.ci_high))
    none = summarize([math.nan])
    assert none.n == 0 and all(math.isnan(x) for x in (none.mean, none.sd, none.ci_low))


# --- differences -------------------------------------------------------------------------


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_welch_interval_matches_scipy_at_each_confidence(confidence):
    a, b = [1.0, 2.0, 3.0, 4.0, 9.0], [0.0, 0.0, 1.0, 1.0]
    d = difference(a, b, confidence=confidence)
    expected = stats.ttest_ind(a, b, equal_var=False).confidence_interval(confidence)
    assert d.difference == pytest.approx(3.8 - 0.5)
    assert (d.ci_low, d.ci_high) == (pytest.approx(expected.low), pytest.approx(expected.high))


def test_difference_of_constant_arms():
    same = difference([2.0, 2.0], [2.0, 2.0])
    assert (same.difference, same.ci_low, same.ci_high, same.p_value) == (0.0, 0.0, 0.0, 1.0)
    apart = difference([3.0, 3.0], [2.0, 2.0])
    assert (apart.difference, apart.ci_low, apart.ci_high, apart.p_value) == (1.0, 1.0, 1.0, 0.0)


def test_difference_needs_two_values_per_arm():
    assert math.isnan(difference([1.0], [1.0, 2.0]).difference)
    assert math.isnan(difference([1.0, 2.0], [1.0, math.nan]).p_value)
    assert difference([1.0, 3.0], [0.0, 2.0]).difference == 1.0


def test_proportion_difference_by_hand_and_clipped_to_plus_minus_one():
    treated, control = [1.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]
    d = difference(treated, control, binary=True)
    se = math.sqrt(2 * 0.75 * 0.25 / 4)  # 0.306
    assert d.difference == 0.5
    assert d.ci_low == pytest.approx(0.5 - 1.959964 * se)
    assert d.ci_high == 1.0  # 0.5 + 0.600 = 1.100, clipped
    z = 0.5 / math.sqrt(0.5 * 0.5 * (1 / 4 + 1 / 4))  # pooled p = 0.5
    assert d.p_value == pytest.approx(2 * stats.norm.sf(z))
    reverse = difference(control, treated, binary=True)
    assert (reverse.difference, reverse.ci_low) == (-0.5, -1.0)
    assert reverse.ci_high == pytest.approx(-0.5 + 1.959964 * se)
    assert difference([1.0, 1.0], [1.0, 1.0], binary=True).p_value == 1.0  # nothing varies


def test_proportion_interval_at_90_percent():
    a = np.r_[np.ones(60), np.zeros(40)]
    b = np.r_[np.ones(45), np.zeros(55)]
    d = difference(a, b, binary=True, confidence=0.9)
    se = math.sqrt(0.6 * 0.4 / 100 + 0.45 * 0.55 / 100)
    assert (d.ci_low, d.ci_high) == (
        pytest.approx(0.15 - 1.644854 * se),
        pytest.approx(0.15 + 1.644854 * se),
    )


# --- power and sample size ------------------------------------------------------------


def test_power_and_sample_sizes_from_textbook_tables():
    assert power_two_means(26, 0.8, 1.0) == pytest.approx(0.8075, abs=5e-4)
    assert power_two_means(26, -0.8, 1.0) == pytest.approx(0.8075, abs=5e-4)  # two-sided
    assert power_two_means(26, 8.0, 10.0) == pytest.approx(0.8075, abs=5e-4)  # d = 8 / 10
    assert sample_size_two_means(0.5, 1.0, alpha=0.01) == 96
    assert sample_size_two_means(0.5, 1.0, power=0.9) == 86
    assert sample_size_two_means(0.2, 1.0, power=0.9) == 527
    assert sample_size_two_proportions(0.5, 0.4) == 388
    assert sample_size_two_proportions(0.4, 0.5) == 388
    assert sample_size_two_proportions(0.5, 0.4, power=0.9) == 519


def test_a_huge_effect_needs_the_minimum_of_two():
    assert sample_size_two_means(100.0, 1.0) == 2


@pytest.mark.parametrize(
    ("difference_", "sd"), [(0.0, 1.0), (1.0, 0.0), (1.0, -1.0), (math.nan, 1.0), (1.0, math.inf)]
)
def test_sample_size_of_no_or_undefined_effect_is_minus_one(difference_, sd):
    assert sample_size_two_means(difference_, sd) == -1


@pytest.mark.parametrize(("p1", "p2"), [(0.3, 0.3), (1.1, 0.5), (0.5, -0.1)])
def test_sample_size_of_equal_or_impossible_proportions_is_minus_one(p1, p2):
    assert sample_size_two_proportions(p1, p2) == -1


@pytest.mark.parametrize(
    ("power", "alpha", "field"),
    [
        (0.8, 0.0, "alpha"),
        (0.8, 1.0, "alpha"),
        (0.05, 0.05, "power"),  # power must exceed alpha
        (1.0, 0.05, "power"),
    ],
)
def test_power_and_alpha_ranges(power, alpha, field):
    with pytest.raises(FollicleInputError, match=field):
        sample_size_two_means(0.5, 1.0, power=power, alpha=alpha)
    with pytest.raises(FollicleInputError, match=field):
        sample_size_two_proportions(0.5, 0.4, power=power, alpha=alpha)


def test_power_just_above_alpha_is_accepted():
    assert sample_size_two_means(0.5, 1.0, power=0.06, alpha=0.05) >= 2


# --- endpoints (trials/endpoints.py) ----------------------------------------------------

# three people: hairs 200 -> 150, 4 -> 5, 0 -> 5; stages (Norwood codes) 0, 1, 3 on day 90
OBSERVATIONS = pd.DataFrame(
    {
        "person": [0, 1, 2, 0, 1, 2],
        "day": [0, 0, 0, 90, 90, 90],
        "hairs": [200.0, 4.0, 0.0, 150.0, 5.0, 5.0],
        "stage": [0, 0, 0, 0, 1, 3],
    }
)


def values(measure, *, improvement=None, min_stage=None, sex="male", n=3, column="hairs"):
    endpoint = Endpoint(measure=measure, column=column, day=90, min_stage=min_stage)
    return endpoint_values(
        endpoint,
        OBSERVATIONS,
        n=n,
        sex=sex,
        improvement=improvement or Improvement(column="hairs"),
    ).tolist()


def test_value_and_change():
    assert values("value") == [150.0, 5.0, 5.0]
    assert values("change") == [-50.0, 1.0, 5.0]


def test_percent_change_is_relative_to_the_baseline():
    got = values("percent_change")
    # (150 - 200) / 200 = -25% (not / 150); (5 - 4) / 4 = +25%; no baseline -> undefined
    assert got[:2] == [-25.0, 25.0]
    assert math.isnan(got[2])


@pytest.mark.parametrize(
    ("min_change", "expected"),
    [(0.25, [0.0, 1.0, 1.0]), (0.2, [0.0, 1.0, 1.0]), (0.26, [0.0, 0.0, 1.0]), (-0.25, [1.0] * 3)],
)
def test_fraction_improved_grew_by_at_least(min_change, expected):
    # relative changes: -0.25, +0.25, and 0 -> 5 counts as +100%
    improvement = Improvement(column="hairs", min_relative_change=min_change)
    assert values("fraction_improved", improvement=improvement) == expected


def test_fraction_improved_when_nothing_grows_from_nothing():
    observations = OBSERVATIONS.assign(hairs=[0.0, 1.0, 1.0, 0.0, 1.0, 1.0])
    endpoint = Endpoint(measure="fraction_improved", day=90)
    got = endpoint_values(
        endpoint,
        observations,
        n=3,
        sex="male",
        improvement=Improvement(column="hairs", min_relative_change=0.0),
    )
    assert got.tolist() == [1.0, 1.0, 1.0]  # 0 -> 0 is no change, which is >= 0
    strict = Improvement(column="hairs", min_relative_change=0.01)
    assert endpoint_values(
        endpoint, observations, n=3, sex="male", improvement=strict
    ).tolist() == [
        0.0,
        0.0,
        0.0,
    ]


@pytest.mark.parametrize(
    ("sex", "min_stage", "expected"),
    [
        ("male", None, [0.0, 1.0, 1.0]),  # default Hamilton-Norwood II (code 1) or more
        ("male", "III vertex", [0.0, 0.0, 1.0]),
        ("male", "IV", [0.0, 0.0, 0.0]),
        ("female", None, [0.0, 1.0, 1.0]),  # default Ludwig I (code 1) or more
        ("female", "III", [0.0, 0.0, 1.0]),
    ],
)
def test_fraction_with_pattern_loss_from_the_lowest_stage(sex, min_stage, expected):
    assert values("fraction_with_pattern_loss", sex=sex, min_stage=min_stage) == expected


def test_people_without_observations_are_missing_not_zero():
    got = values("change", n=4)
    assert got[:3] == [-50.0, 1.0, 5.0] and math.isnan(got[3])
    with pytest.raises(ValueError, match="day 90"):
        endpoint_values(
            Endpoint(measure="value", day=90),
            OBSERVATIONS[OBSERVATIONS["day"] == 0],
            n=3,
            sex="male",
            improvement=Improvement(),
        )


# --- targets: tolerance and the model value ---------------------------------------------


def target(**kwargs):
    base = {
        "id": "t",
        "source": "hand",
        "population": {"sex": "male", "age_years": 30},
        "endpoint": "density_per_cm2",
        "value": 100.0,
        "tolerance": 0.1,
    }
    return Target(**{**base, **kwargs})


@pytest.mark.parametrize(
    ("relative", "model", "passes"),
    [
        (True, 110.0, True),  # 10% of 100
        (True, 90.0, True),
        (True, 110.5, False),
        (True, 89.5, False),
        (False, 100.1, True),
        (False, 99.95, True),
        (False, 100.2, False),
        (False, 110.0, False),  # an absolute tolerance is not scaled by the value
    ],
)
def test_tolerance_absolute_or_relative_to_the_published_value(relative, model, passes):
    assert target(relative=relative).passes(model) is passes


def test_relative_tolerance_of_a_negative_value_uses_its_size():
    t = target(value=-20.0, tolerance=0.5, relative=True)  # allowed: 10
    assert t.passes(-10.0) and t.passes(-30.0)
    assert not t.passes(-9.5) and not t.passes(-30.5)


def _result(arms: dict[str, list[float]], label: str):
    rows = [(arm, x) for arm, xs in arms.items() for x in xs]
    return SimpleNamespace(values=pd.DataFrame(rows, columns=["arm", label]))


def test_model_value_of_a_single_arm_is_its_mean_and_t_interval():
    t = target(arms=("untreated",), endpoint="hair_count_change", day=90)
    model, low, high = _model_value(_result({"untreated": [1.0, 2.0, 3.0, 4.0, 5.0]}, _label(t)), t)
    half = 2.7764451 * math.sqrt(2.5) / math.sqrt(5)
    assert (model, low, high) == (3.0, pytest.approx(3 - half), pytest.approx(3 + half))


def test_model_value_of_a_difference_is_the_last_arm_minus_the_first():
    t = target(arms=("placebo", "treated"), endpoint="difference_in_hair_count_change", day=90)
    placebo, treated = [0.0, 0.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0, 9.0]
    result = _result({"treated": treated, "placebo": placebo, "other": [99.0, 99.0]}, _label(t))
    model, low, high = _model_value(result, t)
    expected = stats.ttest_ind(treated, placebo, equal_var=False).confidence_interval(0.95)
    assert model == pytest.approx(3.3)
    assert (low, high) == (pytest.approx(expected.low), pytest.approx(expected.high))


def test_model_value_of_a_binary_endpoint_uses_proportions():
    t = target(arms=("placebo", "treated"), endpoint="difference_in_fraction_improved", day=90)
    result = _result({"placebo": [0.0, 0.0, 0.0, 1.0], "treated": [1.0, 1.0, 1.0, 0.0]}, _label(t))
    model, low, high = _model_value(result, t)
    assert (model, high) == (0.5, 1.0)  # Wald interval clipped at 1: a proportion difference
    single = target(arms=("treated",), endpoint="fraction_improved", day=90)
    model, low, high = _model_value(
        _result({"treated": [1.0] * 8 + [0.0] * 2}, _label(single)), single
    )
    assert (model, low, high) == (
        pytest.approx(0.8),
        pytest.approx(0.4902, abs=1e-4),  # Wilson, 8 of 10 (Newcombe 1998)
        pytest.approx(0.9433, abs=1e-4),
    )


# --- more power and sample-size edges ----------------------------------------------------


def test_sample_sizes_near_the_minimum():
    # Cohen 1988, Table 2.4.1 (two-sided alpha 0.05, power 0.8): d = 1.2 -> 12, d = 1.0 -> 17
    assert sample_size_two_means(1.2, 1.0) == 12
    assert sample_size_two_means(1.0, 1.0) == 17
    # d = 5: 2 per arm give power 0.72 (< 0.8), 3 give 0.99
    assert power_two_means(2, 5.0, 1.0) < 0.8 < power_two_means(3, 5.0, 1.0)
    assert sample_size_two_means(5.0, 1.0) == 3
    # d = 8: 2 per arm suffice at alpha 0.05 but not at 0.01
    assert sample_size_two_means(8.0, 1.0) == 2
    assert sample_size_two_means(8.0, 1.0, alpha=0.01) == 3


def test_power_without_an_effect_is_the_test_level():
    # both tails count: P(|T| > t_crit) = alpha when there is no difference
    assert power_two_means(50, 0.0, 1.0) == pytest.approx(0.05, abs=1e-9)
    assert power_two_means(50, 0.0, 1.0, alpha=0.1) == pytest.approx(0.1, abs=1e-9)


def test_power_at_four_per_arm_matches_simulated_t_tests():
    """Small samples, where the degrees of freedom (2n - 2 = 6) matter."""
    rng = np.random.default_rng(5)
    sims, n = 20_000, 4
    treated = rng.normal(2.0, 1.0, (sims, n))
    control = rng.normal(0.0, 1.0, (sims, n))
    p_values = stats.ttest_ind(treated, control, axis=1).pvalue
    simulated = float(np.mean(p_values < 0.05))
    # binomial SD of the simulated power: sqrt(0.66 * 0.34 / 20000) = 0.0033; 4 SD
    assert abs(simulated - power_two_means(n, 2.0, 1.0)) < 0.0134


@pytest.mark.parametrize(("p1", "p2"), [(0.0, 0.1), (0.1, 0.0), (1.0, 0.9), (0.9, 1.0)])
def test_sample_size_for_proportions_at_zero_and_one(p1, p2):
    # Fleiss without continuity correction: (1.96 * sqrt(2 * 0.05 * 0.95)
    # + 0.8416 * sqrt(0.1 * 0.9)) ** 2 / 0.1 ** 2 = 73.4 -> 74
    assert sample_size_two_proportions(p1, p2) == 74


@pytest.mark.parametrize(
    ("power", "alpha", "message"),
    [
        (0.8, 0.0, "alpha = 0.0 is not allowed; expected a number in (0, 1)"),
        (0.8, 1.0, "alpha = 1.0 is not allowed; expected a number in (0, 1)"),
        (0.05, 0.05, "power = 0.05 is not allowed; expected a number in (0.05, 1)"),
        (1.0, 0.05, "power = 1.0 is not allowed; expected a number in (0.05, 1)"),
    ],
)
def test_power_and_alpha_errors_in_full(power, alpha, message):
    with pytest.raises(FollicleInputError) as error:
        sample_size_two_means(0.5, 1.0, power=power, alpha=alpha)
    assert str(error.value) == message


def test_results_as_dicts():
    assert summarize([1.0, 2.0, 3.0]).to_dict() == {
        "n": 3,
        "mean": 2.0,
        "sd": 1.0,
        "ci_low": pytest.approx(2 - 4.302653 / math.sqrt(3)),  # t(0.975, 2) = 4.302653
        "ci_high": pytest.approx(2 + 4.302653 / math.sqrt(3)),
    }
    assert difference([3.0, 3.0], [2.0, 2.0]).to_dict() == {
        "difference": 1.0,
        "ci_low": 1.0,
        "ci_high": 1.0,
        "p_value": 0.0,
    }


# --- targets files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "tolerance", "model", "passes"),
    [
        (True, 0.25, 125.0, True),  # exactly at the edge: 0.25 * 100 = 25, inclusive
        (True, 0.25, 75.0, True),
        (False, 0.5, 100.5, True),
        (False, 0.5, 99.5, True),
        (False, 0.5, 100.50001, False),
    ],
)
def test_tolerance_edges_are_inclusive(relative, tolerance, model, passes):
    assert target(relative=relative, tolerance=tolerance).passes(model) is passes


TARGETS_HEADER = """
[regimen.untreated]
treatment = []
"""

ONE_TARGET = """
[[target]]
id = "t"
source = "hand"
population = { sex = "male", age_years = 30 }
endpoint = "density_per_cm2"
value = 1
tolerance = 1
"""


def test_a_bad_regimen_in_a_targets_file_is_named_with_its_label(tmp_path):
    path = tmp_path / "targets.toml"
    bad = '[regimen.weekly]\ntreatment = [{ kind = "minoxidil", concentration_percent = 50 }]\n'
    path.write_text(TARGETS_HEADER + bad + ONE_TARGET)
    from follicle.trials.targets import load_targets

    with pytest.raises(FollicleInputError, match=r"regimen\.weekly"):
        load_targets(path)


def test_a_bad_targets_file_is_named_in_the_error(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(TARGETS_HEADER + ONE_TARGET.replace("tolerance = 1", "tolerance = -1"))
    from follicle.trials.targets import load_targets

    with pytest.raises(FollicleInputError) as error:
        load_targets(path)
    assert str(path) in str(error.value) and "tolerance" in str(error.value)


KNOWN = """
[regimen.untreated]
treatment = []
[regimen.placebo]
treatment = []

[[target]]
id = "no-time-no-change"
source = "arithmetic: day = baseline_day"
population = { sex = "male", age_years = 30 }
arms = ["untreated", "placebo"]
endpoint = "difference_in_hair_count_change"
value = 0
tolerance = 0.5
relative = true

[[target]]
id = "nobody-improves-in-no-time"
source = "arithmetic: 0 growth < 5%"
population = { sex = "male", age_years = 30 }
endpoint = "fraction_improved"
value = 5
tolerance = 0.5
relative = true
"""


def test_validate_on_targets_with_a_known_answer(tmp_path):
    """Day 0 from day 0: every change is exactly 0 and nobody has grown by 5%."""
    from follicle.trials.validate import validate

    path = tmp_path / "known.toml"
    path.write_text(KNOWN)
    table = validate(path, n_per_arm=3, seed=1, workers=0).table.set_index("id")
    change = table.loc["no-time-no-change"]
    assert (change["model"], change["model_ci_low"], change["model_ci_high"]) == (0.0, 0.0, 0.0)
    assert change["tolerance"] == 0.0  # relative to a published 0
    assert bool(change["pass"])  # |0 - 0| <= 0
    improved = table.loc["nobody-improves-in-no-time"]
    assert improved["model"] == 0.0
    assert improved["tolerance"] == 2.5  # 0.5 x 5
    assert not bool(improved["pass"])  # |0 - 5| > 2.5


def test_undefined_results_are_undefined_in_every_field():
    empty = summarize([])
    assert empty.n == 0
    assert all(math.isnan(x) for x in (empty.mean, empty.sd, empty.ci_low, empty.ci_high))
    short = difference([1.0], [1.0, 2.0])
    assert all(math.isnan(x) for x in (short.difference, short.ci_low, short.ci_high))
    assert math.isnan(short.p_value)
    assert sample_size_two_proportions(0.5, 1.1) == -1
    assert sample_size_two_proportions(-0.1, 0.5) == -1


def test_binary_summary_at_90_percent_uses_the_90_percent_wilson_interval():
    summary = summarize([1.0] * 8 + [0.0] * 2, binary=True, confidence=0.9)
    low, high = wilson_interval(8, 10, confidence=0.9)
    assert (summary.ci_low, summary.ci_high) == (pytest.approx(low), pytest.approx(high))
    # z = 1.644854 instead of 1.959964: narrower than the 95% interval 0.4902-0.9433
    assert low > 0.4902 and high < 0.9433
