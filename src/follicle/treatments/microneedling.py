"""Microneedling: micro-injuries that trigger wound healing, and channels for topicals.

Mechanism (microneedling article; [P] Dhurat 2013): needles long enough to reach the
bulge (>= ~1.0 mm; none below 0.5 mm, care-protocols MN-6) activate Wnt signalling in
bulge stem cells: at each session a resting (telogen or kenogen) follicle in a treated
region enters anagen with probability ``microneedling_activation x stimulation``, and
growth factors (PDGF, VEGF) add a decaying growth signal. Every needle length raises
the absorption of topicals applied later (minoxidil, topical finasteride), modelled as
extra topical minoxidil exposure while the course runs. Each person attends a scheduled
session with probability ``adherence`` (drawn per person and session by the engine); the
growth signal is the mean over attendance (x adherence).
"""

from __future__ import annotations

import numpy as np

from follicle.model.params import ModelParameters
from follicle.treatments.effects import (
    Effects,
    Session,
    course_mask,
    decaying_pulses,
    region_mask,
)


def stimulation(needle_mm: float, params: ModelParameters) -> float:
    """0 below 0.5 mm, rising linearly to 1 at 1.0 mm and above (MN-6)."""
    lo = params.microneedling_stimulation_min_mm
    hi = params.microneedling_stimulation_full_mm
    return float(np.clip((needle_mm - lo) / (hi - lo), 0.0, 1.0))


def apply(course, effects: Effects, params: ModelParameters, rng: np.random.Generator) -> None:
    regions = region_mask(course.regions)
    stim = stimulation(course.needle_mm, params)
    session_days = course.session_days(effects.days + 1)
    effects.absorption_gain += course_mask(course, effects.days) * (
        params.microneedling_absorption_gain
    )
    if stim <= 0:
        return
    probability = params.microneedling_activation * stim
    for start in session_days:
        effects.sessions.append(Session(start, regions, probability, course.adherence))
    tau = params.microneedling_growth_tau_days
    pulses = decaying_pulses(session_days, 1.0, tau, effects.days)
    effects.growth[regions] += params.microneedling_growth * stim * course.adherence * pulses
