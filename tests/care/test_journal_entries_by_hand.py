"""Journal entries (``care/journal/entries.py``) written out by hand: the one-line text
``journal show`` and the web page print for every kind (with and without the optional
parts), an entry's JSON, the void's JSON and the range allowed for a metric by the unit
its name ends with (the table in ``METRIC_RANGES``: densities to 600/cm2, lengths to
1000 um or mm, percentages to 100, shares and fractions to 1, counts to 1e7)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from follicle.care.findings import Finding, Severity, Triage
from follicle.care.journal.entries import Entry, Void, describe, metric_range, parse_details
from follicle.errors import FollicleInputError

AT = datetime(2026, 3, 2, 8, 30, 15, tzinfo=UTC)
SHA = "0123456789abcdef" * 4


def entry(kind: str, details: dict, note: str = "") -> Entry:
    return Entry(
        uid="a" * 32,
        kind=kind,
        at=AT,
        tz="UTC",
        recorded=AT,
        details=parse_details(kind, details),
        note=note,
    )


@pytest.mark.parametrize(
    "kind, details, text",
    [
        ("application", {"medicine": "minoxidil"}, "minoxidil (topical)"),
        ("application", {"medicine": "finasteride"}, "finasteride (oral)"),
        (
            "application",
            {"medicine": "minoxidil", "route": "oral", "dose_mg": 2.5},
            "minoxidil (oral) 2.5 mg",
        ),
        (
            "application",
            {"medicine": "minoxidil", "concentration_percent": 5},
            "minoxidil (topical) 5%",
        ),
        (
            "application",
            {"medicine": "finasteride", "route": "topical", "dose_mg": 0.1,
             "concentration_percent": 0.25},
            "finasteride (topical) 0.1 mg 0.25%",
        ),
        (
            "session",
            {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 12},
            "microneedling 1.5 mm, 12 min, roller-1",
        ),
        (
            "session",
            {"device": "pen-a", "needle_mm": 0.5, "duration_minutes": 7.5,
             "regions": ["vertex", "frontal"]},
            "microneedling 0.5 mm, 7.5 min, pen-a (vertex, frontal)",
        ),
        ("device", {"name": "roller-1", "needle_mm": 1.5}, "roller 'roller-1' 1.5 mm: first use"),
        ("device", {"name": "pen-a", "device_type": "pen"}, "pen 'pen-a': first use"),
        ("symptom", {"symptom": "pinpoint_bleeding"}, "pinpoint bleeding"),
        ("symptom", {"symptom": "itching", "severity": "mild"}, "itching (mild)"),
        (
            "measurement",
            {"metrics": {"density_per_cm2": 182, "mean_diameter_um": 61.5}},
            "density_per_cm2 = 182, mean_diameter_um = 61.5",
        ),
        (
            "measurement",
            {"metrics": {"thin_percent": 12.25}, "region": "vertex"},
            "thin_percent = 12.25 (vertex)",
        ),
        (
            "photo",
            {"path": "/photos/vertex.png", "sha256": SHA, "size_bytes": 10},
            "photo /photos/vertex.png (sha256 0123456789ab...)",
        ),
    ],
)  # fmt: skip
def test_describe_every_kind(kind, details, text):
    assert describe(entry(kind, details)) == text
    assert describe(entry(kind, details, note="after the shower")) == text + " - after the shower"


def test_entry_to_dict():
    flag = Finding("MN-7", Severity.BLOCK, "too soon", "wait", triage=Triage.URGENT)
    stored = Entry(
        uid="b" * 32,
        kind="session",
        at=datetime(2026, 3, 2, 9, 30, 15, tzinfo=timezone(timedelta(hours=1))),
        tz="Europe/Paris",
        recorded=datetime(2026, 3, 2, 8, 31, tzinfo=UTC),
        details=parse_details("session", {"device": "pen-a", "needle_mm": 1.0,
                                          "duration_minutes": 12}),
        note="n",
        id=7,
        flags=(flag,),
    )  # fmt: skip
    assert stored.to_dict() == {
        "id": 7,
        "uid": "b" * 32,
        "kind": "session",
        "at_utc": "2026-03-02T08:30:15Z",
        "tz": "Europe/Paris",
        "recorded_utc": "2026-03-02T08:31:00Z",
        "note": "n",
        "details": {"device": "pen-a", "needle_mm": 1.0, "duration_minutes": 12.0, "regions": []},
        "flags": [
            {
                "rule": "MN-7",
                "severity": "block",
                "message": "too soon",
                "instead": "wait",
                "treatment": None,
                "triage": "urgent",
            }
        ],
    }
    # optional details left out (not null), no flags
    device = entry("device", {"name": "pen-a", "device_type": "pen"}).to_dict()
    assert device["details"] == {"name": "pen-a", "device_type": "pen"}
    assert (device["id"], device["flags"], device["note"]) == (None, [], "")


def test_void_to_dict():
    void = Void(target_uid="c" * 32, recorded=AT, reason="typo", replaced_by_uid="d" * 32)
    assert void.to_dict() == {
        "target_uid": "c" * 32,
        "replaced_by_uid": "d" * 32,
        "recorded_utc": "2026-03-02T08:30:15Z",
        "reason": "typo",
    }
    assert Void(target_uid="c" * 32, recorded=AT, reason="x").to_dict()["replaced_by_uid"] is None


@pytest.mark.parametrize(
    "name, expected",
    [
        ("density_per_cm2", (0.0, 600.0, "a density in hairs per cm2")),
        ("mean_diameter_um", (0.0, 1000.0, "a length in micrometres")),
        ("shaft_mm", (0.0, 1000.0, "a length in millimetres")),
        ("thin_percent", (0.0, 100.0, "a percentage")),
        ("vellus_share", (0.0, 1.0, "a share")),
        ("anagen_fraction", (0.0, 1.0, "a fraction")),
        ("hair_count", (0.0, 1e7, "a count")),
        ("score", (-math.inf, math.inf, "a finite number")),
        ("percent_thin", (-math.inf, math.inf, "a finite number")),  # the unit ends the name
    ],
)
def test_metric_range_by_unit(name, expected):
    assert metric_range(name) == expected


def test_parse_details_refusals_name_the_kind_and_the_source():
    kinds = "['application', 'session', 'device', 'symptom', 'measurement', 'photo']"
    with pytest.raises(FollicleInputError) as error:
        parse_details("diary", {})
    assert str(error.value) == f"kind = 'diary' is not allowed; expected one of {kinds}"
    assert (error.value.field, error.value.value) == ("kind", "diary")
    with pytest.raises(FollicleInputError) as error:
        parse_details("diary", {}, source="export.json")
    assert str(error.value) == (
        f"export.json: kind = 'diary' is not allowed; expected one of {kinds}"
    )
    with pytest.raises(FollicleInputError) as error:
        parse_details("symptom", {"symptom": "sneezing"}, source="export.json")
    assert str(error.value).startswith("export.json: symptom = 'sneezing' is not allowed")
