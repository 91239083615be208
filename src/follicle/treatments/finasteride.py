"""Finasteride: blocks type II 5-alpha-reductase and so lowers scalp DHT.

Mechanism: less DHT means less androgen exposure at every new cycle, so miniaturization
slows or stops, and attached follicles partly recover ([P] Kaufman 1998).
Dose response: an Emax curve fitted to serum DHT suppression at 0.05-5 mg, scaled to
scalp by the scalp/serum ratio at 1 mg ([P] Drake 1999). Topical finasteride acts
through the same DHT suppression ([P] Caserini 2014); its strength converts to an oral
equivalent dose (``Finasteride.effective_dose_mg``).
Onset and wash-out: first order; serum DHT falls within a day of the first dose (label,
onset time constant ``finasteride_onset_tau_days``) and returns to baseline within ~2
weeks of stopping ([S], ``finasteride_tau_days``).
Adherence scales the suppression (a mean-field simplification).
"""

from __future__ import annotations

import numpy as np

from follicle.model.params import ModelParameters
from follicle.treatments.effects import Effects, course_mask, first_order


def scalp_dht_suppression(dose_mg: float, params: ModelParameters) -> float:
    """Fraction of scalp DHT removed at a steady daily oral dose."""
    serum = params.finasteride_serum_imax * dose_mg / (dose_mg + params.finasteride_id50_mg)
    return serum * params.finasteride_scalp_to_serum


def apply(course, effects: Effects, params: ModelParameters, rng: np.random.Generator) -> None:
    daily_dose = course.effective_dose_mg / course.interval_days
    target = course_mask(course, effects.days) * course.adherence
    target = target * scalp_dht_suppression(daily_dose, params)
    suppression = first_order(
        target, params.finasteride_onset_tau_days, tau_off_days=params.finasteride_tau_days
    )
    effects.dht_residual.append(1.0 - suppression)
