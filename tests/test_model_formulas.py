"""The model's formulas (model/cycle.py, model/response.py, model/androgens.py, the
parameter overrides) element by element, against their documented definitions with the
parameters read at test time, including the edges: caps at 1, clipping to [0, 1], detached
follicles, stepwise shrinkage at its threshold, a person who does not respond."""

from __future__ import annotations

import math

import numpy as np
import pytest

from follicle.errors import FollicleInputError
from follicle.model import cycle, response
from follicle.model.androgens import DAYS_PER_YEAR, People
from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.model.params import _coerce, load_parameters, parameters_from_overrides
from follicle.person import parse_person

# ---- next_size ------------------------------------------------------------------------------


def expected_size(size, exposure, growth, attached, noise=1.0):
    """docs: attached follicles regain repair x (1 + growth) (at most all) of the gap to
    full size; every follicle loses damage x exposure x noise (at most all) of its size."""
    loss = min(P.damage_per_cycle * exposure * noise, 1.0) * size
    gain = min(P.repair_per_cycle * (1 + growth), 1.0) * (1 - size) if attached else 0.0
    return min(max(size + gain - loss, 0.0), 1.0)


CASES = [
    # size, exposure, growth, attached, noise
    (1.0, 0.5, 0.0, True, 1.0),
    (0.5, 1.0, 0.5, True, 2.0),
    (0.2, 4.0, 0.0, False, 0.5),
    (0.6, 0.0, 0.3, True, 1.0),  # no exposure: repair only
    (0.6, 0.0, 0.3, False, 1.0),  # detached: no repair
    (0.4, 10.0, 0.0, True, 3.0),  # loss capped at the whole size
    (0.3, 0.1, 1 / P.repair_per_cycle, True, 1.0),  # repair capped at the whole gap
]


def test_next_size_gradual_each_case():
    size, exposure, growth, attached, noise = (
        np.array(column) for column in zip(*CASES, strict=True)
    )
    got = cycle.next_size(
        size, exposure=exposure, growth=growth, attached=attached, params=P, damage_noise=noise
    )
    want = [expected_size(*case) for case in CASES]
    assert got == pytest.approx(want, rel=1e-12, abs=1e-15)
    # without noise: as with noise 1
    plain = cycle.next_size(size, exposure=exposure, growth=growth, attached=attached, params=P)
    assert plain == pytest.approx([expected_size(*case[:4]) for case in CASES], rel=1e-12)


def test_next_size_accepts_lists_and_scalars():
    got = cycle.next_size([0.5], exposure=[1], growth=[0], attached=[True], params=P)
    assert got == pytest.approx([expected_size(0.5, 1.0, 0.0, True)], rel=1e-12)


def test_next_size_stepwise_at_its_threshold():
    stepwise = P.replace(shrinkage_mode="stepwise")
    threshold = P.damage_per_cycle * 0.5 / P.step_fraction  # the chance of a step
    draws = np.array([threshold - 1e-9, threshold, threshold + 1e-9])
    n = draws.size
    got = cycle.next_size(
        np.full(n, 0.8),
        exposure=np.full(n, 0.5),
        growth=np.zeros(n),
        attached=np.zeros(n, bool),
        params=stepwise,
        step_draw=draws,
    )
    stepped = 0.8 - P.step_fraction * 0.8
    assert got == pytest.approx([stepped, 0.8, 0.8], rel=1e-12)
    with pytest.raises(ValueError, match="stepwise shrinkage needs step_draw"):
        cycle.next_size(
            np.ones(1),
            exposure=np.ones(1),
            growth=np.zeros(1),
            attached=np.ones(1, bool),
            params=stepwise,
        )


# ---- phase durations and growth ---------------------------------------------------------------


def test_phase_means_by_size():
    assert cycle.anagen_mean_days(0.5, P) == pytest.approx(
        P.anagen_mean_days * 0.5**P.anagen_size_exponent
    )
    lo, hi = P.kenogen_mean_days_terminal, P.kenogen_mean_days_miniaturized
    assert cycle.kenogen_mean_days(np.array([1.0, 0.0, 0.25]), P) == pytest.approx(
        [lo, hi, lo + 0.75 * (hi - lo)]
    )
    assert cycle.steady_state_phase_means(P) == {
        "anagen": P.anagen_mean_days,
        "catagen": P.catagen_mean_days,
        "telogen": P.telogen_mean_days,
        "kenogen": P.kenogen_mean_days_terminal,
    }


