"""Follicles made and joined after the scalp is built (``model/scalp.py``): the fresh
follicles of a transplant (``new_follicles``) and the state's ``append``, ``subset`` and
``concatenate``, which the engine uses to add grafts.

``new_follicles`` draws, in this order (its docstring): a normal terminal diameter
(mean: the person's or the population's, SD from the parameters) clipped to 0.6-1.6 x
the mean, the vellus follicles (probability ``vellus_follicle_fraction``) with their
lognormal diameter, then each follicle's lognormal sensitivity spread of mean 1; the
sensitivity is the person's x the region's pattern factor x that spread. The draws are
repeated here from a copy of the random stream.
"""

from __future__ import annotations

import copy
from dataclasses import fields

import numpy as np

from follicle.model import cycle
from follicle.model.params import DEFAULT_PARAMETERS
from follicle.model.regions import REGION_INDEX, REGIONS
from follicle.model.scalp import FollicleState, concatenate, new_follicles
from follicle.person import parse_person

# a large spread of terminal diameters so that the clip matters, and many vellus follicles
P = DEFAULT_PARAMETERS.replace(
    terminal_diameter_sd_um=30.0, vellus_follicle_fraction=0.3, follicle_sensitivity_log_sd=0.4
)


def fresh(person: dict, n: int = 400, *, seed: int = 5, region: str = "vertex"):
    someone = parse_person(person)
    rng = np.random.default_rng(seed)
    stream = copy.deepcopy(rng)
    regions = np.full(n, REGION_INDEX[region], np.int8)
    regions[::2] = REGION_INDEX["occipital"]
    state = new_follicles(
        person_index=2,
        region=regions,
        unit=np.arange(n) // 2 + 100,
        x_um=np.linspace(0, 1000, n),
        y_um=np.linspace(5, 6, n),
        person=someone,
        params=P,
        rng=rng,
    )
    return someone, state, stream, regions


def expected_traits(someone, stream, regions, mean_um):
    n = regions.size
    terminal = np.clip(
        stream.normal(mean_um, P.terminal_diameter_sd_um, n), 0.6 * mean_um, 1.6 * mean_um
    )
    vellus = stream.random(n) < P.vellus_follicle_fraction
    terminal[vellus] = P.vellus_follicle_diameter_um * stream.lognormal(
        0.0, P.vellus_follicle_diameter_log_sd, vellus.sum()
    )
    s = P.follicle_sensitivity_log_sd
    spread = stream.lognormal(-0.5 * s**2, s, n)
    pattern = np.array([P.pattern_sensitivity[someone.sex][name] for name in REGIONS])
    return terminal, someone.sensitivity * pattern[regions] * spread, vellus


def test_new_follicles_draw_their_traits_in_the_documented_order():
    someone, state, stream, regions = fresh({"sex": "male", "age_years": 40})
    terminal, sensitivity, vellus = expected_traits(
        someone, stream, regions, P.terminal_diameter_mean_um
    )
    assert 0 < vellus.sum() < vellus.size
    clipped = (terminal == 0.6 * P.terminal_diameter_mean_um) | (
        terminal == 1.6 * P.terminal_diameter_mean_um
    )
    assert clipped.any()  # the clip is exercised
    np.testing.assert_allclose(state.terminal_diameter_um, terminal, rtol=1e-12)
    np.testing.assert_allclose(state.sensitivity, sensitivity, rtol=1e-12)
    np.testing.assert_array_equal(state.diameter_um, terminal)
    assert np.all(state.person == 2) and state.person.dtype == np.int32
    np.testing.assert_array_equal(state.region, regions)
    np.testing.assert_array_equal(state.unit, np.arange(400) // 2 + 100)
    np.testing.assert_allclose(state.x_um, np.linspace(0, 1000, 400))
    np.testing.assert_allclose(state.y_um, np.linspace(5, 6, 400))
    assert np.all(state.phase == cycle.KENOGEN) and np.all(state.size == 1.0)
    assert state.attached.all() and not state.has_hair.any() and not state.transplanted.any()
    assert np.all(state.rest_until == -np.inf) and np.all(state.cycles == 0)


def test_new_follicles_use_the_person_s_own_terminal_diameter():
    someone, state, stream, regions = fresh(
        {"sex": "female", "age_years": 40, "terminal_diameter_um": 60.0}, region="frontal"
    )
    terminal, sensitivity, _ = expected_traits(someone, stream, regions, 60.0)
    np.testing.assert_allclose(state.terminal_diameter_um, terminal, rtol=1e-12)
    np.testing.assert_allclose(state.sensitivity, sensitivity, rtol=1e-12)


def numbered(n: int, start: int) -> FollicleState:
    """A state whose every field holds distinct values (start, start + 1, ...)."""
    values = {}
    for item in fields(FollicleState):
        dtype = bool if item.name in ("transplanted", "attached", "has_hair") else float
        column = np.arange(start, start + n)
        values[item.name] = (column % 2 == 0) if dtype is bool else column.astype(float)
    return FollicleState(**values)


def test_append_subset_and_concatenate_keep_every_field():
    first, second = numbered(3, 0), numbered(2, 10)
    joined = concatenate([first, second])
    for item in fields(FollicleState):
        want = np.concatenate([getattr(first, item.name), getattr(second, item.name)])
        np.testing.assert_array_equal(getattr(joined, item.name), want, err_msg=item.name)
    holder = first
    first.append(second)
    assert holder is first and first.n == 5  # in place: the engine keeps its object
    keep = np.array([True, False, True, False, True])
    part = first.subset(keep)
    for item in fields(FollicleState):
        np.testing.assert_array_equal(
            getattr(part, item.name), getattr(joined, item.name)[keep], err_msg=item.name
        )
    assert part.n == 3
