"""Metrics from hairs tables: values checked against hand-computed numbers."""

import math

import numpy as np
import pandas as pd
import pytest

from follicle.errors import FollicleInputError
from follicle.measure.hairs_table import DiameterCutoffs
from follicle.measure.metrics import measure


def table(diameters, units=None, region="frontal"):
    n = len(diameters)
    return pd.DataFrame(
        {
            "hair_id": np.arange(n),
            "unit_id": np.arange(n) if units is None else units,
            "region": region,
            "diameter_um": diameters,
            "length_mm": np.nan,
        }
    )


def test_counts_classes_and_density_by_hand():
    # 20 (thin, vellus), 35 (vellus), 50 (intermediate), 60 and 80 (terminal)
    m = measure(table([20.0, 35.0, 50.0, 60.0, 80.0], units=[1, 1, 2, 3, 3]), area_cm2=0.05)
    assert m.hair_count == 5
    assert m.density_per_cm2 == pytest.approx(100.0)
    assert m.density_se_per_cm2 == pytest.approx(math.sqrt(5) / 0.05)
    assert (m.thin_count, m.vellus_count, m.intermediate_count, m.terminal_count) == (1, 2, 1, 2)
    assert m.thin_share_percent == pytest.approx(20.0)
    assert m.terminal_to_vellus_ratio == pytest.approx(1.0)
    assert m.mean_diameter_um == pytest.approx(49.0)
    assert m.median_diameter_um == pytest.approx(50.0)
    sd = np.std([20, 35, 50, 60, 80], ddof=1)
    assert m.sd_diameter_um == pytest.approx(sd)
    assert m.diameter_diversity_percent == pytest.approx(100 * sd / 49.0)
    assert m.unit_count == 3
    assert m.hairs_per_unit == pytest.approx(5 / 3)
    assert m.single_hair_unit_share_percent == pytest.approx(100 / 3)
    # sum of diameters 245 um = 0.245 mm over 0.05 cm2
    assert m.cumulative_thickness_mm_per_cm2 == pytest.approx(4.9)
    assert m.yellow_dots is None
    assert m.provenance["parameters"]["area_cm2"] == 0.05


def test_cutoffs_are_configurable_and_boundaries_inclusive_as_documented():
    hairs = table([30.0, 40.0, 60.0])
    m = measure(hairs, area_cm2=1)
    assert m.thin_count == 0  # thin is strictly below 30
    assert m.vellus_count == 2  # vellus is <= 40 (30 and 40)
    assert m.terminal_count == 1  # terminal is >= 60
    m2 = measure(
        hairs,
        area_cm2=1,
        cutoffs=DiameterCutoffs(thin_below_um=31, vellus_max_um=30, terminal_min_um=50),
    )
    assert (m2.thin_count, m2.vellus_count, m2.terminal_count) == (1, 1, 1)


def test_yellow_dots_and_region_filter():
    hairs = pd.concat([table([70.0, 70.0]), table([20.0], region="occipital").assign(hair_id=9)])
    m = measure(hairs, area_cm2=0.1, yellow_dots=3, region="frontal")
    assert m.hair_count == 2
    assert m.yellow_dot_density_per_cm2 == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"area_cm2": 0}, "area_cm2 = 0"),
        ({"area_cm2": -1}, "area_cm2 = -1"),
        ({"area_cm2": float("nan")}, "area_cm2 = nan"),
        ({"area_cm2": 1, "yellow_dots": -2}, "yellow_dots = -2"),
        ({"area_cm2": 1, "region": "vertex"}, "at least one hair"),
    ],
)
def test_bad_input_names_field_and_value(kwargs, expected):
    with pytest.raises(FollicleInputError, match=expected.replace("(", r"\(")):
        measure(table([50.0]), **kwargs)


def test_empty_and_malformed_tables_are_rejected():
    with pytest.raises(FollicleInputError, match="at least one hair"):
        measure(table([]), area_cm2=1)
    with pytest.raises(FollicleInputError, match="diameter_um"):
        measure(table([50.0, -3.0]), area_cm2=1)
    with pytest.raises(FollicleInputError, match="missing column"):
        measure(pd.DataFrame({"hair_id": [1]}), area_cm2=1)


def test_thin_share_se_matches_binomial_sampling():
    # Counting noise: the SE reported equals the spread of thin share across resamples.
    rng = np.random.default_rng(1)
    population = np.where(rng.random(200_000) < 0.2, 25.0, 70.0)
    shares = [
        measure(table(rng.choice(population, 400)), area_cm2=1).thin_share_percent
        for _ in range(300)
    ]
    se = measure(table(rng.choice(population, 400)), area_cm2=1).thin_share_se_percent
    assert np.std(shares) == pytest.approx(se, rel=0.15)  # SE of an SD over 300 draws ~4%
