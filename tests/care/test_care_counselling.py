"""Symptom advice and counselling: sexual side effects (RX-7), the emergency number in
urgent advice, no default severity, and the plan rules added for a careful clinician
(MN-9 unknown, MN-16, RX-7, RX-8, RX-9)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from care_helpers import FINASTERIDE, MINOXIDIL, person, regimen
from typer.testing import CliRunner

from follicle.care.findings import Severity, Triage
from follicle.care.journal.entries import describe
from follicle.care.journal.service import Journal
from follicle.care.plan import check_plan
from follicle.cli import app

NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
NEEDLING_05 = {"kind": "microneedling", "needle_mm": 0.5, "interval_days": 7}


@pytest.fixture
def journal(tmp_path):
    with Journal.open(tmp_path / "j.sqlite3") as opened:
        yield opened


def log(journal, kind, details, hours_ago):
    return journal.log(kind, details, at=NOW - timedelta(hours=hours_ago), tz="UTC", now=NOW)


def test_sexual_side_effects_get_advice(journal):
    log(journal, "application", {"medicine": "finasteride", "dose_mg": 1}, 48)
    logged = log(journal, "symptom", {"symptom": "sexual_side_effects"}, 1)
    (flag,) = logged.flags
    assert flag.rule == "RX-7" and flag.severity is Severity.WARN
    assert flag.triage is Triage.CLINICIAN
    assert "side effect of finasteride" in flag.message
    assert "prescriber" in flag.instead


def test_sexual_side_effects_without_a_logged_medicine_still_get_advice(journal):
    (flag,) = log(journal, "symptom", {"symptom": "sexual_side_effects"}, 1).flags
    assert flag.rule == "RX-7" and "finasteride and dutasteride" in flag.message


@pytest.mark.parametrize(("symptom", "rule"), [("pus", "MN-12"), ("chest_pain", "RX-5")])
def test_urgent_advice_names_the_emergency_number(journal, monkeypatch, symptom, rule):
    from follicle.care.settings import DEFAULT_EMERGENCY, EMERGENCY_ENV

    monkeypatch.delenv(EMERGENCY_ENV, raising=False)
    (flag,) = log(journal, "symptom", {"symptom": symptom}, 2).flags
    assert flag.rule == rule and flag.triage is Triage.URGENT
    assert DEFAULT_EMERGENCY in flag.instead
    assert "112" in DEFAULT_EMERGENCY and "911" in DEFAULT_EMERGENCY
    monkeypatch.setenv(EMERGENCY_ENV, "000")
    (flag,) = log(journal, "symptom", {"symptom": symptom}, 1).flags
    assert "call 000" in flag.instead and "112" not in flag.instead


def test_urgent_symptom_has_no_default_severity(tmp_path):
    db = tmp_path / "j.sqlite3"
    result = CliRunner().invoke(
        app, ["journal", "log", "symptom", "pus", "--db", str(db), "--tz", "UTC", "--json"]
    )
    assert result.exit_code == 0, result.output
    entry = json.loads(result.stdout)["entry"]
    assert "severity" not in entry["details"]
    assert "(mild)" not in result.stdout
    with Journal.open(db) as journal:
        (stored,) = journal.entries()
    assert stored.details.severity is None
    assert describe(stored) == "pus"
    rated = CliRunner().invoke(
        app,
        [
            "journal",
            "log",
            "symptom",
            "redness",
            "--severity",
            "moderate",
            "--db",
            str(db),
            "--tz",
            "UTC",
        ],
    )
    assert "redness (moderate)" in rated.stdout


def rules(findings, severity=None):
    return {f.rule for f in findings if severity is None or f.severity is severity}


def test_unknown_keloid_history_warns_in_plan_check():
    unknown = person(poor_wound_healing=False)  # keloid_history not recorded
    check = check_plan(regimen(NEEDLING_05, MINOXIDIL), person=unknown)
    (mn9,) = [f for f in check.findings if f.rule == "MN-9"]
    assert mn9.severity is Severity.WARN and "keloid" in mn9.message
    assert "check with a clinician first" in mn9.message.lower()
    assert "MN-9" in rules(check_plan(regimen(NEEDLING_05)).findings, Severity.WARN)
    known = person(poor_wound_healing=False, keloid_history=False)
    assert "MN-9" not in rules(check_plan(regimen(NEEDLING_05), person=known).findings)


def test_irritated_scalp_warns_for_microneedling():
    irritated = person(
        poor_wound_healing=False, keloid_history=False, scalp_conditions=["irritated"]
    )
    check = check_plan(regimen(NEEDLING_05), person=irritated)
    assert "MN-16" in rules(check.findings, Severity.WARN)


def test_finasteride_counselling_in_plan_check():
    check = check_plan(regimen(FINASTERIDE), person=person())
    (rx7,) = [f for f in check.findings if f.rule == "RX-7"]
    for words in ("sexual side effects", "depression", "breast", "semen", "PSA"):
        assert words in rx7.message


@pytest.mark.parametrize(
    ("health", "warned"),
    [
        ({"pregnancy_possible": True}, True),
        ({"pregnancy_possible": False, "breastfeeding": True}, True),
        ({}, True),  # pregnancy not recorded
        ({"pregnancy_possible": False, "breastfeeding": False}, False),
        ({"pregnancy_possible": True, "clearances": [{"rule": "RX-8", "by": "Dr A"}]}, False),
    ],
)
def test_topical_minoxidil_in_pregnancy_or_breastfeeding(health, warned):
    woman = person(sex="female", age_years=31, **health)
    check = check_plan(regimen(MINOXIDIL), person=woman)
    assert ("RX-8" in rules(check.findings, Severity.WARN)) is warned
    man = check_plan(regimen(MINOXIDIL), person=person())
    assert "RX-8" not in rules(man.findings)


ORAL = {"kind": "minoxidil", "route": "oral", "dose_mg": 2.5}


@pytest.mark.parametrize(
    ("health", "severity"),
    [
        ({"heart_condition": True, "blood_pressure": "normal"}, Severity.BLOCK),
        ({"heart_condition": False, "blood_pressure": "low"}, Severity.BLOCK),
        ({"heart_condition": False, "blood_pressure": "high"}, Severity.WARN),
        ({}, Severity.WARN),
        ({"heart_condition": False, "blood_pressure": "normal"}, None),
        (
            {"heart_condition": True, "clearances": [{"rule": "RX-9", "by": "Dr B"}]},
            None,
        ),
    ],
)
def test_oral_minoxidil_heart_and_blood_pressure(health, severity):
    check = check_plan(regimen(ORAL), person=person(**health))
    found = [f.severity for f in check.findings if f.rule == "RX-9"]
    assert found == ([] if severity is None else [severity])


def test_plan_rx5_note_names_the_emergency_number(monkeypatch):
    from follicle.care.settings import DEFAULT_EMERGENCY, EMERGENCY_ENV

    monkeypatch.delenv(EMERGENCY_ENV, raising=False)
    (rx5,) = [f for f in check_plan(regimen(MINOXIDIL)).findings if f.rule == "RX-5"]
    assert DEFAULT_EMERGENCY in rx5.message
    monkeypatch.setenv(EMERGENCY_ENV, "112")
    (rx5,) = [f for f in check_plan(regimen(MINOXIDIL)).findings if f.rule == "RX-5"]
    assert "call 112" in rx5.message
