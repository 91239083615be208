"""The Measure page: images (overlay, metrics), hairs tables (criteria), visit reports;
saving a measurement to the journal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from follicle.errors import FollicleInputError
from follicle.jsonable import to_jsonable
from follicle.web import actions
from follicle.web.deps import checked_form, heavy, page_session, read_upload, web_config
from follicle.web.pages.common import (
    REGIONS,
    PageAction,
    optional_number,
    page_action,
    render,
    whole_number,
)
from follicle.web.uploads import UploadStore

router = APIRouter(include_in_schema=False)


# --- measure -------------------------------------------------------------------------


def _measure_context(request: Request, **extra) -> dict[str, Any]:
    from follicle.measure.calibration import DEVICE_PRESETS
    from follicle.measure.known_accuracy import ANALYSER_ON_REAL_IMAGES

    return {
        "analyser_accuracy": ANALYSER_ON_REAL_IMAGES,
        "session": page_session(request),
        "nav": "measure",
        "devices": list(DEVICE_PRESETS),
        "regions": REGIONS,
        "form": {},
        "results": [],
        "table_result": None,
        "criteria": None,
        "visit": None,
        "visits": actions.list_visits(web_config(request)),
        "saved": None,
        "compared": None,
        "error": None,
    } | extra


def _measure_page(action: PageAction) -> Response:
    """The Measure page with an action's result or error (400 when there is an error)."""
    return action.answer("measure.html", _measure_context)


@router.get("/measure")
def measure_page(request: Request) -> Response:
    return render(request, "measure.html", _measure_context(request))


@router.post("/measure/image")
async def measure_image(request: Request) -> Response:
    action = await page_action(request)
    form, config, fields = action.form, action.config, action.fields
    with action.catching():
        scale_kind = fields.get("scale", "device")
        um_per_px = optional_number(form, "um_per_px") if scale_kind == "um_per_px" else None
        device = fields.get("device") if scale_kind == "device" else None
        blobs = await action.uploads("image", limit=actions.MAX_IMAGES)
        if not blobs:
            raise FollicleInputError("image", "<missing>", "an image file to upload")
        result = await heavy(
            request,
            actions.analyze_uploads,
            config,
            blobs,
            names=action.upload_names("image"),
            device=device or None,
            um_per_px=um_per_px,
            circle_radius_mm=optional_number(form, "circle_radius_mm"),
            region=fields.get("region") or "unspecified",
            polarity=fields.get("polarity") or "auto",
            pipeline=fields.get("pipeline") or "classical",
        )
        action.extra["results"] = to_jsonable(result["images"])
    return _measure_page(action)


def _corrected_images(fields: dict[str, str]) -> list[tuple[str, Any]]:
    """The analysed images of a corrections form (``image-0``, ``image-1`` ...), each
    with its corrections typed or clicked (``remove-k``, ``add-k``, ``split-k``; None
    when all are empty: the image as found)."""
    from follicle.measure.correction_text import corrections_from_text

    images = []
    for k in range(actions.MAX_IMAGES + 1):
        image = fields.get(f"image-{k}")
        if image is None:
            break
        texts = {part: fields.get(f"{part}-{k}", "") for part in ("remove", "add", "split")}
        try:
            corrections = corrections_from_text(**texts) if any(texts.values()) else None
        except FollicleInputError as error:
            raise FollicleInputError.from_message(f"image {k + 1}: {error}") from None
        images.append((image, corrections))
    if not images:
        raise FollicleInputError("image", "<missing>", "an analysed image to correct")
    return images


def _scale_fields(form, fields: dict[str, str]) -> dict[str, Any]:
    """The scale the images were analysed at, as the image form gave it."""
    if fields.get("scale") == "um_per_px":
        return {"um_per_px": optional_number(form, "um_per_px")}
    return {
        "device": fields.get("device") or "video-70x",
        "circle_radius_mm": optional_number(form, "circle_radius_mm"),
    }


@router.post("/measure/correct")
async def measure_correct(request: Request) -> Response:
    """The analysed images again, with hairs removed, added or split by hand."""
    action = await page_action(request)
    form, fields = action.form, action.fields
    with action.catching():
        images = _corrected_images(fields)
        result = await heavy(
            request,
            actions.correct_uploads,
            action.config,
            images,
            names=[fields.get(f"name-{k}") or None for k in range(len(images))],
            **_scale_fields(form, fields),
            region=fields.get("region") or "unspecified",
            polarity=fields.get("polarity") or "auto",
            pipeline=fields.get("pipeline") or "classical",
        )
        action.extra["results"] = to_jsonable(result["images"])
    return _measure_page(action)


@router.post("/measure/visits/analysed")
async def visit_save_analysed(request: Request) -> Response:
    """Save the images just analysed, with their corrections by hand, as a visit."""
    action = await page_action(request)
    form, fields = action.form, action.fields
    with action.catching():
        action.extra["saved"] = to_jsonable(
            await heavy(
                request,
                actions.save_analysed_visit,
                action.config,
                _corrected_images(fields),
                **_scale_fields(form, fields),
                region=fields.get("region") or "unspecified",
                visit_date=fields.get("visit_date") or None,
                label=fields.get("label") or None,
            )
        )
    return _measure_page(action)


