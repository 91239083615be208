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
    """The point run alone, as ``follicle validate --no-ensemble``."""
    queued = web.http.post(
        "/api/v1/validate",
        headers=web.bearer,
        json={"n_per_arm": 4, "only": ONLY, "ensemble": False},
    )
    assert queued.status_code == 202, queued.text
    assert queued.json()["kind"] == "validate"
    job = finished(web, f"/api/v1/validate/{queued.json()['id']}")
    assert job["status"] == "done" and job["progress"] == 1.0, job
    cli = cli_json(
        "validate", "--only", ONLY, "--n-per-arm", "4", "--workers", "0", "--no-ensemble"
    )
    assert same_payload(job["result"], cli)
    assert job["result"]["total"] == 5  # olsen2002-48w-5pct, -2pct, -placebo and two -sd
    assert job["result"]["predictive"] is None
    page = web.http.get(f"/trials/{job['id']}")
    assert page.status_code == 200 and page.text.count("data-target=") == 5
    assert "Point run only" in page.text and 'class="inside"' not in page.text
    assert page.text.count('<td class="role">fitted</td>') == 5
    assert 'id="informed-note"' not in page.text
    report = web.http.get(f"/trials/{job['id']}/report")
    assert report.status_code == 200 and "validate-" in report.headers["content-disposition"]


def test_validate_with_predictive_intervals_by_default_as_the_cli(web):
    """As ``follicle validate`` by default: each target's posterior predictive interval
    over ensemble members (kept small: 2 members of 3 people per arm), the same payload as
    the CLI's, and on the page each interval with whether the published value is in it."""
    queued = web.http.post(
        "/api/v1/validate",
        headers=web.bearer,
        json={"n_per_arm": 4, "only": ONLY, "members": 2, "members_n_per_arm": 3},
    )
    job = finished(web, f"/api/v1/validate/{queued.json()['id']}")
    assert job["status"] == "done", job
    cli = cli_json(
        "validate", "--only", ONLY, "--n-per-arm", "4", "--workers", "0",
        "--members", "2", "--members-n-per-arm", "3",
    )  # fmt: skip
    assert same_payload(job["result"], cli)
    predictive = job["result"]["predictive"]
    assert (predictive["members"], predictive["n_per_arm"], predictive["total"]) == (2, 3, 5)
    page = web.http.get(f"/trials/{job['id']}").text
    summary = f"<b>{predictive['inside']} of 5</b> published values inside"
    assert summary in page and "parameter uncertainty (2 members of an ensemble" in page
    marks = [m for m in ("in", "OUT", "n/a") for _ in range(page.count(f'">{m}</td>'))]
    mark = {True: "in", False: "OUT", None: "n/a"}
    expected = [mark[t["published_in_predictive"]] for t in cli["targets"]]
    assert sorted(marks) == sorted(expected) and len(marks) == 5
    for target in cli["targets"]:  # each interval as the CLI computed it
        low, high = target["predictive_low"], target["predictive_high"]
        assert f"{low:.3g} .. {high:.3g} ({target['predictive_median']:.3g})" in page


def test_validate_from_the_trials_page(web):
    answer = web.post_form(
        "/trials/validate",
        {"validate_n_per_arm": "3", "validate_seed": "5", "only": ONLY, "no_ensemble": "1"},
    )
    assert answer.status_code == 200  # followed the redirect to the job page
    assert 'id="job-status"' in answer.text
    listed = web.http.get("/trials").text
    assert "validate against published trials" in listed
    # the form offers the command's default people per arm
    from follicle.trials.predictive import VALIDATION_N_PER_ARM

    assert f'name="validate_n_per_arm" inputmode="numeric" value="{VALIDATION_N_PER_ARM}"' in (
        listed
    )


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"validate_n_per_arm": "1"}, "n_per_arm"),
        ({"validate_n_per_arm": "501"}, "n_per_arm"),
        ({"validate_n_per_arm": "2.5"}, "validate_n_per_arm"),
        ({"validate_seed": "-1"}, "seed"),
        ({"only": "nothing-like-this"}, "--only"),
        ({"members": "0"}, "members"),
        ({"members": "100000"}, "members"),
        ({"members_n_per_arm": "1"}, "members_n_per_arm"),
        ({"members_n_per_arm": "201"}, "members_n_per_arm"),
        ({"members_n_per_arm": "x"}, "members_n_per_arm"),
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
            "/api/v1/validate",
            headers=web.bearer,
            json={"n_per_arm": 2, "only": ONLY, "ensemble": False},
        )
        job = finished(web, f"/api/v1/validate/{queued.json()['id']}")
    assert job["status"] == "failed"
    assert "--scheduler" in job["error"] and "tcp://127.0.0.1:9" in job["error"]


def test_an_informed_held_out_target_is_marked_on_the_job_page(web):
    """calibration.toml's split.informed reaches the page: the role column and a note."""
    queued = web.http.post(
        "/api/v1/validate",
        headers=web.bearer,
        json={"n_per_arm": 3, "only": "hu2015-12m-combination", "ensemble": False},
    )
    assert queued.status_code == 202, queued.text
    job = finished(web, f"/api/v1/validate/{queued.json()['id']}")
    assert job["status"] == "done", job
    assert [t["informed"] for t in job["result"]["targets"]] == [True]
    page = web.http.get(f"/trials/{job['id']}").text
    assert '<td class="role">held out *</td>' in page and 'id="informed-note"' in page
