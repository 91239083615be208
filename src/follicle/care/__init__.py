"""Care: regimen safety rules, calendars, the treatment journal and intake screening.

The main entry points (imported lazily, so ``import follicle`` stays light):

- :func:`check_plan` (``follicle.care.plan``): every care rule over a regimen;
- :func:`plan_calendar` (``follicle.care.calendar``): the regimen as iCalendar events;
- :class:`Journal` (``follicle.care.journal``): the SQLite treatment journal;
- :func:`journal_stats` (``follicle.care.journal.stats``): adherence, streaks, missed doses;
- :func:`run_intake` (``follicle.care.intake``): screening before a consultation.

Rules are numbered as in ``care-protocols.md``; see ``docs/care.md`` and ``docs/rules.md``.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "check_plan": "follicle.care.plan",
    "PlanCheck": "follicle.care.plan",
    "plan_calendar": "follicle.care.calendar",
    "PlanBlockedError": "follicle.care.calendar",
    "build_schedule": "follicle.care.dated_events",
    "Journal": "follicle.care.journal",
    "journal_stats": "follicle.care.journal.stats",
    "run_intake": "follicle.care.intake",
    "Finding": "follicle.care.findings",
    "Severity": "follicle.care.findings",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'follicle.care' has no attribute {name!r}")
