"""Findings: what a care rule says about a plan, a journal entry or an intake.

Every finding cites a rule id from ``care-protocols.md`` (see :mod:`follicle.care.rules.catalogue`),
has a severity and says, in plain language, what is wrong and what to do instead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

#: Printed with every output that advises (care-protocols.md, preamble).
DISCLAIMER = (
    "follicle gives information and planning help, not a diagnosis or a prescription. "
    "Talk to a clinician (dermatologist, trichologist or GP) before starting, changing or "
    "stopping a treatment."
)


class Severity(StrEnum):
    """How much a finding matters.

    ``block``: the plan must not be followed (or the entry needs action now);
    ``warn``: follow only after thinking it through, ideally with a clinician;
    ``info``: context worth knowing.
    """

    BLOCK = "block"
    WARN = "warn"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"block": 0, "warn": 1, "info": 2}[self.value]


class Triage(StrEnum):
    """Where a symptom belongs (MN-11, MN-12, RX-5)."""

    SELF_CARE = "self-care"
    CLINICIAN = "clinician"
    URGENT = "urgent"


@dataclass(frozen=True)
class Finding:
    """One rule's verdict.

    ``rule``: the care-protocols id (``"MN-7"``); ``message``: what the rule found, in plain
    language; ``instead``: what to do instead (empty for pure information);
    ``treatment``: index of the ``[[treatment]]`` it concerns in the regimen file, if any;
    ``triage``: for symptoms, where to go with it.
    """

    rule: str
    severity: Severity
    message: str
    instead: str = ""
    treatment: int | None = None
    triage: Triage | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["triage"] = self.triage.value if self.triage else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        return cls(
            rule=data["rule"],
            severity=Severity(data["severity"]),
            message=data["message"],
            instead=data.get("instead", ""),
            treatment=data.get("treatment"),
            triage=Triage(data["triage"]) if data.get("triage") else None,
        )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Blocks first, then warnings, then information; stable within a severity."""
    return sorted(findings, key=lambda item: item.severity.rank)
