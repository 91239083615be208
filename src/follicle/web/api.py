"""The JSON API under ``/api/v1``: the payloads of the CLI's ``--json`` output.

Bad input -> 400 with ``{"error": "<one line naming the field>"}`` (422 when the request
body itself does not fit the schema); a plan a rule blocks -> 409 with its findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from follicle.jsonable import to_jsonable
from follicle.measure.corrections import ImageCorrections, parse_corrections
from follicle.web import actions
from follicle.web.deps import api_caller, heavy, owner_id, read_upload, server_config, web_config
from follicle.web.followed import follow_plan, followed_plan
from follicle.web.jobs import submit_trial, submit_validation

#: Routes on no one's data (plan checks, trial jobs, which are kept per account).
router = APIRouter()
#: Routes on a person's data: the journal, the followed plan, measurements and visits.
#: Mounted at /api/v1 (local mode, or the patient opened in the session) and, in clinic
#: mode, at /api/v1/patients/{patient_id} too; deps.web_config finds the patient among
#: the caller's own (404 otherwise).
patient_router = APIRouter()


def _patient_path(patient_id: str) -> None:
    """Declares the path's patient id (checked by deps.web_config)."""


def include(app, *, clinic: bool) -> None:
    caller = [Depends(api_caller)]
    app.include_router(router, prefix="/api/v1", dependencies=caller)
    app.include_router(patient_router, prefix="/api/v1", dependencies=caller)
    if clinic:
        app.include_router(
            patient_router,
            prefix="/api/v1/patients/{patient_id}",
            dependencies=[*caller, Depends(_patient_path)],
            tags=["patient"],
        )


class EntryIn(BaseModel):
    """One journal entry, as ``follicle journal log KIND`` takes it."""

    kind: str = Field(description="application, session, device, symptom or measurement")
    details: dict[str, Any] = Field(
        description='The fields of that kind, e.g. {"medicine": "minoxidil"}'
    )
    at: str | None = Field(None, description="ISO time, read in tz when it has no offset")
    tz: str | None = Field(None, description="IANA zone (default: the server's)")
    note: str = ""


class PlanIn(BaseModel):
    regimen_toml: str = Field(description="The regimen file's text ([[treatment]] tables)")
    person_toml: str | None = Field(None, description="The person file's text (optional)")


class CalendarIn(PlanIn):
    start: str = Field(description="Day 0, YYYY-MM-DD")
    tz: str | None = Field(None, description="IANA zone of the clock times")
    days: int | None = Field(None, description="Days to cover (default: the plan's length)")


class StatsIn(BaseModel):
    regimen_toml: str | None = None
    start: str | None = None
    tz: str | None = None


@patient_router.post("/journal/entries", summary="Log an entry (journal log --json)")
def log_entry(entry: EntryIn, request: Request) -> JSONResponse:
    config = web_config(request)
    logged = actions.log_entry(
        config, entry.kind, entry.details, at=entry.at, tz=entry.tz, note=entry.note
    )
    return JSONResponse(to_jsonable(logged.to_dict()))


class VoidIn(BaseModel):
    reason: str = Field(description="Why the entry is withdrawn (1-500 characters)")


@patient_router.post(
    "/journal/entries/{entry}/void", summary="Withdraw an entry, kept (journal void --json)"
)
def void_entry(entry: str, body: VoidIn, request: Request) -> JSONResponse:
    done = actions.void_entry(web_config(request), entry, reason=body.reason)
    return JSONResponse(to_jsonable(done))


class AmendIn(BaseModel):
    reason: str = Field(description="Why the entry is corrected (1-500 characters)")
    set: list[str] = Field([], description='Corrections as --set takes them: ["needle_mm=1.0"]')
    at: str | None = Field(None, description="The corrected time")
    tz: str | None = Field(None, description="The corrected zone")
    note: str | None = Field(None, description="The corrected note")


