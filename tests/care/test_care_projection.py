"""Projections: bands over simulated futures, anchoring on a journal measurement, CLI."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from follicle.care.journal.service import Journal
from follicle.care.projection import Anchor, anchor_from_journal, fit_sensitivity, project
from follicle.cli import app
from follicle.errors import FollicleInputError
from follicle.person import parse_person
from follicle.sim.batch import simulate_cohort

MAN = {"sex": "male", "age_years": 30, "androgen_sensitivity": "high"}
FINASTERIDE = {"treatment": [{"kind": "finasteride", "dose_mg": 1.0}]}


# follicle-level chance only (the tests of the full bands: test_projection_uncertainty.py)
STOCHASTIC_ONLY = {"ensemble": None, "between_person_response": False, "counting_error": False}


@pytest.fixture(scope="module")
def projection():
    return project(
        MAN, {"finasteride": FINASTERIDE}, years=2, futures=30, seed=3, **STOCHASTIC_ONLY
    )


def test_bands_are_ordered_and_cover_every_regimen(projection):
    bands = projection.bands
    assert set(bands["regimen"]) == {"no treatment", "finasteride"}
    assert set(bands["region"]) == {"vertex", "frontal", "occipital"}
    assert (bands["p10"] <= bands["p50"]).all() and (bands["p50"] <= bands["p90"]).all()


def test_bands_are_quantiles_of_the_futures(projection):
    # the median band equals the median over the same futures simulated directly
    cohort = simulate_cohort(
        [parse_person(MAN)] * 30,
        FINASTERIDE,
        days=730,
        observe_every_days=30,
        area={"vertex": 1, "frontal": 1, "occipital": 1},
        seed=3,
    )
    rows = cohort.table[(cohort.table.region == "vertex") & (cohort.table.day == 730)]
    band = projection.at(730, region="vertex").loc["finasteride"]
    assert band["p50"] == pytest.approx(np.median(rows["non_vellus_per_cm2"]))
    assert band["p10"] == pytest.approx(np.percentile(rows["non_vellus_per_cm2"], 10))


def test_treatment_raises_the_affected_region_not_the_occiput(projection):
    vertex = projection.at(730, region="vertex")
    assert vertex.loc["finasteride", "p50"] > vertex.loc["no treatment", "p90"]
    occiput = projection.at(730, region="occipital")
    assert abs(occiput.loc["finasteride", "p50"] - occiput.loc["no treatment", "p50"]) < 10


def test_same_futures_on_day_zero_for_every_regimen(projection):
    start = projection.at(0, region="vertex")
    assert start.loc["finasteride", "p50"] == start.loc["no treatment", "p50"]


@pytest.mark.parametrize("density", [120.0, 170.0])
def test_anchor_fit_reproduces_the_measured_density(density):
    anchor = Anchor.from_metric(region="vertex", metric="density_per_cm2", value=density)
    fitted = fit_sensitivity(parse_person(MAN), anchor, area={"vertex": 1.0}, seed=5)
    person = parse_person({**MAN, "androgen_sensitivity": fitted})
    check = simulate_cohort(
        [person] * 48, None, days=1, observe_every_days=1, area={"vertex": 4.0}, seed=5
    ).table
    median = check[(check.region == "vertex") & (check.day == 0)]["density_per_cm2"].median()
    # the median of 48 futures of 4 cm2 has an SE of ~1.1 hairs/cm2 (Poisson counts of
    # ~600 hairs, 1.25 x SD / sqrt(48)); bisection steps are far finer: allow ~3.5 SE
    assert median == pytest.approx(density, abs=4)


def test_lower_density_means_higher_fitted_sensitivity():
    fits = [
        fit_sensitivity(
            parse_person(MAN),
            Anchor.from_metric(region="vertex", metric="density_per_cm2", value=v),
            area={"vertex": 1.0},
            seed=5,
        )
        for v in (180.0, 130.0)
    ]
    assert fits[1] > fits[0]


def test_anchor_validation():
    with pytest.raises(FollicleInputError, match="metric"):
        Anchor.from_metric(region="vertex", metric="shine", value=1)
    with pytest.raises(FollicleInputError, match="density_per_cm2"):
        Anchor.from_metric(region="vertex", metric="density_per_cm2", value=-3)


def test_journal_anchor_and_cli(tmp_path, examples):
    db = tmp_path / "journal.sqlite3"
    runner = CliRunner()
    base = [
        "project",
        str(examples / "man-25-high.toml"),
        "--regimen",
        str(examples / "finasteride.toml"),
        "--years",
        "1",
        "--futures",
        "10",
        "--seed",
        "2",
    ]
    # no journal yet: one line, exit 2
    result = runner.invoke(app, [*base, "--from-journal", "--db", str(db)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    with Journal.open(db) as journal:
        journal.log(
            "measurement",
            {"metrics": {"density_per_cm2": 150.0}, "region": "vertex"},
            at="2026-01-05T09:00",
            tz="UTC",
        )
        anchor = anchor_from_journal(journal)
    assert anchor == Anchor(region="vertex", column="density_per_cm2", value=150.0)
    result = runner.invoke(app, [*base, "--from-journal", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["provenance"]["anchor"]["value"] == 150.0
    assert data["format"] == "follicle.projection/1"
    result = runner.invoke(app, [*base[:-4], "--years", "0"])
    assert result.exit_code == 2 and "years" in result.output


def test_measure_result_through_the_journal_anchors_a_projection(tmp_path):
    # follicle measure -> journal log measurement --from-result -> projection anchor
    from follicle.measure.metrics import measure as measure_hairs
    from follicle.sim.simulate import simulate

    hairs = simulate(MAN, days=30, area="vertex:1", seed=4).snapshot(30)
    result = measure_hairs(hairs, area_cm2=1.0)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(result.to_dict()))
    with Journal.open(tmp_path / "j.sqlite3") as journal:
        journal.log_measurement_file(path, region="vertex", at="2026-01-05T09:00", tz="UTC")
        anchor = anchor_from_journal(journal)
    assert anchor.region == "vertex" and anchor.column == "density_per_cm2"
    assert anchor.value == pytest.approx(len(hairs), rel=1e-9)


def test_the_deprecated_random_seed_keyword_still_works():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = project(MAN, {}, years=0.5, futures=5, random_seed=3, **STOCHASTIC_ONLY)
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    new = project(MAN, {}, years=0.5, futures=5, seed=3, **STOCHASTIC_ONLY)
    assert old.bands.equals(new.bands)
