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


def observation_bins(days: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Index of the first observation day on or after each event time.

    An event at time t is seen from observation day ``days[bin]`` on. Evenly spaced days
    (the usual case) need only arithmetic.
    """
    step = days[1] - days[0] if days.size > 1 else 0.0
    regular = days.size > 2 and np.all(np.diff(days[:-1]) == step) and days[0] == 0
    if not regular:
        return np.searchsorted(days, times, side="left")
    bins = np.maximum(np.ceil(times / step), 0).astype(np.int64)
    # the last day may be closer than one step to the one before it
    beyond = bins >= days.size - 1
    bins[beyond] = np.where(times[beyond] <= days[-1], days.size - 1, days.size)
    return bins


def _hair_sums(place, diameter, sign, n_places, cutoffs) -> np.ndarray:
    """[place, k] with k: hairs, vellus, intermediate, terminal, thin, sum d, sum d^2."""
    weight = np.ones(diameter.size) if sign is None else sign.astype(float)
    classes = _hair_classes(diameter, cutoffs)
    thin = diameter < cutoffs.thin_below_um
    columns = [
        np.bincount(place, weight, minlength=n_places),
        *(
            np.bincount(place[classes == k], weight[classes == k], minlength=n_places)
            for k in range(3)
        ),
        np.bincount(place[thin], weight[thin], minlength=n_places),
        np.bincount(place, weight * diameter, minlength=n_places),
        np.bincount(place, weight * diameter**2, minlength=n_places),
    ]
    return np.column_stack(columns)


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
    n_bins, n_regions = days.size, len(REGIONS)
    n0 = initial["phase"].size
    bins = observation_bins(days, log["time"])
    if (bins >= n_bins).any():
        log = {name: column[bins < n_bins] for name, column in log.items()}
        bins = bins[bins < n_bins]
    region64 = region.astype(np.int64)
    # every count is kept per "place" = (observation bin, region)
    place = bins * n_regions + region64[log["follicle"]]
    n_places = n_bins * n_regions
    region0 = region64[:n0]

    # phases: +1 for the new phase, -1 for the old one (transplants have no old phase)
    phase0 = np.bincount(region0 * N_PHASES + initial["phase"], minlength=n_regions * N_PHASES)
    phase0 = phase0.reshape(n_regions, N_PHASES)
    size = n_places * N_PHASES
    change = np.bincount(place * N_PHASES + log["new_phase"], minlength=size)
    real_old = log["old_phase"] < N_PHASES
    old_key = place[real_old] * N_PHASES + log["old_phase"][real_old]
    change -= np.bincount(old_key, minlength=size)
    phases = phase0 + np.cumsum(change.reshape(n_bins, n_regions, N_PHASES), axis=0)

    # hairs: only events that make or remove a visible shaft change them
    have0 = initial["has_hair"]
    hairs0 = _hair_sums(region0[have0], initial["diameter_um"][have0], None, n_regions, cutoffs)
    sign = log["has_hair"].view(np.int8) - log["had_hair"].view(np.int8)
    moving = np.flatnonzero(sign)
    hairs = _hair_sums(place[moving], log["diameter_um"][moving], sign[moving], n_places, cutoffs)
    hairs = hairs0 + np.cumsum(hairs.reshape(n_bins, n_regions, -1), axis=0)

    # shedding in (previous day, day]
    shed = (log["old_phase"] == cycle.TELOGEN) & log["had_hair"] & ~log["has_hair"]
    shed_counts = np.bincount(place[shed], minlength=n_places).reshape(n_bins, n_regions)
    intervals = np.diff(np.concatenate([[log_start], days]))

    single, occupied = _unit_counts(initial, log, place, region64, unit, n_bins)

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


def _unit_counts(initial, log, place, region, unit, n_bins):
    """Units with exactly one visible hair, and units with any, per [bin, region]."""
    n_regions = len(REGIONS)
    n0 = initial["phase"].size
    n_units = int(unit.max()) + 1 if unit.size else 0
    unit_region = np.zeros(n_units, np.int64)
    unit_region[unit] = region
    count0 = np.bincount(unit[:n0][initial["has_hair"]], minlength=n_units)
    single0 = np.bincount(unit_region, count0 == 1, minlength=n_regions)
    occupied0 = np.bincount(unit_region, count0 >= 1, minlength=n_regions)

    change = log["has_hair"].view(np.int8) - log["had_hair"].view(np.int8)
    moving = np.flatnonzero(change)
    times = log["time"][moving]
    ev_unit = unit[log["follicle"][moving]]
    # one float key sorts by unit, then time (times span < 1e5 days; units < 1e9)
    span = np.ptp(times) + 1.0 if moving.size else 1.0
    order = np.argsort(ev_unit * span + (times - times.min(initial=0)))
    moving, ev_unit, dv = moving[order], ev_unit[order], change[moving][order].astype(np.int64)
    running = np.cumsum(dv)
    first_of_unit = np.r_[True, ev_unit[1:] != ev_unit[:-1]] if ev_unit.size else np.empty(0, bool)
    group_start = np.maximum.accumulate(np.where(first_of_unit, np.arange(ev_unit.size), 0))
    base = (running - dv)[group_start]  # running total before this unit's first event
    after = count0[ev_unit] + running - base
    before = after - dv
    d_single = (after == 1).astype(float) - (before == 1)
    d_occupied = (after >= 1).astype(float) - (before >= 1)
    n_places = n_bins * n_regions
    where = place[moving]
    single = np.bincount(where, d_single, minlength=n_places).reshape(n_bins, n_regions)
    occupied = np.bincount(where, d_occupied, minlength=n_places).reshape(n_bins, n_regions)
    return single0 + np.cumsum(single, axis=0), occupied0 + np.cumsum(occupied, axis=0)
