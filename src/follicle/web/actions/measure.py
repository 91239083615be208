"""``follicle analyze``, ``measure`` and ``report visit`` from uploads."""

from __future__ import annotations

from typing import Any

from follicle.errors import FollicleFileError, FollicleInputError
from follicle.web.config import WebConfig
from follicle.web.uploads import UploadStore, sniff_image, sniff_table


def analyze_upload(
    config: WebConfig,
    data: bytes,
    *,
    device: str | None = None,
    um_per_px: float | None = None,
    circle_radius_mm: float | None = None,
    region: str = "unspecified",
    polarity: str = "auto",
    pipeline: str = "classical",
    name: str | None = None,
) -> dict:
    """``follicle analyze --json`` for one uploaded image, stored under a generated name,
    with the overlay (scale bar added) stored beside it: ``{"images": [summary]}``
    (``analyze_stored``; ``name``: the user's file name, shown and used in corrections
    files); a refused upload is not kept."""
    store = UploadStore(config.uploads_dir)
    stored = store.save(data, sniff_image(data))
    try:
        summary = analyze_stored(
            config,
            image=f"/files/{stored}",
            name=name,
            um_per_px=um_per_px,
            device=device,
            circle_radius_mm=circle_radius_mm,
            region=region,
            polarity=polarity,
            pipeline=pipeline,
        )
    except Exception:
        store.path(stored).unlink()
        raise
    return {"images": [summary]}


def display_name(filename: str | None) -> str | None:
    """A user's file name fit to show and to key a corrections file: its last part,
    printable characters only, at most 120 (None when nothing is left)."""
    if not filename:
        return None
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()[:120]
    return base or None


def hair_lines(analysis) -> dict[str, Any]:
    """What the page's correction tool needs to find the hair under a click: each
    hair's number, whether it was found (not added or cut off by hand: only those are
    named in corrections) and its centre line as (x, y) pixels, one point in 6 px."""
    params = analysis.provenance.get("parameters", {})
    found = params.get("hairs_found", len(analysis.hairs))
    lines = []
    for hair_id, runs in analysis.centerlines_px.items():
        points = [[int(c), int(r)] for run in runs for r, c in run[::6]]
        lines.append({"id": int(hair_id), "found": bool(hair_id < found), "points": points})
    return {"found": int(found), "hairs": lines}


