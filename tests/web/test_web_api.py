"""The JSON API: its payloads are the CLI's --json output for the same data, bad input is
a 4xx with a message (never a 500), and nothing works without the login token."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from web_helpers import EXAMPLES, SMALL_TRIAL


def cli_json(*args: str) -> dict:
    """The command line's --json output for ``args`` (run in this process: the payloads
    are compared, not the start-up; tests/test_exit_codes.py runs the installed script)."""
    from follicle.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*args, "--json"])
    assert code in (0, 1), out.getvalue()[-500:]
    return json.loads(out.getvalue())


def same_payload(web_payload, cli_payload) -> bool:
    """Equal apart from the provenance envelopes (time, input paths), whose verbs agree."""
    verbs = []

    def strip(value):
        if isinstance(value, dict):
            if "provenance" in value:
                verbs.append(value["provenance"].get("verb"))
            return {k: strip(v) for k, v in value.items() if k != "provenance"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    web_stripped = strip(web_payload)
    web_verbs, verbs[:] = list(verbs), []
    return web_stripped == strip(cli_payload) and web_verbs == verbs


def hours_ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_healthz_needs_no_login(web):
    assert web.http.get("/healthz").json() == {"status": "ok"}


def test_journal_log_and_show_match_the_cli(web):
    session = web.http.post(
        "/api/v1/journal/entries",
        headers=web.bearer,
        json={
            "kind": "session",
            "details": {"needle_mm": 1.5, "duration_minutes": 12, "device": "roller-1"},
            "at": hours_ago(3),
            "tz": "Europe/London",
        },
    )
    assert session.status_code == 200, session.text
    assert [e["kind"] for e in session.json()["also_stored"]] == ["device"]
    dose = web.http.post(
        "/api/v1/journal/entries",
        headers=web.bearer,
        json={"kind": "application", "details": {"medicine": "minoxidil"}, "at": hours_ago(1)},
    )
    assert dose.status_code == 200, dose.text
    assert "MN-7" in {f["rule"] for f in dose.json()["entry"]["flags"]}
    shown = web.http.get("/api/v1/journal/entries", headers=web.bearer).json()
    cli = cli_json("journal", "show", "--db", str(web.config.journal_path))
    assert same_payload(shown, cli)  # the payload of `follicle journal show --json`
    assert [e["kind"] for e in shown["entries"]] == ["device", "session", "application"]
    stats = web.http.get("/api/v1/journal/stats?tz=UTC", headers=web.bearer).json()
    assert stats["counts"]["session"] == 1
    assert stats["counts"]["application:minoxidil"] == 1


def test_journal_stats_against_a_plan_gives_adherence(web):
    # The plan's doses fall at 08:00 UTC: before 08:00 today's is not due yet, so the three
    # logged days end yesterday (the test failed whenever it ran before 08:00 UTC).
    now = datetime.now(UTC)
    last_due = now.date() if now.hour >= 8 else now.date() - timedelta(days=1)
    start = last_due - timedelta(days=2)
    for day in range(3):
        at = datetime.combine(start + timedelta(days=day), datetime.min.time(), UTC)
        web.http.post(
            "/api/v1/journal/entries",
            headers=web.bearer,
            json={
                "kind": "application",
                "details": {"medicine": "finasteride", "dose_mg": 1},
                "at": (at + timedelta(hours=8)).isoformat(),
                "tz": "UTC",
            },
        )
    plan = (EXAMPLES / "finasteride.toml").read_text()
    body = {"regimen_toml": plan, "start": start.isoformat(), "tz": "UTC"}
    result = web.http.post("/api/v1/journal/stats", headers=web.bearer, json=body).json()
    finasteride = next(t for t in result["treatments"] if t["kind"] == "finasteride")
    assert finasteride["taken"] == 3
    assert finasteride["expected"] == 3
    assert finasteride["current_streak"] == 3


def test_plan_check_matches_the_cli(web):
    path = EXAMPLES / "care" / "plan-violation.toml"
    body = {"regimen_toml": path.read_text()}
    checked = web.http.post("/api/v1/plan/check", headers=web.bearer, json=body)
    assert checked.status_code == 200
    assert same_payload(checked.json(), cli_json("plan", "check", str(path)))
    assert checked.json()["ok"] is False


def test_a_blocked_plan_has_no_calendar_and_a_fixed_one_has(web):
    blocked = web.http.post(
        "/api/v1/plan/calendar",
        headers=web.bearer,
        json={
            "regimen_toml": (EXAMPLES / "care" / "plan-violation.toml").read_text(),
            "start": "2026-03-02",
        },
    )
    assert blocked.status_code == 409
    assert "MN-7" in {f["rule"] for f in blocked.json()["check"]["findings"]}
    body = {
        "regimen_toml": (EXAMPLES / "care" / "plan-fixed.toml").read_text(),
        "person_toml": (EXAMPLES / "care" / "person.toml").read_text(),
        "start": "2026-03-02",
        "tz": "Europe/Paris",
    }
    ics = web.http.post("/api/v1/plan/calendar?format=ics", headers=web.bearer, json=body)
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.text.startswith("BEGIN:VCALENDAR") and "TZID=Europe/Paris" in ics.text
    as_json = web.http.post("/api/v1/plan/calendar", headers=web.bearer, json=body).json()
    assert as_json["check"]["ok"] is True and as_json["event_count"] > 0


def test_image_analysis_matches_the_cli(web, synthetic_image):
    with synthetic_image.open("rb") as handle:
        answer = web.http.post(
            "/api/v1/measure/analyze",
            headers=web.bearer,
            data={"um_per_px": "4"},
            files={"image": ("../../../../tmp/evil name.png", handle, "image/png")},
        )
    assert answer.status_code == 200, answer.text
    image = answer.json()["images"][0]
    cli = cli_json("analyze", str(synthetic_image), "--um-per-px", "4")["images"][0]
    assert same_payload(image["metrics"], cli["metrics"])
    assert image["hair_count"] == cli["hair_count"] > 10
    overlay = web.http.get(image["overlay"])
    assert overlay.status_code == 200 and overlay.headers["content-type"] == "image/png"
    # the user's file name reached nothing: only server-made names in the uploads folder
    stored = sorted(p.name for p in web.config.uploads_dir.iterdir())
    assert len(stored) == 2 and all(len(name.split(".")[0]) == 32 for name in stored)
    assert {image["source"], image["overlay"]} == {f"/files/{name}" for name in stored}
    assert image["name"] == "evil name.png"  # shown (its last part only), never stored


def test_image_analysis_with_the_learned_pipeline_matches_the_cli(web, synthetic_image):
    pytest.importorskip("onnxruntime")
    with synthetic_image.open("rb") as handle:
        answer = web.http.post(
            "/api/v1/measure/analyze",
            headers=web.bearer,
            data={"um_per_px": "4", "pipeline": "learned"},
            files={"image": ("scene.png", handle, "image/png")},
        )
    assert answer.status_code == 200, answer.text
    image = answer.json()["images"][0]
    cli_args = ("analyze", str(synthetic_image), "--um-per-px", "4", "--pipeline", "learned")
    cli = cli_json(*cli_args)["images"][0]
    assert image["hair_count"] == cli["hair_count"] > 10
    assert same_payload(image["metrics"], cli["metrics"])


def test_an_unknown_pipeline_is_a_400_naming_it(web, synthetic_image):
    answer = web.http.post(
        "/api/v1/measure/analyze",
        headers=web.bearer,
        data={"um_per_px": "4", "pipeline": "deep"},
        files={"image": ("scene.png", synthetic_image.read_bytes(), "image/png")},
    )
    assert answer.status_code == 400, answer.text
    assert "pipeline" in answer.json()["error"] and "deep" in answer.json()["error"]
    assert list(web.config.uploads_dir.iterdir()) == []  # a refused upload is not kept


def test_hairs_tables_and_criteria_match_the_cli(web, tmp_path):
    from follicle.measure.render import render_trichoscopy
    from follicle.measure.table_io import write_hairs_table

    paths = []
    for seed in (5, 6):
        scene = render_trichoscopy(um_per_px=4.0, shape_px=(512, 640), unit_count=8, seed=seed)
        paths.append(tmp_path / f"hairs-{seed}.csv")
        write_hairs_table(scene.hairs, paths[-1])
    frontal, occipital = paths
    answer = web.http.post(
        "/api/v1/measure/hairs",
        headers=web.bearer,
        data={"area_cm2": "0.2", "yellow_dots": "3"},
        files={"hairs": ("hairs.csv", frontal.read_bytes(), "text/csv")},
    )
    assert answer.status_code == 200, answer.text
    cli = cli_json("measure", str(frontal), "--area-cm2", "0.2", "--yellow-dots", "3")
    assert same_payload(answer.json(), {"metrics": cli["metrics"]})
    with_criteria = web.http.post(
        "/api/v1/measure/hairs",
        headers=web.bearer,
        data={"area_cm2": "0.2", "yellow_dots": "3", "frontal_images": "2"},
        files={
            "hairs": ("f.csv", frontal.read_bytes()),
            "occipital": ("o.csv", occipital.read_bytes()),
        },
    )
    assert with_criteria.status_code == 200, with_criteria.text
    cli = cli_json(
        "measure",
        str(frontal),
        "--area-cm2",
        "0.2",
        "--yellow-dots",
        "3",
        "--occipital",
        str(occipital),
        "--frontal-images",
        "2",
    )
    for key in ("metrics", "occipital"):
        assert same_payload(with_criteria.json()[key], cli[key])
    got, want = with_criteria.json()["criteria"], cli["criteria"]
    assert same_payload(got["criteria"], want["criteria"])
    assert same_payload(got["finding"], want["finding"])


def test_the_api_needs_the_token_or_the_session_with_its_csrf_token(web):
    from fastapi.testclient import TestClient

    anonymous = TestClient(web.http.app, base_url="https://127.0.0.1")
    assert anonymous.get("/api/v1/journal/entries").status_code == 401
    wrong = {"authorization": "Bearer not-the-token"}
    assert anonymous.get("/api/v1/journal/entries", headers=wrong).status_code == 401
    entry = {"kind": "symptom", "details": {"symptom": "itching"}}
    # the browser's session cookie alone cannot change anything (CSRF)
    assert web.http.post("/api/v1/journal/entries", json=entry).status_code == 403
    headers = {"x-csrf-token": "forged"}
    assert web.http.post("/api/v1/journal/entries", json=entry, headers=headers).status_code == 403
    headers = {"x-csrf-token": web.csrf}
    assert web.http.post("/api/v1/journal/entries", json=entry, headers=headers).status_code == 200
    assert len(web.http.get("/api/v1/journal/entries").json()["entries"]) == 1


def _png_bomb() -> bytes:
    """A small PNG whose header promises more pixels than the analyser accepts."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (8000, 5100)).save(buffer, format="PNG")  # 40.8 M pixels, a few kB
    return buffer.getvalue()


