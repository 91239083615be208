"""Hamilton-Norwood and Ludwig stages from regional densities: the documented mapping."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from follicle.errors import FollicleInputError
from follicle.trials.staging import (
    LUDWIG_STAGES,
    NORWOOD_STAGES,
    ludwig_codes,
    norwood_codes,
    parse_stage_range,
    stage,
)

OCCIPUT = 200.0


def densities(frontal=0.0, temporal=0.0, midscalp=0.0, vertex=0.0):
    """Region densities for given losses (share of the occipital density missing)."""
    losses = {"frontal": frontal, "temporal": temporal, "midscalp": midscalp, "vertex": vertex}
    return {**{r: OCCIPUT * (1 - x) for r, x in losses.items()}, "occipital": OCCIPUT}


@pytest.mark.parametrize(
    ("losses", "expected"),
    [
        ({}, "I"),
        ({"temporal": 0.3}, "II"),
        ({"frontal": 0.6, "temporal": 0.4}, "III"),
        ({"vertex": 0.3}, "III vertex"),
        ({"temporal": 0.3, "vertex": 0.4}, "III vertex"),
        ({"frontal": 0.6, "vertex": 0.3}, "IV"),
        ({"frontal": 0.6, "vertex": 0.3, "midscalp": 0.3}, "V"),
        ({"frontal": 0.6, "vertex": 0.6, "midscalp": 0.6}, "VI"),
        ({"frontal": 0.8, "temporal": 0.8, "vertex": 0.9, "midscalp": 0.8}, "VII"),
    ],
)
def test_norwood_stages(losses, expected):
    assert stage("male", densities(**losses)) == expected


@pytest.mark.parametrize(
    ("losses", "expected"),
    [
        ({}, "0"),
        ({"midscalp": 0.3}, "I"),
        ({"vertex": 0.55}, "II"),
        ({"midscalp": 0.8, "frontal": 0.1}, "III"),
    ],
)
def test_ludwig_stages(losses, expected):
    assert stage("female", densities(**losses)) == expected


def test_thinning_everywhere_alike_is_not_pattern_loss():
    """The reference is the person's own occiput: diffuse ageing loss is not a pattern."""
    uniform = {r: 150.0 for r in ("frontal", "temporal", "midscalp", "vertex", "occipital")}
    assert stage("male", uniform) == "I"


loss = st.floats(0, 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(loss, min_size=4, max_size=4), st.integers(0, 3), st.floats(0, 1))
def test_more_loss_never_lowers_the_stage(base, which, extra):
    names = ["frontal", "temporal", "midscalp", "vertex"]
    before = {n: np.array([x]) for n, x in zip(names, base, strict=True)}
    after = dict(before)
    after[names[which]] = np.array([min(1.0, base[which] + extra)])
    assert norwood_codes(after)[0] >= norwood_codes(before)[0]
    assert ludwig_codes(after)[0] >= ludwig_codes(before)[0]


@pytest.mark.parametrize(
    ("text", "sex", "expected"),
    [
        ("III vertex to V", "male", (3, 5)),
        ("Norwood IV", "male", (4, 4)),
        ("Hamilton-Norwood II or more", "male", (1, 7)),
        ("up to III", "male", (0, 2)),
        ("Ludwig I to II", "female", (1, 2)),
    ],
)
def test_stage_ranges(text, sex, expected):
    assert parse_stage_range(text, sex) == expected
    names = NORWOOD_STAGES if sex == "male" else LUDWIG_STAGES
    assert names[expected[0]] and names[expected[1]]


@pytest.mark.parametrize("text", ["IIX", "V to III", "Ludwig IV", "mild to moderate"])
def test_bad_stage_ranges_name_the_field(text):
    with pytest.raises(FollicleInputError, match="stage"):
        parse_stage_range(text, "male" if "Ludwig" not in text else "female")
