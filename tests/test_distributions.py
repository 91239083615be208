"""Distribution objects know their mean and variance: one generic check against samples."""

import numpy as np
import pytest

from follicle.model import cycle
from follicle.model.params import DEFAULT_PARAMETERS as P

DISTRIBUTIONS = [
    cycle.LogNormal(P.anagen_mean_days, P.anagen_log_sd),
    cycle.LogNormal(P.catagen_mean_days, P.catagen_log_sd),
    cycle.LogNormal(P.telogen_mean_days, P.telogen_log_sd),
    cycle.LogNormal(P.kenogen_mean_days_terminal, P.kenogen_log_sd),
]


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: f"LN(mean={d.mean})")
def test_sample_mean_and_variance_match_theory(dist):
    n = 200_000
    x = dist.sample(np.random.default_rng(1), n)
    # the sample mean is within 5 standard errors of the mean
    assert abs(x.mean() - dist.mean) < 5 * np.sqrt(dist.variance / n)
    # the sample variance within 5% (lognormal tails: kurtosis is modest at log SD <= 0.5)
    assert x.var() == pytest.approx(dist.variance, rel=0.05)


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: f"LN(mean={d.mean})")
def test_length_biased_mean_is_second_moment_over_mean(dist):
    # renewal theory: the interval covering a random time has mean E[X^2] / E[X]
    expected = (dist.variance + dist.mean**2) / dist.mean
    assert dist.length_biased().mean == pytest.approx(expected, rel=1e-12)


def test_unit_lognormal_has_mean_one():
    x = cycle.unit_lognormal(0.5, np.random.default_rng(2), 200_000)
    sd = np.sqrt(np.exp(0.25) - 1)
    assert abs(x.mean() - 1) < 5 * sd / np.sqrt(x.size)


def test_size_update_fixed_point_is_repair_over_repair_plus_damage():
    # gradual mode, no noise: s* = r / (r + d x exposure) for an attached follicle
    s = np.array([1.0])
    for _ in range(200):
        s = cycle.next_size(
            s, exposure=np.array([1.0]), growth=np.array([0.0]), attached=np.array([True]), params=P
        )
    r, d = P.repair_per_cycle, P.damage_per_cycle
    assert s[0] == pytest.approx(r / (r + d), rel=1e-9)


def test_detached_follicles_do_not_recover():
    s = cycle.next_size(
        np.array([0.3]),
        exposure=np.array([0.0]),
        growth=np.array([5.0]),
        attached=np.array([False]),
        params=P,
    )
    assert s[0] == 0.3


def test_docs_parameter_table_is_current():
    from pathlib import Path

    from follicle.model.params import parameter_table_markdown

    text = (Path(__file__).resolve().parents[1] / "docs" / "model.md").read_text()
    table = text.split("<!-- parameters:start -->\n")[1].split("<!-- parameters:end -->")[0]
    assert table.strip() == parameter_table_markdown().strip()


def test_parameter_overrides_are_validated():
    from follicle.errors import FollicleInputError
    from follicle.model.params import parameters_from_overrides

    changed = parameters_from_overrides({"androgen_level": {"female": 0.5}})
    assert changed.androgen_level == {"male": 1.0, "female": 0.5}
    for bad in (
        {"nope": 1},
        {"damage_per_cycle": "x"},
        {"androgen_level": {"alien": 1}},
        {"unit_size_probabilities": [0.5, 0.5]},
        {"loss_size": 0.9},
    ):
        with pytest.raises(FollicleInputError):
            parameters_from_overrides(bad)
