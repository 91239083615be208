"""Fixtures shared by the measure tests."""

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bench_module(name: str):
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


@pytest.fixture(scope="session")
def bench_module():
    """A script of ``bench/`` as a module, by name (code the tests share with it)."""
    return _bench_module


@pytest.fixture(scope="session")
def real_images_bench():
    """``bench/real_images.py``: the scoring of real images against their boxes."""
    return _bench_module("real_images")