@patient_router.post(
    "/journal/entries/{entry}/amend",
    summary="Correct an entry; the old one is kept, voided (journal amend --json)",
)
def amend_entry(entry: str, body: AmendIn, request: Request) -> JSONResponse:
    logged = actions.amend_entry(
        web_config(request),
        entry,
        reason=body.reason,
        corrections=body.set,
        at=body.at,
        tz=body.tz,
        note=body.note,
    )
    return JSONResponse(to_jsonable(logged.to_dict()))


@patient_router.get("/journal/export", summary="Every entry as JSON or CSV (journal export)")
def export_journal(request: Request, format: str = "json") -> Response:
    text = actions.export_journal(web_config(request), format)
    return Response(
        text,
        media_type="application/json" if format == "json" else "text/csv",
        headers={"content-disposition": f'attachment; filename="journal.{format}"'},
    )


@patient_router.post("/journal/import", summary="Import an export, all or nothing (journal import)")
async def import_journal(
    request: Request,
    export: Annotated[UploadFile, File(description="A journal export (.json or .csv)")],
) -> JSONResponse:
    config = web_config(request)
    data = await read_upload(export, config)
    from starlette.concurrency import run_in_threadpool

    result = await run_in_threadpool(actions.import_journal, config, data)
    return JSONResponse(to_jsonable(result))


@patient_router.get("/journal/entries", summary="Entries with their flags (journal show --json)")
def show_entries(
    request: Request,
    kind: Annotated[list[str] | None, Query()] = None,
    limit: int = 50,
    show_all: Annotated[bool, Query(alias="all")] = False,
) -> JSONResponse:
    return JSONResponse(
        to_jsonable(
            actions.list_entries(web_config(request), kinds=kind, limit=limit, show_all=show_all)
        )
    )


@patient_router.get("/journal/stats", summary="Counts and devices (journal stats --json)")
def journal_stats(request: Request, tz: str | None = None) -> JSONResponse:
    return JSONResponse(to_jsonable(actions.stats(web_config(request), tz=tz)))


@patient_router.post(
    "/journal/stats", summary="Adherence and streaks against a plan (journal stats)"
)
def journal_stats_plan(body: StatsIn, request: Request) -> JSONResponse:
    result = actions.stats(
        web_config(request), regimen_toml=body.regimen_toml, start=body.start, tz=body.tz
    )
    return JSONResponse(to_jsonable(result))


class FollowIn(PlanIn):
    start: str = Field(description="Day 0 of the plan, YYYY-MM-DD")
    tz: str | None = Field(None, description="IANA zone (default: the server's)")


@patient_router.get("/plan/follow", summary="The plan followed (adherence is measured against it)")
def plan_followed(request: Request) -> JSONResponse:
    return JSONResponse({"following": followed_plan(web_config(request))})


@patient_router.post(
    "/plan/follow", summary="Follow a plan from day 0 (refused when a rule blocks it)"
)
def plan_follow(body: FollowIn, request: Request) -> JSONResponse:
    from follicle.care.timezones import local_zone_name

    record = follow_plan(
        web_config(request),
        body.regimen_toml,
        body.person_toml,
        start=body.start,
        tz=body.tz or local_zone_name(),
    )
    return JSONResponse({"following": record})


@router.post("/plan/check", summary="Check a plan against the care rules (plan check --json)")
def plan_check(body: PlanIn) -> JSONResponse:
    return JSONResponse(
        to_jsonable(actions.check_plan_text(body.regimen_toml, body.person_toml).to_dict())
    )


@router.post(
    "/plan/calendar",
    summary="The plan as dated events (plan calendar --json); ?format=ics for the file",
    responses={409: {"description": "a rule blocks the plan: its findings"}},
)
def plan_calendar(body: CalendarIn, format: str = "json") -> Response:
    from follicle.care.calendar import PlanBlockedError

    if format not in ("json", "ics"):
        return JSONResponse({"error": f"format = {format!r}; expected json or ics"}, 400)
    try:
        result = actions.plan_calendar_text(
            body.regimen_toml, body.person_toml, start=body.start, tz=body.tz, days=body.days
        )
    except PlanBlockedError as blocked:
        return JSONResponse({"written": None, "check": blocked.check.to_dict()}, status_code=409)
    if format == "ics":
        return Response(
            result.to_ical(),
            media_type="text/calendar",
            headers={"content-disposition": 'attachment; filename="follicle-plan.ics"'},
        )
    return JSONResponse(to_jsonable({"written": None, **result.to_dict()}))


