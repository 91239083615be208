"""The pages: Journal, Plan, Expect, Measure, Trials and the API reference, one module
each. Each POST checks the CSRF token, calls the same action as the API and renders the
result or the error on the page (400 for bad input, never a 500)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from follicle.web.deps import page_session
from follicle.web.pages import expect, journal, measure, plan, reference, trials
from follicle.web.pages.common import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "home.html", {"session": page_session(request), "nav": "home"})


for _page in (journal, plan, expect, measure, trials, reference):
    router.include_router(_page.router)
