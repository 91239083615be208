"""The API page: every endpoint of the OpenAPI schema, rendered here (Swagger UI would
load from a CDN)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from follicle.web.deps import page_session
from follicle.web.pages.common import (
    render,
)

router = APIRouter(include_in_schema=False)


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
