"""Posterior predictive intervals in `follicle validate` (issue 9): the interval arithmetic,
the member trials behind it (each member's parameters, its own seed stream), independence
from the number of workers, and the installed command."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from follicle.model.params import DEFAULT_PARAMETERS
from follicle.trials import predictive
from follicle.trials.ensemble import Ensemble
from follicle.trials.ensemble_trial import choose_members
from follicle.trials.targets import load_targets, select_targets
from follicle.trials.validate import validate

FOLLICLE = str(Path(sys.executable).with_name("follicle"))
TARGET = "steady-state-density"  # day 0: the cheapest target; a counted column (count error)


def fake_ensemble(cvs=(0.0, 0.1, 0.2)) -> Ensemble:
    """Members that differ only in the count error: values the test can predict."""
    return Ensemble(("count_error_cv",), tuple((cv,) for cv in cvs), {"created": "test"})


# --------------------------------------------------------------------------------------
# the interval arithmetic


def test_interval_is_the_central_share_of_the_member_values():
    values = np.arange(101.0)  # percentiles of 0..100 are the percentages themselves
    interval = predictive.predictive_interval(values, level=0.9)
    low_median_high = (interval.low, interval.median, interval.high)
    assert low_median_high == pytest.approx((5.0, 50.0, 95.0), abs=1e-9)
    assert interval.members == 101
    wide = predictive.predictive_interval(values, level=0.98)
    assert (wide.low, wide.high) == pytest.approx((1.0, 99.0), abs=1e-9)


def test_interval_skips_members_without_a_value_and_reports_none_without_any():
    interval = predictive.predictive_interval([1.0, math.nan, 3.0], level=0.5)
    assert interval.members == 2
    assert (interval.low, interval.high) == pytest.approx((1.5, 2.5), abs=1e-9)
    empty = predictive.predictive_interval([math.nan, math.nan])
    assert empty.members == 0 and math.isnan(empty.low)
    assert empty.contains(centre=0.0) is None


def test_spread_splits_into_sampling_and_parameter_parts():
    values = [0.0, 2.0, 4.0, 6.0]  # sample variance 20/3
    errors = [1.0, 1.0, 1.0, 1.0]
    interval = predictive.predictive_interval(values, errors)
    assert interval.sampling_se == pytest.approx(1.0)
    assert interval.parameter_sd == pytest.approx(math.sqrt(20 / 3 - 1))
    # all the spread explained by sampling: no parameter part (floored at 0, not NaN)
    assert predictive.predictive_interval([0.0, 1.0], [5.0, 5.0]).parameter_sd == 0.0


def test_published_value_or_range_inside():
    interval = predictive.predictive_interval([10.0, 20.0], level=0.5)  # 12.5 .. 17.5
    assert interval.contains(centre=15.0) is True
    assert interval.contains(centre=12.0) is False and interval.contains(centre=18.0) is False
    # a range target: inside when its range overlaps the interval, whatever its midpoint
    assert interval.contains(centre=5.0, range_low=0.0, range_high=13.0) is True
    assert interval.contains(centre=5.0, range_low=0.0, range_high=12.0) is False


def test_an_interval_without_spread_judges_nothing():
    # every member gave the same value (a drug's DHT suppression: no varied parameter, no
    # person): a zero-width interval would call any published value but that one "OUT"
    fixed = predictive.predictive_interval([-63.6, -63.6, -63.6])
    assert (fixed.low, fixed.high) == pytest.approx((-63.6, -63.6))
    assert fixed.judged is False
    assert fixed.contains(centre=-63.6) is None and fixed.contains(centre=-64.1) is None
    assert fixed.contains(centre=0.0, range_low=-70.0, range_high=-60.0) is None
    # the smallest spread judges again
    barely = predictive.predictive_interval([-63.6, -63.5], level=0.5)
    assert barely.judged is True and barely.contains(centre=-64.1) is False


def test_bad_level_names_the_field():
    with pytest.raises(Exception, match="level"):
        predictive.predictive_interval([1.0, 2.0], level=1.0)


def test_member_seeds_are_fixed_distinct_and_valid():
    seeds = [predictive.member_seed(2, p) for p in range(50)]
    assert seeds == [predictive.member_seed(2, p) for p in range(50)]
    assert len(set(seeds)) == 50 and all(0 <= s < 2**63 for s in seeds)
    assert predictive.member_seed(3, 0) != seeds[0]
    assert 2 not in seeds  # not the point run's people


# --------------------------------------------------------------------------------------
# the member trials


@pytest.fixture(scope="module")
def one_target():
    return select_targets(load_targets(), [TARGET])


def test_each_member_is_a_trial_with_its_parameters_and_its_own_seed(one_target):
    """The interval equals the one computed by hand from point runs, one per member: the
    member's count error, the member's seed, the members' people per arm."""
    ensemble = fake_ensemble()
    report = validate(
        one_target, n_per_arm=3, seed=5, ensemble=ensemble, members=3, members_n_per_arm=4
    )
    chosen = choose_members(ensemble, 3, 5)
    expected = []
    for position, index in enumerate(chosen):
        params = DEFAULT_PARAMETERS.replace(count_error_cv=ensemble.members[index][0])
        run = validate(
            one_target, n_per_arm=4, seed=predictive.member_seed(5, position), params=params
        )
        expected.append(run.table["model"].iloc[0])
    row = report.table.iloc[0]
    interval = predictive.predictive_interval(expected, level=0.9)
    assert (row["predictive_low"], row["predictive_median"], row["predictive_high"]) == (
        pytest.approx(interval.low),
        pytest.approx(interval.median),
        pytest.approx(interval.high),
    )
    assert row["predictive_members"] == 3
    assert row["published_in_predictive"] == (interval.low <= row["published"] <= interval.high)
    # the point columns are the point run's, untouched by the members
    alone = validate(one_target, n_per_arm=3, seed=5).table.iloc[0]
    assert row["model"] == alone["model"] and row["pass"] == alone["pass"]
    used = report.provenance["predictive"]
    assert used["members_used"] == chosen and used["n_per_arm"] == 4
    assert used["member_seeds"] == [predictive.member_seed(5, p) for p in range(3)]
    assert any("parameter uncertainty" in part for part in used["includes"])


