"""The top-level API: follicle.measure and follicle.analyze_image."""

import importlib

import numpy as np
import pandas as pd
import pytest

import follicle


def test_measure_is_callable_and_still_a_package():
    hairs = pd.DataFrame(
        {
            "hair_id": [1, 2],
            "unit_id": [1, 1],
            "region": "vertex",
            "diameter_um": [20.0, 70.0],
            "length_mm": np.nan,
        }
    )
    assert follicle.measure(hairs, area_cm2=0.01).density_per_cm2 == pytest.approx(200.0)
    render = importlib.import_module("follicle.measure.render")
    assert render is follicle.measure.render
    assert "measure" in follicle.__all__ and "analyze_image" in follicle.__all__


def test_analyze_image_is_exported():
    from follicle import analyze_image
    from follicle.measure.analyze import analyze_image as direct

    assert analyze_image is direct
    with pytest.raises(AttributeError):
        follicle.no_such_name  # noqa: B018
