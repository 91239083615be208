"""Regimen and person files: parsing, defaults and one-line errors."""

import pytest

from follicle.errors import FollicleInputError
from follicle.person import SENSITIVITY_LEVELS, parse_person
from follicle.regimen import parse_regimen


def test_regimen_round_trip_keeps_values():
    data = {
        "name": "fin + min",
        "treatment": [
            {"kind": "finasteride", "dose_mg": 1.0},
            {"kind": "minoxidil", "concentration_percent": 5, "stop_day": 365},
            {"kind": "microneedling", "needle_mm": 1.5, "interval_days": 7},
        ],
    }
    regimen = parse_regimen(data)
    assert [t.kind for t in regimen.treatments] == ["finasteride", "minoxidil", "microneedling"]
    again = parse_regimen(regimen.to_toml_dict())
    assert again == regimen


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"treatment": [{"kind": "foo"}]}, "treatment[0].kind = 'foo'"),
        ({"treatment": [{"kind": "minoxidil", "concentration_percent": 50}]}, "<= 15"),
        ({"treatment": [{"kind": "microneedling", "needle_mm": 3.0}]}, "needle_mm = 3.0"),
        ({"treatment": [{"kind": "microneedling", "needle_mm": 1, "x": 1}]}, "treatment[0].x"),
        ({"treatment": [{"kind": "finasteride", "start_day": 9, "stop_day": 3}]}, "stop_day = 3"),
        ({"treatment": [{"kind": "finasteride", "dose_mg": -1}]}, "dose_mg = -1"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_regimen_errors_name_field_and_value(data, expected):
    with pytest.raises(FollicleInputError) as info:
        parse_regimen(data, source="r.toml")
    message = str(info.value)
    assert message.startswith("r.toml: ")
    assert expected in message
    assert "\n" not in message


def test_person_labels_resolve_to_numbers():
    person = parse_person({"sex": "male", "age_years": 30, "androgen_sensitivity": "high"})
    assert person.sensitivity == SENSITIVITY_LEVELS["high"] == 1.0
    person = parse_person({"sex": "female", "age_years": 50, "androgen_sensitivity": 0.3})
    assert person.sensitivity == 0.3


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"sex": "m", "age_years": 30}, "sex = 'm'"),
        ({"sex": "male", "age_years": 5}, "age_years = 5"),
        ({"sex": "male", "age_years": 30, "androgen_sensitivity": "huge"}, "'huge'"),
        ({"sex": "male", "age_years": 30, "androgen_sensitivity": 9}, "= 9"),
    ],
)
def test_person_errors(data, expected):
    with pytest.raises(FollicleInputError) as info:
        parse_person(data)
    assert expected in str(info.value)