def test_growth_rate_scales_with_the_square_root_of_the_diameter():
    full = P.terminal_diameter_mean_um
    got = cycle.growth_mm_per_day(np.array([full, full / 4, full * 2, full * 0.01]), P)
    assert got == pytest.approx(
        P.growth_mm_per_day * np.array([1.0, 0.5, 1.0, math.sqrt(0.05)]), rel=1e-12
    )


def test_lognormal_parameters():
    dist = cycle.LogNormal(90.0, 0.3)
    assert dist.mu == pytest.approx(math.log(90.0) - 0.045)
    assert dist.variance == pytest.approx(90.0**2 * (math.exp(0.09) - 1))
    assert dist.length_biased() == cycle.LogNormal(pytest.approx(90.0 * math.exp(0.09)), 0.3)
    rng = np.random.default_rng(3)
    draws = cycle.lognormal_from_means(np.full(200_000, 40.0), 0.5, rng)
    se = 40.0 * math.sqrt(math.exp(0.25) - 1) / math.sqrt(draws.size)
    assert abs(draws.mean() - 40.0) <= 4 * se
    assert np.log(draws).std() == pytest.approx(0.5, rel=0.01)
    assert dist.sample(rng, 3).shape == (3,)


# ---- a person's response --------------------------------------------------------------------


@pytest.mark.parametrize("r", [0.0, 0.5, 1.0, 2.0])
def test_response_multiplier_scales_each_effect(r):
    assert response.dht_factor(0.3, r) == pytest.approx(0.3**r)
    assert response.rest_rate(7.0, r) == pytest.approx(1 + r * 6.0)
    prolonged = 1 / (1 + 1.7)  # the anagen clock with prolongation 1.7
    assert response.anagen_rate(prolonged, r) == pytest.approx(1 / (1 + r * 1.7))
    assert response.growth(0.2, r) == pytest.approx(0.2 * r)
    assert response.rest_rate(np.array([1.0, 3.0]), r) == pytest.approx([1.0, 1 + 2 * r])


# ---- androgen exposure over a life ------------------------------------------------------------


def test_exposure_before_onset_during_the_ramp_and_after_menopause():
    woman = parse_person(
        {"sex": "female", "age_years": 20, "androgen_sensitivity": 1, "onset_age_years": 25}
    )
    people = People.of([woman], P)
    assert people.age_at(np.zeros(1, int), DAYS_PER_YEAR * 2)[0] == pytest.approx(22.0)
    level = P.androgen_level["female"]
    # ages 24 (before onset), 27 (ramp), menopause age + half a ramp
    ages = np.array([24.0, 27.0, P.menopause_age_years + P.onset_ramp_years / 2])
    exposure = people.baseline_exposure(np.zeros(3, int), (ages - 20) * DAYS_PER_YEAR, P)
    since = ages - 25
    ramp = np.clip(since / P.onset_ramp_years, 0, 1)
    growth = 1 + P.androgen_growth_per_decade * np.maximum(since, 0) / 10
    menopause = np.array([1.0, 1.0, 1 + (P.menopause_androgen_factor - 1) * 0.5])
    assert exposure == pytest.approx(level * ramp * growth * menopause, rel=1e-12)
    assert exposure[0] == 0.0
    # a man of the same ages has no menopause factor
    man = parse_person(
        {"sex": "male", "age_years": 20, "androgen_sensitivity": 1, "onset_age_years": 25}
    )
    male = People.of([man], P).baseline_exposure(np.zeros(3, int), (ages - 20) * DAYS_PER_YEAR, P)
    assert male == pytest.approx(P.androgen_level["male"] * ramp * growth, rel=1e-12)


def test_people_arrays_and_typical_response():
    persons = [
        parse_person({"sex": "male", "age_years": 30}),
        parse_person({"sex": "female", "age_years": 40, "treatment_response": 0.5}),
    ]
    people = People.of(persons, P)
    assert len(people) == 2
    assert list(people.female) == [False, True]
    assert list(people.onset_years) == [P.onset_age_years["male"], P.onset_age_years["female"]]
    assert list(people.level) == [P.androgen_level["male"], P.androgen_level["female"]]
    assert not people.typical_response
    assert People.of(persons[:1], P).typical_response


