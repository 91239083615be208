"""The compiled engine (numba) simulates the same model as the numpy engine.

The two draw their random numbers in different orders, so they are compared
statistically: each scenario runs on both engines over the same 10 seeds, and every
summary of a run (transitions of each kind, follicles lost, mean relative size and
the observation measures averaged over the observation days) must have
the same mean on both within 4.5 standard errors of the difference of two means (the
standard errors from the spread over the seeds, as tests/test_reference_agreement.py
does). A kernel run with telogen 20% longer must fail the same comparison. Each engine
must also give the same run twice from one seed.
"""

from __future__ import annotations

import numpy as np
import pytest

from follicle.model import cycle
from follicle.model.params import DEFAULT_PARAMETERS
from follicle.model.scalp import resolve_area
from follicle.person import parse_person
from follicle.regimen import NO_TREATMENT, load_regimen, parse_regimen
from follicle.sim import kernel
from follicle.sim.engines import numba_available
from follicle.sim.simulate import run_people, run_people_arms, simulate

pytestmark = pytest.mark.skipif(not numba_available(), reason="numba is not installed")

SEEDS = range(10)
Z_LIMIT = 4.5
TRANSITIONS = {
    "emerge": (cycle.ANAGEN_HIDDEN, cycle.ANAGEN),
    "anagen_end": (cycle.ANAGEN, cycle.CATAGEN),
    "dystrophy_hidden": (cycle.ANAGEN_HIDDEN, cycle.CATAGEN),
    "telogen": (cycle.CATAGEN, cycle.TELOGEN),
    "shed": (cycle.TELOGEN, cycle.KENOGEN),
    "new_cycle": (cycle.KENOGEN, cycle.ANAGEN_HIDDEN),
    "aged_away": (cycle.TELOGEN, cycle.LOST),
    "miniaturized_away": (cycle.KENOGEN, cycle.LOST),
    "transplanted": (cycle.ABSENT, cycle.TELOGEN),
}
MEASURES = (
    "hairs",
    "non_vellus_hairs",
    "mean_diameter_um",
    "anagen_fraction",
    "telogen_fraction",
    "kenogen_fraction",
    "shed_per_day",
)
MAN = {"sex": "male", "age_years": 34, "androgen_sensitivity": "very high"}
DUTASTERIDE = {"name": "dutasteride", "treatment": [{"kind": "dutasteride", "dose_mg": 0.5}]}
SCENARIOS = {
    # a man's scalp miniaturizing, untreated (with his history from onset)
    "untreated": (MAN, None, "vertex:12", {}),
    "finasteride": (MAN, "finasteride.toml", "vertex:12", {}),
    "minoxidil": (MAN, "minoxidil-5.toml", "vertex:12", {}),
    "dutasteride": (MAN, DUTASTERIDE, "vertex:12", {}),
    # weak to minoxidil, strong to finasteride: each response scales its own effects
    "finasteride+minoxidil, responses differ": (
        {**MAN, "treatment_response": 0.4, "dht_drug_response": 1.6},
        "finasteride-minoxidil.toml",
        "vertex:12",
        {},
    ),
    "microneedling+minoxidil": (MAN, "microneedling-minoxidil.toml", "vertex:12", {}),
    "alopecia areata": (
        {
            "sex": "female",
            "age_years": 30,
            "androgen_sensitivity": "none",
            "alopecia_areata": [
                {"start_day": 50, "duration_days": 200, "region": "vertex", "patch_area_cm2": 3}
            ],
        },
        None,
        "vertex:12",
        {},
    ),
    "transplant": (MAN, "transplant.toml", {"frontal": 6.0, "occipital": 6.0}, {}),
    "stepwise shrinkage, kenogen only held": (
        MAN,
        "finasteride-minoxidil.toml",
        "vertex:12",
        {"shrinkage_mode": "stepwise", "androgen_telogen_share": 0.0},
    ),
}


def _summary(run) -> dict[str, float]:
    """One run's figures: transitions of each kind, the follicles' mean relative size and
    cycles at the end, the mean measures of its first region."""
    log = run.log
    pairs = log["old_phase"].astype(np.int64) * 10 + log["new_phase"]
    figures = {
        name: float(np.count_nonzero(pairs == old * 10 + new))
        for name, (old, new) in TRANSITIONS.items()
    }
    figures["events"] = float(pairs.size)
    alive = run.state.alive
    figures["lost"] = float(np.count_nonzero(~alive))
    figures["mean_size"] = float(run.state.size[alive].mean())
    figures["mean_cycles"] = float(run.state.cycles.mean())
    # each measure's mean over the observation days (less noisy than one day)
    observed = run.table[run.table["region"] == run.table["region"].iloc[0]]
    for measure in MEASURES:
        figures[measure] = float(observed[measure].mean())
    return figures


def _runs(engine: str, person, regimen, area, params) -> dict[str, np.ndarray]:
    summaries = [
        _summary(
            run_people(
                [person],
                regimen or NO_TREATMENT,
                days=360,
                observe_every_days=90,
                areas=resolve_area(area, params),
                seed_sequence=np.random.SeedSequence(seed),
                params=params,
                with_history=True,
                engine=engine,
            )
        )
        for seed in SEEDS
    ]
    return {key: np.array([s[key] for s in summaries]) for key in summaries[0]}


