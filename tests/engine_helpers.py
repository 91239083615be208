"""A small engine in steady state for the engine's formula tests (not a test file)."""

from __future__ import annotations

import numpy as np

from follicle.model.androgens import People
from follicle.model.params import DEFAULT_PARAMETERS
from follicle.model.scalp import build_scalp, start_in_steady_state
from follicle.person import parse_person
from follicle.regimen import parse_regimen
from follicle.sim.engine import Engine
from follicle.treatments.schedule import compile_regimen

#: every androgen term matters with these (chosen values, not today's calibrated ones)
P = DEFAULT_PARAMETERS.replace(
    androgen_anagen_shortening=0.7, androgen_rest_prolongation=0.9, androgen_telogen_share=0.4
)
BALDING = {"sex": "male", "age_years": 40, "androgen_sensitivity": 1.0, "onset_age_years": 18}
AREAS = {"vertex": 3.0, "occipital": 2.0}


def engine_of(persons: list[dict], *, params=P, seed=3, prime=True, treatments=()):
    """An engine over the people's scalps in steady state at day -30 (as ``run_people``
    starts it), primed unless ``prime`` is False, under a regimen of ``treatments`` (days
    0-100); also returns t0."""
    people_list = [parse_person(p) for p in persons]
    regimen = parse_regimen({"name": "x", "treatment": list(treatments)})
    scalp_rng, engine_rng = np.random.default_rng(seed), np.random.default_rng(seed + 1)
    schedule = compile_regimen(regimen, days=100, params=params, rng=np.random.default_rng(0))
    state = build_scalp(people_list, AREAS, params=params, rng=scalp_rng)
    t0 = np.full(state.n, -30.0)
    start_in_steady_state(state, t0=t0, params=params, rng=scalp_rng)
    engine = Engine(
        state,
        people=People.of(people_list, params),
        params=params,
        schedule=schedule,
        areas_cm2=AREAS,
        rng=engine_rng,
    )
    if prime:
        engine.prime(t0)
    return engine, t0
