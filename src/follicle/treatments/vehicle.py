"""A topical vehicle (the placebo solution or foam of minoxidil trials).

The placebo arms of topical trials gained hair (Olsen 2002 +3.9, Olsen 2007 +4.7 hairs/cm2)
while oral placebo arms lost it (Kaufman 1998, Olsen 2006, Price 2006: targets.toml).
The model states that difference as a small effect of applying a vehicle to the scalp
(mechanism unknown: the vehicle itself, scalp care, the way the area is groomed for
counting), modelled like a weak minoxidil on the resting clocks: telogen and kenogen run
1 + ``vehicle_rest_speedup`` times faster while it is used (x applications / 2 x
adherence). Calibrated to the topical placebo arms; an assumption, not a finding.
"""

from __future__ import annotations

import numpy as np

from follicle.model.params import ModelParameters
from follicle.treatments.effects import Effects, course_mask


def apply(course, effects: Effects, params: ModelParameters, rng: np.random.Generator) -> None:
    level = course_mask(course, effects.days) * course.adherence * course.applications_per_day / 2
    effects.rest_speedup += params.vehicle_rest_speedup * level
