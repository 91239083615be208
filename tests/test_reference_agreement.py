"""The event-driven engines simulate the same model as the day-by-day reference.

For each scenario both are run over the same seeds; on every observation day the mean
of each measure must agree within 4.5 standard errors of the difference of two means
(plus a small allowance for the reference's one-day time step). A deliberately broken
engine (telogen 30% longer) must fail the same comparison. Both engines (numpy and the
compiled one) are compared with the same reference runs.
"""

from __future__ import annotations

import numpy as np
import pytest

from follicle.model.params import DEFAULT_PARAMETERS
from follicle.person import parse_person
from follicle.regimen import load_regimen
from follicle.sim.engines import ENGINES, numba_available
from follicle.sim.reference import simulate_reference
from follicle.sim.simulate import simulate

MEASURES = {
    # measure: allowance for the one-day time resolution of the reference
    "hairs": 1.0,
    "non_vellus_hairs": 1.0,
    "mean_diameter_um": 0.1,
    "anagen_fraction": 0.003,
    "telogen_fraction": 0.003,
    "kenogen_fraction": 0.003,
    "shed_per_day": 0.02,
    "single_hair_unit_share": 0.003,
}
SEEDS = range(8)


def _runs(function, person, regimen, area, params, **kwargs):
    runs = []
    for seed in SEEDS:
        table = function(
            person,
            regimen,
            days=540,
            observe_every_days=90,
            area=area,
            seed=seed,
            params=params,
            **kwargs,
        )
        region = area.split(":")[0]
        runs.append(table[table["region"] == region].set_index("day")[list(MEASURES)])
    return np.stack([r.to_numpy(float) for r in runs])  # seed x day x measure


def _worst_z(fast, ref):
    diff = fast.mean(0) - ref.mean(0)
    se = np.sqrt(fast.var(0, ddof=1) / len(fast) + ref.var(0, ddof=1) / len(ref))
    allowance = np.array(list(MEASURES.values()))
    excess = np.maximum(np.abs(diff) - allowance, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(excess > 0, excess / se, 0.0)
    return np.nanmax(z, axis=0)  # per measure


def _fast(person, regimen, **kwargs):
    return simulate(person, regimen, with_history=False, **kwargs).table


SCENARIOS = {
    "miniaturizing": (
        {"sex": "male", "age_years": 30, "androgen_sensitivity": "very high"},
        None,
        "vertex:2",
    ),
    "microneedling+minoxidil": (
        {"sex": "male", "age_years": 30, "androgen_sensitivity": "high"},
        "microneedling-minoxidil.toml",
        "vertex:2",
    ),
    # a weak responder to minoxidil and a strong one to finasteride: the person's two
    # responses scale the minoxidil clocks and growth and the DHT factor in both
    # implementations (model.response)
    "finasteride+minoxidil, responses differ": (
        {
            "sex": "male",
            "age_years": 30,
            "androgen_sensitivity": "very high",
            "treatment_response": 0.4,
            "dht_drug_response": 1.6,
        },
        "finasteride-minoxidil.toml",
        "vertex:2",
    ),
    "alopecia areata": (
        {
            "sex": "female",
            "age_years": 30,
            "androgen_sensitivity": "none",
            "alopecia_areata": [
                {"start_day": 50, "duration_days": 200, "region": "vertex", "patch_area_cm2": 1.5}
            ],
        },
        None,
        "vertex:2",
    ),
}


# scenario -> parameters other than the defaults
SCENARIO_PARAMETERS = {
    # androgens hold telogen half as much as kenogen (the default holds kenogen only):
    # the rest clock depends on the phase in both implementations, for any share
    "finasteride+minoxidil, androgens hold telogen half as much": (
        "finasteride+minoxidil, responses differ",
        DEFAULT_PARAMETERS.replace(androgen_telogen_share=0.5),
    ),
}


_REFERENCE_RUNS: dict[str, np.ndarray] = {}  # the slow reference, once per scenario
ENGINE_CHOICES = [
    pytest.param(
        engine,
        marks=pytest.mark.skipif(
            engine == "numba" and not numba_available(), reason="numba is not installed"
        ),
    )
    for engine in ENGINES
]


@pytest.mark.parametrize("engine", ENGINE_CHOICES)
@pytest.mark.parametrize("name", [*SCENARIOS, *SCENARIO_PARAMETERS])
def test_engine_agrees_with_reference(name, engine, examples):
    base, params = SCENARIO_PARAMETERS.get(name, (name, DEFAULT_PARAMETERS))
    person_data, regimen_file, area = SCENARIOS[base]
    person = parse_person(person_data)
    regimen = load_regimen(examples / regimen_file) if regimen_file else None
    fast = _runs(_fast, person, regimen, area, params, engine=engine)
    if name not in _REFERENCE_RUNS:
        _REFERENCE_RUNS[name] = _runs(simulate_reference, person, regimen, area, params)
    ref = _REFERENCE_RUNS[name]
    worst = _worst_z(fast, ref)
    assert np.all(worst < 4.5), dict(zip(MEASURES, worst.round(2), strict=True))


@pytest.mark.parametrize("engine", ENGINE_CHOICES)
def test_comparison_detects_a_broken_engine(engine):
    person = parse_person(SCENARIOS["miniaturizing"][0])
    broken = DEFAULT_PARAMETERS.replace(
        telogen_mean_days=DEFAULT_PARAMETERS.telogen_mean_days * 1.3
    )
    fast = _runs(_fast, person, None, "vertex:2", broken, engine=engine)
    ref = _runs(simulate_reference, person, None, "vertex:2", DEFAULT_PARAMETERS)
    assert _worst_z(fast, ref).max() > 4.5
