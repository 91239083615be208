"""Builders shared by the care tests (plain functions and constants)."""

from __future__ import annotations

from follicle.person import parse_person
from follicle.regimen import parse_regimen


def regimen(*treatments: dict, name: str = "test plan"):
    return parse_regimen({"name": name, "treatment": list(treatments)})


def person(sex: str = "male", age_years: float = 30, alopecia_areata=(), **health):
    data = {"sex": sex, "age_years": age_years, "health": health}
    if alopecia_areata:
        data["alopecia_areata"] = list(alopecia_areata)
    return parse_person(data)


MINOXIDIL = {"kind": "minoxidil", "concentration_percent": 5}
MINOXIDIL_PAUSED = {**MINOXIDIL, "pause_after_microneedling_hours": 24}
NEEDLING_15 = {"kind": "microneedling", "needle_mm": 1.5, "interval_days": 7}
FINASTERIDE = {"kind": "finasteride", "dose_mg": 1.0}
