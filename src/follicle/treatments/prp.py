"""Platelet-rich plasma: growth factors that extend anagen and support follicle size.

Evidence is mixed (+27.7 hairs/cm2 in [P] Cervelli & Gentile 2014, no effect in the
placebo-controlled [P] Gressenberger 2020): the targets take it as a range (0 to +28/cm2
after 3 monthly sessions) and the effect is calibrated to land inside it. Each session
adds a growth signal, an anagen prolongation and a speed-up of the resting clocks
(growth factors wake resting follicles) that decay over about a month; adherence scales
them (mean over attended sessions).
"""

from __future__ import annotations

import numpy as np

from follicle.model.params import ModelParameters
from follicle.treatments.effects import Effects, decaying_pulses, region_mask


def apply(course, effects: Effects, params: ModelParameters, rng: np.random.Generator) -> None:
    regions = region_mask(course.regions)
    days = course.session_days(effects.days + 1)
    pulses = course.adherence * decaying_pulses(days, 1.0, params.prp_tau_days, effects.days)
    effects.growth[regions] += params.prp_growth * pulses
    effects.anagen_prolongation[regions] += params.prp_anagen_prolongation * pulses
    effects.rest_speedup[regions] += params.prp_rest_speedup * pulses
