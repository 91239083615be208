"""The Trials page: a trial file runs as a background job; its page shows the progress,
then the results and the report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from follicle.errors import FollicleInputError
from follicle.trials.predictive import VALIDATION_N_PER_ARM
from follicle.web import actions
from follicle.web.deps import owner_id, page_session, server_config
from follicle.web.jobs import submit_trial, submit_validation
from follicle.web.pages.common import optional_number, page_action, render, whole_number

router = APIRouter(include_in_schema=False)


# --- trials --------------------------------------------------------------------------


def _trials_context(request: Request, **extra) -> dict[str, Any]:
    return {
        "session": page_session(request),
        "nav": "trials",
        "jobs": [j.to_dict() for j in request.app.state.jobs.jobs(owner=owner_id(request))],
        "scheduler": server_config(request).scheduler,
        "ensemble_size": _ensemble_size(),
        "validate_n_per_arm": VALIDATION_N_PER_ARM,
        "form": {},
        "error": None,
    } | extra


def _ensemble_size() -> int:
    from follicle.trials.ensemble import load_ensemble

    return len(load_ensemble(None))


@router.get("/trials")
def trials_page(request: Request) -> Response:
    return render(request, "trials.html", _trials_context(request))


@router.post("/trials")
async def trials_submit(request: Request) -> Response:
    action = await page_action(request, config=server_config(request))
    form, config, fields = action.form, action.config, action.fields
    with action.catching():
        n = optional_number(form, "n_per_arm")
        seed = optional_number(form, "seed")
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
    if action.extra.get("error"):
        return action.answer("trials.html", _trials_context)
    job = submit_trial(request.app.state.jobs, config, trial, seed, owner=owner_id(request))
    return RedirectResponse(f"/trials/{job.id}", status_code=303)


@router.post("/trials/validate")
async def validate_submit(request: Request) -> Response:
    """``follicle validate`` as a background job (the same queue as the trials)."""
    action = await page_action(request, config=server_config(request))
    form, config, fields = action.form, action.config, action.fields
    with action.catching():
        options = actions.parse_validate_options(
            n_per_arm=whole_number(form, "validate_n_per_arm"),
            seed=whole_number(form, "validate_seed"),
            only=fields.get("only"),
            ensemble=not fields.get("no_ensemble"),
            members=whole_number(form, "members"),
            members_n_per_arm=whole_number(form, "members_n_per_arm"),
        )
    if action.extra.get("error"):
        return action.answer("trials.html", _trials_context)
    job = submit_validation(request.app.state.jobs, config, options, owner=owner_id(request))
    return RedirectResponse(f"/trials/{job.id}", status_code=303)


@router.get("/trials/{job_id}")
def trial_job_page(request: Request, job_id: str) -> Response:
    job = request.app.state.jobs.get(job_id, owner=owner_id(request))
    context = _trials_context(request, job=job.to_dict())
    return render(request, "trial_job.html", context)


@router.get("/trials/{job_id}/report")
def trial_report(request: Request, job_id: str) -> Response:
    from fastapi.responses import FileResponse

    page_session(request)
    job = request.app.state.jobs.get(job_id, owner=owner_id(request))
    path = server_config(request).data_dir / "reports" / f"{job.id}.html"
    if job.status != "done" or not path.is_file():
        raise FollicleInputError("report", job.status, "a finished job")
    return FileResponse(
        path,
        media_type="text/html",
        headers={"content-disposition": f'attachment; filename="{job.kind}-{job.id[:8]}.html"'},
    )
