"""The health profile of a person: defined in :mod:`follicle.health` (a leaf the person
model imports without depending on care); re-exported here for the care rules."""

from follicle.health import Clearance, HealthProfile, Prescription, ScalpCondition

__all__ = ["Clearance", "HealthProfile", "Prescription", "ScalpCondition"]
