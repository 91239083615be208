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
    person: np.ndarray,
    n_people: int,
    areas_cm2: dict[str, float],
    days: np.ndarray,
    log_start: float,
    cutoffs: DiameterCutoffs = DEFAULT_CUTOFFS,
) -> pd.DataFrame:
    """A long table: one row per (person, region, day), plus ``region == "scalp"`` for the
    sum of each person's simulated regions."""
    days = np.asarray(days, float)
    n_bins, n_regions = days.size, len(REGIONS)
    n_groups = n_people * n_regions  # a group is one region of one person
    n0 = initial["phase"].size
    bins = observation_bins(days, log["time"])
    if (bins >= n_bins).any():
        log = {name: column[bins < n_bins] for name, column in log.items()}
        bins = bins[bins < n_bins]
    group = person.astype(np.int64) * n_regions + region
    # every count is kept per "place" = (observation bin, group)
    place = bins * n_groups + group[log["follicle"]]
    n_places = n_bins * n_groups
    group0 = group[:n0]

    # phases: +1 for the new phase, -1 for the old one (transplants have no old phase)
    phase0 = np.bincount(group0 * N_PHASES + initial["phase"], minlength=n_groups * N_PHASES)
    size = n_places * N_PHASES
    change = np.bincount(place * N_PHASES + log["new_phase"], minlength=size)
    real_old = log["old_phase"] < N_PHASES
    change -= np.bincount(place[real_old] * N_PHASES + log["old_phase"][real_old], minlength=size)
    phases = phase0.reshape(n_groups, N_PHASES) + np.cumsum(
        change.reshape(n_bins, n_groups, N_PHASES), axis=0
    )

    # hairs: only events that make or remove a visible shaft change them
    have0 = initial["has_hair"]
    hairs0 = _hair_sums(group0[have0], initial["diameter_um"][have0], None, n_groups, cutoffs)
    sign = log["has_hair"].view(np.int8) - log["had_hair"].view(np.int8)
    moving = np.flatnonzero(sign)
    hairs = _hair_sums(place[moving], log["diameter_um"][moving], sign[moving], n_places, cutoffs)
    hairs = hairs0 + np.cumsum(hairs.reshape(n_bins, n_groups, -1), axis=0)

    # shedding in (previous day, day]
    shed = (log["old_phase"] == cycle.TELOGEN) & log["had_hair"] & ~log["has_hair"]
    shed_counts = np.bincount(place[shed], minlength=n_places).reshape(n_bins, n_groups)
    intervals = np.diff(np.concatenate([[log_start], days]))
    single, occupied = _unit_counts(initial, log, place, group, unit, n_bins, n_groups)

    def by_label(array):
        """[bin, group, ...] -> [label, person, bin, ...]: each region, then their sum."""
        per_region = array.reshape(n_bins, n_people, n_regions, *array.shape[2:])
        picked = per_region[:, :, present]
        stacked = np.concatenate([picked, picked.sum(axis=2, keepdims=True)], axis=2)
        return np.moveaxis(stacked, (2, 1, 0), (0, 1, 2))

    present = [REGION_INDEX[name] for name in areas_cm2]
    labels = [REGIONS[r] for r in present] + ["scalp"]
    areas = np.array([areas_cm2[REGIONS[r]] for r in present] + [sum(areas_cm2.values())])
    ph, hr = by_label(phases), by_label(hairs)
    shed_l, single_l, occupied_l = by_label(shed_counts), by_label(single), by_label(occupied)
    shape = ph.shape[:3]  # label, person, bin
    area = np.broadcast_to(areas[:, None, None], shape)
    alive = ph[..., : cycle.LOST].sum(axis=-1)
    n = np.round(hr[..., 0])  # sums of +-1: exact up to float noise
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_d = np.where(n > 0, hr[..., 5] / n, np.nan)
        sd = np.sqrt(np.maximum(hr[..., 6] / n - mean_d**2, 0.0) * n / np.maximum(n - 1, 1))
        columns = {
            "person": np.broadcast_to(np.arange(n_people)[None, :, None], shape),
            "day": np.broadcast_to(days[None, None, :], shape),
            "region": np.broadcast_to(np.array(labels, dtype=object)[:, None, None], shape),
            "area_cm2": area,
            "follicles": alive,
            "follicles_lost": ph[..., cycle.LOST],
            "hairs": n,
            "terminal_hairs": hr[..., 3],
            "intermediate_hairs": hr[..., 2],
            "vellus_hairs": hr[..., 1],
            "non_vellus_hairs": n - hr[..., 1],
            "thin_hairs": hr[..., 4],
            "density_per_cm2": n / area,
            "terminal_per_cm2": hr[..., 3] / area,
            "intermediate_per_cm2": hr[..., 2] / area,
            "vellus_per_cm2": hr[..., 1] / area,
            "non_vellus_per_cm2": (n - hr[..., 1]) / area,
            "mean_diameter_um": mean_d,
            "diameter_cv": sd / mean_d,
            "thin_share_percent": 100.0 * hr[..., 4] / n,
            "anagen_fraction": (ph[..., cycle.ANAGEN_HIDDEN] + ph[..., cycle.ANAGEN]) / alive,
            "catagen_fraction": ph[..., cycle.CATAGEN] / alive,
            "telogen_fraction": ph[..., cycle.TELOGEN] / alive,
            "kenogen_fraction": ph[..., cycle.KENOGEN] / alive,
            "shed_per_day": shed_l / intervals[None, None, :],
            "single_hair_unit_share": single_l / occupied_l,
        }
    # rows ordered by person, then region, then day
    order = (1, 0, 2)
    result = pd.DataFrame({k: np.transpose(v, order).ravel() for k, v in columns.items()})
    count_columns = [
        c for c in result.columns if c in {"follicles", "follicles_lost"} or c.endswith("hairs")
    ]
    result[count_columns] = result[count_columns].round().astype("int64")
    result["region"] = result["region"].astype(str)
    return result