# ---- parameter overrides ----------------------------------------------------------------------


def test_overrides_keep_types_and_name_the_bad_field(tmp_path):
    changed = parameters_from_overrides(
        {"damage_per_cycle": 1, "androgen_level": {"male": 0.9}, "shrinkage_mode": "stepwise"}
    )
    assert changed.damage_per_cycle == 1.0 and isinstance(changed.damage_per_cycle, float)
    assert changed.androgen_level == {**P.androgen_level, "male": 0.9}
    assert changed.shrinkage_mode == "stepwise"
    assert _coerce("f", [1, 2], (0.0, 0.0)) == (1.0, 2.0)
    bad = [
        ({"no_such": 1}, "parameters.no_such"),
        ({"damage_per_cycle": -0.1}, "a number >= 0"),
        ({"damage_per_cycle": True}, "a number >= 0"),
        ({"shrinkage_mode": 3}, "a str"),
        ({"androgen_level": {"other": 1}}, "a table with keys from"),
        ({"transplant_shock_telogen_days": [1, 2, 3]}, "a list of 2 numbers"),
    ]
    for overrides, message in bad:
        with pytest.raises(FollicleInputError, match=message):
            parameters_from_overrides(overrides, source="fit.toml")
    with pytest.raises(FollicleInputError, match=r"fit\.toml: parameters\.no_such"):
        parameters_from_overrides({"no_such": 1}, source="fit.toml")
    path = tmp_path / "fit.toml"
    path.write_text("[parameters]\ndamage_per_cycle = 0.2\n[provenance]\nx = 1\n")
    assert load_parameters(path).damage_per_cycle == 0.2
    path.write_text("[provenance]\nx = 1\n")
    with pytest.raises(FollicleInputError, match="parameters"):
        load_parameters(path)


# ---- parameters: checks, sources, unit composition --------------------------------------------


def test_parameters_refuse_inconsistent_values():
    cases = [
        ({"region_area_cm2": {"vertex": 1.0}}, "region_area_cm2 needs exactly the regions"),
        ({"unit_size_probabilities": (0.5, 0.5, 0.1, 0.0)}, "must sum to 1"),
        ({"shrinkage_mode": "abrupt"}, "shrinkage_mode = 'abrupt' is not allowed"),
        ({"loss_size": P.apm_detach_size}, "need 0 < loss_size < apm_detach_size < 1"),
        ({"loss_size": 0.0}, "need 0 < loss_size"),
        ({"apm_detach_size": 1.0}, "need 0 < loss_size"),
    ]
    for changes, message in cases:
        with pytest.raises(ValueError, match=message):
            P.replace(**changes)
    with pytest.raises(ValueError, match=r"unknown model parameter\(s\): \['nope'\]"):
        P.replace(nope=1)
    assert P.replace(unit_size_probabilities=(0.25, 0.25, 0.25, 0.25)).mean_follicles_per_unit == (
        pytest.approx(2.5)
    )


def test_every_parameter_has_a_source_in_the_table():
    sources = type(P).sources()
    assert set(sources) == set(P.to_dict())
    assert all(text.strip() for text in sources.values())
    from follicle.model.params import parameter_table_markdown

    table = parameter_table_markdown(P).splitlines()
    assert table[:2] == ["| parameter | value | source |", "|---|---|---|"]
    row = f"| `telogen_mean_days` | `{P.telogen_mean_days}` | {sources['telogen_mean_days']} |"
    assert row in table
    assert len(table) == 2 + len(sources)


def test_unit_sizes_tilted_to_the_ethnicity_mean():
    base = np.array(P.unit_size_probabilities)
    assert P.unit_size_probabilities_for(None) == tuple(base)
    assert P.unit_size_probabilities_for("caucasian") == tuple(base)  # no number: default
    tilted = np.array(P.unit_size_probabilities_for("asian"))
    sizes = np.arange(1, base.size + 1)
    assert tilted.sum() == pytest.approx(1.0)
    assert (tilted * sizes).sum() == pytest.approx(P.follicles_per_unit_by_ethnicity["asian"])
    # an exponential tilt: log(p_k / base_k) is linear in k
    steps = np.diff(np.log(tilted / base))
    assert steps == pytest.approx(np.full(steps.size, steps[0]), rel=1e-9)
    assert steps[0] < 0  # fewer follicles per unit: smaller units


