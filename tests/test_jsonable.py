"""to_jsonable: the CLI's JSON conventions, and safe while numpy is half imported."""

from __future__ import annotations

import math
import sys
import types

import numpy as np

from follicle.jsonable import to_jsonable


def test_nan_and_numpy_scalars_become_plain_json():
    payload = {"a": np.float64(1.5), "b": [math.nan, np.int64(3)], 4: math.inf}
    assert to_jsonable(payload) == {"a": 1.5, "b": [None, 3], "4": None}
    assert type(to_jsonable(np.float64(1.5))) is float


def test_a_half_imported_numpy_in_another_thread_is_no_error(monkeypatch):
    # while a worker thread imports numpy, sys.modules holds a module without `generic`
    monkeypatch.setitem(sys.modules, "numpy", types.ModuleType("numpy"))
    assert to_jsonable({"x": 1.0, "y": [2]}) == {"x": 1.0, "y": [2]}