def test_member_parameters_move_the_interval(one_target):
    """Same seeds, same people: members without count error vs with a large one."""
    runs = {
        cvs: validate(
            one_target,
            n_per_arm=2,
            seed=1,
            ensemble=fake_ensemble(cvs),
            members=4,
            members_n_per_arm=6,
        ).table.iloc[0]
        for cvs in ((0.0,) * 4, (0.0, 0.3, 0.0, 0.3))
    }
    quiet, noisy = runs[(0.0,) * 4], runs[(0.0, 0.3, 0.0, 0.3)]
    assert quiet["predictive_low"] != noisy["predictive_low"] or (
        quiet["predictive_high"] != noisy["predictive_high"]
    )


def test_same_interval_serially_and_on_two_workers(one_target):
    kwargs = dict(n_per_arm=3, seed=4, ensemble=fake_ensemble(), members=2, members_n_per_arm=3)
    serial = validate(one_target, workers=0, **kwargs).table
    parallel = validate(one_target, workers=2, **kwargs).table
    columns = [c for c in serial.columns if c.startswith("predictive") or c == "model"]
    assert serial[columns].equals(parallel[columns])
    assert serial["published_in_predictive"].equals(parallel["published_in_predictive"])


def test_without_an_ensemble_nothing_is_added(one_target):
    report = validate(one_target, n_per_arm=2, seed=1)
    assert "predictive_low" not in report.table and report.predictive() is None
    assert report.to_dict()["predictive"] is None