# ---- areas ------------------------------------------------------------------------------------


def test_resolve_area_forms():
    from follicle.model.scalp import Patch, resolve_area

    whole = dict(P.region_area_cm2)
    assert resolve_area(None, P) == whole and resolve_area("scalp", P) == whole
    assert resolve_area("vertex", P) == {"vertex": P.region_area_cm2["vertex"]}
    assert resolve_area("vertex:5.1", P) == {"vertex": 5.1}
    assert resolve_area(" vertex :2", P) == {"vertex": 2.0}
    assert resolve_area(Patch("frontal", 1.0), P) == {"frontal": 1.0}
    assert resolve_area({"vertex": 2, "occipital": 3.5}, P) == {"vertex": 2.0, "occipital": 3.5}
    assert resolve_area("occipital:500", P) == {"occipital": 500.0}
    bad = [
        ("crown", "area = 'crown'"),
        ("vertex:big", "REGION:CM2 such as 'vertex:5.1'"),
        # a bad patch given as text names the whole text and the accepted forms
        ("vertex:0", "area = 'vertex:0' is not allowed; expected 'scalp', a region, or REGION"),
        ("vertex:500.5", "area = 'vertex:500.5'"),
        ("crown:1", "area = 'crown:1'"),
        ({"vertex": 0}, r"area.area_cm2 = 0.0 .*\(0, 500\]"),
        ({}, "at least one region"),
        ({"crown": 1}, "area.region"),
        (3, "None, 'scalp', a region"),
    ]
    for area, message in bad:
        with pytest.raises(FollicleInputError, match=message):
            resolve_area(area, P)


# ---- a fresh scalp and its steady state -------------------------------------------------------


def fresh_scalp(n_cm2: float = 40.0, seed: int = 5, **person):
    from follicle.model.scalp import build_scalp

    someone = parse_person({"sex": "male", "age_years": 30, **person})
    rng = np.random.default_rng(seed)
    return someone, build_scalp([someone], {"vertex": n_cm2}, params=P, rng=rng), rng


def binomial_ok(count: int, n: int, p: float) -> bool:
    return abs(count - n * p) <= 4 * math.sqrt(n * p * (1 - p))


def test_new_follicles_have_the_documented_properties():
    from follicle.model.scalp import region_frame_um

    _, state, _ = fresh_scalp(terminal_diameter_um=80, androgen_sensitivity=2.0)
    n = state.n
    units = P.follicular_units_per_cm2 * 40.0
    assert abs(np.unique(state.unit).size - units) <= 4 * math.sqrt(units)  # Poisson units
    assert n / np.unique(state.unit).size == pytest.approx(P.mean_follicles_per_unit, rel=0.05)
    # positions inside the frame, jittered around their unit's centre
    frame = region_frame_um(40.0)
    assert state.x_um.min() >= 0 and state.x_um.max() <= frame
    assert state.y_um.min() >= 0 and state.y_um.max() <= frame
    assert not np.allclose(state.x_um, state.y_um)
    # terminal diameters around the person's mean, clipped to 0.6-1.6 x; a share of vellus
    vellus = state.terminal_diameter_um < 0.6 * 80 - 1e-9
    assert binomial_ok(int(vellus.sum()), n, P.vellus_follicle_fraction)
    terminal = state.terminal_diameter_um[~vellus]
    assert terminal.min() >= 0.6 * 80 and terminal.max() <= 1.6 * 80
    assert abs(terminal.mean() - 80) <= 4 * P.terminal_diameter_sd_um / math.sqrt(terminal.size)
    median_vellus = np.median(state.terminal_diameter_um[vellus])
    assert median_vellus == pytest.approx(P.vellus_follicle_diameter_um, rel=0.15)
    # sensitivity: person x region pattern x a lognormal of mean 1
    expected = 2.0 * P.pattern_sensitivity["male"]["vertex"]
    spread = P.follicle_sensitivity_log_sd
    se = expected * math.sqrt(math.exp(spread**2) - 1) / math.sqrt(n)
    assert abs(state.sensitivity.mean() - expected) <= 4 * se
    # every fresh follicle: full size, attached, no cycles yet, person 0, integer codes
    assert np.all(state.size == 1.0) and state.attached.all() and not state.cycles.any()
    assert state.person.dtype == np.int32 and state.phase.dtype == np.int8
    assert state.cycles.dtype == np.int32 and state.activated.dtype == bool
    assert state.dystrophic.dtype == bool and not state.dystrophic.any()