BAD_REQUESTS = {
    "unknown kind": ("post", "/api/v1/journal/entries", {"json": {"kind": "x", "details": {}}}),
    "needle too long": (
        "post",
        "/api/v1/journal/entries",
        {"json": {"kind": "session", "details": {"needle_mm": 9, "duration_minutes": 10}}},
    ),
    "future time": (
        "post",
        "/api/v1/journal/entries",
        {"json": {"kind": "symptom", "details": {"symptom": "itching"}, "at": "2999-01-01"}},
    ),
    "bad zone": (
        "post",
        "/api/v1/journal/entries",
        {"json": {"kind": "symptom", "details": {"symptom": "itching"}, "tz": "Mars/Base"}},
    ),
    "body not JSON": ("post", "/api/v1/journal/entries", {"content": b"{not json"}),
    "details not an object": (
        "post",
        "/api/v1/journal/entries",
        {"json": {"kind": "symptom", "details": [1]}},
    ),
    "limit zero": ("get", "/api/v1/journal/entries?limit=0", {}),
    "unknown kind filter": ("get", "/api/v1/journal/entries?kind=nonsense", {}),
    "regimen not TOML": ("post", "/api/v1/plan/check", {"json": {"regimen_toml": "[[x"}}),
    "regimen empty": ("post", "/api/v1/plan/check", {"json": {"regimen_toml": ""}}),
    "regimen unknown key": (
        "post",
        "/api/v1/plan/check",
        {"json": {"regimen_toml": "[[treatment]]\nkind = 'magic'\n"}},
    ),
    "regimen too long": (
        "post",
        "/api/v1/plan/check",
        {"json": {"regimen_toml": "# " + "x" * 70_000}},
    ),
    "bad start date": (
        "post",
        "/api/v1/plan/calendar",
        {"json": {"regimen_toml": "name = 'x'", "start": "yesterday"}},
    ),
    "zero days": (
        "post",
        "/api/v1/plan/calendar",
        {"json": {"regimen_toml": "name = 'x'", "start": "2026-03-02", "days": 0}},
    ),
    "calendar format": (
        "post",
        "/api/v1/plan/calendar?format=pdf",
        {"json": {"regimen_toml": "name = 'x'", "start": "2026-03-02"}},
    ),
    "not an image": (
        "post",
        "/api/v1/measure/analyze",
        {"data": {"um_per_px": "4"}, "files": {"image": ("a.png", b"GIF89a" + b"0" * 99)}},
    ),
    "truncated png": (
        "post",
        "/api/v1/measure/analyze",
        {"data": {"um_per_px": "4"}, "files": {"image": ("a.png", b"\x89PNG\r\n\x1a\n0000")}},
    ),
    "empty file": (
        "post",
        "/api/v1/measure/analyze",
        {"data": {"um_per_px": "4"}, "files": {"image": ("a.png", b"")}},
    ),
    "no scale": (
        "post",
        "/api/v1/measure/analyze",
        {"files": {"image": ("a.png", b"\x89PNG\r\n\x1a\n0000")}},
    ),
    "negative scale": (
        "post",
        "/api/v1/measure/analyze",
        {"data": {"um_per_px": "-4"}, "files": {"image": ("a.png", b"\x89PNG\r\n\x1a\n00")}},
    ),
    "unknown device": (
        "post",
        "/api/v1/measure/analyze",
        {"data": {"device": "x"}, "files": {"image": ("a.png", b"\x89PNG\r\n\x1a\n00")}},
    ),
    "table not a table": (
        "post",
        "/api/v1/measure/hairs",
        {"data": {"area_cm2": "1"}, "files": {"hairs": ("h.csv", b"a,b\n1,2\n")}},
    ),
    "binary table": (
        "post",
        "/api/v1/measure/hairs",
        {"data": {"area_cm2": "1"}, "files": {"hairs": ("h.csv", b"\xff\xfe\x00\x01")}},
    ),
    "zero area": (
        "post",
        "/api/v1/measure/hairs",
        {"data": {"area_cm2": "0"}, "files": {"hairs": ("h.csv", b"hair_id\n1\n")}},
    ),
    "visit corrections not JSON": (
        "post",
        "/api/v1/visits",
        {
            "data": {"um_per_px": "4"},
            "files": [
                ("image", ("a.png", b"\x89PNG\r\n\x1a\n00")),
                ("corrections", ("c.json", b"{nope")),
            ],
        },
    ),
    "visit corrections of no format": (
        "post",
        "/api/v1/visits",
        {
            "data": {"um_per_px": "4"},
            "files": [
                ("image", ("a.png", b"\x89PNG\r\n\x1a\n00")),
                ("corrections", ("c.yaml", b"images: {}")),
            ],
        },
    ),
    "no such endpoint": ("get", "/api/v1/nothing", {}),
}


