"""What the care rules need to know about a person (care-protocols.md).

A leaf beside ``person.py`` (it imports nothing from follicle), so the person model does
not depend on the care face; ``follicle.care.profile`` re-exports it.

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
    """Facts the care rules use. ``None`` means "not given": rules then say what to check."""

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
    hair_loss_cause_known: bool | None = Field(
        None, description="the person knows the reason for the hair loss (RX-4 label wording)"
    )
    breastfeeding: bool | None = Field(None, description="RX-8: topical minoxidil caution")
    heart_condition: bool | None = Field(
        None, description="heart disease (angina, heart failure, ...): RX-9, oral minoxidil"
    )
    blood_pressure: Literal["low", "normal", "high"] | None = Field(
        None, description="RX-9: oral minoxidil lowers blood pressure ('high' = treated or not)"
    )

    def cleared(self, rule_id: str) -> Clearance | None:
        """The clinician's clearance recorded for ``rule_id``, if any."""
        return next((item for item in self.clearances if item.rule == rule_id), None)

    def prescription_for(self, medicine: str) -> Prescription | None:
        """The recorded prescription for ``medicine``, if any."""
        return next((item for item in self.prescriptions if item.medicine == medicine), None)