class ProjectIn(BaseModel):
    person_toml: str = Field(description="The person file's text")
    regimen_tomls: list[str] = Field(description="Regimen files' texts (none: untreated only)")
    years: float = Field(description="How far ahead, in years (up to 10 here)")
    futures: int = Field(40, description="Simulated futures per regimen (5-200 here)")
    seed: int | None = None
    from_journal: bool = Field(
        False, description="Start from the newest density measurement in the journal"
    )


@patient_router.post("/project", summary="What to expect under each regimen (project --json)")
async def project(body: ProjectIn, request: Request) -> JSONResponse:
    config = web_config(request)
    result = await heavy(
        request,
        actions.projection,
        config,
        body.person_toml,
        body.regimen_tomls,
        years=body.years,
        futures=body.futures,
        seed=body.seed,
        from_journal=body.from_journal,
    )
    return JSONResponse(to_jsonable(result.to_dict()))


class TrialIn(BaseModel):
    trial_toml: str = Field(description="The trial file's text (treatments inline)")
    n_per_arm: int | None = Field(None, description="Override the file's people per arm")
    seed: int | None = Field(None, description="Override the file's seed")


@router.post("/trials", summary="Queue a virtual trial (runs in the background)", status_code=202)
def trial_submit(body: TrialIn, request: Request) -> JSONResponse:
    trial, seed = actions.parse_trial_text(
        body.trial_toml, n_per_arm=body.n_per_arm, seed=body.seed
    )
    jobs = request.app.state.jobs
    job = submit_trial(jobs, server_config(request), trial, seed, owner=owner_id(request))
    return JSONResponse(job.to_dict(), status_code=202)


@router.get("/trials/{job_id}", summary="A trial job: status, progress, result (trial --json)")
def trial_job(job_id: str, request: Request) -> JSONResponse:
    job = request.app.state.jobs.get(job_id, owner=owner_id(request))
    return JSONResponse(to_jsonable(job.to_dict()))


class ValidateIn(BaseModel):
    n_per_arm: int | None = Field(None, description="Virtual people per arm (2-500; 300)")
    seed: int | None = Field(None, description="Seed (default 2, as follicle validate)")
    only: str | None = Field(None, description="Target ids or patterns, comma separated")
    ensemble: bool = Field(
        True,
        description="Each target's posterior predictive interval over ensemble members, as "
        "follicle validate by default (false: the point run alone, as --no-ensemble)",
    )
    members: int | None = Field(None, description="Ensemble members (default 20)")
    members_n_per_arm: int | None = Field(
        None, description="People per arm in each member's trial (2-200; default 25)"
    )


@router.post(
    "/validate",
    summary="Queue follicle validate (model vs published trials) in the background",
    status_code=202,
)
def validate_submit(body: ValidateIn, request: Request) -> JSONResponse:
    options = actions.parse_validate_options(
        n_per_arm=body.n_per_arm,
        seed=body.seed,
        only=body.only,
        ensemble=body.ensemble,
        members=body.members,
        members_n_per_arm=body.members_n_per_arm,
    )
    jobs = request.app.state.jobs
    job = submit_validation(jobs, server_config(request), options, owner=owner_id(request))
    return JSONResponse(job.to_dict(), status_code=202)


@router.get("/validate/{job_id}", summary="A validate job; when done, result is validate --json")
def validate_job(job_id: str, request: Request) -> JSONResponse:
    job = request.app.state.jobs.get(job_id, owner=owner_id(request))
    return JSONResponse(to_jsonable(job.to_dict()))


