"""What the care rules need to know about a person (care-protocols.md).

Lives in the ``[health]`` table of a person file. Every key is optional: a rule that
needs a fact the profile does not give says so instead of guessing.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ScalpCondition = Literal[
    "acne", "infection", "psoriasis", "eczema", "red", "inflamed", "irritated", "painful"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prescription(_Strict):
    medicine: Literal["finasteride", "dutasteride", "minoxidil"]
    prescriber: str = Field(..., min_length=1)
    date: str | None = None


class Clearance(_Strict):
    """A clinician's recorded clearance or override for a rule (e.g. MN-10, RX-3)."""

    rule: str = Field(..., pattern=r"^[A-Z]{2}-\d+$", description="rule id, e.g. 'MN-10'")
    by: str = Field(..., min_length=1, description="the clinician")
    date: str | None = None


class HealthProfile(_Strict):
    pregnancy_possible: bool | None = None
    scalp_conditions: tuple[ScalpCondition, ...] = ()
    poor_wound_healing: bool | None = None
    keloid_history: bool | None = None
    active_alopecia_areata: bool | None = None
    hair_loss_onset: Literal["gradual", "sudden"] | None = None
    hair_loss_pattern: Literal["patterned", "diffuse", "patchy"] | None = None
    cause_confirmed_by_clinician: bool | None = None
    microneedling_experience: bool | None = None
    prescriptions: tuple[Prescription, ...] = ()
    clearances: tuple[Clearance, ...] = ()