def analyze_stored(
    config: WebConfig,
    *,
    image: str,
    corrections=None,
    um_per_px: float | None = None,
    device: str | None = None,
    circle_radius_mm: float | None = None,
    region: str = "unspecified",
    polarity: str = "auto",
    pipeline: str = "classical",
    name: str | None = None,
) -> dict:
    """A stored upload (``image``: its ``/files/`` URL; ``name``: the user's name of the
    file, shown and keying the corrections file, else the stored name) analysed at a
    scale (``um_per_px``, or ``device`` and ``circle_radius_mm``: again, the ones it was
    analysed at), with
    ``corrections`` by hand (``corrections.ImageCorrections``, or None: as found; the
    Measure page reads its fields with ``corrections_from_text``). Returns the image's
    summary as ``follicle analyze --json`` gives it, with the overlay (``source`` and
    ``overlay`` are URLs) and ``hair_lines``; corrected, also the fields
    echoed (``corrections_text``) and ``downloads``: the corrected hairs table (CSV) and
    the corrections file (JSON, tied to the image's SHA-256 and scale; ``follicle
    analyze --corrections`` reads it)."""
    import json
    import uuid

    import numpy as np
    from PIL import Image

    from follicle.measure.correction_text import corrections_text
    from follicle.measure.corrections import CorrectionsFile, image_sha256
    from follicle.measure.image_io import load_image
    from follicle.measure.overlay import render_overlay
    from follicle.measure.scale_bar import draw_scale_bar
    from follicle.measure.scaled_analysis import analyze_scaled
    from follicle.measure.table_io import write_hairs_table

    store = UploadStore(config.uploads_dir)
    stored = stored_image_name(image)
    path = store.path(stored)
    name = display_name(name)
    rgb = load_image(path)  # decompression-bomb and truncation guards
    if corrections is not None:
        corrections = corrections.model_copy(update={"image_sha256": image_sha256(path)})
    analysis, summary = analyze_scaled(
        rgb,
        um_per_px=um_per_px,
        device=device,
        circle_radius_mm=circle_radius_mm,
        region=region,
        polarity=polarity,
        pipeline=pipeline,
        source=f"/files/{stored}",
        corrections=corrections,
    )
    if name is not None:
        summary["name"] = name
    picture = draw_scale_bar(render_overlay(rgb, analysis), um_per_px=analysis.um_per_px)
    overlay_name = f"{uuid.uuid4().hex}.overlay.png"  # each round its own overlay
    with open(config.uploads_dir / overlay_name, "xb") as handle:
        Image.fromarray(np.asarray(picture)).save(handle, format="PNG")
    summary |= {"overlay": f"/files/{overlay_name}", "hair_lines": hair_lines(analysis)}
    if corrections is None:
        return summary
    corrections = corrections.model_copy(update={"um_per_px": analysis.um_per_px})
    table_name = store.save(b"", ".csv")
    write_hairs_table(analysis.hairs, store.path(table_name), suffix=".csv")
    record = CorrectionsFile(images={name or stored: corrections})
    file_name = store.save(
        json.dumps(record.model_dump(exclude_none=True), indent=2).encode(), ".json"
    )
    summary |= {
        "corrections_text": corrections_text(corrections),
        "downloads": {
            "hairs": f"/measure/download/{table_name}",
            "corrections": f"/measure/download/{file_name}",
        },
    }
    return summary


def correct_uploads(
    config: WebConfig,
    images: list[tuple[str, Any]],
    *,
    names: list[str | None] | None = None,
    **options,
) -> dict:
    """Several analysed images again, each with its corrections (``(image URL,
    ImageCorrections or None)`` pairs; ``names``: the user's file names) at one scale
    (``analyze_stored``'s options): ``{"images": [summary, ...]}``; a refused correction
    names its image."""
    if not 1 <= len(images) <= MAX_IMAGES:
        raise FollicleInputError("images", len(images), f"1 to {MAX_IMAGES} images")
    names = names or [None] * len(images)
    summaries = []
    for index, ((image, corrections), name) in enumerate(zip(images, names, strict=True), 1):
        try:
            summaries.append(
                analyze_stored(config, image=image, corrections=corrections, name=name, **options)
            )
        except (FollicleInputError, FollicleFileError) as error:
            if len(images) == 1:
                raise
            raise FollicleInputError.from_message(f"image {index}: {error}") from None
    return {"images": summaries}


def stored_image_name(image: str) -> str:
    """The stored name of an uploaded image from its ``/files/`` URL (not an overlay)."""
    name = image.removeprefix("/files/")
    if ".overlay." in name:
        raise FollicleInputError("image", name, "an uploaded image, not an overlay")
    return name


#: Images analysed in one request (each takes seconds).
MAX_IMAGES = 10


def analyze_uploads(
    config: WebConfig, blobs: list[bytes], *, names: list[str] | None = None, **options
) -> dict:
    """Several images at one scale: ``{"images": [summary, ...]}`` as ``follicle analyze
    --json`` prints them (``names``: the user's file names, shown); a refused image names
    its place in the upload."""
    if not 1 <= len(blobs) <= MAX_IMAGES:
        raise FollicleInputError("images", len(blobs), f"1 to {MAX_IMAGES} images")
    names = list(names or [])[: len(blobs)]
    names += [None] * (len(blobs) - len(names))
    images = []
    for index, (blob, name) in enumerate(zip(blobs, names, strict=True), start=1):
        try:
            images.extend(analyze_upload(config, blob, name=name, **options)["images"])
        except (FollicleInputError, FollicleFileError) as error:
            if len(blobs) == 1:
                raise
            raise FollicleInputError.from_message(f"image {index}: {error}") from None
    return {"images": images}


