"""The Expect page: projection bands per regimen against no treatment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from follicle.errors import FollicleInputError
from follicle.jsonable import to_jsonable
from follicle.web import actions
from follicle.web.deps import heavy, page_session, web_config
from follicle.web.followed import followed_plan
from follicle.web.pages.common import optional_number, page_action, render

router = APIRouter(include_in_schema=False)


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

    action = await page_action(request)
    form, config, fields = action.form, action.config, action.fields
    with action.catching():
        years = optional_number(form, "years")
        futures = optional_number(form, "futures")
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
        action.extra["result"] = {
            "chart": projection_chart(payload["bands"]),
            "rows": projection_rows(payload["bands"], years=years),
            "years": years,
            "blocked": payload["blocked"],
            "provenance": payload["provenance"],
        }
    return action.answer("expect.html", _expect_context)
