"""The simulate() API: determinism, provenance, snapshots, exports, errors."""

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from follicle.errors import FollicleInputError
from follicle.model.scalp import Patch
from follicle.sim.simulate import simulate

MAN = {"sex": "male", "age_years": 28, "androgen_sensitivity": "high"}


def test_same_seed_same_result_and_different_seed_differs():
    a = simulate(MAN, days=400, area="vertex:2", seed=7)
    b = simulate(MAN, days=400, area="vertex:2", seed=7)
    c = simulate(MAN, days=400, area="vertex:2", seed=8)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not a.table.equals(c.table)


def test_fresh_seed_is_recorded_and_reproduces():
    first = simulate(MAN, days=200, area="vertex:1")
    seed = first.provenance["seed"]
    again = simulate(MAN, days=200, area="vertex:1", seed=seed)
    pd.testing.assert_frame_equal(first.table, again.table)


def test_provenance_names_version_parameters_and_inputs():
    trajectory = simulate(
        MAN, {"treatment": [{"kind": "finasteride"}]}, days=30, area="vertex:1", seed=3
    )
    prov = trajectory.provenance
    assert prov["seed"] == 3 and prov["days"] == 30
    assert prov["version"]
    assert prov["parameters"]["anagen_mean_days"] == 1000.0
    assert prov["regimen"]["treatment"][0]["kind"] == "finasteride"
    assert prov["person"]["androgen_sensitivity"] == "high"
    json.dumps(prov)  # serialisable


@pytest.mark.parametrize("day", [0, 180, 365])
def test_snapshot_agrees_with_observations(day):
    trajectory = simulate(
        MAN, days=365, observe_every_days=30, area={"vertex": 3, "occipital": 2}, seed=5
    )
    hairs = trajectory.snapshot(day)
    observed_day = trajectory.days[np.argmin(np.abs(trajectory.days - day))]
    assert observed_day == day or day == 365
    for region, rows in hairs.groupby("region"):
        expected = trajectory.region(region).loc[float(day)]
        assert len(rows) == expected["hairs"]
        assert rows["diameter_um"].mean() == pytest.approx(expected["mean_diameter_um"], rel=1e-9)
        assert (rows["diameter_um"] >= 60).sum() == expected["terminal_hairs"]
        per_unit = rows.groupby("unit_id").size()
        assert (per_unit == 1).mean() == pytest.approx(expected["single_hair_unit_share"], rel=1e-9)
    assert set(hairs["phase"]) <= {"anagen", "catagen", "telogen"}
    assert (hairs["length_mm"] >= 0).all()


def test_snapshot_lengths_grow_at_the_growth_rate():
    trajectory = simulate(
        {**MAN, "androgen_sensitivity": "none"},
        days=20,
        observe_every_days=10,
        area="vertex:1",
        seed=2,
    )
    a, b = (
        trajectory.snapshot(10).set_index("hair_id"),
        trajectory.snapshot(20).set_index("hair_id"),
    )
    both = a.merge(b, left_index=True, right_index=True, suffixes=("_a", "_b"))
    growing = both[(both.phase_a == "anagen") & (both.phase_b == "anagen")]
    rate = (growing.length_mm_b - growing.length_mm_a) / 10
    expected = 0.35 * np.sqrt(np.clip(growing.diameter_um_a / 75, 0.05, 1))
    np.testing.assert_allclose(rate, expected, rtol=1e-9)


def test_patch_has_the_statistics_of_its_region():
    region = simulate(MAN, days=30, area="vertex", seed=1).at(0, "vertex")
    patches = [
        simulate(MAN, days=30, area=Patch("vertex", 5.1), seed=s).at(0, "vertex") for s in range(30)
    ]
    density = np.array([p["density_per_cm2"] for p in patches])
    # the mean of 30 patches within 4 SE of the region's density
    assert abs(density.mean() - region["density_per_cm2"]) < 4 * density.std(ddof=1) / np.sqrt(30)


def test_exports_round_trip(tmp_path):
    trajectory = simulate(MAN, days=90, area="vertex:1", seed=4)
    trajectory.to_csv(tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", comment="#")
    assert list(back.columns) == list(trajectory.table.columns)
    assert len(back) == len(trajectory.table)
    trajectory.to_parquet(tmp_path / "t.parquet")
    table = pq.read_table(tmp_path / "t.parquet")
    assert json.loads(table.schema.metadata[b"follicle.provenance"])["seed"] == 4
    data = json.loads(trajectory.to_json())
    assert data["format"] == "follicle.trajectory/1"
    assert len(data["observations"]) == len(trajectory.table)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"days": 0}, "days"),
        ({"days": 10, "observe_every_days": 11}, "observe_every_days"),
        ({"days": 10, "area": "nose"}, "area"),
        ({"days": 10, "area": "vertex:-1"}, "area"),
        ({"days": 10, "seed": -1}, "seed"),
    ],
)
def test_bad_arguments_name_the_field(kwargs, field):
    with pytest.raises(FollicleInputError) as info:
        simulate(MAN, **kwargs)
    assert field in str(info.value)


def test_snapshot_day_out_of_range():
    trajectory = simulate(MAN, days=30, area="vertex:1", seed=1)
    with pytest.raises(FollicleInputError, match="day"):
        trajectory.snapshot(31)


def test_asian_scalp_has_fewer_follicles_per_unit():
    from follicle.model.params import DEFAULT_PARAMETERS
    from follicle.model.scalp import build_scalp
    from follicle.person import parse_person

    # physiology.md: 2.2 hairs per follicular unit in Caucasians, 1.9 in Asians
    for ethnicity, expected in (("caucasian", 2.2), ("asian", 1.9)):
        person = parse_person({**MAN, "ethnicity": ethnicity})
        state = build_scalp(
            person, {"vertex": 50.0}, params=DEFAULT_PARAMETERS, rng=np.random.default_rng(1)
        )
        per_unit = np.bincount(state.unit)
        per_unit = per_unit[per_unit > 0]
        # 5000 units; SD of a unit's size ~0.8, so SE ~0.012: allow 4 SE
        assert per_unit.mean() == pytest.approx(expected, abs=0.05)
        assert set(np.unique(per_unit)) <= {1, 2, 3, 4}


def test_random_seed_keyword_still_works_deprecated():
    with pytest.warns(DeprecationWarning, match="seed="):
        old = simulate(MAN, days=30, area="vertex:1", random_seed=3)
    new = simulate(MAN, days=30, area="vertex:1", seed=3)
    assert old.provenance["seed"] == new.provenance["seed"] == 3
    assert old.table.equals(new.table)
    with pytest.raises(FollicleInputError, match="random_seed"):
        simulate(MAN, days=30, area="vertex:1", seed=3, random_seed=4)
