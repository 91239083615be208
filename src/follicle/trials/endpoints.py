"""Per-person endpoint values from a trial arm's observations.

- ``value``: the column on ``day``;
- ``change``: column on ``day`` minus column on ``baseline_day``;
- ``percent_change``: that change in % of the baseline value;
- ``fraction_improved``: 1 if the trial's ``improvement.column`` grew by at least
  ``improvement.min_relative_change`` (relative to baseline) by ``day``, else 0. This is
  a proxy for a clinician's global photographic assessment, a documented assumption;
- ``fraction_with_pattern_loss``: 1 if the person's stage on ``day`` is at least
  ``min_stage`` (default Hamilton-Norwood II for men, Ludwig I for women), else 0;
- ``fraction_regrown``: 1 if the column on ``day`` is back to at least
  ``min_fraction_of_baseline`` of its value on ``baseline_day`` (alopecia areata: the
  patch's hairs before the episode), else 0. The threshold is an assumption (docs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from follicle.trials.staging import parse_stage_range
from follicle.trials.trial_file import Endpoint, Improvement

DEFAULT_MIN_STAGE = {"male": "II", "female": "I"}


def _column_on(observations: pd.DataFrame, column: str, day: int, n: int) -> np.ndarray:
    rows = observations[observations["day"] == day]
    if rows.empty:
        raise ValueError(f"no observations on day {day}")
    values = np.full(n, np.nan)
    values[rows["person"].to_numpy()] = rows[column].to_numpy(float)
    return values


def endpoint_values(
    endpoint: Endpoint,
    observations: pd.DataFrame,
    *,
    n: int,
    sex: str,
    improvement: Improvement,
) -> np.ndarray:
    """One value per person (index = person) of ``endpoint``."""
    day, base = endpoint.day, endpoint.baseline_day
    if endpoint.measure == "fraction_with_pattern_loss":
        low = parse_stage_range(endpoint.min_stage or DEFAULT_MIN_STAGE[sex], sex)[0]
        return (_column_on(observations, "stage", day, n) >= low).astype(float)
    if endpoint.measure == "fraction_improved":
        after = _column_on(observations, improvement.column, day, n)
        before = _column_on(observations, improvement.column, base, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(before > 0, after / before - 1.0, np.where(after > 0, 1.0, 0.0))
        return (relative >= improvement.min_relative_change).astype(float)
    after = _column_on(observations, endpoint.column, day, n)
    if endpoint.measure == "fraction_regrown":
        before = _column_on(observations, endpoint.column, base, n)
        return (after >= endpoint.min_fraction_of_baseline * before).astype(float)
    if endpoint.measure == "value":
        return after
    before = _column_on(observations, endpoint.column, base, n)
    if endpoint.measure == "change":
        return after - before
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before != 0, 100.0 * (after - before) / before, np.nan)