@pytest.mark.parametrize("name", list(BAD_REQUESTS))
def test_bad_input_is_a_4xx_with_a_message(shared_web, name):
    method, path, options = BAD_REQUESTS[name]
    answer = getattr(shared_web.http, method)(path, headers=shared_web.bearer, **options)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)
    assert answer.json()["error"]


def test_a_decompression_bomb_is_refused_before_decoding(web):
    answer = web.http.post(
        "/api/v1/measure/analyze",
        headers=web.bearer,
        data={"um_per_px": "4"},
        files={"image": ("bomb.png", _png_bomb(), "image/png")},
    )
    assert answer.status_code == 400
    assert "at most 40,000,000 pixels" in answer.json()["error"]


def test_an_upload_over_the_size_limit_is_refused(tmp_path):
    from web_helpers import WebClient

    from follicle.web.config import WebConfig

    small = WebClient(WebConfig(data_dir=tmp_path / "d", max_upload_bytes=1000))
    big = b"\x89PNG\r\n\x1a\n" + b"0" * 5000
    answer = small.http.post(
        "/api/v1/measure/analyze",
        headers=small.bearer,
        data={"um_per_px": "4"},
        files={"image": ("big.png", big, "image/png")},
    )
    assert answer.status_code == 400 and "at most" in answer.json()["error"]
    huge = b"0" * (small.config.max_upload_bytes + 2 * 1024 * 1024)
    answer = small.http.post(
        "/api/v1/measure/analyze",
        headers=small.bearer,
        files={"image": ("huge.png", huge, "image/png")},
    )
    assert answer.status_code == 413
    assert list(small.config.uploads_dir.iterdir()) == []  # nothing stored


