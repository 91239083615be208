"""Minoxidil: pushes resting follicles into anagen, prolongs anagen, enlarges follicles.

It does not touch DHT. Its exposure is counted in "topical 5% twice daily" units:
topical strength / 5 x applications / 2 x adherence (x extra absorption while
microneedling is in use); oral dose / ``minoxidil_oral_mg_per_unit``. The effect follows
an Emax curve normalised to 1 at one unit, with the half-effect exposure fitted to the
2% / 5% ratio of [P] Olsen 2002. The effect then speeds the telogen and kenogen clocks
(resting follicles enter anagen early: the early shedding wave is emergent, it is the
club hairs of those follicles falling), slows the anagen clock, and adds a growth
signal at each new anagen. Onset and wash-out are first order (``minoxidil_tau_days``).
"""

from __future__ import annotations

import numpy as np

from follicle.model.params import ModelParameters
from follicle.treatments.effects import Effects, course_mask


def exposure_units(course, params: ModelParameters) -> float:
    """Daily exposure in topical-5%-twice-daily units (before adherence and absorption)."""
    if course.route == "topical":
        return course.strength_percent / 5.0 * course.daily_applications / 2.0
    return course.oral_dose_mg / params.minoxidil_oral_mg_per_unit


def effect(exposure, params: ModelParameters):
    """Relative effect: Emax in exposure, 1 at one unit, saturating at 1 + x50."""
    x = np.asarray(exposure, dtype=float)
    return x * (1.0 + params.minoxidil_x50) / (x + params.minoxidil_x50)


def apply(course, effects: Effects, params: ModelParameters, rng: np.random.Generator) -> None:
    daily = course_mask(course, effects.days) * course.adherence * exposure_units(course, params)
    if course.route == "topical":
        effects.minoxidil_topical += daily
    else:
        effects.minoxidil_systemic += daily
