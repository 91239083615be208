"""The model's input errors word for word: each names the field, the value and what is
allowed (and the file, when there is one), so a user can fix the input from the message
alone. Areas (``model/scalp.py``: ``Patch``, ``resolve_area``) and parameter files and
overrides (``model/params.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from follicle.errors import FollicleInputError
from follicle.model.cycle import next_size
from follicle.model.params import (
    DEFAULT_PARAMETERS,
    load_parameters,
    parameters_from_overrides,
)
from follicle.model.regions import REGIONS
from follicle.model.scalp import Patch, resolve_area

AREA_TEXT = "'scalp', a region, or REGION:CM2 ('vertex:5.1')"


def message(call, *args) -> str:
    with pytest.raises(FollicleInputError) as error:
        call(*args)
    return str(error.value)


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("crown", f"area = 'crown' is not allowed; expected {AREA_TEXT}"),
        (
            "crown:5",
            "area = 'crown:5' is not allowed; expected 'scalp', a region, or REGION:CM2 such "
            "as 'vertex:5.1'",
        ),
        ({}, "area = {} is not allowed; expected at least one region"),
        (
            5,
            "area = 5 is not allowed; expected None, 'scalp', a region, 'vertex:5.1', Patch "
            "or dict",
        ),
        (
            {"vertex": 2.0, "crown": 1.0},
            f"area.region = 'crown' is not allowed; expected one of {list(REGIONS)}",
        ),
        (
            {"vertex": 0},
            "area.area_cm2 = 0.0 is not allowed; expected a number in (0, 500] cm2",
        ),
    ],
)
def test_area_errors(area, expected):
    assert message(resolve_area, area, DEFAULT_PARAMETERS) == expected


def test_patch_errors_and_limits():
    assert message(Patch, "vertex", 500.5) == (
        "area.area_cm2 = 500.5 is not allowed; expected a number in (0, 500] cm2"
    )
    assert message(Patch, "crown", 1.0) == (
        f"area.region = 'crown' is not allowed; expected one of {list(REGIONS)}"
    )
    assert resolve_area(" vertex :5.1", DEFAULT_PARAMETERS) == {"vertex": 5.1}
    assert resolve_area({"vertex": 500}, DEFAULT_PARAMETERS) == {"vertex": 500.0}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"bogus": 1},
            "parameters.bogus = 1 is not allowed; expected a parameter name listed by "
            "`follicle params`",
        ),
        (
            {"loss_size": 0.99},
            "parameters: need 0 < loss_size < apm_detach_size < 1",
        ),
        (
            {"shrinkage_mode": "sudden"},
            "parameters: shrinkage_mode = 'sudden' is not allowed; expected 'gradual' or "
            "'stepwise'",
        ),
        (
            {"unit_size_probabilities": [0.5, 0.5, 0.5, 0.5]},
            "parameters: unit_size_probabilities must sum to 1",
        ),
    ],
)
def test_override_errors_without_a_file(overrides, expected):
    assert message(parameters_from_overrides, overrides) == expected


def test_parameter_file_errors_name_the_file(tmp_path):
    missing_table = tmp_path / "fit.toml"
    missing_table.write_text("[provenance]\nseed = 1\n", encoding="utf-8")
    assert message(load_parameters, missing_table) == (
        f"{missing_table}: parameters = '<missing>' is not allowed; expected a [parameters] table"
    )
    not_a_table = tmp_path / "flat.toml"
    not_a_table.write_text('parameters = "all"\n', encoding="utf-8")
    assert message(load_parameters, not_a_table).startswith(f"{not_a_table}: parameters = ")
    bad = tmp_path / "bad.toml"
    bad.write_text('[parameters]\nshrinkage_mode = "sudden"\n', encoding="utf-8")
    assert message(load_parameters, bad) == (
        f"{bad}: parameters: shrinkage_mode = 'sudden' is not allowed; expected 'gradual' "
        "or 'stepwise'"
    )
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[parameters]\nbogus = 2\n", encoding="utf-8")
    assert message(load_parameters, unknown) == (
        f"{unknown}: parameters.bogus = 2 is not allowed; expected a parameter name listed by "
        "`follicle params`"
    )
    good = tmp_path / "good.toml"
    good.write_text("[parameters]\nloss_size = 0.05\n", encoding="utf-8")
    assert load_parameters(good).loss_size == 0.05


def test_stepwise_shrinkage_needs_its_draws():
    stepwise = DEFAULT_PARAMETERS.replace(shrinkage_mode="stepwise")
    with pytest.raises(ValueError, match=r"^stepwise shrinkage needs step_draw$"):
        next_size(
            np.ones(2),
            exposure=np.ones(2),
            growth=np.zeros(2),
            attached=np.ones(2, bool),
            params=stepwise,
        )
