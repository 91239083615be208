"""Verification against renewal theory (untreated follicles without androgen effect).

For independent stationary renewal processes the share of follicles in a phase is the
phase's mean duration over the mean cycle length, whatever the distributions, and the
number of hairs shed per day is N / mean cycle length. The spread of a phase fraction
over replicate patches of N follicles is binomial: sqrt(p (1 - p) / N).
The full-scalp and constant-exposure checks run on both engines (numpy and compiled).
"""

import numpy as np
import pytest

from follicle.model.cycle import steady_state_phase_means
from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.sim.engines import ENGINES, numba_available
from follicle.sim.simulate import simulate

HEALTHY = {"sex": "male", "age_years": 20, "androgen_sensitivity": "none"}
MEANS = steady_state_phase_means(P)
CYCLE = sum(MEANS.values())


ENGINE_CHOICES = [
    pytest.param(
        engine,
        marks=pytest.mark.skipif(
            engine == "numba" and not numba_available(), reason="numba is not installed"
        ),
    )
    for engine in ENGINES
]


@pytest.fixture(scope="module", params=ENGINE_CHOICES)
def full_scalp(request):
    # age 20 -> 30: no androgen effect (sensitivity none) and no ageing (starts at 35)
    return simulate(
        HEALTHY,
        days=3650,
        observe_every_days=365,
        seed=11,
        with_history=False,
        engine=request.param,
    )


@pytest.mark.parametrize("phase", ["anagen", "catagen", "telogen", "kenogen"])
def test_phase_fractions_equal_mean_duration_over_cycle(full_scalp, phase):
    rows = full_scalp.scalp
    p = MEANS[phase] / CYCLE
    n = rows["follicles"].to_numpy()
    observed = rows[f"{phase}_fraction"].to_numpy()
    # each day's fraction is binomial; 11 observation days, each within 5 SE
    assert np.all(np.abs(observed - p) < 5 * np.sqrt(p * (1 - p) / n))


def test_anagen_fraction_in_textbook_range(full_scalp):
    assert 0.85 <= full_scalp.scalp["anagen_fraction"].mean() <= 0.90  # physiology.md


def test_shedding_equals_follicles_over_cycle_length(full_scalp):
    rows = full_scalp.scalp.iloc[1:]  # whole 365-day windows
    expected = rows["follicles"].to_numpy() / CYCLE
    # Poisson counting error over 365 days, 5 SE
    se = np.sqrt(expected * 365) / 365
    assert np.all(np.abs(rows["shed_per_day"].to_numpy() - expected) < 5 * se)
    assert 50 <= rows["shed_per_day"].mean() <= 100  # physiology.md: 50-100 hairs/day


def test_density_in_published_range(full_scalp):
    density = full_scalp.scalp["density_per_cm2"]
    assert np.all((density > 175) & (density < 300))  # Barman 1965: 175-300, mean 223
    follicles_per_cm2 = P.follicular_units_per_cm2 * P.mean_follicles_per_unit
    visible = (
        1 - (MEANS["kenogen"] + P.emergence_days) / CYCLE
    )  # no shaft in kenogen or early anagen
    assert density.mean() == pytest.approx(follicles_per_cm2 * visible, rel=0.01)


def test_spread_of_phase_fractions_shrinks_as_one_over_sqrt_n():
    p = MEANS["anagen"] / CYCLE
    spreads = {}
    for area_cm2 in (1.0, 4.0):
        z = []
        for seed in range(200):
            row = simulate(
                HEALTHY,
                days=365,
                observe_every_days=365,
                area=f"vertex:{area_cm2}",
                seed=seed,
                with_history=False,
            ).at(365, "vertex")
            n = row["follicles"]
            z.append((row["anagen_fraction"] - p) / np.sqrt(p * (1 - p) / n))
            spreads.setdefault(area_cm2, []).append(row["anagen_fraction"])
        # standardised deviations have SD 1 (SE of an SD from 200 draws ~ 0.05)
        assert 0.82 < np.std(z, ddof=1) < 1.18
        assert abs(np.mean(z)) < 4 / np.sqrt(len(z))
    ratio = np.std(spreads[1.0], ddof=1) / np.std(spreads[4.0], ddof=1)
    assert 1.65 < ratio < 2.35  # sqrt(4) = 2


@pytest.mark.parametrize("engine", ENGINE_CHOICES)
def test_phase_fractions_under_constant_androgen_exposure(engine):
    """Renewal theory with androgens acting on the clocks: at constant exposure E (no
    miniaturization, no spread of sensitivity) anagen lasts A / (1 + a E), kenogen K x
    (1 + k E) and telogen T x (1 + k s E) (s = androgen_telogen_share), so the anagen
    share is A' / (A' + C + T (1 + k s E) + K (1 + k E))."""
    params = P.replace(
        damage_per_cycle=0.0,
        follicle_sensitivity_log_sd=0.0,
        androgen_growth_per_decade=0.0,
        vellus_follicle_fraction=0.0,
    )
    exposure = 1.0  # a man ("high" = 1) on the vertex (pattern factor 1), after the ramp
    anagen = P.anagen_mean_days / (1 + P.androgen_anagen_shortening * exposure)
    slow = 1 + P.androgen_rest_prolongation * exposure
    slow_telogen = 1 + P.androgen_rest_prolongation * P.androgen_telogen_share * exposure
    rest = P.telogen_mean_days * slow_telogen + P.kenogen_mean_days_terminal * slow
    expected = anagen / (anagen + P.catagen_mean_days + rest)
    man = {"sex": "male", "age_years": 26, "androgen_sensitivity": "high", "onset_age_years": 15}
    fractions, follicles = [], []
    for seed in range(4):
        run = simulate(
            man,
            days=2400,
            observe_every_days=300,
            area="vertex:5",
            seed=seed,
            params=params,
            with_history=True,
            engine=engine,
        )
        rows = run.table[(run.table["region"] == "vertex") & (run.table["day"] >= 600)]
        fractions.append(rows["anagen_fraction"].to_numpy())
        follicles.append(rows["follicles"].to_numpy())
    observed = np.concatenate(fractions)
    n = np.concatenate(follicles)
    # the mean over 4 x 7 days; days 300 apart are nearly independent: 5 SE of the mean
    se = np.sqrt(expected * (1 - expected) / n.mean() / observed.size)
    assert observed.mean() == pytest.approx(expected, abs=5 * se)
    # and it is not the untreated share (the mechanism is on)
    assert abs(MEANS["anagen"] / CYCLE - expected) > 20 * se
