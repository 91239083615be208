"""Each mechanism of the follicle model written once, in plain arithmetic.

Every function here takes numbers (numpy arrays or Python/numpy scalars) and only
parameter *values*, never a ``ModelParameters``, and uses only arithmetic and numpy
ufuncs (``np.minimum``, ``np.exp``...), with booleans multiplied in instead of
``np.where``. So the same source runs

- on arrays, called directly: the numpy engine (``follicle.sim.engine``), the reference
  engine and the formulas of ``follicle.model.cycle``, ``response`` and ``androgens``;
- on scalars, compiled with ``numba.njit``: the compiled engine (``follicle.sim.kernel``)
  compiles every function of this module and calls them follicle by follicle.

A new mechanism or a changed formula is therefore a change in one place, and both
engines follow it (docs/performance.md, *Two engines, one model*). Multiplying a
boolean in gives exactly what ``np.where`` gave: ``True * x`` is ``x`` and
``False * x + 1`` is 1 for every finite ``x``.
"""

from __future__ import annotations

import numpy as np

# ---- treatment response (follicle.model.response: why these forms) ------------------------


def response_dht_factor(dht, response):
    """The DHT factor d felt by a person with response r: d ** r."""
    return dht**response


def response_rest_rate(rate, response):
    """A resting clock c felt with response r: 1 + r (c - 1)."""
    return 1.0 + response * (rate - 1.0)


def response_anagen_rate(rate, response):
    """The anagen clock c felt with response r: the prolongation 1/c - 1 scaled by r."""
    return 1.0 / (1.0 + response * (1.0 / rate - 1.0))


def response_growth(signal, response):
    """The growth signal g felt with response r: r g."""
    return response * signal


# ---- clocks -------------------------------------------------------------------------------


def anagen_speed(rate, exposure, shortening):
    """How fast anagen runs: the clock, faster under androgen exposure."""
    return rate * (1.0 + shortening * exposure)


def rest_exposure(exposure, is_telogen, telogen_share):
    """The exposure the resting clock feels: telogen held less than kenogen by androgens."""
    return exposure * (is_telogen * telogen_share + (1 - is_telogen))


def rest_speed(rate, exposure, prolongation):
    """How fast telogen and kenogen run: the clock, slower under androgen exposure."""
    return rate / (1.0 + prolongation * exposure)


# ---- androgens ----------------------------------------------------------------------------


def baseline_exposure(
    age_years,
    onset_years,
    level,
    female,
    onset_ramp_years,
    growth_per_decade,
    menopause_age_years,
    menopause_factor,
):
    """Untreated androgen exposure at ``age_years`` (see ``follicle.model.androgens``)."""
    since = age_years - onset_years
    ramp = np.minimum(np.maximum(since / onset_ramp_years, 0.0), 1.0)
    growth = 1.0 + growth_per_decade * np.maximum(since, 0.0) / 10.0
    post = np.minimum(np.maximum((age_years - menopause_age_years) / onset_ramp_years, 0.0), 1.0)
    menopause = 1.0 + (menopause_factor - 1.0) * post
    return level * ramp * growth * (female * menopause + (1 - female))


# ---- the cycle ----------------------------------------------------------------------------


def lognormal_mu(mean, log_sd):
    """The log-scale location of a lognormal with this mean and log SD."""
    return np.log(mean) - 0.5 * log_sd**2


def anagen_mean_days(size, anagen_mean, size_exponent):
    """Mean anagen of a follicle of relative size ``size`` (1 = full terminal size)."""
    return anagen_mean * size**size_exponent


def kenogen_mean_days(size, terminal_days, miniaturized_days):
    """Mean kenogen: short for terminal follicles, months for miniaturized ones."""
    return terminal_days + (miniaturized_days - terminal_days) * (1.0 - size)


def hidden_anagen_days(anagen_days, emergence_days):
    """The part of anagen before the shaft is through the skin."""
    return np.minimum(emergence_days, anagen_days)


def dystrophic_telogen_days(days, dystrophic, factor):
    """Telogen after an immune attack lasts ``factor`` times as long."""
    return days * (dystrophic * factor + (1 - dystrophic))


def ageing_loss_probability(age_years, years_in_cycle, start_years, loss_per_year):
    """Chance that an emptied follicle is lost to ageing (a constant hazard past the
    start age, over the years of its last cycle)."""
    hazard = (age_years > start_years) * loss_per_year
    return -np.expm1(-hazard * np.maximum(years_in_cycle, 0.0))


def next_size(
    size,
    exposure,
    growth,
    attached,
    damage_noise,
    step_draw,
    damage_per_cycle,
    repair_per_cycle,
    stepwise,
    step_fraction,
):
    """The follicle's relative size for its next cycle (applied at anagen entry).

    ``exposure`` is androgen exposure x the follicle's sensitivity. Attached follicles
    regain ``repair x (1 + growth)`` of the gap to full size; every follicle loses
    ``damage x exposure x damage_noise`` of its size (gradual) or, when ``stepwise``,
    loses ``step_fraction`` of it with probability ``damage x exposure x damage_noise /
    step_fraction`` (``step_draw`` is a uniform draw), the same loss on average.
    """
    loss_rate = damage_per_cycle * exposure * damage_noise
    if stepwise:
        loss = (step_draw < loss_rate / step_fraction) * (step_fraction * size)
    else:
        loss = np.minimum(loss_rate, 1.0) * size
    repair = attached * (repair_per_cycle * (1.0 + growth))
    gain = np.minimum(repair, 1.0) * (1.0 - size)
    return np.minimum(np.maximum(size + gain - loss, 0.0), 1.0)


def shaft_diameter_um(terminal_diameter_um, size, noise):
    """The diameter of the shaft a follicle of relative size ``size`` grows."""
    return terminal_diameter_um * size * noise


def growth_mm_per_day(diameter_um, terminal_mean_um, growth_mm_per_day):
    """Shaft growth rate: thinner shafts grow more slowly (assumption: ~ sqrt of size)."""
    relative = np.minimum(np.maximum(diameter_um / terminal_mean_um, 0.05), 1.0)
    return growth_mm_per_day * np.sqrt(relative)
