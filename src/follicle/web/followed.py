"""The plan the person follows (chosen on the Plan page): its regimen and person TOML,
day 0 and zone, kept as ``plan.json`` in the data directory. The journal measures
adherence against it; it is checked again whenever it is read."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date

from follicle.errors import FollicleInputError
from follicle.web.config import WebConfig


def followed_plan(config: WebConfig) -> dict | None:
    """``{"regimen_toml", "person_toml", "start", "tz", "name"}`` or None."""
    path = config.data_dir / "plan.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # a damaged file: as if no plan were followed (it can be chosen again)
    keys = {"regimen_toml", "person_toml", "start", "tz", "name"}
    return data if isinstance(data, dict) and keys <= set(data) else None


def follow_plan(
    config: WebConfig, regimen_toml: str, person_toml: str | None, *, start: str, tz: str
) -> dict:
    """Check the plan (a blocked plan is refused) and keep it as the followed plan."""
    from follicle.care.timezones import parse_date, zone
    from follicle.web.actions import check_plan_text

    day0: date = parse_date(start, field="start")
    zone(tz)
    check = check_plan_text(regimen_toml, person_toml)
    if not check.ok:
        rules = ", ".join(sorted({f.rule for f in check.blocks}))
        raise FollicleInputError(
            "plan", check.regimen.name, f"a plan no rule blocks (blocked by {rules})"
        )
    record = {
        "regimen_toml": regimen_toml,
        "person_toml": person_toml or "",
        "start": day0.isoformat(),
        "tz": tz,
        "name": check.regimen.name,
    }
    handle, temporary = tempfile.mkstemp(dir=config.data_dir, prefix=".plan.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(record, out, indent=2)
    os.replace(temporary, config.data_dir / "plan.json")  # atomic: never half written
    return record
