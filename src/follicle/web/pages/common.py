"""What the page modules share: rendering, the bad-input errors, form numbers."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from follicle.errors import FollicleFileError, FollicleInputError
from follicle.web import actions

BAD_INPUT = (FollicleInputError, FollicleFileError)
REGIONS = ("frontal", "temporal", "midscalp", "vertex", "occipital")


def render(request: Request, template: str, context: dict[str, Any], status: int = 200):
    templates = request.app.state.templates
    if request.app.state.config.clinic:
        context = {"patient": opened_patient(request)} | context
    return templates.TemplateResponse(request, template, context, status_code=status)


def optional_number(form, name: str) -> float | None:
    """The number in form field ``name`` (None when empty)."""
    return actions.number_field({name: str(form.get(name) or "")}, name)


def whole_number(form, name: str) -> int | None:
    value = optional_number(form, name)
    if value is not None and not float(value).is_integer():
        raise FollicleInputError(name, value, "a whole number")
    return None if value is None else int(value)


def opened_patient(request: Request):
    """Clinic mode: the patient the session has open (one of the user's own), or None."""
    from follicle.web.deps import current_session

    session = current_session(request)
    if session is None or session.user_id is None or session.patient_id is None:
        return None
    return request.app.state.accounts.patient(session.user_id, session.patient_id)
