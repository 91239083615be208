"""The disease's time course over years (issue 9; docs/validation.md, *Time course*).

Men 25-35 with vertex loss (the Kaufman 1998 population), untreated and on finasteride
1 mg for 10 years, the same seed for both arms. Published shape: placebo arms lose hair
progressively (Kaufman 1998: -21 hairs in 5.1 cm2 at 1 year, more at 2; Price 2006: -13%
at 192 weeks); finasteride's gain peaks at 1-2 years and then drifts down slowly on the
drug while its benefit over placebo keeps growing (Kaufman 1998: +107 and +138 hairs
over placebo at 1 and 2 years; Price 2006: still +7.2% at 192 weeks).

Tolerances are standard errors of the arm means from the run itself (2-4 SE). The test
fails if untreated loss stopped after the first years, if finasteride's gain were flat
or still rising after 2 years, or if its benefit over untreated shrank with time. (The
drop after the first-year peak is mostly the wave of follicles woken by lower DHT
returning to rest; the later drift, and the untreated loss staying linear instead of
slowing down, come from ``androgen_growth_per_decade``: with it at 0 the untreated rate
over years 5-10 falls to ~0.8x the rate over years 0-2, against ~1.0x; too small a
difference for this test's sample to check.)
"""

import numpy as np
import pytest

from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.trials.run import run_trial

N = 60
STEP = 91
YEAR = {1: 364, 2: 728, 5: 1820, 10: 3640}


def _run(params):
    trial = {
        "n_per_arm": N,
        "population": {"sex": "male", "age_years": [25, 35], "stage": "III vertex to V"},
        "observe_every_days": STEP,
        "arm": [
            {"name": "untreated"},
            {
                "name": "finasteride",
                "regimen": {"name": "f", "treatment": [{"kind": "finasteride", "dose_mg": 1}]},
            },
        ],
        "endpoint": [{"measure": "change", "column": "density_per_cm2", "day": YEAR[10]}],
    }
    result = run_trial(trial, seed=5, params=params)
    bands = result.trajectory_bands("density_per_cm2", change=True)
    return {arm: rows.set_index("day") for arm, rows in bands.groupby("arm")}


def _se(rows, day) -> float:
    return float(rows.loc[day, "std"] / np.sqrt(rows.loc[day, "count"]))


@pytest.fixture(scope="module")
def arms():
    return _run(P)


@pytest.mark.slow
def test_untreated_loss_is_progressive(arms):
    untreated = arms["untreated"]
    mean = untreated["mean"]
    # losing by 2 years, more by 5, more again by 10
    assert mean[YEAR[2]] < -2 * _se(untreated, YEAR[2])
    for early, late in ((2, 5), (5, 10)):
        gap = mean[YEAR[early]] - mean[YEAR[late]]
        assert gap > 2 * np.hypot(_se(untreated, YEAR[early]), _se(untreated, YEAR[late]))


@pytest.mark.slow
def test_finasteride_peaks_early_then_drifts_down_while_its_benefit_grows(arms):
    fin, untreated = arms["finasteride"], arms["untreated"]
    early = fin.loc[fin.index <= YEAR[2], "mean"]
    peak_day = int(early.idxmax())
    # the peak is a gain, reached within 2 years
    assert early.max() > 4 * _se(fin, peak_day)
    # at 5 years below the peak ...
    drop = early.max() - fin.loc[YEAR[5], "mean"]
    assert drop > 2 * np.hypot(_se(fin, peak_day), _se(fin, YEAR[5]))
    # ... but the benefit over untreated is larger at 5 years than at 1
    benefit = {y: fin.loc[YEAR[y], "mean"] - untreated.loc[YEAR[y], "mean"] for y in (1, 5)}
    se5 = np.hypot(_se(fin, YEAR[5]), _se(untreated, YEAR[5]))
    assert benefit[5] > 4 * se5
    assert benefit[5] > benefit[1]
