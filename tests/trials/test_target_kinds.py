"""Target kinds beyond a mean with a tolerance: ranges, SDs of change, the day a mean
peaks, regrowth fractions and the scalp DHT endpoint."""

import math

import numpy as np
import pandas as pd
import pytest

from follicle.errors import FollicleInputError
from follicle.trials import statistics
from follicle.trials.calibrate import objective
from follicle.trials.targets import load_targets
from follicle.trials.validate import ValidationReport, validate

HEADER = """
[regimen.untreated]
treatment = []
[regimen.placebo]
treatment = []
[regimen."finasteride 1 mg"]
treatment = [{ kind = "finasteride", dose_mg = 1.0 }]
[regimen."minoxidil 5%"]
treatment = [{ kind = "minoxidil", concentration_percent = 5 }]
"""

MEN = 'population = { sex = "male", age_years = [30, 40], androgen_sensitivity = "high" }'


def write(tmp_path, body: str):
    path = tmp_path / "targets.toml"
    path.write_text(HEADER + body)
    return path


def test_a_range_target_passes_inside_its_range_only(tmp_path):
    body = f"""
[[target]]
id = "r"
source = "test"
{MEN}
endpoint = "density_per_cm2"
kind = "range"
range = [10, 30]
"""
    target = load_targets(write(tmp_path, body)).target[0]
    assert (target.centre, target.allowed) == (20, 10)
    assert target.passes(10) and target.passes(30) and target.passes(21.5)
    assert not target.passes(9.99) and not target.passes(30.01)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('kind = "range"\nrange = [30, 10]', "low <= high"),
        ('kind = "range"', "range"),
        ('kind = "range"\nrange = [1, 2]\nvalue = 1\ntolerance = 1', "not\nvalue|not value"),
        ("value = 3", "tolerance"),
        ('endpoint = "sd_of_difference_in_hair_count_change"\nvalue = 1\ntolerance = 1', "sd_of"),
    ],
)
def test_bad_target_kinds_are_refused(tmp_path, extra, message):
    endpoint = "" if "endpoint" in extra else 'endpoint = "density_per_cm2"\n'
    arms = 'arms = ["placebo", "minoxidil 5%"]\n' if "difference" in extra else ""
    body = f'[[target]]\nid = "x"\nsource = "s"\n{MEN}\n{arms}{endpoint}{extra}\n'
    with pytest.raises(FollicleInputError, match=message):
        load_targets(write(tmp_path, body))


def test_objective_is_zero_inside_a_range_and_grows_outside():
    def report(model):
        table = pd.DataFrame(
            {"kind": ["range"], "published": [20.0], "tolerance": [10.0], "model": [model]}
        )
        return ValidationReport(table, {})

    assert objective(report(12.0)) == 0.0
    assert objective(report(40.0)) == pytest.approx(1.0)  # one half-width outside
    assert objective(report(-5.0)) == pytest.approx(1.5**2)


def test_sd_interval_covers_the_true_sd_at_its_level():
    """Chi-square interval of a normal sample's SD: covers the truth ~95% of the time."""
    rng = np.random.default_rng(11)
    trials, covered = 2000, 0
    for _ in range(trials):
        sd, low, high = statistics.standard_deviation(rng.normal(0, 3.0, 40))
        covered += low <= 3.0 <= high
        assert low < sd < high
    # binomial SE at p = 0.95 and 2000 trials is 0.0049: 4 SE either side
    assert abs(covered / trials - 0.95) < 0.02


def test_day_of_peak_and_the_days_compatible_with_it():
    days = np.arange(7, 113, 7.0)
    means = np.exp(-(((days - 35) / 15) ** 2))
    day, low, high = statistics.day_of_peak(days, means, np.full(days.size, 1e-4))
    assert day == 35 and low == 35 and high == 35  # tiny errors: only the peak
    day, low, high = statistics.day_of_peak(days, means, np.full(days.size, 0.2))
    assert day == 35 and low < 35 < high  # large errors: a wide set of days
    assert math.isnan(statistics.day_of_peak([1.0], [np.nan], [1.0])[0])


