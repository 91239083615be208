"""``follicle plan`` from the web: check a regimen given as text, its calendar."""

from __future__ import annotations

from datetime import date

from follicle.care.timezones import local_zone_name, parse_date, zone
from follicle.errors import FollicleInputError
from follicle.web.actions.forms import toml_dict


def plan_models(regimen_toml: str, person_toml: str | None):
    from follicle.person import parse_person
    from follicle.regimen import parse_regimen

    regimen = parse_regimen(toml_dict(regimen_toml, "regimen"), source="regimen")
    person = None
    if person_toml and person_toml.strip():
        person = parse_person(toml_dict(person_toml, "person"), source="person")
    return regimen, person


def check_plan_text(regimen_toml: str, person_toml: str | None = None):
    """``follicle plan check``: the findings for a regimen (and person) given as TOML."""
    from follicle.care.plan import check_plan

    regimen, person = plan_models(regimen_toml, person_toml)
    return check_plan(regimen, person=person)


def plan_calendar_text(
    regimen_toml: str,
    person_toml: str | None = None,
    *,
    start: str | date | None = None,
    tz: str | None = None,
    days: int | None = None,
):
    """``follicle plan calendar``: raises ``PlanBlockedError`` when a rule blocks the plan."""
    from follicle.care.calendar import plan_calendar

    day0 = start if isinstance(start, date) else parse_date(start or "", field="start")
    zone_name = tz or local_zone_name()
    zone(zone_name)
    if days is not None and not 1 <= days <= 3660:
        raise FollicleInputError("days", days, "a whole number of days from 1 to 3660")
    regimen, person = plan_models(regimen_toml, person_toml)
    return plan_calendar(regimen, start=day0, tz=zone_name, days=days, person=person)
