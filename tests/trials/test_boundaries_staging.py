"""Staging at each loss threshold (0.25, 0.5, 0.75) and on either side of it.

docs/trials.md, "Staging": a region is *thinned* from a loss of 0.25, *bald-looking* from
0.5, *bare* from 0.75 ("from": the threshold itself counts). With an occipital density of
200/cm2 the densities 150, 100 and 50 give losses of exactly 0.25, 0.5 and 0.75.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from follicle.errors import FollicleInputError
from follicle.trials.staging import (
    StagingRule,
    parse_stage_range,
    regional_losses,
    stage,
    stage_codes,
    stage_table,
)

OCCIPUT = 200.0
EPS = 1e-6  # a loss this far from a threshold is on the other side of it


def densities(frontal=0.0, temporal=0.0, midscalp=0.0, vertex=0.0, occipital=OCCIPUT):
    losses = {"frontal": frontal, "temporal": temporal, "midscalp": midscalp, "vertex": vertex}
    return {**{r: OCCIPUT * (1 - x) for r, x in losses.items()}, "occipital": occipital}


def test_densities_give_exact_threshold_losses():
    losses = regional_losses({r: np.array([d]) for r, d in densities(0.25, 0.5, 0.75, 0.0).items()})
    assert [float(losses[r][0]) for r in ("frontal", "temporal", "midscalp", "vertex")] == [
        0.25,
        0.5,
        0.75,
        0.0,
    ]


@pytest.mark.parametrize(
    ("losses", "expected"),
    [
        # II: frontotemporal loss from 0.25
        ({"frontal": 0.25 - EPS}, "I"),
        ({"frontal": 0.25}, "II"),
        ({"temporal": 0.25}, "II"),
        ({"temporal": 0.25 + EPS}, "II"),
        # III: frontotemporal loss from 0.5
        ({"frontal": 0.5 - EPS}, "II"),
        ({"frontal": 0.5}, "III"),
        ({"temporal": 0.5}, "III"),
        ({"temporal": 0.5 + EPS}, "III"),
        # III vertex: vertex loss from 0.25 while ft is not bald
        ({"vertex": 0.25 - EPS}, "I"),
        ({"vertex": 0.25}, "III vertex"),
        ({"vertex": 0.25 + EPS}, "III vertex"),
        ({"vertex": 0.25, "frontal": 0.5 - EPS}, "III vertex"),
        # IV: ft bald and vertex thinned
        ({"frontal": 0.5, "vertex": 0.25 - EPS}, "III"),
        ({"frontal": 0.5, "vertex": 0.25}, "IV"),
        ({"temporal": 0.5, "vertex": 0.25}, "IV"),
        ({"frontal": 0.5, "vertex": 0.25, "midscalp": 0.25 - EPS}, "IV"),
        # V: and the midscalp thinned
        ({"frontal": 0.5, "vertex": 0.25, "midscalp": 0.25}, "V"),
        ({"frontal": 0.5, "vertex": 0.25, "midscalp": 0.25 + EPS}, "V"),
        ({"frontal": 0.5, "vertex": 0.5, "midscalp": 0.5 - EPS}, "V"),
        ({"frontal": 0.5, "vertex": 0.5 - EPS, "midscalp": 0.5}, "V"),
        ({"frontal": 0.5 - EPS, "vertex": 0.5, "midscalp": 0.5}, "III vertex"),
        # VI: ft, vertex and midscalp all bald-looking
        ({"frontal": 0.5, "vertex": 0.5, "midscalp": 0.5}, "VI"),
        ({"temporal": 0.5, "vertex": 0.5, "midscalp": 0.5}, "VI"),
        # VII: all four regions bare
        ({"frontal": 0.75, "temporal": 0.75, "vertex": 0.75, "midscalp": 0.75}, "VII"),
        ({"frontal": 0.75 - EPS, "temporal": 0.75, "vertex": 0.75, "midscalp": 0.75}, "VI"),
        ({"frontal": 0.75, "temporal": 0.75 - EPS, "vertex": 0.75, "midscalp": 0.75}, "VI"),
        ({"frontal": 0.75, "temporal": 0.75, "vertex": 0.75 - EPS, "midscalp": 0.75}, "VI"),
        ({"frontal": 0.75, "temporal": 0.75, "vertex": 0.75, "midscalp": 0.75 - EPS}, "VI"),
        ({"frontal": 0.8, "temporal": 0.8, "vertex": 0.8, "midscalp": 0.8}, "VII"),
    ],
)
def test_norwood_at_each_threshold(losses, expected):
    assert stage("male", densities(**losses)) == expected


@pytest.mark.parametrize(
    ("losses", "expected"),
    [
        ({"midscalp": 0.25 - EPS}, "0"),
        ({"midscalp": 0.25}, "I"),
        ({"vertex": 0.25}, "I"),
        ({"vertex": 0.5 - EPS}, "I"),
        ({"midscalp": 0.5}, "II"),
        ({"vertex": 0.5}, "II"),
        ({"midscalp": 0.75 - EPS}, "II"),
        ({"vertex": 0.75}, "III"),
        ({"midscalp": 0.75}, "III"),
        ({"midscalp": 0.75 + EPS}, "III"),
        # the frontal hairline and the temples do not enter the Ludwig scale
        ({"frontal": 0.9, "temporal": 0.9}, "0"),
    ],
)
def test_ludwig_at_each_threshold(losses, expected):
    assert stage("female", densities(**losses)) == expected


def test_other_thresholds_move_the_stages():
    rule = StagingRule(thinned=0.3, bald=0.6, bare=0.8)
    assert stage("male", densities(frontal=0.25), rule) == "I"
    assert stage("male", densities(frontal=0.3), rule) == "II"
    assert stage("male", densities(frontal=0.5), rule) == "II"
    assert stage("male", densities(frontal=0.6), rule) == "III"
    assert stage("female", densities(vertex=0.75), rule) == "II"
    assert stage("female", densities(vertex=0.8), rule) == "III"


def test_losses_are_relative_to_the_occiput_and_clipped():
    got = regional_losses(
        {
            "frontal": np.array([50.0, 300.0, 10.0]),
            "occipital": np.array([100.0, 100.0, 0.0]),
        }
    )
    # 1 - 50/100 = 0.5; denser than the occiput -> 0 (not negative); no occiput -> 1
    assert got["frontal"].tolist() == [0.5, 0.0, 1.0]
    assert got["occipital"].tolist() == [0.0, 0.0, 1.0]


def test_vectorised_codes_match_one_person_at_a_time():
    cases = [
        densities(frontal=0.25),
        densities(frontal=0.5, vertex=0.25, midscalp=0.25),
        densities(vertex=0.25),
        densities(frontal=0.75, temporal=0.75, vertex=0.75, midscalp=0.75),
    ]
    arrays = {r: np.array([c[r] for c in cases]) for r in cases[0]}
    assert stage_codes("male", arrays).tolist() == [1, 5, 3, 7]
    assert stage_codes("female", arrays).tolist() == [0, 1, 1, 3]


@pytest.mark.parametrize(
    "thresholds",
    [(0.0, 0.5, 0.75), (0.5, 0.5, 0.75), (0.25, 0.75, 0.75), (0.25, 0.5, 1.0), (0.6, 0.5, 0.75)],
)
def test_thresholds_must_increase_inside_zero_to_one(thresholds):
    thinned, bald, bare = thresholds
    with pytest.raises(FollicleInputError, match="staging thresholds"):
        StagingRule(thinned=thinned, bald=bald, bare=bare)


def test_a_missing_region_is_named():
    partial = densities()
    del partial["midscalp"]
    with pytest.raises(FollicleInputError, match="staging regions"):
        stage("male", partial)


def test_codes_are_integer_indices():
    arrays = {r: np.array([d]) for r, d in densities(frontal=0.5).items()}
    assert np.issubdtype(stage_codes("male", arrays).dtype, np.integer)
    assert np.issubdtype(stage_codes("female", arrays).dtype, np.integer)


def test_stage_table_of_a_cohort_table():
    rows = []
    for person, day, losses in [(0, 0, {}), (0, 90, {"vertex": 0.25}), (1, 0, {"frontal": 0.5})]:
        for region, density in densities(**losses).items():
            rows.append(
                {"person": person, "day": day, "region": region, "non_vellus_per_cm2": density}
            )
    rows.append({"person": 0, "day": 0, "region": "donor", "non_vellus_per_cm2": 1.0})
    table = pd.DataFrame(rows)
    got = stage_table("male", table)
    assert got.name == "stage"
    assert got.to_dict() == {(0, 0): 0, (0, 90): 3, (1, 0): 2}
    assert stage_table("female", table).to_dict() == {(0, 0): 0, (0, 90): 1, (1, 0): 0}


@pytest.mark.parametrize(
    ("text", "sex", "expected"),
    [
        ("II to II", "male", (1, 1)),  # a range of one stage
        ("Norwood III to Norwood V", "male", (2, 5)),  # the scale named on both sides
        ("Ludwig I to Ludwig III", "female", (1, 3)),
        ("VII or more", "male", (7, 7)),
        ("up to I", "male", (0, 0)),
        ("iii VERTEX", "male", (3, 3)),
    ],
)
def test_more_stage_ranges(text, sex, expected):
    assert parse_stage_range(text, sex) == expected


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("IIX", "a stage among"),
        ("IIX or more", "a stage among"),
        ("up to IIX", "a stage among"),
        ("IIX to V", "a stage among"),
        ("II to IIX", "a stage among"),
        ("V to III", "a range from a lower to a higher stage"),
    ],
)
def test_stage_range_errors_name_the_field_given(text, allowed):
    with pytest.raises(FollicleInputError, match=r"^population\.stage = '") as error:
        parse_stage_range(text, "male", field="population.stage")
    assert allowed in str(error.value)
    assert repr(text) in str(error.value) or "IIX" in str(error.value)


def test_threshold_and_region_errors_say_what_is_allowed():
    with pytest.raises(FollicleInputError) as error:
        StagingRule(thinned=0.5, bald=0.5, bare=0.75)
    assert str(error.value) == (
        "staging thresholds = (0.5, 0.5, 0.75) is not allowed; "
        "expected 0 < thinned < bald < bare < 1"
    )
    partial = densities()
    del partial["vertex"]
    with pytest.raises(FollicleInputError) as error:
        stage("male", partial)
    assert str(error.value) == (
        "staging regions = ['frontal', 'midscalp', 'occipital', 'temporal'] is not allowed; "
        "expected densities for all of ['frontal', 'temporal', 'midscalp', 'vertex', 'occipital']"
    )


def test_losses_below_one_hair_per_cm2_of_reference():
    # a sparse patch: the occiput at 0.5/cm2 is still a reference, not "no reference"
    got = regional_losses({"frontal": np.array([0.25]), "occipital": np.array([0.5])})
    assert got["frontal"].tolist() == [0.5]


def test_another_reference_region():
    rule = StagingRule(reference_region="midscalp")
    losses = densities(frontal=0.5)
    losses["midscalp"] = OCCIPUT / 2  # frontal now as dense as the reference
    arrays = {r: np.array([d]) for r, d in losses.items()}
    assert stage_codes("male", arrays, rule).tolist() == [0]
    assert stage_codes("male", arrays).tolist() == [2]  # vs the occiput: III (frontal bald)


def test_stage_table_uses_the_rule_given():
    rows = [
        {"person": 0, "day": 0, "region": region, "non_vellus_per_cm2": density}
        for region, density in densities(frontal=0.25).items()
    ]
    table = pd.DataFrame(rows)
    assert stage_table("male", table).tolist() == [1]
    assert stage_table("male", table, StagingRule(thinned=0.3, bald=0.6, bare=0.8)).tolist() == [0]


def test_range_errors_in_full():
    with pytest.raises(FollicleInputError) as error:
        parse_stage_range("V to III", "male")
    assert str(error.value) == (
        "stage = 'V to III' is not allowed; expected a range from a lower to a higher stage"
    )
    with pytest.raises(FollicleInputError) as error:
        parse_stage_range("Ludwig IV", "female")
    assert str(error.value) == (
        "stage = 'Ludwig IV' is not allowed; expected a stage among ['0', 'I', 'II', 'III']"
    )
