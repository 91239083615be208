"""``create_app``: the FastAPI application behind ``follicle serve``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from follicle import __version__
from follicle.care.findings import DISCLAIMER
from follicle.errors import FollicleFileError, FollicleInputError
from follicle.trials.predictive import NOT_JUDGED_NOTE
from follicle.web.config import WebConfig
from follicle.web.deps import (
    ChoosePatientError,
    LoginRequiredError,
    current_session,
    page_session,
    sessions,
    web_config,
)
from follicle.web.job_store import SQLiteJobStore
from follicle.web.jobs import JobQueue
from follicle.web.limits import HeavyWork
from follicle.web.security import (
    CSRF_FIELD,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    SESSION_SECONDS,
    Sessions,
    same_secret,
)
from follicle.web.uploads import UploadStore

HERE = Path(__file__).parent
log = logging.getLogger("follicle.web")


class SecurityHeaders:
    """Adds the security headers to every response; refuses bodies over the size limit
    (by Content-Length, before anything is read)."""

    def __init__(self, app, *, max_body_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.decode().lower() not in SECURITY_HEADERS
                ]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                if scope["path"] != "/healthz" and not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        length = dict(scope.get("headers", [])).get(b"content-length", b"0")
        too_large = not length.isdigit() or int(length) > self.max_body_bytes
        if too_large:
            limit = self.max_body_bytes // (1024 * 1024)
            response = JSONResponse(
                {"error": f"request body too large; at most about {limit} MiB"}, status_code=413
            )
            return await response(scope, receive, send_with_headers)
        return await self.app(scope, receive, send_with_headers)


def host_name(header: str) -> str:
    """The name in a ``Host`` header without its port: ``[::1]:8765`` -> ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):  # an IPv6 literal, bracketed (RFC 3986)
        end = header.find("]")
        return header[1:end] if end > 0 else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class HostCheck:
    """Refuses requests whose ``Host`` is not one of the allowed names (DNS rebinding);
    unlike Starlette's TrustedHostMiddleware, which keeps the brackets (``[::1]``) and so
    never matched ``::1``, it reads IPv6 literals (``[::1]:8765``)."""

    def __init__(self, app, *, allowed_hosts: tuple[str, ...]):
        self.app = app
        self.any = "*" in allowed_hosts
        self.allowed = {h.strip("[]").lower() for h in allowed_hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or self.any:
            return await self.app(scope, receive, send)
        header = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
        if host_name(header) in self.allowed:
            return await self.app(scope, receive, send)
        response = Response("Invalid host header", status_code=400, media_type="text/plain")
        return await response(scope, receive, send)


def create_app(config: WebConfig) -> FastAPI:
    """The app for one data directory and login token (``follicle serve`` makes both)."""
    from follicle.web import api, pages

    config.prepare()
    app = FastAPI(
        title="follicle",
        version=__version__,
        description=(
            "The JSON API of `follicle serve`: the same payloads as the command line's "
            f"--json. {DISCLAIMER}"
        ),
        docs_url=None,  # Swagger UI loads from a CDN: the API page renders the schema itself
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.config = config
    app.state.sessions = Sessions(config.sessions_path)
    if config.clinic:
        from follicle.web.accounts import Accounts

        app.state.accounts = Accounts(config.accounts_path)
        # password checks cost 64 MiB and tens of ms each (argon2): few at once, and a
        # few a minute per user name (guessing)
        app.state.logins = HeavyWork(
            max_running=2, max_waiting=8, rate_per_minute=10, what="logins"
        )
    app.state.heavy = HeavyWork()
    app.state.jobs = JobQueue(store=SQLiteJobStore(config.jobs_path))
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        disclaimer=DISCLAIMER,
        version=__version__,
        csrf_field=CSRF_FIELD,
        not_judged_note=NOT_JUDGED_NOTE,
    )
    templates.env.filters["num"] = lambda value, fmt="%.1f": "-" if value is None else fmt % value
    templates.env.filters["day"] = lambda seconds: (
        f"{datetime.fromtimestamp(seconds, UTC):%Y-%m-%d}"
    )
    templates.env.globals["clinic"] = config.clinic
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    api.include(app, clinic=config.clinic)
    app.include_router(pages.router)
    if config.clinic:
        from follicle.web import clinic

        app.include_router(clinic.router)
        app.include_router(clinic.api_router)

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def error_page(request: Request, message: str, status: int) -> Response:
        session = current_session(request)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"message": message, "status": status, "session": session},
            status_code=status,
        )

    @app.exception_handler(FollicleInputError)
    @app.exception_handler(FollicleFileError)
    async def bad_input(request: Request, error: Exception) -> Response:
        from follicle.web.actions import clean_message

        message = clean_message(error, config)
        if is_api(request):
            return JSONResponse({"error": message}, status_code=400)
        return error_page(request, message, 400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if is_api(request) or request.url.path.startswith("/files/"):
            return JSONResponse({"error": error.detail}, status_code=error.status_code)
        return error_page(request, str(error.detail), error.status_code)

    @app.exception_handler(404)
    async def not_found(request: Request, error: Exception) -> Response:
        if is_api(request):
            return JSONResponse({"error": "no such endpoint"}, status_code=404)
        return error_page(request, "No such page.", 404)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}"
            for e in error.errors()
        )
        if is_api(request):
            detail = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors()]
            return JSONResponse({"error": problems, "detail": detail}, status_code=422)
        return error_page(request, problems, 422)

    @app.exception_handler(ChoosePatientError)
    async def choose_patient(request: Request, error: ChoosePatientError) -> Response:
        if is_api(request):
            message = "choose a patient first: /api/v1/patients/{id}/... (GET /api/v1/patients)"
            return JSONResponse({"error": message}, status_code=400)
        return RedirectResponse("/patients", status_code=303)

    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, error: LoginRequiredError) -> Response:
        return templates.TemplateResponse(
            request, "login.html", {"session": None, "failed": False}, status_code=401
        )

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        message = "internal error (a bug; the server log has the details)"
        if is_api(request):
            return JSONResponse({"error": message}, status_code=500)
        return error_page(request, message, 500)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/login", include_in_schema=False)
    def login(request: Request, token: str | None = None) -> Response:
        if config.clinic:
            from follicle.web.clinic import login_form

            return login_form(request)
        if token is not None and same_secret(token, config.login_token):
            response = RedirectResponse("/", status_code=303)  # the token leaves the address
            response.set_cookie(
                SESSION_COOKIE,
                sessions(request).create(),
                max_age=SESSION_SECONDS,
                httponly=True,
                secure=config.secure_cookies,
                samesite="strict",
                path="/",
            )
            return response
        return templates.TemplateResponse(
            request,
            "login.html",
            {"session": None, "failed": token is not None},
            status_code=401 if token is not None else 200,
        )

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        from follicle.web.deps import checked_form

        await checked_form(request)
        sessions(request).end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/files/{name}", include_in_schema=False)
    def stored_file(request: Request, name: str) -> Response:
        page_session(request)
        media = {".png": "image/png", ".jpg": "image/jpeg", ".tif": "image/tiff"}
        try:
            path = UploadStore(web_config(request).uploads_dir).path(name)
        except FollicleInputError:
            raise HTTPException(404, "no such file") from None
        if path.suffix not in media:  # images only: tables are not served back
            raise HTTPException(404, "no such file")
        return FileResponse(path, media_type=media[path.suffix])

    app.add_middleware(HostCheck, allowed_hosts=config.allowed_hosts)
    app.add_middleware(SecurityHeaders, max_body_bytes=config.max_upload_bytes + 1024 * 1024)
    return app
