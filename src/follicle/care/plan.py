"""``check_plan``: run every care rule over a regimen (and a person, when given)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from follicle.care.dated_events import planned_times
from follicle.care.findings import DISCLAIMER, Finding, Severity, sort_findings
from follicle.care.rules.plan_rules import PLAN_CHECKS, PlanContext, several_sessions_a_day
from follicle.errors import FollicleInputError
from follicle.person import Person, load_person
from follicle.regimen import Regimen, load_regimen


@dataclass(frozen=True)
class PlanCheck:
    """The findings for one regimen, blocks first.

    ``ok`` is true when nothing blocks the plan; ``blocks`` lists what must change first.
    """

    regimen: Regimen
    person: Person | None
    findings: tuple[Finding, ...]
    disclaimer: str = field(default=DISCLAIMER)
    provenance: dict = field(default_factory=dict, compare=False)

    @property
    def blocks(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.BLOCK)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARN)

    @property
    def ok(self) -> bool:
        return not self.blocks

    def rules_fired(self, severity: Severity | None = None) -> set[str]:
        """Ids of the rules with a finding (of ``severity``, when given)."""
        return {f.rule for f in self.findings if severity is None or f.severity is severity}

    def to_dict(self) -> dict:
        """The JSON of ``follicle plan check --json`` (schemas/plan-check.json)."""
        return {
            "provenance": self.provenance,
            "regimen": self.regimen.name,
            "person": self.person.name if self.person is not None else None,
            "ok": self.ok,
            "counts": {s.value: sum(f.severity is s for f in self.findings) for s in Severity},
            "findings": [f.to_dict() for f in self.findings],
            "disclaimer": self.disclaimer,
        }


def _resolve_regimen(regimen: Regimen | str | Path) -> Regimen:
    if isinstance(regimen, Regimen):
        return regimen
    if isinstance(regimen, str | Path):
        return load_regimen(regimen)
    raise FollicleInputError(
        "regimen", type(regimen).__name__, "a Regimen or a path to a TOML file"
    )


def _resolve_person(person: Person | str | Path | None) -> Person | None:
    if person is None or isinstance(person, Person):
        return person
    if isinstance(person, str | Path):
        return load_person(person)
    raise FollicleInputError("person", type(person).__name__, "a Person, a path or None")


def check_plan(
    regimen: Regimen | str | Path, *, person: Person | str | Path | None = None
) -> PlanCheck:
    """Check a regimen against every care rule (care-protocols.md).

    ``regimen`` and ``person`` are models or paths to TOML files. Without a person, rules
    that need one (RX-3, RX-4, MN-9, ...) say what they could not check. ``times_of_day``
    that the calendar cannot follow (not one time per daily dose or session) raise
    ``FollicleInputError``, as ``plan calendar`` does.

    >>> from follicle.regimen import parse_regimen
    >>> plan = parse_regimen({"treatment": [
    ...     {"kind": "minoxidil", "concentration_percent": 5},
    ...     {"kind": "microneedling", "needle_mm": 1.5}]})
    >>> [f.rule for f in check_plan(plan).blocks]
    ['MN-7']
    """
    context = PlanContext(regimen=_resolve_regimen(regimen), person=_resolve_person(person))
    findings: list[Finding] = []
    for _rule_id, check in PLAN_CHECKS:
        findings.extend(check(context))
    # refuse the times of day the calendar would refuse (MN-4 blocks several deep sessions
    # a day above; any other count that does not match the doses is bad input)
    for index, item in enumerate(context.regimen.treatment):
        if not several_sessions_a_day(item):
            planned_times(index, item)
    from follicle.provenance import envelope, input_record

    given = {"regimen": regimen, "person": person}
    parsed = {"regimen": context.regimen, "person": context.person}
    inputs = [
        input_record(role, source if isinstance(source, str | Path) else parsed[role])
        for role, source in given.items()
        if source is not None
    ]
    return PlanCheck(
        context.regimen,
        context.person,
        tuple(sort_findings(findings)),
        provenance=envelope("check_plan", inputs=inputs),
    )
