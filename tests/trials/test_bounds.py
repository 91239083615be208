"""No calibrated parameter sits on a bound of its range without a written reason (issue 9):
the shipped point values and the shipped ensemble, against data/bound_reasons.toml."""

from __future__ import annotations

import pytest

from follicle.errors import FollicleInputError
from follicle.trials import bounds
from follicle.trials.calibrate import FREE_PARAMETERS
from follicle.trials.ensemble import Ensemble, load_ensemble


def _explain(cases) -> str:
    return "; ".join(f"{c.parameter} ({c.place}, {c.bound} bound: {c.detail})" for c in cases)


@pytest.fixture(scope="module")
def reasons():
    return bounds.load_reasons()


@pytest.fixture(scope="module")
def found():
    return bounds.point_at_bounds() + bounds.ensemble_at_bounds(load_ensemble())


def test_every_calibrated_parameter_on_a_bound_has_a_written_reason(found, reasons):
    missing = bounds.unexplained(found, reasons)
    assert not missing, (
        "on a bound without a reason in src/follicle/data/bound_reasons.toml: " + _explain(missing)
    )


def test_every_written_reason_still_describes_a_parameter_on_its_bound(found, reasons):
    assert not bounds.stale(found, reasons), (
        "reasons whose parameter is no longer on that bound (remove or update them): "
        f"{bounds.stale(found, reasons)}"
    )


def test_the_point_check_covers_the_calibrated_parameters():
    covered = bounds.calibrated_with_bounds()
    assert "damage_per_cycle" in covered and "population.male.median" in covered
    assert set(covered) <= set(FREE_PARAMETERS)


# --------------------------------------------------------------------------------------
# the check can fail: a new parameter on its bound, with and without a reason


NEW_BOUNDS = {**FREE_PARAMETERS, "new_rate": (0.1, 10.0, True), "new_share": (0.0, 1.0, False)}


def test_a_new_parameter_on_its_bound_without_a_reason_fails(reasons):
    found = bounds.point_at_bounds({"new_rate": 10.0, "new_share": 0.5}, NEW_BOUNDS)
    assert [c.key for c in found] == [("new_rate", "point", "high")]
    assert bounds.unexplained(found, reasons) == found
    # with a reason it passes
    explained = {**reasons, ("new_rate", "point", "high"): "because"}
    assert bounds.unexplained(found, explained) == []


def test_near_a_bound_counts_on_the_prior_scale():
    # log scale: 0.1 -> 10 spans 2 decades, 1% of it is a factor 10**0.02 ~ 1.047
    on = bounds.point_at_bounds({"new_rate": 0.104}, NEW_BOUNDS)
    off = bounds.point_at_bounds({"new_rate": 0.11}, NEW_BOUNDS)
    assert [c.bound for c in on] == ["low"] and off == []
    assert [c.bound for c in bounds.point_at_bounds({"new_share": 0.995}, NEW_BOUNDS)] == ["high"]


def test_an_ensemble_pressing_on_its_box_edge_is_found():
    box = {"new_share": [0.2, 0.6]}
    inside = [(0.2 + 0.4 * k / 99,) for k in range(100)]  # flat over the box: 1-2% per edge
    flat = Ensemble(("new_share",), tuple(inside), {"design_box": box})
    assert bounds.ensemble_at_bounds(flat, NEW_BOUNDS) == []
    piled = Ensemble(("new_share",), tuple(inside[:90] + [(0.6,)] * 10), {"design_box": box})
    found = bounds.ensemble_at_bounds(piled, NEW_BOUNDS)
    assert [c.key for c in found] == [("new_share", "ensemble", "high")]
    assert "10% of 100 members" in found[0].detail


def test_a_reason_must_be_written(tmp_path):
    path = tmp_path / "reasons.toml"
    path.write_text(
        '[[reason]]\nparameter = "entry_error_share"\nplace = "point"\nbound = "low"\n'
        'reason = "  "\n'
    )
    with pytest.raises(FollicleInputError, match="reason"):
        bounds.load_reasons(path)
    path.write_text(
        '[[reason]]\nparameter = "no_such_parameter"\nplace = "point"\nbound = "low"\n'
        'reason = "x"\n'
    )
    with pytest.raises(FollicleInputError, match="parameter"):
        bounds.load_reasons(path)
    path.write_text(
        '[[reason]]\nparameter = "entry_error_share"\nplace = "fit"\nbound = "low"\nreason = "x"\n'
    )
    with pytest.raises(FollicleInputError, match="place"):
        bounds.load_reasons(path)
