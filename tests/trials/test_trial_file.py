"""Trial files: validation with one-line errors naming the field, regimen files, defaults."""

import numpy as np
import pytest

from follicle.errors import FollicleInputError
from follicle.trials import load_trial, parse_trial
from follicle.trials.cohorts import Population, SensitivityDistribution, draw_candidates

BASE = {
    "n_per_arm": 10,
    "population": {"sex": "male", "age_years": 30},
    "arm": [{"name": "placebo"}],
    "endpoint": [{"measure": "change", "column": "hairs", "day": 84}],
}


def test_example_trial_file_loads(examples):
    trial = load_trial(examples / "trials" / "finasteride-vs-placebo.toml")
    assert trial.control == "placebo"
    assert trial.arm[1].regimen.treatment[0].kind == "finasteride"
    assert trial.target_area.area_cm2 == 5.1
    assert trial.duration_days == 365


def test_regimen_file_relative_to_the_trial_file(tmp_path, examples):
    (tmp_path / "fin.toml").write_text((examples / "finasteride.toml").read_text())
    (tmp_path / "t.toml").write_text(
        'n_per_arm = 5\n[population]\nsex = "male"\nage_years = 30\n'
        '[[arm]]\nname = "fin"\nregimen = "fin.toml"\n'
        '[[endpoint]]\nmeasure = "value"\ncolumn = "hairs"\nday = 30\n'
    )
    assert load_trial(tmp_path / "t.toml").arm[0].regimen.treatment[0].kind == "finasteride"


def test_observation_step_lands_on_every_endpoint_day():
    trial = parse_trial(
        {**BASE, "endpoint": [{"day": 84}, {"day": 336}, {"day": 365, "measure": "value"}]}
    )
    assert trial.observation_step_days == 1  # gcd(84, 336, 365) = 7 * ... = 1
    trial = parse_trial({**BASE, "endpoint": [{"day": 84}, {"day": 336}]})
    assert trial.observation_step_days == 28


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"endpoint": [{"measure": "change", "column": "hair", "day": 10}]}, "column"),
        ({"endpoint": [{"measure": "mean", "day": 10}]}, "measure"),
        ({"population": {"sex": "male", "age_years": [40, 20]}}, "age_years"),
        ({"population": {"sex": "male", "age_years": 30, "stage": "IX"}}, "stage"),
        ({"population": {"sex": "male", "age_years": 30, "androgen_sensitivity": 9}}, "androgen"),
        ({"arm": [{"name": "a"}, {"name": "a"}]}, "arm.name"),
        ({"control_arm": "nobody"}, "control_arm"),
        ({"days": 30}, "endpoint.day"),
        ({"n_per_arm": 0}, "n_per_arm"),
        ({"observe_every_days": 30}, "multiple of observe_every_days"),
        ({"arm": [{"name": "x", "treatment": [{"kind": "magic"}]}]}, "kind"),
        ({"arm": [{"name": "x", "treatment": [{"kind": "finasteride", "dose_mg": 99}]}]}, "dose"),
    ],
)
def test_bad_trial_files_name_the_field(change, field):
    with pytest.raises(FollicleInputError, match=field):
        parse_trial({**BASE, **change})


def test_candidates_follow_the_documented_distributions():
    population = Population(sex="male", age_years=(18, 41), ethnicity="asian")
    distribution = SensitivityDistribution(predisposed_share=0.6, median=0.4, log_sd=0.5)
    people = draw_candidates(
        population, 20_000, np.random.SeedSequence(1), sensitivity=distribution
    )
    ages = np.array([p["age_years"] for p in people])
    sens = np.array([p["androgen_sensitivity"] for p in people])
    dens = np.array([p["follicle_density_per_cm2"] for p in people])
    assert ages.min() >= 18 and ages.max() <= 41
    assert ages.mean() == pytest.approx(29.5, abs=0.3)  # uniform: SE 6.6 / sqrt(2e4) = 0.05
    assert (sens > 0).mean() == pytest.approx(0.6, abs=0.015)  # SE 0.0035
    assert np.median(sens[sens > 0]) == pytest.approx(0.4, rel=0.03)
    assert np.log(sens[sens > 0]).std() == pytest.approx(0.5, rel=0.03)
    assert dens.mean() == pytest.approx(220 * 1.9 / 2.2, rel=0.01)  # Asian: 1.9 / 2.2 hairs/FU
    assert all(p["ethnicity"] == "asian" for p in people[:5])


@pytest.mark.parametrize(
    "name",
    [
        "finasteride-vs-placebo.toml",
        "minoxidil-olsen.toml",
        "stop-finasteride.toml",
        "women-minoxidil.toml",
        "prevalence-men.toml",
    ],
)
def test_every_example_trial_is_valid(examples, name):
    trial = load_trial(examples / "trials" / name)
    for endpoint in trial.endpoint:
        assert endpoint.day % trial.observation_step_days == 0


def test_onset_ages_follow_the_population_distribution():
    population = Population(sex="male", age_years=30)
    distribution = SensitivityDistribution(
        predisposed_share=1, median=0.5, log_sd=0.1, onset_mean_years=25, onset_sd_years=5
    )
    people = draw_candidates(population, 5000, np.random.SeedSequence(2), sensitivity=distribution)
    onset = np.array([p["onset_age_years"] for p in people])
    assert onset.mean() == pytest.approx(25, abs=0.3) and onset.std() == pytest.approx(5, rel=0.05)
    no_onset = SensitivityDistribution(predisposed_share=1, median=0.5, log_sd=0.1)
    people = draw_candidates(population, 5, np.random.SeedSequence(2), sensitivity=no_onset)
    assert all("onset_age_years" not in p for p in people)
