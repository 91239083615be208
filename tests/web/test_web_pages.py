"""The pages through FastAPI's test client: login, security headers, CSRF, the journal,
plan and measure forms, and bad input shown on the page with a 4xx (never a 500)."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from web_helpers import EXAMPLES

from follicle.care.findings import DISCLAIMER

ERROR = re.compile(r'class="error" role="alert">([^<]+)<')


def local(hours_ago: float) -> str:
    """A datetime-local field's value (read in the form's tz, UTC here)."""
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def test_login_sets_a_strict_session_cookie_and_drops_the_token_from_the_address(web):
    fresh = TestClient(web.http.app, base_url="https://127.0.0.1")
    answer = fresh.get(f"/login?token={web.config.login_token}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/"):
        assert flag in cookie
    assert web.config.login_token not in cookie  # the cookie is a session id, not the token


def test_pages_need_a_login_and_a_wrong_token_is_refused(web):
    fresh = TestClient(web.http.app, base_url="https://127.0.0.1")
    for path in ("/", "/journal", "/plan", "/expect", "/measure", "/trials", "/api"):
        answer = fresh.get(path)
        assert answer.status_code == 401 and "Log in" in answer.text
    assert fresh.get("/login?token=guess").status_code == 401
    assert fresh.get("/journal").status_code == 401


def test_every_response_carries_the_security_headers(web):
    for path in ("/journal", "/healthz", "/static/app.css", "/api/v1/journal/entries", "/nope"):
        headers = web.http.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_script_or_style(web):
    for path in ("/", "/journal", "/plan", "/expect", "/measure", "/trials", "/api"):
        text = web.http.get(path).text
        assert DISCLAIMER in text
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", text), path
        assert " style=" not in text and "<style" not in text, path


def test_a_form_without_its_csrf_token_changes_nothing(web):
    for token in ("", "forged"):
        answer = web.http.post(
            "/journal/log",
            data={"csrf_token": token, "kind": "symptom", "symptom": "itching", "tz": "UTC"},
        )
        assert answer.status_code == 403
    assert not web.config.journal_path.exists()


def test_journal_form_shows_mn7_at_once_and_the_history(web):
    session = {"kind": "session", "needle_mm": "1.5", "duration_minutes": "12", "tz": "UTC"}
    first = web.post_form("/journal/log", session | {"at": local(3)})
    assert first.status_code == 200 and "Logged session" in first.text
    dose = {"kind": "application", "medicine": "minoxidil", "route": "topical", "tz": "UTC"}
    second = web.post_form("/journal/log", dose | {"at": local(1)})
    assert second.status_code == 200
    result = second.text.split('id="logged"')[1].split("</section>")[0]
    assert 'data-rule="MN-7"' in result
    assert "microneedling 1.5 mm" in second.text  # the history lists the session


def test_an_urgent_symptom_is_flagged_urgent(web):
    answer = web.post_form("/journal/log", {"kind": "symptom", "symptom": "pus", "tz": "UTC"})
    assert answer.status_code == 200
    assert "URGENT" in answer.text and 'data-rule="MN-12"' in answer.text


def test_measurements_feed_the_chart(web):
    assert 'id="chart-spec"' not in web.http.get("/journal").text
    for value in ("150", "170"):
        web.post_form(
            "/journal/log",
            {"kind": "measurement", "metric": "density_per_cm2", "value": value, "tz": "UTC"},
        )
    text = web.http.get("/journal").text
    spec = re.search(r'id="chart-spec">(.*?)</script>', text, re.DOTALL).group(1)
    assert spec.count('"density_per_cm2"') == 2 and '"value": 170.0' in spec


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"kind": "session", "needle_mm": "abc", "duration_minutes": "10"}, "needle_mm"),
        ({"kind": "session", "needle_mm": "9", "duration_minutes": "10"}, "needle_mm"),
        ({"kind": "application", "medicine": "aspirin"}, "medicine"),
        ({"kind": "measurement", "metric": "density_per_cm2", "value": "9000"}, "density"),
        ({"kind": "measurement", "metric": "density_per_cm2", "value": ""}, "metric"),
        ({"kind": "symptom", "symptom": "itching", "at": "2999-01-01T00:00"}, "at"),
        ({"kind": "symptom", "symptom": "itching", "tz": "Nowhere/Town"}, "tz"),
        ({"kind": "teleport"}, "kind"),
    ],
)
def test_bad_journal_input_is_shown_on_the_page(shared_web, fields, named):
    answer = shared_web.post_form("/journal/log", {"tz": "UTC"} | fields)
    assert answer.status_code == 400
    assert named in ERROR.search(answer.text).group(1)
    assert 'name="kind"' in answer.text  # the form is there to fix it


def test_plan_page_blocks_then_passes_and_exports(web):
    bad = (EXAMPLES / "care" / "plan-violation.toml").read_text()
    checked = web.post_form("/plan/check", {"regimen_toml": bad})
    assert "This plan is blocked" in checked.text and 'data-rule="MN-7"' in checked.text
    refused = web.post_form("/plan/calendar", {"regimen_toml": bad, "start": "2026-03-02"})
    assert refused.status_code == 409 and "Not exported" in refused.text
    fixed = bad.replace(
        'times_of_day = ["08:00", "20:00"]',
        'times_of_day = ["08:00", "20:00"]\npause_after_microneedling_hours = 24',
    )
    passed = web.post_form("/plan/check", {"regimen_toml": fixed})
    assert "No rule blocks this plan" in passed.text
    ics = web.post_form("/plan/calendar", {"regimen_toml": fixed, "start": "2026-03-02"})
    assert ics.status_code == 200 and ics.text.startswith("BEGIN:VCALENDAR")
    assert "attachment" in ics.headers["content-disposition"]


def test_plan_files_can_be_uploaded(web):
    files = {
        "regimen_file": ("p.toml", (EXAMPLES / "care" / "plan-fixed.toml").read_bytes()),
        "person_file": ("me.toml", (EXAMPLES / "care" / "person.toml").read_bytes()),
    }
    answer = web.http.post("/plan/check", data={"csrf_token": web.csrf}, files=files)
    assert answer.status_code == 200 and "No rule blocks this plan" in answer.text


@pytest.mark.parametrize(
    ("regimen", "named"),
    [("", "regimen"), ("[[treatment", "not valid TOML"), ("[[treatment]]\nkind = 1", "kind")],
)
def test_bad_plans_are_shown_on_the_page(shared_web, regimen, named):
    answer = shared_web.post_form("/plan/check", {"regimen_toml": regimen})
    assert answer.status_code == 400 and named in ERROR.search(answer.text).group(1)


def test_measure_page_shows_overlay_density_and_saves_to_the_journal(web, synthetic_image):
    answer = web.post_form(
        "/measure/image",
        {"scale": "um_per_px", "um_per_px": "4", "region": "vertex"},
        files={"image": ("scalp.png", synthetic_image.read_bytes(), "image/png")},
    )
    assert answer.status_code == 200, ERROR.findall(answer.text)
    density = float(re.search(r'id="density"[^>]*>([^<]+)<', answer.text).group(1))
    assert 50 < density < 400
    overlay = re.search(r'<img src="(/files/[0-9a-f]{32}\.overlay\.png)"', answer.text).group(1)
    assert web.http.get(overlay).headers["content-type"] == "image/png"
    assert "dotted line: the counting frame" in answer.text  # the legend names every mark
    saved = re.search(r'name="density_per_cm2" value="([^"]+)"', answer.text).group(1)
    web.post_form("/measure/save", {"density_per_cm2": saved, "region": "vertex", "tz": "UTC"})
    entries = web.http.get("/api/v1/journal/entries").json()["entries"]
    assert entries[-1]["details"]["metrics"]["density_per_cm2"] == pytest.approx(float(saved))


def test_measure_page_warns_of_a_blurred_image(web, tmp_path):
    """The focus check (measure.focus) reaches the page: a rendered image blurred by
    7 px (19 um at 2.76 um/px) is flagged, with the widths it affects."""
    import dataclasses
    import io

    from PIL import Image

    from follicle.measure.render import STYLES, render_trichoscopy

    style = dataclasses.replace(STYLES["easy"], blur_sigma_px=7.0)
    scene = render_trichoscopy(
        style=style, um_per_px=2.76, shape_px=(512, 640), unit_count=8, seed=3
    )
    png = io.BytesIO()
    Image.fromarray(scene.image).save(png, format="PNG")
    answer = web.post_form(
        "/measure/image",
        {"scale": "um_per_px", "um_per_px": "2.76", "region": "vertex"},
        files={"image": ("soft.png", png.getvalue(), "image/png")},
    )
    assert answer.status_code == 200, ERROR.findall(answer.text)
    assert re.search(r'class="warn">Warning: focus: edges blurred over about \d+ um', answer.text)
    blur_um = float(re.search(r'<span class="edge-blur">(\d+)</span>', answer.text).group(1))
    assert 14 <= blur_um <= 21  # 7 px = 19 um, read low with the shafts' specular stripe


@pytest.mark.parametrize(
    ("fields", "content", "named"),
    [
        ({"scale": "um_per_px", "um_per_px": "4"}, b"<svg onload=alert(1)>", "PNG, JPEG or TIFF"),
        ({"scale": "um_per_px", "um_per_px": "zero"}, b"\x89PNG\r\n\x1a\n", "um_per_px"),
        ({"scale": "um_per_px", "um_per_px": "4"}, b"\x89PNG\r\n\x1a\nbroken", "not an image"),
        ({"scale": "device", "device": "phone"}, "small png", "phone"),
    ],
)
def test_bad_images_are_shown_on_the_page(shared_web, fields, content, named):
    if content == "small png":
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 160, 140)).save(buffer, format="PNG")
        content = buffer.getvalue()
    answer = shared_web.post_form("/measure/image", fields, files={"image": ("x.png", content)})
    assert answer.status_code == 400
    assert named in ERROR.search(answer.text).group(1)
    assert list(shared_web.config.uploads_dir.iterdir()) == []  # a refused upload is not kept


def test_stored_files_are_served_only_by_their_generated_names(web):
    for name in ("..%2F..%2Fetc%2Fpasswd", "passwd", "0" * 32 + ".png", "a" * 32 + ".toml"):
        answer = web.http.get(f"/files/{name}")
        assert answer.status_code == 404


def test_following_a_plan_shows_adherence_on_the_journal(web):
    plan = (EXAMPLES / "finasteride.toml").read_text()
    now = datetime.now(UTC)
    start = (now - timedelta(days=3)).date()
    blocked = (EXAMPLES / "care" / "plan-violation.toml").read_text()
    refused = web.post_form(
        "/plan/follow", {"regimen_toml": blocked, "start": start.isoformat(), "tz": "UTC"}
    )
    assert refused.status_code == 400 and "MN-7" in ERROR.search(refused.text).group(1)
    assert "Choose the plan you follow" in web.http.get("/journal").text
    followed = web.post_form(
        "/plan/follow", {"regimen_toml": plan, "start": start.isoformat(), "tz": "UTC"}
    )
    assert followed.status_code == 200 and followed.url.path == "/journal"
    for day in (0, 2):  # day 1 is missed
        at = datetime.combine(start + timedelta(days=day), datetime.min.time())
        web.post_form(
            "/journal/log",
            {
                "kind": "application",
                "medicine": "finasteride",
                "dose_mg": "1",
                "at": (at + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
                "tz": "UTC",
            },
        )
    page = web.http.get("/journal").text
    row = page.split('id="adherence"')[1].split("</tr>")[1]
    # one tablet a day at 08:00 (the default time): days 0-2, and today once it is 08:00
    expected = 3 + (now.hour >= 8)
    assert f"2 / {expected}" in row and f"{round(200 / expected)}%" in row
    assert (start + timedelta(days=1)).isoformat() in row  # the missed day
    assert "You follow" in web.http.get("/plan").text
    api = web.http.get("/api/v1/plan/follow").json()["following"]
    assert api["start"] == start.isoformat() and api["regimen_toml"] == plan


def test_expect_page_projects_a_regimen_against_no_treatment(web):
    person = (EXAMPLES / "man-35-moderate.toml").read_text()
    regimen = (EXAMPLES / "finasteride.toml").read_text()
    blocked = (EXAMPLES / "care" / "plan-violation.toml").read_text()
    answer = web.post_form(
        "/expect",
        {
            "person_toml": person,
            "regimen_toml": regimen,
            "regimen2_toml": blocked,
            "years": "1",
            "futures": "10",
        },
    )
    assert answer.status_code == 200, ERROR.findall(answer.text)
    table = answer.text.split('id="projection"')[1].split("</table>")[0]
    assert "no treatment" in table and "finasteride" in table.lower()
    assert 'id="chart-spec"' in answer.text
    # the page states what its bands include, as the command does (the same list)
    from follicle.care.projection import project
    from follicle.person import parse_person

    stated = answer.text.split('id="band-includes"')[1].split("</p>")[0]
    included = project(parse_person(tomllib.loads(person)), {}, years=1, futures=10, seed=1)
    assert included.band_includes and all(
        str(escape(item)) in stated for item in included.band_includes
    )
    assert "Not projected" in answer.text and 'data-rule="MN-7"' in answer.text
    bad = web.post_form("/expect", {"person_toml": person, "years": "50", "futures": "10"})
    assert bad.status_code == 400 and "years" in ERROR.search(bad.text).group(1)


def test_other_host_names_are_refused(web):
    """DNS rebinding: a page of another site whose name resolves to 127.0.0.1."""
    answer = web.http.get("/healthz", headers={"host": "evil.example:8765"})
    assert answer.status_code == 400
    assert web.http.get("/healthz", headers={"host": "localhost:8765"}).status_code == 200


def test_voiding_an_entry_keeps_it_but_it_no_longer_counts(web):
    session = {"kind": "session", "needle_mm": "1.5", "duration_minutes": "12", "tz": "UTC"}
    web.post_form("/journal/log", session | {"at": local(3)})
    dose = {"kind": "application", "medicine": "minoxidil", "tz": "UTC", "at": local(1)}
    web.post_form("/journal/log", dose)
    entries = web.http.get("/api/v1/journal/entries").json()["entries"]
    session_uid = next(e["uid"] for e in entries if e["kind"] == "session")
    assert not web.post_form("/journal/void", {"entry": session_uid, "reason": ""}).is_success
    answer = web.post_form("/journal/void", {"entry": session_uid, "reason": "never happened"})
    assert answer.status_code == 200 and "Voided session" in answer.text
    after = web.http.get("/api/v1/journal/entries?all=true").json()["entries"]
    voided = next(e for e in after if e["uid"] == session_uid)
    assert voided["voided"]["reason"] == "never happened"
    minoxidil = next(e for e in after if e["kind"] == "application")
    assert minoxidil["flags"] == []  # MN-7 went with the session
    again = web.post_form("/journal/void", {"entry": session_uid, "reason": "twice"})
    assert again.status_code == 400 and "already voided" in ERROR.search(again.text).group(1)
    api = web.http.post(
        "/api/v1/journal/entries/999/void", headers=web.bearer, json={"reason": "x"}
    )
    assert api.status_code == 400


def test_a_bad_trial_file_is_shown_on_the_trials_page(web):
    answer = web.post_form("/trials", {"trial_toml": "name = 'x'\n[[arm]]\nname = 'a'"})
    assert answer.status_code == 400 and ERROR.search(answer.text)
    answer = web.post_form("/trials", {"trial_toml": "n_per_arm = 2", "seed": "1.5"})
    assert answer.status_code == 400 and "seed" in ERROR.search(answer.text).group(1)
    assert web.http.get("/trials/" + "0" * 32).status_code == 404


def test_hairs_tables_give_the_criteria_on_the_page(web, tmp_path):
    from follicle.measure.render import render_trichoscopy
    from follicle.measure.table_io import write_hairs_table

    blobs = []
    for seed in (7, 8):
        scene = render_trichoscopy(um_per_px=4.0, shape_px=(512, 640), unit_count=8, seed=seed)
        path = tmp_path / f"{seed}.csv"
        write_hairs_table(scene.hairs, path)
        blobs.append(path.read_bytes())
    answer = web.post_form(
        "/measure/hairs",
        {"area_cm2": "0.2", "yellow_dots": "5"},
        files={"hairs": ("f.csv", blobs[0]), "occipital": ("o.csv", blobs[1])},
    )
    assert answer.status_code == 200, ERROR.findall(answer.text)
    assert 'id="criteria"' in answer.text and "not a diagnosis" in answer.text
    bad = web.post_form(
        "/measure/hairs",
        {"area_cm2": "0.2", "frontal_images": "1.5"},
        files={"hairs": ("f.csv", blobs[0])},
    )
    assert bad.status_code == 400 and "frontal_images" in ERROR.search(bad.text).group(1)


def test_several_images_give_a_section_each(web, synthetic_image):
    blob = synthetic_image.read_bytes()
    answer = web.post_form(
        "/measure/image",
        {"scale": "um_per_px", "um_per_px": "4"},
        files=[("image", ("a.png", blob)), ("image", ("b.png", blob))],
    )
    assert answer.status_code == 200, ERROR.findall(answer.text)
    assert "image 2 of 2" in answer.text and answer.text.count('class="density"') == 2


def test_a_visit_report_without_images_says_so(web):
    answer = web.post_form("/measure/visit", {"visit_scale": "um_per_px", "visit_um_per_px": "4"})
    assert answer.status_code == 400 and "this visit" in ERROR.search(answer.text).group(1)
