"""The Journal page: log an entry, see the rules' findings at once, history, chart,
adherence against the followed plan; void an entry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from follicle.care.findings import Severity, Triage
from follicle.care.journal.entries import SYMPTOMS
from follicle.jsonable import to_jsonable
from follicle.web import actions
from follicle.web.charts import measurement_chart
from follicle.web.deps import checked_form, page_session, web_config
from follicle.web.followed import followed_plan
from follicle.web.pages.common import (
    BAD_INPUT,
    REGIONS,
    render,
)

router = APIRouter(include_in_schema=False)

MEDICINES = ("minoxidil", "finasteride", "dutasteride")
METRICS = ("density_per_cm2", "terminal_count", "vellus_share_percent", "mean_diameter_um")


# --- journal -------------------------------------------------------------------------


def _journal_context(request: Request) -> dict[str, Any]:
    config = web_config(request)
    entries = actions.history(config, limit=100)
    plan = followed_plan(config)
    stats = plan_problem = None
    if plan is not None:
        try:
            stats = actions.stats(
                config, regimen_toml=plan["regimen_toml"], start=plan["start"], tz=plan["tz"]
            )
        except BAD_INPUT as problem:  # e.g. the plan no longer validates
            plan_problem = actions.clean_message(problem, config)
    if stats is None:
        stats = actions.stats(config)
    return {
        "session": page_session(request),
        "nav": "journal",
        "entries": entries,
        "stats": stats,
        "plan": plan,
        "plan_problem": plan_problem,
        "chart": measurement_chart(entries[::-1]),
        "symptoms": SYMPTOMS,
        "medicines": MEDICINES,
        "regions": REGIONS,
        "metrics": METRICS,
        "form": {},
        "logged": None,
        "voided": None,
        "amended": None,
        "imported": None,
        "error": None,
        "urgent": False,
    }


@router.get("/journal")
def journal_page(request: Request) -> Response:
    return render(request, "journal.html", _journal_context(request))


@router.post("/journal/log")
async def journal_log(request: Request) -> Response:
    _, form = await checked_form(request)
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    config = web_config(request)
    logged = error = None
    try:
        details = actions.details_from_form(fields.get("kind", ""), fields)
        logged = await run_in_threadpool(
            actions.log_entry,
            config,
            fields.get("kind", ""),
            details,
            at=fields.get("at"),
            tz=fields.get("tz"),
            note=fields.get("note", ""),
        )
    except BAD_INPUT as problem:
        error = actions.clean_message(problem, config)
    context = _journal_context(request)
    context["form"] = fields if error else {"kind": fields.get("kind", "")}
    context["error"] = error
    if logged is not None:
        context["logged"] = to_jsonable(logged.to_dict())
        context["urgent"] = any(f.triage is Triage.URGENT for f in logged.flags)
        context["serious"] = any(f.severity is not Severity.INFO for f in logged.flags)
    return render(request, "journal.html", context, 400 if error else 200)


def _journal_shown(request: Request, **shown: Any) -> Response:
    """The journal page with the result of an action (voided, amended, imported)."""
    context = _journal_context(request)
    context.update(shown)
    return render(request, "journal.html", context)


def _journal_problem(request: Request, config, problem: Exception) -> Response:
    """The journal page with an action's bad input explained (400)."""
    context = _journal_context(request)
    context["error"] = actions.clean_message(problem, config)
    return render(request, "journal.html", context, 400)


@router.post("/journal/void")
async def journal_void(request: Request) -> Response:
    """Withdraw an entry logged by mistake (kept in the journal, no longer counted)."""
    _, form = await checked_form(request)
    config = web_config(request)
    try:
        done = await run_in_threadpool(
            actions.void_entry,
            config,
            str(form.get("entry") or ""),
            reason=str(form.get("reason") or ""),
        )
    except BAD_INPUT as problem:
        return _journal_problem(request, config, problem)
    return _journal_shown(request, voided=done)


@router.post("/journal/amend")
async def journal_amend(request: Request) -> Response:
    """Correct an entry: the corrected one replaces it; the old one is kept, voided."""
    _, form = await checked_form(request)
    config = web_config(request)
    corrections = [line.strip() for line in str(form.get("set") or "").splitlines() if line.strip()]
    at = str(form.get("amend_at") or "") or None
    try:
        done = await run_in_threadpool(
            actions.amend_entry,
            config,
            str(form.get("entry") or ""),
            reason=str(form.get("reason") or ""),
            corrections=corrections,
            at=at,
            tz=(str(form.get("amend_tz") or "") or None) if at else None,  # zone of `at`
            note=str(form.get("amend_note") or "") or None,
        )
    except BAD_INPUT as problem:
        return _journal_problem(request, config, problem)
    return _journal_shown(request, amended=to_jsonable(done.to_dict()))


@router.post("/journal/import")
async def journal_import(request: Request) -> Response:
    """Import a journal export (JSON or CSV): all entries or none."""
    from follicle.web.deps import read_upload

    _, form = await checked_form(request)
    config = web_config(request)
    try:
        data = await read_upload(form.get("export"), config)
        result = await run_in_threadpool(actions.import_journal, config, data)
    except BAD_INPUT as problem:
        return _journal_problem(request, config, problem)
    return _journal_shown(request, imported=result)


@router.get("/journal/export")
def journal_export(request: Request, format: str = "json") -> Response:
    page_session(request)
    text = actions.export_journal(web_config(request), format)
    return Response(
        text,
        media_type="application/json" if format == "json" else "text/csv",
        headers={"content-disposition": f'attachment; filename="journal.{format}"'},
    )