def test_the_openapi_schema_lists_the_endpoints(web):
    schema = web.http.get("/api/v1/openapi.json").json()
    assert {"/api/v1/journal/entries", "/api/v1/plan/check", "/api/v1/measure/analyze"} <= set(
        schema["paths"]
    )
    page = web.http.get("/api")
    assert page.status_code == 200 and "/api/v1/plan/calendar" in page.text


def test_heavy_work_is_bounded_and_rate_limited(web, synthetic_image):
    from follicle.web.limits import HeavyWork

    web.http.app.state.heavy = HeavyWork(rate_per_minute=2)
    image = synthetic_image.read_bytes()
    hairs = b"hair_id,unit_id,region,diameter_um,length_mm\n1,1,vertex,80,5\n"
    answers = [
        web.http.post(
            "/api/v1/measure/hairs",
            headers=web.bearer,
            data={"area_cm2": "0.1"},
            files={"hairs": ("h.csv", hairs)},
        )
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "at most 2 a minute" in answers[-1].json()["error"]
    # a full queue refuses at once instead of growing
    busy = HeavyWork(max_running=1, max_waiting=0)
    busy._queued = 1
    web.http.app.state.heavy = busy
    answer = web.http.post(
        "/api/v1/measure/analyze",
        headers=web.bearer,
        data={"um_per_px": "4"},
        files={"image": ("a.png", image)},
    )
    assert answer.status_code == 429 and "busy" in answer.json()["error"]


def test_projection_matches_the_cli(web):
    person, regimen = EXAMPLES / "man-35-moderate.toml", EXAMPLES / "finasteride.toml"
    body = {
        "person_toml": person.read_text(),
        "regimen_tomls": [regimen.read_text()],
        "years": 1,
        "futures": 10,
        "seed": 4,
    }
    answer = web.http.post("/api/v1/project", headers=web.bearer, json=body)
    assert answer.status_code == 200, answer.text
    cli = cli_json(
        "project",
        str(person),
        "--regimen",
        str(regimen),
        "--years",
        "1",
        "--futures",
        "10",
        "--seed",
        "4",
    )
    assert answer.json()["bands"] == cli["bands"]
    assert answer.json()["blocked"] == cli["blocked"] == {}


def test_a_trial_runs_as_a_background_job_to_its_report(web):
    import time

    queued = web.http.post("/api/v1/trials", headers=web.bearer, json={"trial_toml": SMALL_TRIAL})
    assert queued.status_code == 202, queued.text
    job_id = queued.json()["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = web.http.get(f"/api/v1/trials/{job_id}", headers=web.bearer).json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert job["status"] == "done", job
    assert job["progress"] == 1.0
    assert job["result"]["n_per_arm"] == 3
    assert {e["arm"] for e in job["result"]["endpoints"]} == {"placebo", "finasteride 1 mg"}
    page = web.http.get(f"/trials/{job_id}")
    assert page.status_code == 200 and 'id="comparisons"' in page.text
    report = web.http.get(f"/trials/{job_id}/report")
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert "tiny finasteride trial" in report.text


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (('name = "placebo"', 'name = "placebo"\nregimen = "/etc/passwd"'), "arm[0].regimen"),
        (("n_per_arm = 3", "n_per_arm = 5000"), "n_per_arm"),
        (("seed = 2", ""), "seed"),
        (("day = 60", "day = -1"), "day"),
    ],
)
def test_bad_trials_are_refused_before_they_are_queued(shared_web, change, named):
    text = SMALL_TRIAL.replace(*change)
    answer = shared_web.http.post(
        "/api/v1/trials", headers=shared_web.bearer, json={"trial_toml": text}
    )
    assert answer.status_code == 400 and named in answer.json()["error"]
    assert shared_web.http.app.state.jobs.jobs() == []