def _unit_counts(initial, log, place, group, unit, n_bins, n_groups):
    """Units with exactly one visible hair, and units with any, per [bin, group]."""
    n0 = initial["phase"].size
    n_units = int(unit.max()) + 1 if unit.size else 0
    unit_group = np.zeros(n_units, np.int64)
    unit_group[unit] = group
    count0 = np.bincount(unit[:n0][initial["has_hair"]], minlength=n_units)
    single0 = np.bincount(unit_group, count0 == 1, minlength=n_groups)
    occupied0 = np.bincount(unit_group, count0 >= 1, minlength=n_groups)

    change = log["has_hair"].view(np.int8) - log["had_hair"].view(np.int8)
    moving = np.flatnonzero(change)
    times = log["time"][moving]
    ev_unit = unit[log["follicle"][moving]]
    # one float key sorts by unit, then time (times span < 1e5 days; units < 1e9); a
    # stable sort is ~3x faster on the log's presorted runs, and the order of equal keys
    # (same unit, same time, so the same place) does not change the per-place sums
    span = np.ptp(times) + 1.0 if moving.size else 1.0
    order = np.argsort(ev_unit * span + (times - times.min(initial=0)), kind="stable")
    moving, ev_unit, dv = moving[order], ev_unit[order], change[moving][order].astype(np.int64)
    running = np.cumsum(dv)
    first_of_unit = np.r_[True, ev_unit[1:] != ev_unit[:-1]] if ev_unit.size else np.empty(0, bool)
    group_start = np.maximum.accumulate(np.where(first_of_unit, np.arange(ev_unit.size), 0))
    base = (running - dv)[group_start]  # running total before this unit's first event
    after = count0[ev_unit] + running - base
    before = after - dv
    d_single = (after == 1).astype(float) - (before == 1)
    d_occupied = (after >= 1).astype(float) - (before >= 1)
    n_places = n_bins * n_groups
    where = place[moving]
    single = np.bincount(where, d_single, minlength=n_places).reshape(n_bins, n_groups)
    occupied = np.bincount(where, d_occupied, minlength=n_places).reshape(n_bins, n_groups)
    return single0 + np.cumsum(single, axis=0), occupied0 + np.cumsum(occupied, axis=0)
