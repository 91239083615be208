"""Dutasteride: blocks type I and II 5-alpha-reductase (serum DHT about -94% at 0.5 mg).

Same mechanism as finasteride (less DHT at each new cycle), deeper suppression
([S] Clark 2004). Scalp suppression is taken equal to serum (assumption). Its long
half-life (~5 weeks, label; unverified here) gives slow onset and a slow wash-out.
"""

from __future__ import annotations

import numpy as np

from follicle.model.params import ModelParameters
from follicle.treatments.effects import Effects, course_mask, first_order


def scalp_dht_suppression(dose_mg: float, params: ModelParameters) -> float:
    return params.dutasteride_imax * dose_mg / (dose_mg + params.dutasteride_id50_mg)


def apply(course, effects: Effects, params: ModelParameters, rng: np.random.Generator) -> None:
    daily_dose = course.dose_mg / course.interval_days
    target = course_mask(course, effects.days) * course.adherence
    target = target * scalp_dht_suppression(daily_dose, params)
    effects.dht_residual.append(1.0 - first_order(target, params.dutasteride_tau_days))
