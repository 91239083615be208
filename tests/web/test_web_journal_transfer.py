"""The journal's amend, export and import from the page and the API: the payloads are
those of ``follicle journal amend/show --json``, an export imported into another journal
gives the same entries, and a bad import is a 400 that changes nothing."""

from __future__ import annotations

import pytest
from test_web_api import cli_json, hours_ago, same_payload
from web_helpers import WebClient

from follicle.web.config import WebConfig


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> WebClient:
    """A journal with a 1.5 mm session 3 h ago and a minoxidil dose 1 h ago (MN-7)."""
    web = WebClient(WebConfig(data_dir=tmp_path_factory.mktemp("journal")))
    for kind, details, hours in (
        ("session", {"needle_mm": 1.5, "duration_minutes": 12, "device": "roller-1"}, 3),
        ("application", {"medicine": "minoxidil"}, 1),
    ):
        answer = web.http.post(
            "/api/v1/journal/entries",
            headers=web.bearer,
            json={"kind": kind, "details": details, "at": hours_ago(hours), "tz": "UTC"},
        )
        assert answer.status_code == 200, answer.text
    return web


def entries(web: WebClient, *, show_all: bool = False) -> list[dict]:
    query = "?all=true" if show_all else ""
    return web.http.get(f"/api/v1/journal/entries{query}", headers=web.bearer).json()["entries"]


def test_amend_a_session_clears_mn7_and_keeps_the_old_entry(logged):
    from datetime import UTC, datetime, timedelta

    web = logged
    session = next(e for e in entries(web) if e["kind"] == "session")
    dose = next(e for e in entries(web) if e["kind"] == "application")
    assert "MN-7" in {f["rule"] for f in dose["flags"]}
    # the session was in fact 30 h before now: the dose no longer falls within 24 h
    earlier = (datetime.now(UTC) - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M")
    page = web.post_form(
        "/journal/amend",
        {"entry": session["uid"], "amend_at": earlier, "amend_tz": "UTC", "reason": "wrong day"},
    )
    assert page.status_code == 200 and 'id="amended"' in page.text, page.text[-3000:]
    now = entries(web)
    assert "MN-7" not in {f["rule"] for e in now for f in e["flags"]}  # flags recomputed
    kept = entries(web, show_all=True)
    assert len(kept) == len(now) + 1  # the old session is kept, voided
    shown = web.http.get("/api/v1/journal/entries?all=true", headers=web.bearer).json()
    cli = cli_json("journal", "show", "--all", "--db", str(web.config.journal_path))
    assert same_payload(shown, cli)
    # a correction of a field only: the browser's zone does not change the entry's
    session = next(e for e in now if e["kind"] == "session")
    again = web.post_form(
        "/journal/amend",
        {
            "entry": session["uid"],
            "set": "duration_minutes=10",
            "amend_tz": "Europe/Paris",
            "reason": "was 10 minutes",
        },
    )
    assert again.status_code == 200
    fixed = next(e for e in entries(web) if e["kind"] == "session")
    assert fixed["details"]["duration_minutes"] == 10 and fixed["tz"] == "UTC"


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        ({"reason": "x", "set": ["duration_minutes=abc"]}, 400, "duration_minutes"),
        ({"reason": "x", "set": ["needle_mm=0.25"]}, 400, "needle_mm"),
        ({"reason": "x", "set": ["colour=red"]}, 400, "set"),
        ({"reason": "x"}, 400, "at least one correction"),
        ({"reason": "", "set": ["needle_mm=1.0"]}, 400, "reason"),
        ({"set": ["needle_mm=1.0"]}, 422, "reason"),
    ],
)
def test_bad_amendments_are_4xx(logged, body, status, named):
    web = logged
    target = next(e for e in entries(web) if e["kind"] == "session")["uid"]
    answer = web.http.post(f"/api/v1/journal/entries/{target}/amend", headers=web.bearer, json=body)
    assert answer.status_code == status and named in answer.json()["error"], answer.text
    missing = web.http.post(
        "/api/v1/journal/entries/999/amend", headers=web.bearer, json={"reason": "x", "set": []}
    )
    assert missing.status_code == 400 and "entry" in missing.json()["error"]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_imports_into_another_journal(logged, tmp_path, fmt):
    web = logged
    exported = web.http.get(f"/journal/export?format={fmt}")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    other = WebClient(WebConfig(data_dir=tmp_path / "other"))
    page = other.post_form(
        "/journal/import", {}, files={"export": (f"whatever.{fmt}", exported.content)}
    )
    assert page.status_code == 200 and 'id="imported"' in page.text, page.text[-2000:]
    imported = {e["uid"]: e["details"] for e in entries(other, show_all=True)}
    assert imported == {e["uid"]: e["details"] for e in entries(web, show_all=True)}
    assert {e["uid"] for e in entries(other)} == {e["uid"] for e in entries(web)}  # voids too
    again = other.http.post(
        "/api/v1/journal/import",
        headers=other.bearer,
        files={"export": ("again", exported.content)},
    )
    assert again.status_code == 200
    assert again.json()["added"] == 0 and again.json()["skipped"] == len(
        entries(web, show_all=True)
    )
    assert not list(other.config.uploads_dir.iterdir())  # the uploaded export is not kept


def test_a_bad_import_is_400_and_changes_nothing(logged, tmp_path):
    web = logged
    exported = web.http.get("/journal/export?format=json").text
    other = WebClient(WebConfig(data_dir=tmp_path / "other"))
    tampered = exported.replace('"minoxidil"', '"finasteride"')
    other.http.post(
        "/api/v1/journal/import", headers=other.bearer, files={"export": ("a", exported)}
    )
    before = entries(other, show_all=True)
    for data in (tampered.encode(), b"\x00\x01binary", b"PAR1xxxxPAR1", b"{not json"):
        answer = other.http.post(
            "/api/v1/journal/import", headers=other.bearer, files={"export": ("a", data)}
        )
        assert answer.status_code == 400, (data[:20], answer.text)
    assert entries(other, show_all=True) == before
    page = other.post_form("/journal/import", {}, files={"export": ("a", tampered)})
    assert page.status_code == 400 and 'role="alert"' in page.text
    empty = WebClient(WebConfig(data_dir=tmp_path / "empty"))
    assert empty.http.get("/journal/export").status_code == 400
