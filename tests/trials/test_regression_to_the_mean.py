"""Regression to the mean from entry on a noisy measurement (docs/model.md, *Trial
measurement*).

A trial enrols men whose vertex *as assessed at entry* is thinned. When the entry
assessment shares its error with the baseline count (``entry_error_share`` = 1),
the men who got in are, on average, those whose baseline count came out low: their
measured baseline is below their true baseline, so their measured change from baseline
is larger than their true change by as much (the follow-up error is independent of the
selection). When it carries none of the baseline error (0), entry reads the scalp
itself and the measured baseline is the true one plus noise of mean 0. A count error of
20% (twice the default) makes the effect large against the sampling error of 100 men.
The test fails if entry reads the true scalp (no regression to the mean at share 1) or
if entry and baseline errors are always shared (a shift at share 0).
"""

import numpy as np
import pytest

from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.trials.run import run_trial

N = 100
DAYS = 28
CV = 0.2


def _baseline_errors(share: float) -> tuple[np.ndarray, np.ndarray]:
    """Per man: measured - true baseline, and measured - true change (non-vellus/cm2)."""
    params = P.replace(count_error_cv=CV, entry_error_share=share)
    trial = {
        "n_per_arm": N,
        "population": {"sex": "male", "age_years": [25, 40], "stage": "III vertex to V"},
        "arm": [{"name": "placebo"}],
        "observe_every_days": DAYS,
        "endpoint": [
            {"measure": "value", "column": "non_vellus_per_cm2", "day": 0},
            {"measure": "change", "column": "non_vellus_per_cm2", "day": DAYS},
        ],
    }
    result = run_trial(trial, seed=11, params=params)
    values = result.values.sort_values("person")
    baseline, change = (values[e.label].to_numpy(float) for e in result.trial.endpoint)
    wide = result.observations.pivot(index="person", columns="day", values="non_vellus_per_cm2")
    wide = wide.sort_index()
    return baseline - wide[0].to_numpy(float), change - (wide[DAYS] - wide[0]).to_numpy(float)


def _se(values: np.ndarray) -> float:
    return float(values.std(ddof=1) / np.sqrt(values.size))


@pytest.mark.slow
def test_entry_on_the_baseline_count_regresses_to_the_mean():
    shared_base, shared_change = _baseline_errors(1.0)
    own_base, own_change = _baseline_errors(0.0)
    # entry independent of the count error: no bias (4 standard errors)
    assert abs(own_base.mean()) < 4 * _se(own_base)
    assert abs(own_change.mean()) < 4 * _se(own_change)
    # shared: selected on a low measured baseline ...
    assert shared_base.mean() < -4 * _se(shared_base)
    # ... so the measured change exceeds the true change by about as much
    assert shared_change.mean() > 0
    assert shared_change.mean() == pytest.approx(
        -shared_base.mean(), abs=4 * _se(shared_change + shared_base)
    )
