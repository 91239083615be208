"""Fixtures for the care tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# care_helpers sits beside this file; make it importable whatever pytest's import mode
sys.path.insert(0, str(Path(__file__).parent))

from care_helpers import person


@pytest.fixture
def healthy_man():
    return person(
        poor_wound_healing=False,
        keloid_history=False,
        microneedling_experience=True,
        hair_loss_onset="gradual",
        hair_loss_pattern="patterned",
        hair_loss_cause_known=True,
        cause_confirmed_by_clinician=True,
        prescriptions=[{"medicine": "finasteride", "prescriber": "Dr Lee"}],
    )
