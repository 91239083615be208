"""What the routes share: the configuration, who is calling, and reading uploads."""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.datastructures import UploadFile

from follicle.errors import FollicleInputError
from follicle.web.config import WebConfig
from follicle.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    Session,
    Sessions,
    same_secret,
)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LoginRequiredError(Exception):
    """A page was asked for without a session: the login page answers."""


class ChoosePatientError(Exception):
    """Clinic mode: a patient's page or data was asked for before a patient was opened."""


def server_config(request: Request) -> WebConfig:
    """The server's own settings and data directory (not one patient's)."""
    return request.app.state.config


def web_config(request: Request) -> WebConfig:
    """Where the caller's data lives: the data directory, or in clinic mode the directory
    of the patient opened (``/api/v1/patients/{id}/...`` or the session's patient), found
    only among the caller's own patients: another account's patient is a 404."""
    config = server_config(request)
    if not config.clinic:
        return config
    session = current_session(request)
    if session is None or session.user_id is None:
        raise HTTPException(401, "log in first")
    patient_id = request.path_params.get("patient_id") or session.patient_id
    if patient_id is None:
        raise ChoosePatientError()
    patient = request.app.state.accounts.patient(session.user_id, patient_id)
    if patient is None:
        raise HTTPException(404, "no such patient")
    return config.for_patient(patient.id)


def owner_id(request: Request) -> str:
    """Whose jobs these are: the account in clinic mode, else the one local user."""
    session = current_session(request)
    if server_config(request).clinic and session is not None:
        return f"user:{session.user_id}"
    return "local"


def sessions(request: Request) -> Sessions:
    return request.app.state.sessions


def current_session(request: Request) -> Session | None:
    return sessions(request).get(request.cookies.get(SESSION_COOKIE))


def api_caller(request: Request) -> None:
    """The API accepts the login token as a bearer token, or the session cookie; with the
    cookie, a request that changes something must carry the session's CSRF token."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and server_config(request).clinic:
        raise HTTPException(401, "clinic mode: log in with a user name and password")
    if header.lower().startswith("bearer "):
        if same_secret(header[7:].strip(), web_config(request).login_token):
            return
        raise HTTPException(401, "wrong token")
    session = current_session(request)
    if not _fits_the_mode(session, request):
        raise HTTPException(401, "log in first: open the URL that `follicle serve` printed")
    if request.method in UNSAFE_METHODS and not same_secret(
        request.headers.get(CSRF_HEADER), session.csrf_token
    ):
        raise HTTPException(403, "missing or wrong X-CSRF-Token header")


def caller_id(request: Request) -> str:
    """Who is asking, for rate limits: the session id, or "token" for bearer calls."""
    return request.cookies.get(SESSION_COOKIE) or "token"


async def heavy(request: Request, function, *args, **kwargs):
    """Run heavy library work through the app's bounded gate (429 when too busy)."""
    return await request.app.state.heavy.run(caller_id(request), function, *args, **kwargs)


def _fits_the_mode(session: Session | None, request: Request) -> bool:
    """A clinic session has an account, a local one has none: a data directory served in
    the other mode (after a restart) does not take the other mode's sessions."""
    clinic = server_config(request).clinic
    return session is not None and (session.user_id is not None) == clinic


def page_session(request: Request) -> Session:
    session = current_session(request)
    if not _fits_the_mode(session, request):
        raise LoginRequiredError()
    return session


async def checked_form(request: Request) -> tuple[Session, dict]:
    """The session and the submitted form of a page's POST, its CSRF token checked."""
    session = page_session(request)
    form = await request.form()
    if not same_secret(str(form.get(CSRF_FIELD) or ""), session.csrf_token):
        raise HTTPException(403, "the form is out of date (CSRF token); reload the page")
    return session, form


async def read_upload(upload: UploadFile | None, config: WebConfig) -> bytes:
    """An uploaded file's bytes, refused when empty or over the size limit."""
    if upload is None or not isinstance(upload, UploadFile):
        raise FollicleInputError("file", "<missing>", "a file to upload")
    data = await upload.read(config.max_upload_bytes + 1)
    if len(data) > config.max_upload_bytes:
        raise FollicleInputError(
            "file size", "too large", f"at most {config.max_upload_bytes // (1024 * 1024)} MiB"
        )
    if not data:
        raise FollicleInputError("file", "<empty>", "a file with content")
    return data
