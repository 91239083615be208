"""Observations from an engine's event log: what a clinician would count on each day.

Every count is the count at the start of logging plus the sum of the changes made by
the events up to that day, so observing costs O(events), not O(days x follicles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from follicle.measure.hairs_table import DEFAULT_CUTOFFS, DiameterCutoffs
from follicle.model import cycle
from follicle.model.regions import REGION_INDEX, REGIONS

N_PHASES = cycle.LOST + 1


def _hair_classes(diameter: np.ndarray, cutoffs: DiameterCutoffs) -> np.ndarray:
    """Per hair: 0 vellus, 1 intermediate, 2 terminal."""
    return np.where(
        diameter >= cutoffs.terminal_min_um, 2, np.where(diameter <= cutoffs.vellus_max_um, 0, 1)
    )


def _counts(bins, region, category, n_bins, n_categories, weights=None) -> np.ndarray:
    """Sum (or count) into [bin, region, category]; every bin must be < n_bins."""
    n_regions = len(REGIONS)
    key = (bins * n_regions + region) * n_categories + category
    size = n_bins * n_regions * n_categories
    return np.bincount(key, weights, minlength=size).reshape(n_bins, n_regions, n_categories)


def _hair_sums(bins, region, diameter, sign, n_bins, cutoffs) -> np.ndarray:
    """[bin, region, k] with k: hairs, vellus, intermediate, terminal, thin, sum d, sum d^2."""
    sign = sign.astype(float)
    classes = _hair_classes(diameter, cutoffs)
    zero = np.zeros(bins.size, np.int64)
    return np.concatenate(
        [
            _counts(bins, region, zero, n_bins, 1, sign),
            _counts(bins, region, classes, n_bins, 3, sign),
            _counts(bins, region, zero, n_bins, 1, sign * (diameter < cutoffs.thin_below_um)),
            _counts(bins, region, zero, n_bins, 1, sign * diameter),
            _counts(bins, region, zero, n_bins, 1, sign * diameter**2),
        ],
        axis=2,
    )


def observe(
    *,
    initial: dict[str, np.ndarray],
    log: dict[str, np.ndarray],
    region: np.ndarray,
    unit: np.ndarray,
    areas_cm2: dict[str, float],
    days: np.ndarray,
    log_start: float,
    cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS,
) -> pd.DataFrame:
    """A long table: one row per (day, region) plus ``region == "scalp"`` for the sum."""
    days = np.asarray(days, float)
    n_bins = days.size
    n0 = initial["phase"].size
    bins = np.searchsorted(days, log["time"], side="left")
    if (bins >= n_bins).any():
        log = {name: column[bins < n_bins] for name, column in log.items()}
        bins = bins[bins < n_bins]
    ev_region = region.astype(np.int64)[log["follicle"]]
    region0 = region[:n0].astype(np.int64)
    zero_bins = np.zeros(n0, np.int64)

    # phases: +1 for the new phase, -1 for the old one (transplants have no old phase)
    phase0 = _counts(zero_bins, region0, initial["phase"].astype(np.int64), 1, N_PHASES)[0]
    real_old = log["old_phase"] < N_PHASES
    change = _counts(bins, ev_region, log["new_phase"].astype(np.int64), n_bins, N_PHASES)
    change -= _counts(
        bins[real_old],
        ev_region[real_old],
        log["old_phase"][real_old].astype(np.int64),
        n_bins,
        N_PHASES,
    )
    phases = phase0 + np.cumsum(change, axis=0)

    # hairs: only events that make or remove a visible shaft change them
    have0 = initial["has_hair"]
    hairs0 = _hair_sums(
        zero_bins[have0],
        region0[have0],
        initial["diameter_um"][have0],
        np.ones(have0.sum()),
        1,
        cutoffs,
    )[0]
    sign = log["has_hair"].astype(np.int64) - log["had_hair"].astype(np.int64)
    moving = np.flatnonzero(sign)
    hairs = hairs0 + np.cumsum(
        _hair_sums(
            bins[moving],
            ev_region[moving],
            log["diameter_um"][moving],
            sign[moving],
            n_bins,
            cutoffs,
        ),
        axis=0,
    )

    # shedding in (previous day, day]
    shed = (log["old_phase"] == cycle.TELOGEN) & log["had_hair"] & ~log["has_hair"]
    shed_counts = _counts(bins[shed], ev_region[shed], np.zeros(shed.sum(), np.int64), n_bins, 1)
    shed_counts = shed_counts[..., 0]
    intervals = np.diff(np.concatenate([[log_start], days]))

    single, occupied = _unit_counts(initial, log, bins, region, unit, n_bins)

    rows = []
    present = [REGION_INDEX[name] for name in areas_cm2]
    for label, members in [(REGIONS[r], [r]) for r in present] + [("scalp", present)]:
        area = sum(areas_cm2[REGIONS[r]] for r in members)
        ph = phases[:, members].sum(axis=1)
        hr = hairs[:, members].sum(axis=1)
        alive = ph[:, : cycle.LOST].sum(axis=1)
        n = hr[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_d = hr[:, 5] / n
            sd = np.sqrt(np.maximum(hr[:, 6] / n - mean_d**2, 0.0) * n / np.maximum(n - 1, 1))
            table = {
                "day": days,
                "region": label,
                "area_cm2": area,
                "follicles": alive,
                "follicles_lost": ph[:, cycle.LOST],
                "hairs": n,
                "terminal_hairs": hr[:, 3],
                "intermediate_hairs": hr[:, 2],
                "vellus_hairs": hr[:, 1],
                "non_vellus_hairs": n - hr[:, 1],
                "thin_hairs": hr[:, 4],
                "hairs_per_cm2": n / area,
                "terminal_per_cm2": hr[:, 3] / area,
                "intermediate_per_cm2": hr[:, 2] / area,
                "vellus_per_cm2": hr[:, 1] / area,
                "non_vellus_per_cm2": (n - hr[:, 1]) / area,
                "mean_diameter_um": mean_d,
                "diameter_cv": sd / mean_d,
                "thin_share": hr[:, 4] / n,
                "anagen_fraction": (ph[:, cycle.ANAGEN_HIDDEN] + ph[:, cycle.ANAGEN]) / alive,
                "catagen_fraction": ph[:, cycle.CATAGEN] / alive,
                "telogen_fraction": ph[:, cycle.TELOGEN] / alive,
                "kenogen_fraction": ph[:, cycle.KENOGEN] / alive,
                "shed_per_day": shed_counts[:, members].sum(axis=1) / intervals,
                "single_hair_unit_share": single[:, members].sum(axis=1)
                / occupied[:, members].sum(axis=1),
            }
        rows.append(pd.DataFrame(table))
    result = pd.concat(rows, ignore_index=True)
    count_columns = [
        c for c in result.columns if c in {"follicles", "follicles_lost"} or c.endswith("hairs")
    ]
    result[count_columns] = result[count_columns].round().astype("int64")
    return result


def _unit_counts(initial, log, bins, region, unit, n_bins):
    """Units with exactly one visible hair, and units with any, per [bin, region]."""
    n_regions = len(REGIONS)
    n0 = initial["phase"].size
    n_units = int(unit.max()) + 1 if unit.size else 0
    unit_region = np.zeros(n_units, np.int64)
    unit_region[unit] = region
    count0 = np.bincount(unit[:n0][initial["has_hair"]], minlength=n_units)
    single0 = np.bincount(unit_region, count0 == 1, minlength=n_regions)
    occupied0 = np.bincount(unit_region, count0 >= 1, minlength=n_regions)

    change = log["has_hair"].astype(np.int64) - log["had_hair"].astype(np.int64)
    moving = np.flatnonzero(change != 0)
    ev_unit = unit[log["follicle"][moving]]
    # one float key sorts by unit, then time (times span < 1e5 days; units < 1e9)
    span = np.ptp(log["time"][moving]) + 1.0 if moving.size else 1.0
    order = np.argsort(ev_unit * span + (log["time"][moving] - log["time"][moving].min(initial=0)))
    moving, ev_unit, dv = moving[order], ev_unit[order], change[moving][order]
    running = np.cumsum(dv)
    first_of_unit = np.r_[True, ev_unit[1:] != ev_unit[:-1]] if ev_unit.size else np.empty(0, bool)
    group_start = np.maximum.accumulate(np.where(first_of_unit, np.arange(ev_unit.size), 0))
    base = (running - dv)[group_start]  # running total before this unit's first event
    after = count0[ev_unit] + running - base
    before = after - dv
    d_single = (after == 1).astype(float) - (before == 1)
    d_occupied = (after >= 1).astype(float) - (before >= 1)
    zero = np.zeros(moving.size, np.int64)
    where = (bins[moving], unit_region[ev_unit])
    single = np.cumsum(_counts(*where, zero, n_bins, 1, d_single)[..., 0], axis=0)
    occupied = np.cumsum(_counts(*where, zero, n_bins, 1, d_occupied)[..., 0], axis=0)
    return single0 + single, occupied0 + occupied
