"""Jobs outlive a restart of ``follicle serve``: a real server is stopped while one job
runs and another waits, then started again on the same data directory. The finished job
keeps its result and report; the two it cut short say ``interrupted``, not "running"."""

from __future__ import annotations

import time

import httpx
import pytest
from test_web_api import same_payload
from web_helpers import SMALL_TRIAL, serving

from follicle.web.job_store import INTERRUPTED_MESSAGE


def bearer(login: str) -> dict:
    return {"authorization": f"Bearer {login.split('token=')[1]}"}


def cookie(http: httpx.Client, login: str) -> dict:
    """The session cookie of a page login, sent by hand (it is Secure, and httpx keeps
    Secure cookies from plain http even on 127.0.0.1, where browsers send them)."""
    answer = http.get(login, follow_redirects=False)
    assert answer.status_code == 303
    return {"cookie": f"follicle_session={answer.cookies['follicle_session']}"}


def until(http: httpx.Client, path: str, statuses: tuple[str, ...], headers: dict) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = http.get(path, headers=headers).json()
        if job["status"] in statuses:
            return job
        time.sleep(0.05)
    pytest.fail(f"{path} never reached {statuses}")


def test_a_restarted_server_keeps_finished_jobs_and_marks_cut_ones_interrupted(tmp_path):
    data = tmp_path / "data"
    with serving(data) as (base, login), httpx.Client(base_url=base, timeout=30) as http:
        auth = bearer(login)
        queued = http.post("/api/v1/trials", headers=auth, json={"trial_toml": SMALL_TRIAL})
        finished = until(http, f"/api/v1/trials/{queued.json()['id']}", ("done",), auth)
        report = http.get(f"/trials/{finished['id']}/report", headers=cookie(http, login))
        assert report.status_code == 200 and b"tiny finasteride trial" in report.content
        # every target at 500 per arm: minutes of work, stopped as soon as it runs
        long = http.post("/api/v1/validate", headers=auth, json={"n_per_arm": 500})
        waiting = http.post("/api/v1/trials", headers=auth, json={"trial_toml": SMALL_TRIAL})
        assert (long.status_code, waiting.status_code) == (202, 202)
        until(http, f"/api/v1/validate/{long.json()['id']}", ("running",), auth)
        assert (
            http.get(f"/api/v1/trials/{waiting.json()['id']}", headers=auth).json()["status"]
            == "queued"
        )

    with serving(data) as (base, login), httpx.Client(base_url=base, timeout=30) as http:
        auth = bearer(login)  # a new token at every start
        kept = http.get(f"/api/v1/trials/{finished['id']}", headers=auth).json()
        assert kept == finished
        page = cookie(http, login)
        again = http.get(f"/trials/{finished['id']}/report", headers=page)
        assert again.status_code == 200 and again.content == report.content
        for kind, answer in (("validate", long), ("trials", waiting)):
            cut = http.get(f"/api/v1/{kind}/{answer.json()['id']}", headers=auth).json()
            assert cut["status"] == "interrupted" and cut["error"] == INTERRUPTED_MESSAGE
            assert cut["result"] is None
        listed = http.get("/trials", headers=page).text
        assert listed.count(">interrupted<") == 2 and listed.count(">done<") == 1
        # and the restarted server runs new jobs
        queued = http.post("/api/v1/trials", headers=auth, json={"trial_toml": SMALL_TRIAL})
        new = until(http, f"/api/v1/trials/{queued.json()['id']}", ("done", "failed"), auth)
        assert new["status"] == "done" and same_payload(new["result"], finished["result"])
