"""Compile a regimen into the daily series that both engines read.

The engines see treatments only through this object:

- ``dht_factor[day]``: scalp DHT relative to untreated (5-alpha-reductase inhibitors);
- ``anagen_clock[region, day]`` and ``rest_clock[region, day]``: how fast operational
  time runs in anagen and in telogen/kenogen (minoxidil, PRP, laser), quantized in
  steps of ``clock_step`` so that the event engine rescales only when they change;
- ``growth[region, day]``: the growth signal applied at each new anagen;
- ``dht_steps[day]``: the DHT factor in steps of ``exposure_step``, as the anagen clock
  sees it (androgens shorten anagen directly);
- ``sessions`` (microneedling) and ``transplants``: discrete interventions on a day.

Before day 0 (a person's history) nothing is taken: every factor is 1, growth 0.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from follicle.model.params import ModelParameters
from follicle.model.regions import REGIONS
from follicle.regimen import NO_TREATMENT, Regimen
from follicle.treatments import (
    dutasteride,
    finasteride,
    laser,
    microneedling,
    minoxidil,
    prp,
    transplant,
    vehicle,
)
from follicle.treatments.effects import Effects, Session, first_order

_MODULES = {
    "finasteride": finasteride,
    "dutasteride": dutasteride,
    "minoxidil": minoxidil,
    "microneedling": microneedling,
    "prp": prp,
    "laser": laser,
    "transplant": transplant,
    "vehicle": vehicle,
}


@dataclass(frozen=True)
class TreatmentSchedule:
    days: int
    dht_factor: np.ndarray
    anagen_clock: np.ndarray
    rest_clock: np.ndarray
    growth: np.ndarray
    dht_steps: np.ndarray
    sessions: tuple[Session, ...] = ()
    transplants: tuple = ()

    def day_index(self, t) -> np.ndarray:
        """Day row for (fractional) times; times before day 0 map to -1."""
        t = np.asarray(t, dtype=float)
        index = np.minimum(np.floor(t), self.days).astype(np.int64)
        return np.where(t < 0, -1, index)

    def dht_at(self, t) -> np.ndarray:
        """DHT factor at times ``t`` (1 before day 0 and without DHT blockers)."""
        t = np.asarray(t, dtype=float)
        if self._no_dht_change or (t.size and t.max() < 0):
            return np.ones(t.shape)  # the common case, without the lookups
        index = self.day_index(t)
        return np.where(index < 0, 1.0, self.dht_factor[np.maximum(index, 0)])

    def growth_at(self, region: np.ndarray, t) -> np.ndarray:
        """Growth signal of ``region`` at times ``t`` (0 before day 0 and untreated)."""
        t = np.asarray(t, dtype=float)
        if self._no_growth or (t.size and t.max() < 0):
            return np.zeros(np.broadcast(np.asarray(region), t).shape)
        index = self.day_index(t)
        return np.where(index < 0, 0.0, self.growth[region, np.maximum(index, 0)])

    @functools.cached_property
    def _no_dht_change(self) -> bool:
        return bool(np.all(self.dht_factor == 1.0))

    @functools.cached_property
    def _no_growth(self) -> bool:
        return not self.growth.any()

    def dht_step_on(self, day: int) -> float:
        """The DHT factor as the anagen clock sees it: in steps of ``exposure_step``."""
        if day < 0:
            return 1.0
        return float(self.dht_steps[min(day, self.days)])

    def clocks_on(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """(anagen, rest) clock rate per region on ``day`` (1 before day 0)."""
        if day < 0:
            ones = np.ones(len(REGIONS))
            return ones, ones
        day = min(day, self.days)
        return self.anagen_clock[:, day], self.rest_clock[:, day]

    def clock_change_days(self) -> list[int]:
        """Days on which a clock rate or the stepped DHT factor differs from the day before
        (day 0 compared with untreated)."""
        stacked = np.concatenate([self.anagen_clock, self.rest_clock, self.dht_steps[None, :]])
        previous = np.concatenate([np.ones((stacked.shape[0], 1)), stacked[:, :-1]], axis=1)
        return [int(day) for day in np.flatnonzero((stacked != previous).any(axis=0))]


def _quantize(rate: np.ndarray, step: float) -> np.ndarray:
    return np.exp(np.round(np.log(rate) / step) * step)


def compile_regimen(
    regimen: Regimen | None,
    *,
    days: int,
    params: ModelParameters,
    rng: np.random.Generator,
) -> TreatmentSchedule:
    """The daily effect series of ``regimen`` over days 0..days."""
    regimen = regimen or NO_TREATMENT
    effects = Effects(days=days)
    for course in regimen.treatments:
        _MODULES[course.kind].apply(course, effects, params, rng)

    dht = np.ones(days + 1)
    for residual in effects.dht_residual:
        dht = np.minimum(dht, residual)  # inhibitors of the same enzyme: the deepest block wins

    exposure = effects.minoxidil_topical * (1.0 + effects.absorption_gain)
    exposure = exposure + effects.minoxidil_systemic
    target = minoxidil.effect(exposure, params)
    min_effect = first_order(target, params.minoxidil_tau_days) if target.any() else target

    rest = 1.0 + params.minoxidil_rest_speedup * min_effect
    rest_clock = np.tile(rest, (len(REGIONS), 1)) + effects.rest_speedup
    prolongation = params.minoxidil_anagen_prolongation * min_effect + effects.anagen_prolongation
    anagen_clock = 1.0 / (1.0 + prolongation)
    growth = params.minoxidil_growth * min_effect + effects.growth

    return TreatmentSchedule(
        days=days,
        dht_factor=dht,
        anagen_clock=_quantize(anagen_clock, params.clock_step),
        rest_clock=_quantize(rest_clock, params.clock_step),
        growth=growth,
        dht_steps=np.round(dht / params.exposure_step) * params.exposure_step,
        sessions=tuple(sorted(effects.sessions, key=lambda s: s.day)),
        transplants=tuple(sorted(effects.transplants, key=lambda t: t.day)),
    )
