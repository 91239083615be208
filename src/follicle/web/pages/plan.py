"""The Plan page: check a regimen (and person), download the calendar, follow it."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from follicle.care.timezones import local_zone_name
from follicle.errors import FollicleInputError
from follicle.jsonable import to_jsonable
from follicle.web import actions
from follicle.web.deps import checked_form, page_session, web_config
from follicle.web.followed import follow_plan, followed_plan
from follicle.web.pages.common import (
    BAD_INPUT,
    render,
)

router = APIRouter(include_in_schema=False)


# --- plan ----------------------------------------------------------------------------


def _plan_context(request: Request, **extra) -> dict[str, Any]:
    followed = followed_plan(web_config(request))
    return {
        "session": page_session(request),
        "nav": "plan",
        "regimen_toml": followed["regimen_toml"] if followed else "",
        "person_toml": followed["person_toml"] if followed else "",
        "start": date.today().isoformat(),
        "tz": "",
        "check": None,
        "error": None,
        "followed": followed,
    } | extra


async def _plan_texts(form) -> tuple[str, str]:
    """The regimen and person TOML: an uploaded file wins over the pasted text."""
    config_limit = 64 * 1024
    texts = []
    for name in ("regimen", "person"):
        text = str(form.get(f"{name}_toml") or "")
        upload = form.get(f"{name}_file")
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(config_limit + 1)
            if len(data) > config_limit:
                raise FollicleInputError(f"{name} file", "too large", "at most 64 KiB")
            try:
                text = data.decode("utf-8") if data else text
            except UnicodeDecodeError:
                raise FollicleInputError(f"{name} file", "not UTF-8", "a TOML text file") from None
        texts.append(text)
    return texts[0], texts[1]


@router.get("/plan")
def plan_page(request: Request) -> Response:
    return render(request, "plan.html", _plan_context(request))


@router.post("/plan/check")
async def plan_check(request: Request) -> Response:
    _, form = await checked_form(request)
    config = web_config(request)
    regimen_toml = person_toml = ""
    extra: dict[str, Any] = {"start": str(form.get("start") or date.today().isoformat())}
    try:
        regimen_toml, person_toml = await _plan_texts(form)
        check = actions.check_plan_text(regimen_toml, person_toml)
        extra["check"] = to_jsonable(check.to_dict())
    except BAD_INPUT as problem:
        extra["error"] = actions.clean_message(problem, config)
    context = _plan_context(request, regimen_toml=regimen_toml, person_toml=person_toml, **extra)
    return render(request, "plan.html", context, 400 if extra.get("error") else 200)


@router.post("/plan/calendar")
async def plan_calendar(request: Request) -> Response:
    from follicle.care.calendar import PlanBlockedError

    _, form = await checked_form(request)
    config = web_config(request)
    regimen_toml = person_toml = ""
    start = str(form.get("start") or "")
    extra: dict[str, Any] = {"start": start}
    try:
        regimen_toml, person_toml = await _plan_texts(form)
        result = actions.plan_calendar_text(
            regimen_toml, person_toml, start=start, tz=str(form.get("tz") or "") or None
        )
        return Response(
            result.to_ical(),
            media_type="text/calendar",
            headers={"content-disposition": 'attachment; filename="follicle-plan.ics"'},
        )
    except PlanBlockedError as blocked:
        extra["check"] = to_jsonable(blocked.check.to_dict())
        extra["error"] = f"Not exported: {blocked}"
        status = 409
    except BAD_INPUT as problem:
        extra["error"] = actions.clean_message(problem, config)
        status = 400
    context = _plan_context(request, regimen_toml=regimen_toml, person_toml=person_toml, **extra)
    return render(request, "plan.html", context, status)


@router.post("/plan/follow")
async def plan_follow(request: Request) -> Response:
    """Keep the plan as the one followed (the journal's adherence is measured against it)."""
    _, form = await checked_form(request)
    config = web_config(request)
    regimen_toml = person_toml = ""
    start = str(form.get("start") or "")
    try:
        regimen_toml, person_toml = await _plan_texts(form)
        follow_plan(
            config,
            regimen_toml,
            person_toml,
            start=start,
            tz=str(form.get("tz") or "") or local_zone_name(),
        )
    except BAD_INPUT as problem:
        context = _plan_context(
            request,
            regimen_toml=regimen_toml,
            person_toml=person_toml,
            start=start,
            error=actions.clean_message(problem, config),
        )
        return render(request, "plan.html", context, 400)
    return RedirectResponse("/journal", status_code=303)