@pytest.mark.slow
def test_sd_peak_and_dht_endpoints_in_a_small_validation(tmp_path):
    body = f"""
[[target]]
id = "sd"
source = "test"
{MEN}
arms = ["minoxidil 5%"]
endpoint = "sd_of_non_vellus_density_change"
day = 84
value = 10
tolerance = 1000

[[target]]
id = "change"
source = "test"
{MEN}
arms = ["minoxidil 5%"]
endpoint = "non_vellus_density_change"
day = 84
value = 10
tolerance = 1000

[[target]]
id = "peak"
source = "test"
{MEN}
arms = ["minoxidil 5%"]
endpoint = "day_of_peak_shedding"
day = 84
observe_every_days = 7
kind = "range"
range = [0, 84]

[[target]]
id = "dht"
source = "test"
{MEN}
arms = ["finasteride 1 mg"]
endpoint = "scalp_dht_change_percent"
day = 42
value = -64
tolerance = 8
"""
    report = validate(write(tmp_path, body), n_per_arm=12, seed=3)
    table = report.table.set_index("id")
    values = report.trials[0].values
    label = next(c for c in values.columns if c.startswith("change non_vellus"))
    arm = values.loc[values["arm"] == "minoxidil 5%", label]
    assert table.loc["sd", "model"] == pytest.approx(arm.std(ddof=1))
    assert table.loc["sd", "model_ci_low"] < table.loc["sd", "model"]
    bands = report.trials[0].trajectory_bands("shed_per_day")
    bands = bands[(bands["arm"] == "minoxidil 5%") & (bands["day"] > 0) & (bands["day"] <= 84)]
    assert table.loc["peak", "model"] == bands.loc[bands["mean"].idxmax(), "day"]
    assert bands["day"].diff().dropna().eq(7).all()  # the asked observation step
    # finasteride 1 mg: scalp DHT -64% at steady state ([P] Drake 1999)
    assert table.loc["dht", "pass"]


def test_validate_cli_prints_a_range_as_a_range(tmp_path):
    import json

    from typer.testing import CliRunner

    from follicle.cli import app

    body = f"""
[[target]]
id = "r"
source = "test"
{MEN}
endpoint = "density_per_cm2"
kind = "range"
range = [0, 1000]
"""
    path = write(tmp_path, body)
    args = ["validate", "--targets", str(path), "--n-per-arm", "2", "--workers", "0"]
    args.append("--no-ensemble")  # the predictive check: tests/trials/test_predictive.py
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "[0, 1e+03]" in result.output and "pass" in result.output
    payload = json.loads(CliRunner().invoke(app, [*args, "--json"]).output)
    row = payload["targets"][0]
    assert (row["kind"], row["range_low"], row["range_high"]) == ("range", 0, 1000)
    assert row["published"] == 500 and row["tolerance"] == 500 and row["pass"]


@pytest.mark.slow
def test_arm_spreads_of_change_match_olsen_2002():
    """The placebo and 5% minoxidil arms' SDs of change at 48 weeks within the targets'
    tolerance (published 21.7 and 25.4/cm2); without the count error and the person-level
    response the model's SDs were 9-10/cm2 (docs/validation.md, baseline)."""
    targets = load_targets()
    chosen = tuple(t for t in targets.target if t.id.startswith("olsen2002-48w-"))
    report = validate(targets.model_copy(update={"target": chosen}), n_per_arm=120, seed=1)
    table = report.table.set_index("id")
    for target in ("olsen2002-48w-placebo-sd", "olsen2002-48w-5pct-sd"):
        assert table.loc[target, "pass"], table.loc[target].to_dict()
    # the treated arm spreads more than the placebo arm (response heterogeneity)
    assert (
        table.loc["olsen2002-48w-5pct-sd", "model"] > table.loc["olsen2002-48w-placebo-sd", "model"]
    )