@patient_router.post(
    "/measure/analyze", summary="Find and measure hairs in an image (analyze --json)"
)
async def analyze(
    request: Request,
    image: Annotated[list[UploadFile], File(description="PNG, JPEG or TIFF (1-10 files)")],
    device: Annotated[str | None, Form()] = None,
    um_per_px: Annotated[float | None, Form()] = None,
    circle_radius_mm: Annotated[float | None, Form()] = None,
    region: Annotated[str, Form()] = "unspecified",
    polarity: Annotated[str, Form()] = "auto",
    pipeline: Annotated[str, Form(description="classical (default) or learned")] = "classical",
) -> JSONResponse:
    config = web_config(request)
    blobs = [await read_upload(upload, config) for upload in image]
    result = await heavy(
        request,
        actions.analyze_uploads,
        config,
        blobs,
        names=[upload.filename for upload in image],
        device=device or None,
        um_per_px=um_per_px,
        circle_radius_mm=circle_radius_mm,
        region=region,
        polarity=polarity,
        pipeline=pipeline,
    )
    return JSONResponse(to_jsonable(result))


class CorrectIn(BaseModel):
    image: str = Field(description="The image's `source` URL from /measure/analyze")
    name: str | None = Field(default=None, description="Its file name (keys the corrections file)")
    um_per_px: float = Field(gt=0, description="The scale it was analysed at (`um_per_px`)")
    corrections: ImageCorrections = Field(
        description="Hairs removed, added or split by hand (docs/measure.md, 'Correcting by hand')"
    )
    region: str = "unspecified"
    polarity: str = "auto"
    pipeline: str = "classical"


@patient_router.post(
    "/measure/correct",
    summary="An analysed image again, corrected by hand (analyze --corrections --json)",
)
async def correct(body: CorrectIn, request: Request) -> JSONResponse:
    config = web_config(request)
    summary = await heavy(
        request,
        actions.analyze_stored,
        config,
        image=body.image,
        name=body.name,
        um_per_px=body.um_per_px,
        corrections=body.corrections,
        region=body.region,
        polarity=body.polarity,
        pipeline=body.pipeline,
    )
    return JSONResponse(to_jsonable({"images": [summary]}))


@patient_router.post("/measure/hairs", summary="Metrics from a hairs table (measure --json)")
async def measure_hairs(
    request: Request,
    hairs: Annotated[UploadFile, File(description="CSV, JSON or Parquet hairs table")],
    area_cm2: Annotated[float, Form()],
    yellow_dots: Annotated[int | None, Form()] = None,
    region: Annotated[str | None, Form()] = None,
    occipital: Annotated[
        UploadFile | None, File(description="Occipital table: adds the Rakowska criteria")
    ] = None,
    occipital_area_cm2: Annotated[float | None, Form()] = None,
    frontal_images: Annotated[int, Form()] = 4,
) -> JSONResponse:
    config = web_config(request)
    data = await read_upload(hairs, config)
    occipital_data = await read_upload(occipital, config) if occipital is not None else None
    result = await heavy(
        request,
        actions.measure_table_upload,
        config,
        data,
        area_cm2=area_cm2,
        yellow_dots=yellow_dots,
        region=region or None,
        occipital=occipital_data,
        occipital_area_cm2=occipital_area_cm2,
        frontal_images=frontal_images,
    )
    return JSONResponse(to_jsonable(result))


@patient_router.post(
    "/measure/visit-report",
    summary="A visit report from images, against a previous visit (report visit --json)",
)
async def visit_report(
    request: Request,
    current: Annotated[list[UploadFile], File(description="This visit's images (1-10)")],
    previous: Annotated[
        list[UploadFile] | None, File(description="The previous visit's images (0-10)")
    ] = None,
    um_per_px: Annotated[float | None, Form()] = None,
    device: Annotated[str | None, Form()] = None,
    region: Annotated[str, Form()] = "unspecified",
    patient: Annotated[str | None, Form()] = None,
) -> JSONResponse:
    config = web_config(request)
    now = [await read_upload(u, config) for u in current]
    before = [await read_upload(u, config) for u in previous or []]
    result = await heavy(
        request,
        actions.visit_report_upload,
        config,
        now,
        before,
        um_per_px=um_per_px,
        device=device or None,
        region=region,
        patient=patient or None,
    )
    result["output"] = f"/reports/{result['report_id']}"
    return JSONResponse(to_jsonable(result))


