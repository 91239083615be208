"""Dutasteride: blocks type I and II 5-alpha-reductase (serum DHT about -94% at 0.5 mg).

Same mechanism as finasteride (less DHT at each new cycle), deeper suppression
([S] Clark 2004). Scalp suppression is taken equal to serum (assumption). Suppression
reaches its plateau within 1-2 weeks (label: serum DHT -85% after 1 week and -90% after
2 weeks at 0.5 mg; onset time constant ``dutasteride_onset_tau_days``), while the long
half-life (~5 weeks) makes the wash-out slow (``dutasteride_tau_days``).
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
    suppression = first_order(
        target, params.dutasteride_onset_tau_days, tau_off_days=params.dutasteride_tau_days
    )
    effects.dht_residual.append(1.0 - suppression)
