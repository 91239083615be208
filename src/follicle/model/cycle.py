"""Hair-cycle kinetics and per-cycle miniaturization: the formulas both engines share.

Phase durations are lognormal ([P] Halloy 2000; Bernard 2012), given by their mean and
the SD of their logarithm. Durations are in *operational* days: they elapse at the
phase's clock rate, which treatments change (minoxidil speeds the resting clock,
slows the anagen clock). With no treatment every clock runs at 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from follicle.model import mechanisms
from follicle.model.params import ModelParameters

# Phase codes of the follicle state machine.
ANAGEN_HIDDEN = 0  # growing, shaft not yet through the skin
ANAGEN = 1  # growing, visible shaft
CATAGEN = 2
TELOGEN = 3  # resting club hair; shedding (exogen) ends it
KENOGEN = 4  # empty follicle
LOST = 5  # no longer produces hair (miniaturized away, aged, or harvested)
ABSENT = 6  # before a transplanted follicle exists (only as an event's old phase)
PHASE_NAMES = ("anagen", "anagen", "catagen", "telogen", "kenogen", "lost", "absent")


@dataclass(frozen=True)
class LogNormal:
    """A lognormal distribution given by its mean and the SD of its logarithm.

    Knows its own mean and variance, so tests can compare samples with theory.
    """

    mean: float
    log_sd: float

    @property
    def mu(self) -> float:
        return float(np.log(self.mean) - 0.5 * self.log_sd**2)

    @property
    def variance(self) -> float:
        return self.mean**2 * (np.exp(self.log_sd**2) - 1)

    def sample(self, rng: np.random.Generator, size=None):
        return rng.lognormal(self.mu, self.log_sd, size)

    def length_biased(self) -> LogNormal:
        """The distribution of the duration that covers a random time point.

        For LN(mu, s^2) it is LN(mu + s^2, s^2): used to start in renewal steady state.
        """
        return LogNormal(self.mean * np.exp(self.log_sd**2), self.log_sd)


def lognormal_from_means(means: np.ndarray, log_sd: float, rng: np.random.Generator) -> np.ndarray:
    """Lognormal draws with per-element means and a common log SD."""
    mu = mechanisms.lognormal_mu(means, log_sd)
    return np.exp(mu + log_sd * rng.standard_normal(np.shape(means)))


def unit_lognormal(log_sd: float, rng: np.random.Generator, size: int) -> np.ndarray:
    """Lognormal draws with mean 1."""
    return rng.lognormal(-0.5 * log_sd**2, log_sd, size)


def anagen_mean_days(size, params: ModelParameters):
    """Mean anagen of a follicle of relative size ``size`` (1 = its full terminal size)."""
    return mechanisms.anagen_mean_days(
        np.asarray(size), params.anagen_mean_days, params.anagen_size_exponent
    )


def kenogen_mean_days(size, params: ModelParameters):
    """Mean kenogen: short for terminal follicles, months for miniaturized ones."""
    lo, hi = params.kenogen_mean_days_terminal, params.kenogen_mean_days_miniaturized
    return mechanisms.kenogen_mean_days(np.asarray(size), lo, hi)


def steady_state_phase_means(params: ModelParameters) -> dict[str, float]:
    """Mean phase durations of a full-size follicle with every clock at 1 (renewal theory)."""
    return {
        "anagen": params.anagen_mean_days,
        "catagen": params.catagen_mean_days,
        "telogen": params.telogen_mean_days,
        "kenogen": params.kenogen_mean_days_terminal,
    }


def next_size(
    size: np.ndarray,
    *,
    exposure: np.ndarray,
    growth: np.ndarray,
    attached: np.ndarray,
    params: ModelParameters,
    step_draw: np.ndarray | None = None,
    damage_noise: np.ndarray | None = None,
) -> np.ndarray:
    """The follicle's relative size for its next cycle (applied at anagen entry).

    ``exposure`` is androgen exposure x the follicle's sensitivity. Attached follicles
    regain ``repair x (1 + growth)`` of the gap to full size; every follicle loses
    ``damage x exposure`` of its size (gradual) or, in stepwise mode, loses
    ``step_fraction`` of it with probability ``damage x exposure / step_fraction``
    (``step_draw`` holds the uniform draws), the same loss on average.
    ``damage_noise`` (mean 1) multiplies each cycle's damage: some cycles hurt more.
    """
    stepwise = params.shrinkage_mode != "gradual"
    if stepwise and step_draw is None:
        raise ValueError("stepwise shrinkage needs step_draw")
    return mechanisms.next_size(
        np.asarray(size, dtype=float),
        np.asarray(exposure, dtype=float),
        np.asarray(growth, dtype=float),
        np.asarray(attached),
        1.0 if damage_noise is None else damage_noise,
        step_draw,
        params.damage_per_cycle,
        params.repair_per_cycle,
        stepwise,
        params.step_fraction,
    )


def growth_mm_per_day(diameter_um, params: ModelParameters):
    """Shaft growth rate: thinner shafts grow more slowly (assumption: ~ sqrt of size)."""
    return mechanisms.growth_mm_per_day(
        np.asarray(diameter_um), params.terminal_diameter_mean_um, params.growth_mm_per_day
    )