@patient_router.get("/visits", summary="The saved visits, newest first")
def visits(request: Request) -> JSONResponse:
    return JSONResponse(to_jsonable({"visits": actions.list_visits(web_config(request))}))


@patient_router.post("/visits", summary="Save a visit from its images", status_code=201)
async def visit_save(
    request: Request,
    image: Annotated[list[UploadFile], File(description="The visit's images (1-10)")],
    um_per_px: Annotated[float | None, Form()] = None,
    device: Annotated[str | None, Form()] = None,
    region: Annotated[str, Form()] = "unspecified",
    date: Annotated[str | None, Form(description="YYYY-MM-DD (default today)")] = None,
    label: Annotated[str | None, Form()] = None,
    corrections: Annotated[
        UploadFile | None,
        File(
            description="Hairs removed, added or split by hand, by the images' file names: "
            "a .json or .toml file as `follicle analyze --corrections` reads"
        ),
    ] = None,
) -> JSONResponse:
    config = web_config(request)
    blobs = [await read_upload(u, config) for u in image]
    edits = None
    if corrections is not None and getattr(corrections, "filename", None):
        text = (await read_upload(corrections, config)).decode("utf-8", errors="replace")
        name = corrections.filename
        edits = parse_corrections(text, suffix=Path(name).suffix, source=name)
    saved = await heavy(
        request,
        actions.save_visit,
        config,
        blobs,
        um_per_px=um_per_px,
        device=device or None,
        region=region,
        visit_date=date or None,
        label=label,
        file_names=[Path(u.filename or "").name for u in image],
        corrections=edits,
    )
    return JSONResponse(to_jsonable({"visit": saved}), status_code=201)


class AnalysedImageIn(BaseModel):
    image: str = Field(description="An analysed image's `source` URL (/measure/analyze)")
    corrections: ImageCorrections | None = Field(
        default=None, description="Its corrections by hand (as /measure/correct takes them)"
    )


class AnalysedVisitIn(BaseModel):
    images: list[AnalysedImageIn] = Field(min_length=1)
    um_per_px: float | None = Field(default=None, gt=0)
    device: str | None = None
    circle_radius_mm: float | None = Field(default=None, gt=0)
    region: str = "unspecified"
    date: str | None = Field(default=None, description="YYYY-MM-DD (default today)")
    label: str | None = None


@patient_router.post(
    "/visits/analysed",
    summary="Save images analysed before, with their corrections by hand, as a visit",
    status_code=201,
)
async def visit_save_analysed(body: AnalysedVisitIn, request: Request) -> JSONResponse:
    saved = await heavy(
        request,
        actions.save_analysed_visit,
        web_config(request),
        [(i.image, i.corrections) for i in body.images],
        um_per_px=body.um_per_px,
        device=body.device,
        circle_radius_mm=body.circle_radius_mm,
        region=body.region,
        visit_date=body.date,
        label=body.label,
    )
    return JSONResponse(to_jsonable({"visit": saved}), status_code=201)


@patient_router.get("/visits/{visit_id}", summary="One saved visit")
def visit_get(visit_id: str, request: Request) -> JSONResponse:
    visit = actions.saved_visit(web_config(request), visit_id)
    return JSONResponse(to_jsonable({"visit": visit.to_dict()}))


class CompareIn(BaseModel):
    first: str = Field(description="A saved visit's id")
    second: str = Field(description="Another saved visit's id (the earlier is 'previous')")


@patient_router.post(
    "/visits/compare",
    summary="Two saved visits side by side: changes and matched hairs (report visit --json)",
)
async def visits_compare(body: CompareIn, request: Request) -> JSONResponse:
    config = web_config(request)
    result = await heavy(request, actions.compare_saved_visits, config, body.first, body.second)
    return JSONResponse(to_jsonable(result))
