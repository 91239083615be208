"""Projection bands that include parameter uncertainty, between-person response and
counting error, and say so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from follicle.care.projection import STOCHASTICITY, plan_futures, project
from follicle.model.androgens import dht_drug_response
from follicle.person import parse_person
from follicle.trials.ensemble import Ensemble, load_ensemble

MAN = {"sex": "male", "age_years": 35, "androgen_sensitivity": "moderate"}
FINASTERIDE = {"treatment": [{"kind": "finasteride", "dose_mg": 1.0}]}
FOLLICLE = str(Path(sys.executable).with_name("follicle"))


def width(projection, years, label="finasteride"):
    band = projection.at(years * 365.25, region="vertex").loc[label]
    return band["p90"] - band["p10"]


@pytest.fixture(scope="module")
def both():
    """The same 40 futures with every source of spread, and with follicle-level chance only."""
    common = {"years": 5, "futures": 120, "seed": 3}
    full = project(MAN, {"finasteride": FINASTERIDE}, **common)
    bare = project(
        MAN,
        {"finasteride": FINASTERIDE},
        ensemble=None,
        between_person_response=False,
        counting_error=False,
        **common,
    )
    return full, bare


@pytest.fixture(scope="module")
def centred():
    """The same futures over an ensemble centred on the point values (so that the centre of
    the bands stays put and only their width can change), and with chance only."""
    from follicle.model.params import DEFAULT_PARAMETERS

    damage = DEFAULT_PARAMETERS.damage_per_cycle
    ensemble = Ensemble(
        ("damage_per_cycle",),
        tuple((damage * (0.8 + 0.4 * i / 9),) for i in range(10)),
        {},
    )
    common = {"years": 5, "futures": 120, "seed": 3}
    full = project(MAN, {"finasteride": FINASTERIDE}, ensemble=ensemble, **common)
    bare = project(
        MAN,
        {"finasteride": FINASTERIDE},
        ensemble=None,
        between_person_response=False,
        counting_error=False,
        **common,
    )
    return full, bare


def test_bands_say_what_they_include(both):
    full, bare = both
    ensemble = load_ensemble()
    assert full.band_includes[0] == (
        f"parameter uncertainty (10 members of an ensemble of {len(ensemble)} posterior "
        "parameter sets)"
    )
    assert full.band_includes[1].startswith("between-person treatment response")
    assert full.band_includes[2] == STOCHASTICITY
    assert full.band_includes[3].startswith("counting error of one measurement (CV ")
    assert bare.band_includes == [STOCHASTICITY]
    assert full.to_dict()["band_includes"] == full.band_includes


def test_propagating_the_uncertainty_widens_the_bands(centred):
    # The added sources (parameters, response, counting) are independent of follicle-level
    # chance, so variances add and the bands widen. For normal futures the 10-90% width
    # from n = 120 has a relative SE of ~8% (quantile SE sqrt(0.09 / n) / 0.1755 = 0.156 SD,
    # correlation of the two quantiles 0.11, width 2.56 SD), so a ratio of two widths has
    # an SE of ~0.12. The response spread alone (a lognormal multiplier with a 10-90%
    # range of about 0.3-2) on a treatment effect of tens of hairs/cm2 should make the
    # treated band ~1.4x wider; 1.2 leaves about 2 SE, and with propagation switched off
    # (the same code path as ``bare``) the ratio is exactly 1, so the test fails. The
    # ensemble here is centred on the point values (damage per cycle +-20%): the shipped
    # one sits elsewhere, which moves the bands' level as well as their width.
    full, bare = centred
    for years in (1, 5):
        assert width(full, years) > 1.2 * width(bare, years)


def test_a_fixed_treatment_response_is_used_and_reported():
    person = parse_person({**MAN, "treatment_response": 0.2})
    plan = plan_futures(person, futures=12, seed=1, ensemble=None)
    assert {p.treatment_response for _, people, _ in plan.groups for p in people} == {0.2}
    assert {dht_drug_response(p) for _, people, _ in plan.groups for p in people} == {0.2}
    assert (
        "fixed by the person file (0.2; DHT-lowering drugs 0.2)"
        in plan.describe(counting_error=False)[0]
    )


def test_a_fixed_dht_drug_response_is_used_and_reported():
    person = parse_person({**MAN, "dht_drug_response": 0.0})
    plan = plan_futures(person, futures=12, seed=1, ensemble=None)
    people = [p for _, group, _ in plan.groups for p in group]
    assert {(p.treatment_response, dht_drug_response(p)) for p in people} == {(1.0, 0.0)}
    assert "DHT-lowering drugs 0)" in plan.describe(counting_error=False)[0]


def test_drawn_futures_respond_to_the_two_kinds_of_treatment_independently():
    """Each future draws both multipliers; at the default correlation 0 their logs are
    uncorrelated (|r| < 3 / sqrt(n) holds for 400 draws with probability 0.997)."""
    person = parse_person(MAN)
    plan = plan_futures(person, futures=400, seed=3, ensemble=None)
    people = [p for _, group, _ in plan.groups for p in group]
    stimulating = np.log([p.treatment_response for p in people])
    dht = np.log([dht_drug_response(p) for p in people])
    assert np.std(stimulating) > 0.2 and np.std(dht) > 0.2
    assert abs(np.corrcoef(stimulating, dht)[0, 1]) < 3 / np.sqrt(len(people))


def test_futures_spread_evenly_over_the_members_and_are_reproducible():
    ensemble = Ensemble(
        ("damage_per_cycle", "treatment_response_log_sd"),
        tuple((0.2 + 0.01 * i, 0.3 + 0.01 * i) for i in range(20)),
        {},
    )
    person = parse_person(MAN)
    plan = plan_futures(person, futures=25, seed=7, ensemble=ensemble, members=5)
    positions = sorted(i for _, _, where in plan.groups for i in where)
    assert positions == list(range(25)) and len(plan.groups) == 5
    assert {len(where) for _, _, where in plan.groups} == {5}
    again = plan_futures(person, futures=25, seed=7, ensemble=ensemble, members=5)
    responses = [[p.treatment_response for p in people] for _, people, _ in plan.groups]
    assert responses == [[p.treatment_response for p in people] for _, people, _ in again.groups]
    damage = {params.damage_per_cycle for params, _, _ in plan.groups}
    assert len(damage) == 5 and damage <= {0.2 + 0.01 * i for i in range(20)}
    # each member's responses have the log SD of that member (lognormal, mean 1)
    assert all(np.std(np.log(r)) > 0 for r in responses)


def test_cli_json_states_the_band_contents(tmp_path, examples):
    run = subprocess.run(
        [
            FOLLICLE,
            "project",
            str(examples / "man-35-moderate.toml"),
            "--regimen",
            str(examples / "finasteride.toml"),
            "--years",
            "1",
            "--futures",
            "10",
            "--members",
            "5",
            "--seed",
            "2",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["band_includes"][0].startswith("parameter uncertainty (5 members")
    assert data["provenance"]["ensemble"]["members_used"] == 5
    bad = subprocess.run(
        [
            FOLLICLE,
            "project",
            str(examples / "man-35-moderate.toml"),
            "--regimen",
            str(examples / "finasteride.toml"),
            "--years",
            "1",
            "--members",
            "0",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "members" in bad.stderr + bad.stdout


def test_cli_a_finasteride_non_responder_still_gains_from_minoxidil(examples):
    """The example person file sets dht_drug_response = 0.1 and leaves the stimulating
    response typical: through the installed command, finasteride's median gain over no
    treatment after 2 years is under half of minoxidil's (with one multiplier for every
    treatment, i.e. the same file without dht_drug_response, finasteride is the larger:
    +16 against +13)."""
    run = subprocess.run(
        [
            FOLLICLE,
            "project",
            str(examples / "man-40-finasteride-nonresponder.toml"),
            "--regimen",
            str(examples / "finasteride.toml"),
            "--regimen",
            str(examples / "minoxidil-5.toml"),
            "--years",
            "2",
            "--futures",
            "40",
            "--seed",
            "3",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert any("DHT-lowering drugs 0.1" in item for item in data["band_includes"])
    vertex = [
        b for b in data["bands"] if b["region"] == "vertex" and b["measure"] == "non_vellus_per_cm2"
    ]
    last = max(b["day"] for b in vertex)
    median = {b["regimen"]: b["p50"] for b in vertex if b["day"] == last}
    untreated = median.pop("no treatment")
    gain = {name.split()[0]: value - untreated for name, value in median.items()}
    assert gain["minoxidil"] > 5 and gain["finasteride"] < 0.5 * gain["minoxidil"]
