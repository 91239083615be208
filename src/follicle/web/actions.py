"""Requests -> library calls, shared by the pages and the API (the web layer only
translates, as the command line does). Every function raises ``FollicleInputError`` or
``FollicleFileError`` on bad input; the routes turn those into a message and a 4xx."""

from __future__ import annotations

import math
import threading
from datetime import UTC, date, datetime
from typing import Any

from follicle.care.journal.listing import journal_listing
from follicle.care.journal.service import Journal, Logged
from follicle.care.journal.stats import journal_stats
from follicle.care.timezones import local_zone_name, parse_date, zone
from follicle.config_io import parse_toml_text
from follicle.errors import FollicleFileError, FollicleInputError
from follicle.web.config import MAX_TOML_BYTES, WebConfig
from follicle.web.uploads import UploadStore, sniff_image, sniff_table

# --- journal -------------------------------------------------------------------------


def number_field(fields: dict, name: str) -> float | None:
    """The number typed in field ``name`` (None when empty); text is a FollicleInputError."""
    text = (fields.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise FollicleInputError(name, text, "a number") from None
    if not math.isfinite(value):
        raise FollicleInputError(name, text, "a finite number")
    return value


def _text(fields: dict, name: str) -> str | None:
    text = (fields.get(name) or "").strip()
    return text or None


def details_from_form(kind: str, fields: dict[str, str]) -> dict[str, Any]:
    """The details of a journal entry from the one short form's fields (empty = not given)."""
    if kind == "application":
        details = {
            "medicine": _text(fields, "medicine"),
            "route": _text(fields, "route"),
            "dose_mg": number_field(fields, "dose_mg"),
            "concentration_percent": number_field(fields, "concentration_percent"),
        }
    elif kind == "session":
        region = _text(fields, "region")
        details = {
            "device": _text(fields, "device") or "roller-1",
            "needle_mm": number_field(fields, "needle_mm"),
            "duration_minutes": number_field(fields, "duration_minutes"),
            "regions": [region] if region else [],
        }
    elif kind == "symptom":
        details = {"symptom": _text(fields, "symptom"), "severity": _text(fields, "severity")}
    elif kind == "measurement":
        metric = _text(fields, "metric")
        value = number_field(fields, "value")
        if metric is None or value is None:
            raise FollicleInputError(
                "metric", f"{metric}={value}", "a metric name and its value, e.g. 182"
            )
        details = {"metrics": {metric: value}, "region": _text(fields, "region")}
    else:
        raise FollicleInputError(
            "kind", kind, "application, session, symptom or measurement (this form)"
        )
    return {k: v for k, v in details.items() if v is not None}


def log_entry(
    config: WebConfig,
    kind: str,
    details: dict[str, Any],
    *,
    at: str | None = None,
    tz: str | None = None,
    note: str = "",
) -> Logged:
    """``follicle journal log``: validate, apply the rules, store. Writes to one journal
    take turns in this process (a lock), rather than racing for SQLite's write lock until
    its busy timeout runs out under many concurrent clients."""
    with _write_lock(config.journal_path), Journal.open(config.journal_path) as journal:
        return journal.log(kind, details, at=at or None, tz=tz or None, note=note or "")


def void_entry(config: WebConfig, reference: str, *, reason: str) -> dict:
    """``follicle journal void``: the entry stays stored but no longer counts; returns
    ``{"voided": entry, "void": void}`` as ``journal void --json``."""
    if not config.journal_path.exists():
        raise FollicleInputError("entry", reference, "the # or uid of a journal entry")
    with (
        _write_lock(config.journal_path),
        Journal.open(config.journal_path, create=False) as journal,
    ):
        target = journal.find(reference)
        done = journal.void(reference, reason=reason)
    return {"voided": target.to_dict(), "void": done.to_dict()}


_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(path) -> threading.Lock:
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(str(path), threading.Lock())


def list_entries(
    config: WebConfig, *, kinds: list[str] | None = None, limit: int = 50, show_all: bool = False
) -> dict:
    """``follicle journal show --json`` (an empty list before the first entry)."""
    if not 1 <= limit <= 10_000:
        raise FollicleInputError("limit", limit, "a whole number from 1 to 10000")
    from follicle.care.journal.entries import KINDS

    for kind in kinds or []:
        if kind not in KINDS:
            raise FollicleInputError("kind", kind, f"one of {list(KINDS)}")
    if not config.journal_path.exists():
        return {"db": str(config.journal_path), "entries": []}
    with Journal.open(config.journal_path, create=False) as journal:
        return journal_listing(journal, kinds=kinds or None, limit=limit, include_voided=show_all)


def history(config: WebConfig, *, limit: int = 100) -> list[dict]:
    """The newest entries first, each as its payload plus ``what`` (one line for people)
    and ``local`` (its time in its own zone)."""
    from follicle.care.journal.entries import describe

    if not config.journal_path.exists():
        return []
    with Journal.open(config.journal_path, create=False) as journal:
        entries = journal.entries(limit=limit, newest_first=True)
    return [
        entry.to_dict()
        | {
            "what": describe(entry),
            "local": f"{entry.at.astimezone(zone(entry.tz)):%a %d %b %Y %H:%M} ({entry.tz})",
        }
        for entry in entries
    ]


def stats(
    config: WebConfig,
    *,
    regimen_toml: str | None = None,
    start: str | None = None,
    tz: str | None = None,
) -> dict:
    """``follicle journal stats --json``: counts, devices and, given a regimen and its
    day 0, adherence and streaks per treatment."""
    from follicle.regimen import parse_regimen

    if bool(regimen_toml) != bool(start):
        raise FollicleInputError(
            "regimen / start", "one given", "both (the plan and its day 0) or neither"
        )
    zone_name = tz or local_zone_name()
    zone(zone_name)
    plan = parse_regimen(toml_dict(regimen_toml, "regimen")) if regimen_toml else None
    day0 = parse_date(start, field="start") if start else None
    entries = []
    if config.journal_path.exists():
        with Journal.open(config.journal_path, create=False) as journal:
            entries = journal.entries()
    result = journal_stats(entries, regimen=plan, start=day0, tz=zone_name, until=datetime.now(UTC))
    return result.to_dict()


# --- plan ----------------------------------------------------------------------------


def toml_dict(text: str | None, source: str) -> dict:
    if text is None or not text.strip():
        raise FollicleInputError(source, "<empty>", f"the {source} as TOML text")
    if len(text.encode("utf-8")) > MAX_TOML_BYTES:
        raise FollicleInputError(source, "too long", f"at most {MAX_TOML_BYTES // 1024} KiB")
    return parse_toml_text(text, source=source)


def plan_models(regimen_toml: str, person_toml: str | None):
    from follicle.person import parse_person
    from follicle.regimen import parse_regimen

    regimen = parse_regimen(toml_dict(regimen_toml, "regimen"), source="regimen")
    person = None
    if person_toml and person_toml.strip():
        person = parse_person(toml_dict(person_toml, "person"), source="person")
    return regimen, person


def check_plan_text(regimen_toml: str, person_toml: str | None = None):
    """``follicle plan check``: the findings for a regimen (and person) given as TOML."""
    from follicle.care.plan import check_plan

    regimen, person = plan_models(regimen_toml, person_toml)
    return check_plan(regimen, person=person)


def plan_calendar_text(
    regimen_toml: str,
    person_toml: str | None = None,
    *,
    start: str | date | None = None,
    tz: str | None = None,
    days: int | None = None,
):
    """``follicle plan calendar``: raises ``PlanBlockedError`` when a rule blocks the plan."""
    from follicle.care.calendar import plan_calendar

    day0 = start if isinstance(start, date) else parse_date(start or "", field="start")
    zone_name = tz or local_zone_name()
    zone(zone_name)
    if days is not None and not 1 <= days <= 3660:
        raise FollicleInputError("days", days, "a whole number of days from 1 to 3660")
    regimen, person = plan_models(regimen_toml, person_toml)
    return plan_calendar(regimen, start=day0, tz=zone_name, days=days, person=person)


# --- expect --------------------------------------------------------------------------

#: The web keeps projections quick: at most this many futures and years.
MAX_FUTURES = 200
MAX_YEARS = 10


def projection(
    config: WebConfig,
    person_toml: str,
    regimen_tomls: list[str],
    *,
    years: float,
    futures: int = 40,
    seed: int | None = None,
    from_journal: bool = False,
):
    """``follicle project``: bands under each regimen and under no treatment. A regimen a
    rule blocks for the person is not projected (``Projection.blocked``)."""
    from follicle.care.projection import anchor_from_journal, project
    from follicle.person import parse_person
    from follicle.regimen import parse_regimen

    if not 0 < years <= MAX_YEARS:
        raise FollicleInputError("years", years, f"a number of years in (0, {MAX_YEARS}]")
    if not 5 <= futures <= MAX_FUTURES:
        raise FollicleInputError("futures", futures, f"a whole number from 5 to {MAX_FUTURES}")
    person = parse_person(toml_dict(person_toml, "person"), source="person")
    regimens = {}
    for index, text in enumerate(t for t in regimen_tomls if t and t.strip()):
        regimen = parse_regimen(toml_dict(text, "regimen"), source=f"regimen {index + 1}")
        regimens[regimen.name if regimen.name not in regimens else f"regimen {index + 1}"] = regimen
    anchor = None
    if from_journal:
        if config.journal_path.exists():
            with Journal.open(config.journal_path, create=False) as journal:
                anchor = anchor_from_journal(journal)
        if anchor is None:
            raise FollicleInputError(
                "from journal",
                "no measurement",
                "a journal measurement with a region and a density (e.g. density_per_cm2)",
            )
    return project(person, regimens, years=years, futures=futures, random_seed=seed, anchor=anchor)


# --- trials --------------------------------------------------------------------------

#: The web runs trials in its own process, one at a time: at most this many per arm.
MAX_TRIAL_PER_ARM = 2000


def parse_trial_text(trial_toml: str, *, n_per_arm: int | None = None, seed: int | None = None):
    """A trial file given as text. Arms must carry their treatments inline: a
    ``regimen = "FILE"`` would read a path on the server, so it is refused."""
    from follicle.trials.trial_file import parse_trial

    data = toml_dict(trial_toml, "trial")
    for index, arm in enumerate(data.get("arm") or []):
        if isinstance(arm, dict) and "regimen" in arm:
            raise FollicleInputError(
                f"arm[{index}].regimen",
                arm["regimen"],
                "[[arm.treatment]] tables in the file (files cannot be referenced here)",
            )
    trial = parse_trial(data, source="trial")
    if n_per_arm is not None:
        trial = trial.model_copy(update={"n_per_arm": n_per_arm})
    if not 1 <= trial.n_per_arm <= MAX_TRIAL_PER_ARM:
        raise FollicleInputError(
            "n_per_arm", trial.n_per_arm, f"1 to {MAX_TRIAL_PER_ARM} here (the CLI runs more)"
        )
    if seed is None and trial.seed is None:
        raise FollicleInputError("seed", None, "a seed (none in the trial file)")
    if seed is not None and not 0 <= seed < 2**63:
        raise FollicleInputError("seed", seed, "a whole number >= 0")
    return trial, seed


def run_trial_job(config: WebConfig, trial, seed: int | None, job_id: str, progress) -> dict:
    """``follicle trial --json`` with its HTML report written beside the uploads."""
    from follicle.report.trial_report import write_trial_report
    from follicle.trials.run import run_trial

    result = run_trial(trial, seed=seed, progress=progress)
    reports = config.data_dir / "reports"
    reports.mkdir(exist_ok=True, mode=0o700)
    write_trial_report(result, reports / f"{job_id}.html")
    return result.to_dict()


# --- measure -------------------------------------------------------------------------


def analyze_upload(
    config: WebConfig,
    data: bytes,
    *,
    device: str | None = None,
    um_per_px: float | None = None,
    circle_radius_mm: float | None = None,
    region: str = "unspecified",
    polarity: str = "auto",
) -> dict:
    """``follicle analyze --json`` for one uploaded image, with the overlay (scale bar
    added) stored beside it: ``{"images": [summary]}``; ``source`` and ``overlay`` are
    the stored files' URLs."""
    import numpy as np
    from PIL import Image

    from follicle.measure.image_io import load_image
    from follicle.measure.overlay import render_overlay
    from follicle.measure.scale_bar import draw_scale_bar
    from follicle.measure.scaled_analysis import analyze_scaled

    store = UploadStore(config.uploads_dir)
    name = store.save(data, sniff_image(data))
    try:
        rgb = load_image(store.path(name))  # decompression-bomb and truncation guards
        analysis, summary = analyze_scaled(
            rgb,
            um_per_px=um_per_px,
            device=device,
            circle_radius_mm=circle_radius_mm,
            region=region,
            polarity=polarity,
            source=f"/files/{name}",
        )
    except Exception:
        store.path(name).unlink()  # a refused upload is not kept
        raise
    picture = draw_scale_bar(render_overlay(rgb, analysis), um_per_px=analysis.um_per_px)
    overlay_name = name.rsplit(".", 1)[0] + ".overlay.png"
    with open(config.uploads_dir / overlay_name, "xb") as handle:
        Image.fromarray(np.asarray(picture)).save(handle, format="PNG")
    summary["overlay"] = f"/files/{overlay_name}"
    return {"images": [summary]}


#: Images analysed in one request (each takes seconds).
MAX_IMAGES = 10


def analyze_uploads(config: WebConfig, blobs: list[bytes], **options) -> dict:
    """Several images at one scale: ``{"images": [summary, ...]}`` as ``follicle analyze
    --json`` prints them; a refused image names its place in the upload."""
    if not 1 <= len(blobs) <= MAX_IMAGES:
        raise FollicleInputError("images", len(blobs), f"1 to {MAX_IMAGES} images")
    images = []
    for index, blob in enumerate(blobs, start=1):
        try:
            images.extend(analyze_upload(config, blob, **options)["images"])
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


def clean_message(error: Exception, config: WebConfig) -> str:
    """The error's one line, without the server's own paths (uploads are named by id)."""
    text = " ".join(str(error).split())
    return text.replace(str(config.uploads_dir) + "/", "upload ").replace(
        str(config.data_dir), "<data dir>"
    )