def test_bad_predictive_arguments_name_the_field_before_any_run(one_target):
    with pytest.raises(Exception, match="members"):
        validate(one_target, n_per_arm=2, ensemble=fake_ensemble(), members=4)
    with pytest.raises(Exception, match="level"):
        validate(one_target, n_per_arm=2, ensemble=fake_ensemble(), members=2, level=90)


# --------------------------------------------------------------------------------------
# the installed command


def run(*args):
    return subprocess.run([FOLLICLE, *args], capture_output=True, text=True, check=False)


def test_cli_reports_the_interval_and_what_it_includes(tmp_path):
    path = fake_ensemble().write(tmp_path / "ensemble.json")
    common = ["validate", "--only", TARGET, "--n-per-arm", "2", "--workers", "0"]
    common += ["--ensemble-file", str(path), "--members", "2", "--members-n-per-arm", "2"]
    done = run(*common, "--json", "--report", str(tmp_path / "v.html"))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    row = data["targets"][0]
    assert row["predictive_low"] <= row["predictive_median"] <= row["predictive_high"]
    summary = data["predictive"]
    assert (summary["members"], summary["n_per_arm"], summary["total"]) == (2, 2, 1)
    assert summary["inside"] == int(row["published_in_predictive"])
    # a fake ensemble was not built on this model: said in the JSON and on stderr
    assert summary["ensemble_matches_model"] is False
    assert "posterior predictive interval" in (tmp_path / "v.html").read_text()
    text = run(*common)
    assert text.returncode == 0, text.stderr
    assert "posterior predictive check" in text.stdout and "includes" in text.stdout
    assert "rebuild" in text.stderr


def test_cli_marks_a_deterministic_target_not_judged(tmp_path):
    # Drake's scalp DHT depends on finasteride's (sourced) Emax and on no person: every
    # member gives -63.6, so the interval has zero width and judges nothing
    path = fake_ensemble().write(tmp_path / "ensemble.json")
    common = ["validate", "--only", "drake1999-day42-scalp-dht-1mg", "--n-per-arm", "2"]
    common += ["--workers", "0", "--ensemble-file", str(path), "--members", "2"]
    done = run(*common, "--members-n-per-arm", "2", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    row = data["targets"][0]
    assert row["predictive_low"] == row["predictive_high"] and row["pass"] is True
    assert row["published_in_predictive"] is None
    assert (data["predictive"]["total"], data["predictive"]["not_judged"]) == (0, 1)
    text = run(*common, "--members-n-per-arm", "2")
    assert text.returncode == 0, text.stderr
    assert "n/a" in text.stdout and "no spread" in " ".join(text.stdout.split())


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--members", "0"], "--members"),
        (["--members", "100000"], "--members"),
        (["--members-n-per-arm", "1"], "--members-n-per-arm"),
        (["--no-ensemble", "--ensemble-file", "x.json"], "--ensemble-file"),
    ],
)
def test_cli_bad_predictive_options_are_one_line(args, field):
    done = run("validate", "--only", TARGET, "--workers", "0", *args)
    assert done.returncode == 2
    assert field in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_plot_script_draws_one_png_per_target_group(tmp_path, one_target):
    """bench/ppc_plots.py (make ppc-plots) replots a run's JSON: a PNG per group present."""
    report = validate(
        one_target, n_per_arm=2, seed=1, ensemble=fake_ensemble(), members=2, members_n_per_arm=2
    )
    source = tmp_path / "ppc.json"
    source.write_text(json.dumps(report.to_dict()))
    script = Path(__file__).parents[2] / "bench" / "ppc_plots.py"
    done = subprocess.run(
        [sys.executable, str(script), "--from-json", str(source), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.glob("*.png")] == ["ppc-baseline.png"]
    assert 0 < (tmp_path / "ppc-baseline.png").stat().st_size < 200_000
    assert f"`{TARGET}`" in done.stdout and "inside the predictive interval" in done.stdout