def test_asian_units_are_smaller_and_density_sets_unit_count():
    _, state, _ = fresh_scalp(ethnicity="asian", follicle_density_per_cm2=300)
    per_unit = P.follicles_per_unit_by_ethnicity["asian"]
    assert state.n / np.unique(state.unit).size == pytest.approx(per_unit, rel=0.05)
    assert state.n / 40.0 == pytest.approx(300, rel=0.05)


def test_two_people_have_distinct_units():
    from follicle.model.scalp import build_scalp

    people = [parse_person({"sex": "male", "age_years": 30}) for _ in range(2)]
    state = build_scalp(
        people, {"vertex": 2.0, "frontal": 2.0}, params=P, rng=np.random.default_rng(1)
    )
    first = set(state.unit[state.person == 0])
    second = set(state.unit[state.person == 1])
    assert first and second and not first & second
    by_region = [set(state.unit[(state.person == 0) & (state.region == r)]) for r in (0, 3)]
    assert not by_region[0] & by_region[1]


def test_steady_state_start_by_renewal_theory():
    from follicle.model.scalp import start_in_steady_state

    _, state, rng = fresh_scalp(n_cm2=150.0)
    t0 = -100.0
    start_in_steady_state(state, t0=t0, params=P, rng=rng)
    n = state.n
    means = cycle.steady_state_phase_means(P)
    total = sum(means.values())
    phases = {
        "anagen": (cycle.ANAGEN_HIDDEN, cycle.ANAGEN),
        "catagen": (cycle.CATAGEN,),
        "telogen": (cycle.TELOGEN,),
        "kenogen": (cycle.KENOGEN,),
    }
    log_sd = {
        "anagen": P.anagen_log_sd,
        "catagen": P.catagen_log_sd,
        "telogen": P.telogen_log_sd,
        "kenogen": P.kenogen_log_sd,
    }
    for name, codes in phases.items():
        chosen = np.isin(state.phase, codes)
        # a random time falls in a phase with probability mean / cycle mean ...
        assert binomial_ok(int(chosen.sum()), n, means[name] / total), name
        # ... and its time left is the residual of a length-biased duration:
        # mean E[X^2] / (2 E[X]) = mean x exp(s^2) / 2 (variance by Monte Carlo bound)
        left = state.next_t[chosen] - t0
        if name == "anagen":
            hidden = state.phase[chosen] == cycle.ANAGEN_HIDDEN
            left = left + np.where(hidden, state.pending[chosen], 0.0)
        residual = means[name] * math.exp(log_sd[name] ** 2) / 2
        se = left.std(ddof=1) / math.sqrt(left.size)
        assert abs(left.mean() - residual) <= 4 * se, (name, left.mean(), residual)
        assert np.all(left > 0)
    hidden = state.phase == cycle.ANAGEN_HIDDEN
    visible = state.phase == cycle.ANAGEN
    assert np.all(state.next_t[hidden] - t0 <= P.emergence_days)
    assert np.all(state.t_emerge[visible] <= t0)
    assert np.all(state.cycle_start <= t0)
    anagen = hidden | visible
    # a growing follicle started its cycle when its anagen started
    started = state.t_emerge[visible] - P.emergence_days
    assert state.cycle_start[visible] == pytest.approx(started, abs=1e-9)
    others = ~anagen
    assert np.all(state.cycle_start[others] >= t0 - total)
    # shafts: visible in anagen, catagen and telogen only
    expected_hair = visible | np.isin(state.phase, (cycle.CATAGEN, cycle.TELOGEN))
    assert np.array_equal(state.has_hair, expected_hair)
    # diameters: terminal x lognormal noise of median 1
    ratio = state.diameter_um / state.terminal_diameter_um
    assert np.median(ratio) == pytest.approx(1.0, abs=0.01)
    assert np.log(ratio).std() == pytest.approx(P.diameter_cycle_noise_cv, rel=0.05)
    # the last shaft grew for a past anagen minus the hidden part: by the lognormal
    # partial expectation, E[max(A - e, 0)] = m Phi(d1) - e Phi(d2)
    from scipy.stats import norm

    m, s, e = P.anagen_mean_days, P.anagen_log_sd, P.emergence_days
    mu = math.log(m) - s**2 / 2
    d2 = (mu - math.log(e)) / s
    grown = m * norm.cdf(d2 + s) - e * norm.cdf(d2)
    days = state.shaft_length_mm / cycle.growth_mm_per_day(state.diameter_um, P)
    se = days.std(ddof=1) / math.sqrt(n)
    assert abs(days.mean() - grown) <= 4 * se