def test_a_full_job_queue_refuses_more(web):
    from follicle.web.jobs import JobQueue

    jobs = JobQueue(max_queued=1)
    jobs._worker = type("Busy", (), {"is_alive": lambda self: True})()  # never drains
    web.http.app.state.jobs = jobs
    body = {"trial_toml": SMALL_TRIAL}
    assert web.http.post("/api/v1/trials", headers=web.bearer, json=body).status_code == 202
    full = web.http.post("/api/v1/trials", headers=web.bearer, json=body)
    assert full.status_code == 429 and "too many jobs" in full.json()["error"]


def test_several_images_in_one_upload(web, synthetic_image):
    blob = synthetic_image.read_bytes()
    two = web.http.post(
        "/api/v1/measure/analyze",
        headers=web.bearer,
        data={"um_per_px": "4"},
        files=[("image", ("a.png", blob)), ("image", ("b.png", blob))],
    )
    assert two.status_code == 200, two.text
    first, second = two.json()["images"]
    assert same_payload(first["metrics"], second["metrics"])
    assert first["source"] != second["source"]
    bad_second = web.http.post(
        "/api/v1/measure/analyze",
        headers=web.bearer,
        data={"um_per_px": "4"},
        files=[("image", ("a.png", blob)), ("image", ("b.png", b"\x89PNG\r\n\x1a\nbad"))],
    )
    assert bad_second.status_code == 400 and bad_second.json()["error"].startswith("image 2:")
    eleven = web.http.post(
        "/api/v1/measure/analyze",
        headers=web.bearer,
        data={"um_per_px": "4"},
        files=[("image", ("a.png", b"\x89PNG\r\n\x1a\n"))] * 11,
    )
    assert eleven.status_code == 400 and "1 to 10 images" in eleven.json()["error"]


def test_visit_report_against_a_previous_visit(web, synthetic_image):
    blob = synthetic_image.read_bytes()
    answer = web.http.post(
        "/api/v1/measure/visit-report",
        headers=web.bearer,
        data={"um_per_px": "4", "region": "vertex", "patient": "A. Person"},
        files=[("current", ("now.png", blob)), ("previous", ("before.png", blob))],
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    # the same image twice: every hair persists, nothing changes
    assert report["matched"]["persisting"] == report["metrics"]["hair_count"] > 10
    assert report["matched"]["lost"] == report["matched"]["new"] == 0
    density = next(c for c in report["change"]["changes"] if "density" in c["name"])
    assert density["difference"] == 0
    page = web.http.get(report["output"])
    assert page.status_code == 200 and "attachment" in page.headers["content-disposition"]
    assert "A. Person" in page.text
    assert web.http.get("/reports/" + "0" * 32).status_code == 400
    assert web.http.get("/reports/..%2Fjournal").status_code in (400, 404)
