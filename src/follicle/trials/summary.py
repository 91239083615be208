"""Mergeable per-day summaries of trial observations.

A trial block summarizes its people's target-area observations as per-day moments
(count, mean, sum of squared deviations: Chan et al. 1979's parallel form) and counts
per year of age and stage. Blocks merge in block order, so the merged summary is the
same on any number of workers, and a trial of a million people never needs everyone's
observations in one process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from follicle.model.androgens import DAYS_PER_YEAR

MOMENT_KEYS = ["column", "kind", "day"]  # kind: "value" or "change" (from the first day)
STAGE_COUNT_KEYS = ["age_years", "stage"]


def change_from_first_day(
    observations: pd.DataFrame, column: str, *, keys: Sequence[str] = ("person",)
) -> np.ndarray:
    """Each row's ``column`` minus the same person's value on the first observation day."""
    first = observations[observations["day"] == observations["day"].min()]
    baseline = first.set_index(list(keys))[column]
    rows = pd.MultiIndex.from_frame(observations[list(keys)])
    if len(keys) == 1:
        rows = rows.get_level_values(0)
    return observations[column].to_numpy(float) - baseline.reindex(rows).to_numpy(float)


def day_moments(observations: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Per column, kind and day: count, mean and M2 of the finite values.

    In numpy (bincount per day), about five times faster than a pandas groupby; equal to
    it up to floating rounding (pandas sums with compensation, bincount does not)."""
    day = observations["day"].to_numpy()
    days, slot = np.unique(day, return_inverse=True)
    first = slot == 0
    # each person's value on the first observation day, for the changes
    _, owner = np.unique(observations["person"].to_numpy(), return_inverse=True)
    names, kinds, day_keys, counts, means, m2s = [], [], [], [], [], []
    for column in columns:
        level = observations[column].to_numpy(float)
        baseline = np.full(owner.max(initial=-1) + 1, np.nan)
        baseline[owner[first]] = level[first]
        change = level - baseline[owner]
        for kind, values in (("value", level), ("change", change)):
            finite = np.isfinite(values)
            where, x = slot[finite], values[finite]
            count = np.bincount(where, minlength=days.size)
            seen = count > 0
            mean = np.bincount(where, x, minlength=days.size) / np.where(seen, count, 1)
            m2 = np.bincount(where, (x - mean[where]) ** 2, minlength=days.size)
            n_seen = int(seen.sum())
            names += [column] * n_seen
            kinds += [kind] * n_seen
            day_keys.append(days[seen])
            counts.append(count[seen])
            means.append(mean[seen])
            m2s.append(m2[seen])
    index = pd.MultiIndex.from_arrays(
        [
            np.array(names, dtype=object),
            np.array(kinds, dtype=object),
            np.concatenate(day_keys) if day_keys else day[:0],
        ],
        names=MOMENT_KEYS,
    )
    frame = pd.DataFrame(
        {
            "count": np.concatenate(counts) if counts else np.empty(0, np.int64),
            "mean": np.concatenate(means) if means else np.empty(0),
            "m2": np.concatenate(m2s) if m2s else np.empty(0),
        },
        index=index,
    )
    return frame.sort_index()


def merge_moments(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Merge per-block moments exactly (law of total variance); the blocks are taken in
    the given order, so the sums are the same on any number of workers."""
    parts = [part for part in parts if part is not None and not part.empty]
    if not parts:
        return pd.DataFrame(columns=["count", "mean", "m2"], index=_empty_index(MOMENT_KEYS))
    frame = pd.concat(parts)
    frame = frame.assign(total=frame["count"] * frame["mean"])
    grouped = frame.groupby(level=MOMENT_KEYS, sort=True)
    count = grouped["count"].sum()
    mean = grouped["total"].sum() / count.where(count > 0)
    spread = frame["count"] * (frame["mean"] - mean.reindex(frame.index)) ** 2
    m2 = grouped["m2"].sum() + spread.groupby(level=MOMENT_KEYS, sort=True).sum()
    return pd.DataFrame({"count": count.astype(float), "mean": mean, "m2": m2})


def stage_counts(observations: pd.DataFrame, start_age_years: np.ndarray) -> pd.DataFrame:
    """People per whole year of age (age at baseline + day) and stage code."""
    age = start_age_years[observations["person"].to_numpy()]
    years = np.floor(age + observations["day"].to_numpy() / DAYS_PER_YEAR).astype(np.int64)
    frame = pd.DataFrame({"age_years": years, "stage": observations["stage"].to_numpy()})
    return frame.groupby(STAGE_COUNT_KEYS, sort=True).size().rename("people").to_frame()


def merge_counts(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Sum per-block counts (exact)."""
    parts = [part for part in parts if part is not None and not part.empty]
    if not parts:
        return pd.DataFrame({"people": []}, index=_empty_index(STAGE_COUNT_KEYS))
    merged = pd.concat(parts).groupby(level=STAGE_COUNT_KEYS, sort=True)["people"].sum()
    return merged.to_frame()


def _empty_index(names: list[str]) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays([[] for _ in names], names=names)
