"""What the page modules share: rendering, the bad-input errors, form numbers, and the
frame of a page's POST (``page_action``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

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


@dataclass
class PageAction:
    """A page's POST: its form (CSRF checked), the settings it works on (the patient's in
    clinic mode), its text fields, and ``extra``, the page's context for the answer, which
    echoes the fields back and receives the result or the bad input's message."""

    request: Request
    form: Any
    config: Any
    fields: dict[str, str]
    extra: dict[str, Any]

    @contextmanager
    def catching(self) -> Iterator[None]:
        """Bad input inside becomes the page's error message (and a 400), not a 500."""
        try:
            yield
        except BAD_INPUT as problem:
            self.extra["error"] = actions.clean_message(problem, self.config)

    def answer(self, template: str, context: Callable[..., dict[str, Any]]) -> Response:
        """The page with the action's result or error: ``context(request, **extra)``."""
        status = 400 if self.extra.get("error") else 200
        return render(self.request, template, context(self.request, **self.extra), status)

    async def uploads(self, name: str, *, limit: int) -> list[bytes]:
        """The files of field ``name`` that were given (at most ``limit`` + 1 are read,
        so that one too many is refused by the action with its own message)."""
        from follicle.web.deps import read_upload

        given = [u for u in self.form.getlist(name) if isinstance(u, UploadFile) and u.filename]
        return [await read_upload(upload, self.config) for upload in given[: limit + 1]]

    def upload_names(self, name: str) -> list[str]:
        """The user's names of the files of field ``name`` (for display only: files are
        stored under names the server makes)."""
        return [
            u.filename for u in self.form.getlist(name) if isinstance(u, UploadFile) and u.filename
        ]


async def page_action(request: Request, *, config=None) -> PageAction:
    """Read and check a page's form; ``config`` defaults to the data the page works on
    (``web_config``: the open patient's in clinic mode)."""
    from follicle.web.deps import checked_form, web_config

    _, form = await checked_form(request)
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    config = web_config(request) if config is None else config
    return PageAction(request, form, config, fields, {"form": fields})