def visit_report_upload(
    config: WebConfig,
    current: list[bytes],
    previous: list[bytes] | None = None,
    *,
    um_per_px: float | None = None,
    device: str | None = None,
    region: str = "unspecified",
    patient: str | None = None,
) -> dict:
    """``follicle report visit`` from uploaded images: this visit and, when given, a
    previous visit of the same site (changes with 95% intervals, hairs matched one by
    one). The self-contained HTML report is kept as ``reports/<id>.html``; returns
    ``{"report_id", **report.to_dict()}`` (the CLI's ``--json`` with the id for output)."""
    import uuid

    from follicle.report.visit_data import ScaleSpec, visit_from_images
    from follicle.report.visit_report import build_visit_report

    previous = previous or []
    if not 1 <= len(current) <= MAX_IMAGES or len(previous) > MAX_IMAGES:
        raise FollicleInputError(
            "images", f"{len(current)} + {len(previous)}", f"1 to {MAX_IMAGES} per visit"
        )
    if patient is not None and len(patient) > 200:
        raise FollicleInputError("patient", patient[:20] + "...", "at most 200 characters")
    scale = ScaleSpec(um_per_px=um_per_px, device=device)
    store = UploadStore(config.uploads_dir)
    saved: list[list] = []
    for blobs in (current, previous):
        saved.append([store.path(store.save(b, sniff_image(b))) for b in blobs])
    now = visit_from_images(saved[0], scale=scale, region=region, label="this visit")
    before = None
    if saved[1]:
        before = visit_from_images(saved[1], scale=scale, region=region, label="previous visit")
    report = build_visit_report(now, previous=before, patient=patient)
    report_id = uuid.uuid4().hex
    reports = config.data_dir / "reports"
    reports.mkdir(exist_ok=True, mode=0o700)
    report.write(reports / f"{report_id}.html")
    return {"report_id": report_id, **report.to_dict()}


def measure_table_upload(
    config: WebConfig,
    data: bytes,
    *,
    area_cm2: float,
    yellow_dots: int | None = None,
    region: str | None = None,
    occipital: bytes | None = None,
    occipital_area_cm2: float | None = None,
    frontal_images: int = 4,
) -> dict:
    """``follicle measure --json`` for an uploaded hairs table: ``{"metrics": {...}}``;
    with an ``occipital`` table the first is the frontal site and the Rakowska 2009
    criteria are added (``"occipital"``, ``"criteria"``: decision support)."""
    from follicle.measure.criteria import rakowska_criteria
    from follicle.measure.metrics import measure

    tables = _stored_tables(config, [data] + ([occipital] if occipital else []))
    metrics = measure(tables[0], area_cm2=area_cm2, yellow_dots=yellow_dots, region=region)
    payload: dict[str, Any] = {"metrics": metrics.to_dict()}
    if occipital:
        if not 1 <= frontal_images <= 100:
            raise FollicleInputError("frontal_images", frontal_images, "a whole number 1-100")
        area = occipital_area_cm2 if occipital_area_cm2 is not None else area_cm2
        occ = measure(tables[1], area_cm2=area)
        report = rakowska_criteria(
            frontal=metrics, occipital=occ, frontal_image_count=frontal_images
        )
        payload["occipital"] = occ.to_dict()
        payload["criteria"] = report.to_dict()
    return payload


def _stored_tables(config: WebConfig, blobs: list[bytes]):
    """Store each upload under a generated name and read it as a hairs table; refused
    uploads are deleted again."""
    from follicle.measure.table_io import read_hairs_table

    store = UploadStore(config.uploads_dir)
    names = []
    try:
        tables = []
        for blob in blobs:
            names.append(store.save(blob, sniff_table(blob)))
            tables.append(read_hairs_table(store.path(names[-1])))
        return tables
    except Exception:
        for name in names:
            (config.uploads_dir / name).unlink(missing_ok=True)
        raise