@router.get("/measure/download/{name}")
def measure_download(request: Request, name: str) -> Response:
    """A corrected hairs table (.csv) or corrections file (.json) made here."""
    from fastapi.responses import FileResponse

    page_session(request)
    kinds = {
        ".csv": ("text/csv", "hairs-corrected.csv"),
        ".json": ("application/json", "corrections.json"),
    }
    path = UploadStore(web_config(request).uploads_dir).path(name)
    if path.suffix not in kinds:
        raise FollicleInputError("file", name, "a corrected table or corrections file made here")
    media, filename = kinds[path.suffix]
    return FileResponse(
        path,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/measure/hairs")
async def measure_hairs(request: Request) -> Response:
    action = await page_action(request)
    form, config, fields = action.form, action.config, action.fields
    with action.catching():
        area = optional_number(form, "area_cm2")
        if area is None:
            raise FollicleInputError("area_cm2", "<missing>", "the area counted, in cm2")
        dots = whole_number(form, "yellow_dots")
        images = whole_number(form, "frontal_images")
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
            occipital_area_cm2=optional_number(form, "occipital_area_cm2"),
            frontal_images=4 if images is None else images,
        )
        action.extra["table_result"] = to_jsonable(result["metrics"])
        action.extra["criteria"] = to_jsonable(result.get("criteria"))
    return _measure_page(action)


@router.post("/measure/visit")
async def measure_visit(request: Request) -> Response:
    """A visit report: this visit's images and, optionally, the previous visit's."""
    action = await page_action(request)
    form, config, fields = action.form, action.config, action.fields
    with action.catching():
        blobs = {}
        for name in ("current", "previous"):
            blobs[name] = await action.uploads(name, limit=actions.MAX_IMAGES)
        if not blobs["current"]:
            raise FollicleInputError("this visit", "<missing>", "images of this visit")
        use_device = fields.get("visit_scale") == "device"
        report = await heavy(
            request,
            actions.visit_report_upload,
            config,
            blobs["current"],
            blobs["previous"],
            um_per_px=None if use_device else optional_number(form, "visit_um_per_px"),
            device=fields.get("visit_device") if use_device else None,
            region=fields.get("visit_region") or "unspecified",
            patient=fields.get("patient") or None,
        )
        action.extra["visit"] = to_jsonable(report)
    return _measure_page(action)


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


@router.post("/measure/visits")
async def visit_save(request: Request) -> Response:
    """Save this visit (its images, scale, region and date) to the visit history."""
    action = await page_action(request)
    form, config, fields = action.form, action.config, action.fields
    with action.catching():
        blobs = await action.uploads("image", limit=actions.MAX_IMAGES)
        if not blobs:
            raise FollicleInputError("image", "<missing>", "the visit's images")
        use_device = fields.get("save_scale") == "device"
        action.extra["saved"] = to_jsonable(
            await heavy(
                request,
                actions.save_visit,
                config,
                blobs,
                um_per_px=None if use_device else optional_number(form, "save_um_per_px"),
                device=fields.get("save_device") if use_device else None,
                region=fields.get("save_region") or "unspecified",
                visit_date=fields.get("visit_date") or None,
                label=fields.get("label") or None,
            )
        )
    return _measure_page(action)


@router.post("/measure/compare")
async def visit_compare(request: Request) -> Response:
    """Two saved visits side by side: overlays, changes, matched hairs, the report."""
    action = await page_action(request)
    with action.catching():
        action.extra["compared"] = to_jsonable(
            await heavy(
                request,
                actions.compare_saved_visits,
                action.config,
                action.fields.get("first", ""),
                action.fields.get("second", ""),
            )
        )
    return _measure_page(action)


def _report_download(path, filename: str) -> Response:
    from fastapi.responses import FileResponse

    return FileResponse(
        path,
        media_type="text/html",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/visits/{visit_id}/correct")
async def saved_visit_to_correct(request: Request, visit_id: str) -> Response:
    """A saved visit's images on the Measure page, with its corrections by hand, to
    correct further and save as a new visit."""
    page_session(request)
    found = await heavy(request, actions.visit_to_correct, web_config(request), visit_id)
    context = _measure_context(request, results=to_jsonable(found["results"]), form=found["form"])
    return render(request, "measure.html", context)


@router.get("/visits/{visit_id}/report")
async def saved_visit_report(request: Request, visit_id: str) -> Response:
    """A saved visit's report (drawn on the first download: figures take seconds)."""
    page_session(request)
    config = web_config(request)
    path = await heavy(request, actions.visit_report_file, config, visit_id)
    return _report_download(path, f"visit-{visit_id[:8]}.html")


@router.get("/visits/compare/{first}/{second}/report")
async def comparison_report(request: Request, first: str, second: str) -> Response:
    """Two saved visits' comparison report (``report visit --previous``)."""
    page_session(request)
    config = web_config(request)
    path = await heavy(request, actions.comparison_report_file, config, first, second)
    return _report_download(path, f"visits-{first[:8]}-{second[:8]}.html")
