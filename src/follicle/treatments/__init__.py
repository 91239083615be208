"""Treatments: one small module per treatment, each with its mechanism and sources.

Each module has ``apply(treatment, effects, params, rng)`` that adds its daily effects
to an :class:`~follicle.treatments.effects.Effects` accumulator; ``schedule.compile``
turns a whole regimen into the daily series the engines read.
"""
