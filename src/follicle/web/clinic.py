"""Clinic mode's pages and API: log in with a user name and password, list and add one's
patients, open one (its journal, plan, visits), change one's own password. Which patient
is whose is decided by ``Accounts`` (its queries name the owner); these routes only
translate. Removing an account is the command line's (``remove_user``)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from follicle.web.accounts import Accounts
from follicle.web.deps import (
    api_caller,
    checked_form,
    current_session,
    page_session,
    server_config,
    sessions,
)
from follicle.web.security import CSRF_FIELD, SESSION_COOKIE, SESSION_SECONDS, same_secret

#: The login form's CSRF token, before there is a session (double-submit cookie).
LOGIN_COOKIE = "follicle_login"

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", dependencies=[Depends(api_caller)], tags=["clinic"])


def accounts(request: Request) -> Accounts:
    return request.app.state.accounts


def login_form(request: Request, *, failed: bool = False, status: int = 200) -> Response:
    """The user name and password form, with a fresh login CSRF token in a cookie."""
    token = secrets.token_urlsafe(32)
    response = request.app.state.templates.TemplateResponse(
        request,
        "clinic_login.html",
        {"session": None, "failed": failed, "login_csrf": token},
        status_code=status,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        secure=server_config(request).secure_cookies,
        samesite="strict",
        path="/login",
    )
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    if not same_secret(str(form.get(CSRF_FIELD) or ""), request.cookies.get(LOGIN_COOKIE) or ""):
        raise HTTPException(403, "the form is out of date (CSRF token); reload the page")
    name, password = str(form.get("name") or ""), str(form.get("password") or "")
    logins = request.app.state.logins
    user_id = await logins.run(f"login:{name[:64]}", accounts(request).verify, name, password)
    if user_id is None:
        return login_form(request, failed=True, status=401)
    response = RedirectResponse("/patients", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        sessions(request).create(user_id=user_id),
        max_age=SESSION_SECONDS,
        httponly=True,
        secure=server_config(request).secure_cookies,
        samesite="strict",
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


def _patients_page(
    request: Request, *, error: str | None = None, status: int = 200, done: str | None = None
):
    session = page_session(request)
    return request.app.state.templates.TemplateResponse(
        request,
        "patients.html",
        {
            "session": session,
            "nav": "patients",
            "user": accounts(request).user_name(session.user_id),
            "patients": accounts(request).patients(session.user_id),
            "error": error,
            "done": done,
        },
        status_code=status,
    )


@router.get("/patients")
def patients_page(request: Request) -> Response:
    return _patients_page(request)


@router.post("/patients")
async def add_patient(request: Request) -> Response:
    from follicle.errors import FollicleInputError

    session, form = await checked_form(request)
    try:
        patient = accounts(request).add_patient(session.user_id, str(form.get("name") or ""))
    except FollicleInputError as problem:
        return _patients_page(request, error=str(problem), status=400)
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


@router.get("/patients/{patient_id}")
def open_patient(request: Request, patient_id: str) -> Response:
    """Open one of one's own patients: the pages then show this patient's data."""
    session = page_session(request)
    patient = accounts(request).patient(session.user_id, patient_id)
    if patient is None:
        raise HTTPException(404, "no such patient")
    sessions(request).open_patient(request.cookies[SESSION_COOKIE], patient.id)
    return RedirectResponse("/journal", status_code=303)


async def _change_password(request: Request, session, old: str, new: str, again: str) -> int:
    """The account's password changed (the old one checked, by argon2: rate-limited as
    logins); its other sessions end. Returns how many ended."""
    from follicle.errors import FollicleInputError

    if new != again:
        raise FollicleInputError("new password", "<hidden>", "the same password typed twice")
    changed = await request.app.state.logins.run(
        f"password:{session.user_id}",
        accounts(request).change_password,
        session.user_id,
        old,
        new,
    )
    if not changed:
        raise FollicleInputError("old password", "<hidden>", "your current password")
    return sessions(request).end_user(session.user_id, keep=request.cookies.get(SESSION_COOKIE))


@router.post("/account/password")
async def change_password_page(request: Request) -> Response:
    from follicle.errors import FollicleInputError

    session, form = await checked_form(request)
    fields = {k: str(form.get(k) or "") for k in ("old_password", "new_password", "again")}
    try:
        ended = await _change_password(
            request, session, fields["old_password"], fields["new_password"], fields["again"]
        )
    except FollicleInputError as problem:
        return _patients_page(request, error=str(problem), status=400)
    others = f" {ended} other session{'' if ended == 1 else 's'} logged out." if ended else ""
    return _patients_page(request, done=f"Your password was changed.{others}")


def _user_id(request: Request) -> int:
    session = current_session(request)
    assert session is not None and session.user_id is not None  # api_caller checked
    return session.user_id


class PatientIn(BaseModel):
    name: str = Field(description="How the clinic names the patient (1-200 characters)")


@api_router.get("/patients", summary="The caller's patients (clinic mode)")
def list_patients(request: Request) -> JSONResponse:
    mine = accounts(request).patients(_user_id(request))
    return JSONResponse({"patients": [p.to_dict() for p in mine]})


@api_router.post("/patients", summary="Add a patient (clinic mode)", status_code=201)
def create_patient(body: PatientIn, request: Request) -> JSONResponse:
    patient = accounts(request).add_patient(_user_id(request), body.name)
    return JSONResponse({"patient": patient.to_dict()}, status_code=201)


@api_router.get("/patients/{patient_id}", summary="One of the caller's patients")
def get_patient(patient_id: str, request: Request) -> JSONResponse:
    patient = accounts(request).patient(_user_id(request), patient_id)
    if patient is None:
        raise HTTPException(404, "no such patient")
    return JSONResponse({"patient": patient.to_dict()})


class PasswordIn(BaseModel):
    old_password: str = Field(description="The account's current password")
    new_password: str = Field(description="The new password (10-1024 characters)")


@api_router.post("/account/password", summary="Change the caller's own password (clinic mode)")
async def change_password(body: PasswordIn, request: Request) -> JSONResponse:
    session = current_session(request)
    ended = await _change_password(
        request, session, body.old_password, body.new_password, body.new_password
    )
    return JSONResponse({"changed": True, "other_sessions_ended": ended})


def create_user_from_stdin(config, name: str, password: str) -> None:
    """``follicle serve --clinic --create-user NAME``: the password was read from a prompt
    or stdin by the CLI (never argv)."""
    config.prepare()
    Accounts(config.accounts_path).create_user(name, password)


def remove_user(config, name: str, *, transfer_to: str | None) -> tuple[int, int]:
    """``follicle serve --clinic --remove-user NAME [--transfer-patients-to OTHER]``:
    the account goes (refused while it has patients and no OTHER takes them), its
    sessions end, and its trial jobs are forgotten (simulations, not patient records).
    Returns (patients moved, sessions ended)."""
    from follicle.web.job_store import SQLiteJobStore
    from follicle.web.security import Sessions

    if not config.accounts_path.is_file():
        from follicle.errors import FollicleInputError

        raise FollicleInputError("--data-dir", str(config.data_dir), "a clinic's data directory")
    store = Accounts(config.accounts_path)
    try:
        user_id, moved = store.remove_user(name, transfer_to=transfer_to)
    finally:
        store.close()
    logged_in = Sessions(config.sessions_path)
    jobs = SQLiteJobStore(config.jobs_path)
    try:
        ended = logged_in.end_user(user_id)
        jobs.forget_owner(f"user:{user_id}")
    finally:
        logged_in.close()
        jobs.close()
    return moved, ended
