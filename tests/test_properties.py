"""Property tests: input validation never crashes; the simulation keeps its invariants."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from follicle.errors import FollicleInputError
from follicle.regimen import TREATMENT_KINDS, parse_regimen
from follicle.sim.simulate import simulate

numbers = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
)
keys = st.sampled_from(
    [
        "dose_mg",
        "concentration_percent",
        "needle_mm",
        "interval_days",
        "start_day",
        "stop_day",
        "adherence",
        "grafts",
        "day",
        "region",
        "route",
        "applications_per_day",
        "sessions",
        "bogus",
    ]
)


@given(
    kind=st.one_of(st.sampled_from(TREATMENT_KINDS), st.text(max_size=8)),
    fields=st.dictionaries(keys, numbers, max_size=4),
)
@settings(max_examples=300, deadline=None)
def test_regimen_validation_raises_only_input_errors(kind, fields):
    try:
        regimen = parse_regimen({"treatment": [{"kind": kind, **fields}]})
    except FollicleInputError as error:
        assert "\n" not in str(error)
    else:
        assert parse_regimen(regimen.to_toml_dict()) == regimen


treatments = st.lists(
    st.one_of(
        st.builds(
            lambda d, s: {"kind": "finasteride", "dose_mg": d, "start_day": s},
            st.floats(0.05, 5),
            st.integers(0, 200),
        ),
        st.builds(
            lambda c, s: {
                "kind": "minoxidil",
                "concentration_percent": c,
                "start_day": s,
                "stop_day": s + 100,
            },
            st.floats(1, 15),
            st.integers(0, 200),
        ),
        st.builds(
            lambda n, i: {"kind": "microneedling", "needle_mm": n, "interval_days": i},
            st.floats(0.1, 2.5),
            st.integers(1, 30),
        ),
        st.builds(
            lambda g: {"kind": "transplant", "day": 50, "grafts": g, "region": "vertex"},
            st.integers(1, 400),
        ),
    ),
    max_size=3,
)


@given(
    regimen=treatments,
    sensitivity=st.floats(0, 3),
    seed=st.integers(0, 2**32),
    age=st.floats(18, 80),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_invariants(regimen, sensitivity, seed, age):
    person = {"sex": "male", "age_years": age, "androgen_sensitivity": sensitivity}
    rows = simulate(
        person,
        {"treatment": regimen},
        days=300,
        observe_every_days=50,
        area={"vertex": 1.0, "occipital": 1.0},
        seed=seed,
    ).table
    counts = rows.select_dtypes("number")
    assert (counts.fillna(0) >= 0).all().all()
    assert (rows["hairs"] <= rows["follicles"]).all()
    fractions = rows[
        ["anagen_fraction", "catagen_fraction", "telogen_fraction", "kenogen_fraction"]
    ].sum(axis=1)
    np.testing.assert_allclose(fractions[rows["follicles"] > 0], 1.0)
    transplants = any(t["kind"] == "transplant" for t in regimen)
    for _, region in rows.groupby("region"):
        total = (region["follicles"] + region["follicles_lost"]).to_numpy()
        alive = region["follicles"].to_numpy()
        if not transplants:
            assert np.all(total == total[0])  # conserved or lost, never created
            assert np.all(np.diff(alive) <= 0)
        else:
            assert np.all(np.diff(total) >= 0)  # only transplants add follicles
