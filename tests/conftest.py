"""Shared fixtures and helpers for the tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


# Hypothesis profiles: `ci` (the default) runs a few fixed examples per property so the
# suite stays quick and reproducible; `long` searches widely (HYPOTHESIS_PROFILE=long).
# Tests that set their own max_examples keep it.
settings.register_profile("ci", max_examples=12, deadline=None, derandomize=True, print_blob=True)
settings.register_profile("long", max_examples=200, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
