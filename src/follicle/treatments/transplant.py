"""Hair transplant: follicular units moved from the donor to a recipient region.

Grafts keep their donor behaviour ([P] Orentreich 1959, donor dominance): the moved
follicles carry their own (low) androgen sensitivity. A share ``graft_survival``
survives ([S] 90-95%); survivors shed their shafts within 2-4 weeks (shock telogen)
and regrow after ~3-4 months ([S]). Native follicles keep miniaturizing (RF-3).
The engine carries the surgery out on its day (``engine.apply_transplant``).
"""

from __future__ import annotations

import numpy as np

from follicle.model.params import ModelParameters
from follicle.treatments.effects import Effects


def apply(course, effects: Effects, params: ModelParameters, rng: np.random.Generator) -> None:
    if course.day <= effects.days:
        effects.transplants.append(course)
