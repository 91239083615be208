"""``follicle validate`` as a background job (the trials' queue), its payload that of
``follicle validate --json``; trial and validate jobs on a Dask scheduler when the server
has one (``follicle serve --scheduler``), and a one-line failure when it is unreachable."""

from __future__ import annotations

import time

import pytest
from test_web_api import cli_json, same_payload
from web_helpers import SMALL_TRIAL, WebClient

from follicle.web.config import WebConfig

ONLY = "olsen2002-48w-*"


def finished(web: WebClient, path: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = web.http.get(path, headers=web.bearer).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    pytest.fail(f"{path} did not finish")


def test_validate_runs_as_a_job_with_the_cli_payload(web):
    queued = web.http.post(
        "/api/v1/validate", headers=web.bearer, json={"n_per_arm": 4, "only": ONLY}
    )
    assert queued.status_code == 202, queued.text
    assert queued.json()["kind"] == "validate"
    job = finished(web, f"/api/v1/validate/{queued.json()['id']}")
    assert job["status"] == "done" and job["progress"] == 1.0, job
    # the web job is the point run (no predictive intervals yet): the CLI's --no-ensemble
    cli = cli_json(
        "validate", "--only", ONLY, "--n-per-arm", "4", "--workers", "0", "--no-ensemble"
    )
    assert same_payload(job["result"], cli)
    assert job["result"]["total"] == 5  # olsen2002-48w-5pct, -2pct, -placebo and two -sd
    page = web.http.get(f"/trials/{job['id']}")
    assert page.status_code == 200 and page.text.count("data-target=") == 5
    report = web.http.get(f"/trials/{job['id']}/report")
    assert report.status_code == 200 and "validate-" in report.headers["content-disposition"]


def test_validate_from_the_trials_page(web):
    answer = web.post_form(
        "/trials/validate", {"validate_n_per_arm": "3", "validate_seed": "5", "only": ONLY}
    )
    assert answer.status_code == 200  # followed the redirect to the job page
    assert 'id="job-status"' in answer.text
    listed = web.http.get("/trials").text
    assert "validate against published trials" in listed


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"validate_n_per_arm": "1"}, "n_per_arm"),
        ({"validate_n_per_arm": "501"}, "n_per_arm"),
        ({"validate_n_per_arm": "2.5"}, "validate_n_per_arm"),
        ({"validate_seed": "-1"}, "seed"),
        ({"only": "nothing-like-this"}, "--only"),
    ],
)
def test_bad_validate_input_is_400_on_the_page(shared_web, fields, named):
    answer = shared_web.post_form("/trials/validate", fields)
    assert answer.status_code == 400 and named in answer.text


def test_jobs_run_on_the_configured_dask_scheduler(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        web = WebClient(WebConfig(data_dir=tmp_path, scheduler=cluster.scheduler_address))
        with distributed.Client(cluster.scheduler_address) as watcher:
            queued = web.http.post(
                "/api/v1/trials", headers=web.bearer, json={"trial_toml": SMALL_TRIAL}
            )
            job = finished(web, f"/api/v1/trials/{queued.json()['id']}")
            assert job["status"] == "done", job
            # the tasks ran on the cluster: its scheduler saw them
            events = watcher.run_on_scheduler(_tasks_seen)
            assert events > 0
    serial = WebClient(WebConfig(data_dir=tmp_path / "serial"))
    queued = serial.http.post(
        "/api/v1/trials", headers=serial.bearer, json={"trial_toml": SMALL_TRIAL}
    )
    alone = finished(serial, f"/api/v1/trials/{queued.json()['id']}")
    assert same_payload(alone["result"]["endpoints"], job["result"]["endpoints"])


def _tasks_seen(dask_scheduler=None) -> int:
    return len(dask_scheduler.task_prefixes)


def test_an_unreachable_scheduler_fails_the_job_in_one_line(tmp_path):
    import dask

    web = WebClient(WebConfig(data_dir=tmp_path, scheduler="tcp://127.0.0.1:9"))
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        queued = web.http.post(
            "/api/v1/validate", headers=web.bearer, json={"n_per_arm": 2, "only": ONLY}
        )
        job = finished(web, f"/api/v1/validate/{queued.json()['id']}")
    assert job["status"] == "failed"
    assert "--scheduler" in job["error"] and "tcp://127.0.0.1:9" in job["error"]