def _z_scores(a: dict, b: dict) -> dict[str, float]:
    """|difference of means| / its standard error, per figure (0 when both are constant
    and equal, inf when both are constant and differ)."""
    z = {}
    for key in a:
        diff = abs(a[key].mean() - b[key].mean())
        se = np.sqrt(a[key].var(ddof=1) / a[key].size + b[key].var(ddof=1) / b[key].size)
        z[key] = float(diff / se) if se > 0 else (0.0 if diff == 0 else np.inf)
    return z


def _scenario(name, examples):
    person_data, regimen, area, changes = SCENARIOS[name]
    if isinstance(regimen, str):
        regimen = load_regimen(examples / regimen)
    elif regimen is not None:
        regimen = parse_regimen(regimen)
    return parse_person(person_data), regimen, area, DEFAULT_PARAMETERS.replace(**changes)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_kernel_agrees_with_the_numpy_engine(name, examples):
    person, regimen, area, params = _scenario(name, examples)
    compiled = _runs("numba", person, regimen, area, params)
    numpy_runs = _runs("numpy", person, regimen, area, params)
    z = _z_scores(compiled, numpy_runs)
    assert max(z.values()) < Z_LIMIT, {k: round(v, 2) for k, v in z.items()}
    # the scenario exercises what it is named for
    if name == "alopecia areata":
        assert compiled["dystrophy_hidden"].sum() + compiled["anagen_end"].sum() > 0
        assert numpy_runs["dystrophy_hidden"].sum() > 0 and compiled["dystrophy_hidden"].sum() > 0
    if name == "transplant":
        assert compiled["transplanted"].min() > 0


def test_comparison_detects_a_broken_kernel(examples):
    person, regimen, area, params = _scenario("finasteride", examples)
    broken = params.replace(telogen_mean_days=params.telogen_mean_days * 1.2)
    z = _z_scores(
        _runs("numba", person, regimen, area, broken),
        _runs("numpy", person, regimen, area, params),
    )
    assert max(z.values()) > Z_LIMIT, z


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_same_seed_same_run(engine, examples):
    person, regimen, area, _ = _scenario("alopecia areata", examples)

    def run(seed):
        return simulate(person, regimen, days=200, area=area, seed=seed, engine=engine)

    first, again, other = run(3), run(3), run(4)
    assert first.table.equals(again.table)
    for column, values in first._log.items():
        assert np.array_equal(values, again._log[column]), column
    assert not first.table.equals(other.table)
    assert first.provenance["engine"] == engine


def test_the_engines_give_different_runs_of_one_seed():
    """They draw in different orders (docs/performance.md): equal tables would mean the
    choice of engine was ignored."""
    runs = [
        simulate(MAN, days=200, area="vertex:2", seed=1, engine=engine).table
        for engine in ("numba", "numpy")
    ]
    assert not runs[0].equals(runs[1])


def test_full_log_buffers_give_the_same_runs_and_paired_arms(examples, monkeypatch):
    """With a tiny log buffer (filled, handed to the log and resumed many times per
    call) the run is the same as with the normal one; paired arms branched from one
    history each equal their own unpaired run (a buffer handed to one arm's log must
    not be written by another)."""
    person, _, area, params = _scenario("untreated", examples)
    regimens = [NO_TREATMENT, load_regimen(examples / "minoxidil-5.toml")]
    options = {
        "days": 200,
        "observe_every_days": 50,
        "areas": resolve_area(area, params),
        "params": params,
        "with_history": True,
        "engine": "numba",
    }

    def seed():  # a fresh SeedSequence each time: spawning advances it
        return np.random.SeedSequence(8)

    normal = [run_people([person], r, seed_sequence=seed(), **options) for r in regimens]
    monkeypatch.setattr(kernel, "_LOG_BUFFER", 64)
    small = [run_people([person], r, seed_sequence=seed(), **options) for r in regimens]
    paired = run_people_arms([person], regimens, seed_sequence=seed(), **options)
    for one, other, arm in zip(normal, small, paired, strict=True):
        assert one.log["time"].size > 10 * 64
        for column, values in one.log.items():
            assert np.array_equal(values, other.log[column]), column
            assert np.array_equal(values, arm.log[column]), column
        assert one.table.equals(arm.table)


def test_a_branch_never_writes_into_another_branch_s_log(examples, monkeypatch):
    """Two branches of one compiled engine: running the second must leave the first's
    log as it was (the log holds the buffers it was handed, not copies)."""
    from follicle.sim.simulate import _start_engine

    monkeypatch.setattr(kernel, "_LOG_BUFFER", 32)  # many fills in 100 days
    person, _, area, params = _scenario("untreated", examples)
    streams = np.random.SeedSequence(2).spawn(3)
    areas = resolve_area(area, params)
    base, t_start, log_from = _start_engine(
        [person], NO_TREATMENT, 200, 50, areas, streams, params, True, "numba"
    )
    base.run(t_start=t_start, t_end=0.0, log_from=log_from, end_epochs=False)
    base.advance(0.0)  # nothing to do: leaves the base holding an empty buffer
    schedule = base.schedule
    first, second = base.branch(schedule), base.branch(schedule)
    first.run(t_start=0.0, t_end=100.0, log_from=log_from)
    before = first.log.arrays()
    second.rng = np.random.default_rng(99)  # another future than the first's
    second.run(t_start=0.0, t_end=100.0, log_from=log_from)
    after = first.log.arrays()
    assert before["time"].size > 10 * 32
    for column, values in before.items():
        assert np.array_equal(values, after[column]), column