@pytest.mark.parametrize(
    ("overrides", "source", "message"),
    [
        (
            {"damage_per_cycle": -1},
            "f.toml",
            "f.toml: parameters.damage_per_cycle = -1 is not allowed; expected a number >= 0",
        ),
        (
            {"shrinkage_mode": 3},
            "f.toml",
            "f.toml: parameters.shrinkage_mode = 3 is not allowed; expected a str",
        ),
        (
            {"androgen_level": {"x": 1}},
            "f.toml",
            "f.toml: parameters.androgen_level = {'x': 1} is not allowed; expected a table "
            "with keys from ['male', 'female']",
        ),
        (
            {"androgen_level": {"male": -1}},
            "f.toml",
            "f.toml: parameters.androgen_level.male = -1 is not allowed; expected a number >= 0",
        ),
        (
            {"transplant_shock_telogen_days": [1]},
            "f.toml",
            "f.toml: parameters.transplant_shock_telogen_days = [1] is not allowed; expected "
            "a list of 2 numbers",
        ),
        (
            {"transplant_shock_telogen_days": [1, -2]},
            "f.toml",
            "f.toml: parameters.transplant_shock_telogen_days = -2 is not allowed; expected a "
            "number >= 0",
        ),
        (
            {"no": 1},
            "",
            "parameters.no = 1 is not allowed; expected a parameter name listed by "
            "`follicle params`",
        ),
    ],
)
def test_override_errors_name_the_field_the_value_and_the_range(overrides, source, message):
    # the project's error format: field, bad value, allowed range (one line)
    with pytest.raises(FollicleInputError) as caught:
        parameters_from_overrides(overrides, source=source)
    assert str(caught.value) == message


def test_a_zero_override_is_allowed():
    # "a number >= 0": zero turns a mechanism off (the engine handles k = 0)
    assert (
        parameters_from_overrides({"androgen_rest_prolongation": 0}).androgen_rest_prolongation == 0
    )


def test_scalp_geometry_sensitivity_by_region_and_a_single_person():
    from follicle.model.scalp import build_scalp, region_frame_um, start_in_steady_state

    assert region_frame_um(4.0) == 20_000.0  # a 2 cm square, in um
    someone = parse_person({"sex": "male", "age_years": 30, "androgen_sensitivity": 1.0})
    rng = np.random.default_rng(8)
    state = build_scalp(someone, {"midscalp": 30.0}, params=P, rng=rng)  # one Person
    assert state.n > 0 and np.all(state.person == 0)
    # midscalp pattern 0.6 for men: mean sensitivity 0.6 (lognormal spread of mean 1)
    spread = P.follicle_sensitivity_log_sd
    se = 0.6 * math.sqrt(math.exp(spread**2) - 1) / math.sqrt(state.n)
    assert abs(state.sensitivity.mean() - 0.6) <= 4 * se
    # follicles sit around their unit's centre with SD unit_spread_um (frame clipping aside)
    frame = region_frame_um(30.0)
    inside = (state.x_um > 500) & (state.x_um < frame - 500)
    inside &= (state.y_um > 500) & (state.y_um < frame - 500)
    deviations = []
    for unit in np.unique(state.unit[inside])[:2000]:
        mine = (state.unit == unit) & inside
        if mine.sum() >= 2:
            deviations.extend(state.x_um[mine] - state.x_um[mine].mean())
    deviations = np.array(deviations)
    # within-unit deviations from the unit mean have SD sigma sqrt(1 - 1/k) < sigma
    assert 0.5 * P.unit_spread_um < deviations.std() < P.unit_spread_um
    # the hidden part of anagen ends after t0 and within the emergence time
    start_in_steady_state(state, t0=0.0, params=P, rng=rng)
    hidden = state.phase == cycle.ANAGEN_HIDDEN
    assert hidden.any()
    assert np.all((state.next_t[hidden] > 0.0) & (state.next_t[hidden] <= P.emergence_days))
