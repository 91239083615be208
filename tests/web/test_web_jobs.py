"""The job queue: jobs run in order in one worker, failures are kept as messages (a bad
input's own line, or "internal error" for a bug) and the worker goes on."""

from __future__ import annotations

import time

import pytest

from follicle.errors import FollicleInputError
from follicle.web.jobs import JobQueue


def wait(jobs: JobQueue, job_id: str) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = jobs.get(job_id).to_dict()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.01)
    pytest.fail("the job did not finish")


def test_jobs_run_in_order_and_failures_do_not_stop_the_worker():
    jobs = JobQueue(max_queued=4)
    order: list[str] = []

    def ok(name):
        def work(progress, job_id):
            progress(0.5)
            order.append(name)
            return {"name": name, "job": job_id}

        return work

    def bad_input(progress, job_id):
        raise FollicleInputError("n_per_arm", 0, "1 to 2000")

    def bug(progress, job_id):
        raise ZeroDivisionError("oops")

    submitted = [
        jobs.submit("first", ok("first")),
        jobs.submit("bad", bad_input),
        jobs.submit("bug", bug),
        jobs.submit("last", ok("last")),
    ]
    results = [wait(jobs, job.id) for job in submitted]
    assert [r["status"] for r in results] == ["done", "failed", "failed", "done"]
    assert results[0]["result"] == {"name": "first", "job": submitted[0].id}
    assert results[0]["progress"] == 1.0
    assert "n_per_arm = 0 is not allowed" in results[1]["error"]
    assert results[2]["error"] == "internal error (ZeroDivisionError)"
    assert order == ["first", "last"]
    assert [j.name for j in jobs.jobs()] == ["last", "bug", "bad", "first"]  # newest first
