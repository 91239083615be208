"""The pages: Journal, Plan, Measure, and the API reference. Each POST checks the CSRF
token, calls the same action as the API and renders the result or the error on the page
(status 400 for bad input, never a 500)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from follicle.care.findings import Severity, Triage
from follicle.care.journal.entries import SYMPTOMS
from follicle.care.timezones import local_zone_name
from follicle.errors import FollicleFileError, FollicleInputError
from follicle.jsonable import to_jsonable
from follicle.web import actions
from follicle.web.charts import measurement_chart
from follicle.web.deps import checked_form, heavy, page_session, read_upload, web_config
from follicle.web.followed import follow_plan, followed_plan
from follicle.web.jobs import submit_trial

router = APIRouter(include_in_schema=False)
BAD_INPUT = (FollicleInputError, FollicleFileError)

MEDICINES = ("minoxidil", "finasteride", "dutasteride")
REGIONS = ("frontal", "temporal", "midscalp", "vertex", "occipital")
METRICS = ("density_per_cm2", "terminal_count", "vellus_share_percent", "mean_diameter_um")


def render(request: Request, template: str, context: dict[str, Any], status: int = 200):
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status)


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "home.html", {"session": page_session(request), "nav": "home"})


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
        context = _journal_context(request)
        context["error"] = actions.clean_message(problem, config)
        return render(request, "journal.html", context, 400)
    context = _journal_context(request)
    context["voided"] = done
    return render(request, "journal.html", context)


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


# --- expect --------------------------------------------------------------------------


def _expect_context(request: Request, **extra) -> dict[str, Any]:
    followed = followed_plan(web_config(request))
    return {
        "session": page_session(request),
        "nav": "expect",
        "form": {
            "person_toml": followed["person_toml"] if followed else "",
            "regimen_toml": followed["regimen_toml"] if followed else "",
            "years": "3",
            "futures": "40",
        },
        "result": None,
        "error": None,
    } | extra


@router.get("/expect")
def expect_page(request: Request) -> Response:
    return render(request, "expect.html", _expect_context(request))


@router.post("/expect")
async def expect_run(request: Request) -> Response:
    from follicle.web.charts import projection_chart, projection_rows

    _, form = await checked_form(request)
    config = web_config(request)
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    extra: dict[str, Any] = {"form": fields}
    try:
        years = _optional_number(form, "years")
        futures = _optional_number(form, "futures")
        if years is None or futures is None or not float(futures).is_integer():
            raise FollicleInputError(
                "years / futures", f"{years} / {futures}", "a number of years and whole futures"
            )
        result = await heavy(
            request,
            actions.projection,
            config,
            fields.get("person_toml", ""),
            [fields.get("regimen_toml", ""), fields.get("regimen2_toml", "")],
            years=years,
            futures=int(futures),
            seed=1,  # the same futures for the same inputs: the page can be compared
            from_journal=fields.get("from_journal") == "on",
        )
        payload = to_jsonable(result.to_dict())
        extra["result"] = {
            "chart": projection_chart(payload["bands"]),
            "rows": projection_rows(payload["bands"], years=years),
            "years": years,
            "blocked": payload["blocked"],
            "provenance": payload["provenance"],
        }
    except BAD_INPUT as problem:
        extra["error"] = actions.clean_message(problem, config)
    context = _expect_context(request, **extra)
    return render(request, "expect.html", context, 400 if extra.get("error") else 200)


# --- trials --------------------------------------------------------------------------


def _trials_context(request: Request, **extra) -> dict[str, Any]:
    return {
        "session": page_session(request),
        "nav": "trials",
        "jobs": [j.to_dict() for j in request.app.state.jobs.jobs()],
        "form": {},
        "error": None,
    } | extra


@router.get("/trials")
def trials_page(request: Request) -> Response:
    return render(request, "trials.html", _trials_context(request))


@router.post("/trials")
async def trials_submit(request: Request) -> Response:
    _, form = await checked_form(request)
    config = web_config(request)
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        n = _optional_number(form, "n_per_arm")
        seed = _optional_number(form, "seed")
        for name, value in (("n_per_arm", n), ("seed", seed)):
            if value is not None and not float(value).is_integer():
                raise FollicleInputError(name, value, "a whole number")
        trial_toml = fields.get("trial_toml", "")
        upload = form.get("trial_file")
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(64 * 1024 + 1)
            try:
                trial_toml = data.decode("utf-8") if data else trial_toml
            except UnicodeDecodeError:
                raise FollicleInputError("trial file", "not UTF-8", "a TOML text file") from None
        trial, seed = actions.parse_trial_text(
            trial_toml,
            n_per_arm=None if n is None else int(n),
            seed=None if seed is None else int(seed),
        )
    except BAD_INPUT as problem:
        context = _trials_context(
            request, form=fields, error=actions.clean_message(problem, config)
        )
        return render(request, "trials.html", context, 400)
    job = submit_trial(request.app.state.jobs, config, trial, seed)
    return RedirectResponse(f"/trials/{job.id}", status_code=303)


@router.get("/trials/{job_id}")
def trial_job_page(request: Request, job_id: str) -> Response:
    job = request.app.state.jobs.get(job_id)
    context = _trials_context(request, job=job.to_dict())
    return render(request, "trial_job.html", context)


@router.get("/trials/{job_id}/report")
def trial_report(request: Request, job_id: str) -> Response:
    from fastapi.responses import FileResponse

    page_session(request)
    job = request.app.state.jobs.get(job_id)
    path = web_config(request).data_dir / "reports" / f"{job.id}.html"
    if job.status != "done" or not path.is_file():
        raise FollicleInputError("report", job.status, "a finished job")
    return FileResponse(
        path,
        media_type="text/html",
        headers={"content-disposition": f'attachment; filename="trial-{job.id[:8]}.html"'},
    )


# --- measure -------------------------------------------------------------------------


def _measure_context(request: Request, **extra) -> dict[str, Any]:
    from follicle.measure.calibration import DEVICE_PRESETS

    return {
        "session": page_session(request),
        "nav": "measure",
        "devices": list(DEVICE_PRESETS),
        "regions": REGIONS,
        "form": {},
        "results": [],
        "table_result": None,
        "criteria": None,
        "visit": None,
        "error": None,
    } | extra


def _optional_number(form, name: str) -> float | None:
    value = actions.number_field({name: str(form.get(name) or "")}, name)
    return value


@router.get("/measure")
def measure_page(request: Request) -> Response:
    return render(request, "measure.html", _measure_context(request))


@router.post("/measure/image")
async def measure_image(request: Request) -> Response:
    _, form = await checked_form(request)
    config = web_config(request)
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    extra: dict[str, Any] = {"form": fields}
    try:
        scale_kind = fields.get("scale", "device")
        um_per_px = _optional_number(form, "um_per_px") if scale_kind == "um_per_px" else None
        device = fields.get("device") if scale_kind == "device" else None
        uploads = [u for u in form.getlist("image") if isinstance(u, UploadFile) and u.filename]
        blobs = [await read_upload(upload, config) for upload in uploads[: actions.MAX_IMAGES + 1]]
        if not blobs:
            raise FollicleInputError("image", "<missing>", "an image file to upload")
        result = await heavy(
            request,
            actions.analyze_uploads,
            config,
            blobs,
            device=device or None,
            um_per_px=um_per_px,
            circle_radius_mm=_optional_number(form, "circle_radius_mm"),
            region=fields.get("region") or "unspecified",
            polarity=fields.get("polarity") or "auto",
        )
        extra["results"] = to_jsonable(result["images"])
    except BAD_INPUT as problem:
        extra["error"] = actions.clean_message(problem, config)
    context = _measure_context(request, **extra)
    return render(request, "measure.html", context, 400 if extra.get("error") else 200)


@router.post("/measure/hairs")
async def measure_hairs(request: Request) -> Response:
    _, form = await checked_form(request)
    config = web_config(request)
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    extra: dict[str, Any] = {"form": fields}
    try:
        area = _optional_number(form, "area_cm2")
        if area is None:
            raise FollicleInputError("area_cm2", "<missing>", "the area counted, in cm2")
        dots = _whole(form, "yellow_dots")
        images = _whole(form, "frontal_images")
        data = await read_upload(form.get("hairs"), config)
        occipital = form.get("occipital")
        occipital_data = None
        if isinstance(occipital, UploadFile) and occipital.filename:
            occipital_data = await read_upload(occipital, config)
        result = await heavy(
            request,
            actions.measure_table_upload,
            config,
            data,
            area_cm2=area,
            yellow_dots=dots,
            region=fields.get("region") or None,
            occipital=occipital_data,
            occipital_area_cm2=_optional_number(form, "occipital_area_cm2"),
            frontal_images=4 if images is None else images,
        )
        extra["table_result"] = to_jsonable(result["metrics"])
        extra["criteria"] = to_jsonable(result.get("criteria"))
    except BAD_INPUT as problem:
        extra["error"] = actions.clean_message(problem, config)
    context = _measure_context(request, **extra)
    return render(request, "measure.html", context, 400 if extra.get("error") else 200)


def _whole(form, name: str) -> int | None:
    value = _optional_number(form, name)
    if value is not None and not float(value).is_integer():
        raise FollicleInputError(name, value, "a whole number")
    return None if value is None else int(value)


@router.post("/measure/visit")
async def measure_visit(request: Request) -> Response:
    """A visit report: this visit's images and, optionally, the previous visit's."""
    _, form = await checked_form(request)
    config = web_config(request)
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    extra: dict[str, Any] = {"form": fields}
    try:
        blobs = {}
        for name in ("current", "previous"):
            uploads = [u for u in form.getlist(name) if isinstance(u, UploadFile) and u.filename]
            blobs[name] = [await read_upload(u, config) for u in uploads[: actions.MAX_IMAGES + 1]]
        if not blobs["current"]:
            raise FollicleInputError("this visit", "<missing>", "images of this visit")
        use_device = fields.get("visit_scale") == "device"
        report = await heavy(
            request,
            actions.visit_report_upload,
            config,
            blobs["current"],
            blobs["previous"],
            um_per_px=None if use_device else _optional_number(form, "visit_um_per_px"),
            device=fields.get("visit_device") if use_device else None,
            region=fields.get("visit_region") or "unspecified",
            patient=fields.get("patient") or None,
        )
        extra["visit"] = to_jsonable(report)
    except BAD_INPUT as problem:
        extra["error"] = actions.clean_message(problem, config)
    context = _measure_context(request, **extra)
    return render(request, "measure.html", context, 400 if extra.get("error") else 200)


@router.get("/reports/{report_id}")
def report_file(request: Request, report_id: str) -> Response:
    """A visit report, as a download (its inline styles do not run under this site's CSP)."""
    import re

    from fastapi.responses import FileResponse

    page_session(request)
    path = web_config(request).data_dir / "reports" / f"{report_id}.html"
    if not re.fullmatch(r"[0-9a-f]{32}", report_id) or not path.is_file():
        raise FollicleInputError("report", report_id, "the id of a report made here")
    return FileResponse(
        path,
        media_type="text/html",
        headers={"content-disposition": f'attachment; filename="visit-{report_id[:8]}.html"'},
    )


@router.post("/measure/save")
async def measure_save(request: Request) -> Response:
    """Log a measured density (and diameter) into the journal, then show the journal."""
    _, form = await checked_form(request)
    config = web_config(request)
    metrics = {}
    for name in ("density_per_cm2", "mean_diameter_um", "vellus_share_percent"):
        value = actions.number_field({name: str(form.get(name) or "")}, name)
        if value is not None:
            metrics[name] = value
    region = str(form.get("region") or "")
    details = {"metrics": metrics} | ({"region": region} if region in REGIONS else {})
    actions.log_entry(config, "measurement", details, tz=str(form.get("tz") or "") or None)
    return RedirectResponse("/journal", status_code=303)


# --- API reference -------------------------------------------------------------------


@router.get("/api")
def api_page(request: Request) -> Response:
    schema = request.app.openapi()
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, spec in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": spec.get("summary", ""),
                    "parameters": [p["name"] for p in spec.get("parameters", [])],
                    "body": _body_fields(schema, spec),
                    "responses": sorted(spec.get("responses", {})),
                }
            )
    return render(
        request,
        "api.html",
        {"session": page_session(request), "nav": "api", "operations": operations},
    )


def _body_fields(schema: dict, spec: dict) -> list[str]:
    content = spec.get("requestBody", {}).get("content", {})
    for media in content.values():
        ref = media.get("schema", {}).get("$ref", "")
        target = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1])
        if target:
            required = set(target.get("required", []))
            return [f"{k}{'' if k in required else '?'}" for k in target.get("properties", {})]
    return []
