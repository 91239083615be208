"""Low-level laser therapy: more cellular energy and blood flow, less inflammation.

The source articles give no effect size; modelled as a small growth signal and anagen
prolongation while the course runs, scaled by sessions per week (3 = 1) and adherence.
"""

from __future__ import annotations

import numpy as np

from follicle.model.params import ModelParameters
from follicle.treatments.effects import Effects, course_mask


def apply(course, effects: Effects, params: ModelParameters, rng: np.random.Generator) -> None:
    level = course_mask(course, effects.days) * course.adherence * course.sessions_per_week / 3.0
    effects.growth[:-1] += params.laser_growth * level  # every region but the occiput
    effects.anagen_prolongation[:-1] += params.laser_anagen_prolongation * level
