"""The job queue: jobs run in order in one worker, failures are kept as messages (a bad
input's own line, or "internal error" for a bug) and the worker goes on."""

from __future__ import annotations

import time

import pytest
from fastapi import HTTPException

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


def test_a_new_queue_on_the_same_store_keeps_results_and_marks_cut_jobs_interrupted(tmp_path):
    """What a restart does, within one process: the first queue's worker is held inside
    a job (as a server stopped mid-job), a second queue opens the same file."""
    import threading

    from follicle.web.job_store import INTERRUPTED_MESSAGE, SQLiteJobStore

    first = JobQueue(store=SQLiteJobStore(tmp_path / "jobs.sqlite3"))
    done = first.submit("quick", lambda progress, job_id: {"value": 1.5, "none": float("nan")})
    assert wait(first, done.id)["status"] == "done"
    entered, release = threading.Event(), threading.Event()

    def held(progress, job_id):
        progress(0.25)
        entered.set()
        release.wait(30)
        return {}

    running = first.submit("held", held, owner="user:1", kind="validate")
    queued = first.submit("waiting", lambda progress, job_id: {}, owner="user:1")
    assert entered.wait(30)
    assert first.get(running.id, owner="user:1").status == "running"

    second = JobQueue(store=SQLiteJobStore(tmp_path / "jobs.sqlite3"))
    kept = second.get(done.id).to_dict()
    assert kept["status"] == "done" and kept["result"] == {"value": 1.5, "none": None}
    cut = second.get(running.id, owner="user:1")
    assert (cut.status, cut.error, cut.kind) == ("interrupted", INTERRUPTED_MESSAGE, "validate")
    assert second.get(queued.id, owner="user:1").status == "interrupted"
    assert [j.name for j in second.jobs(owner="user:1")] == ["waiting", "held"]
    with pytest.raises(HTTPException):  # another owner's job is not found
        second.get(done.id, owner="user:1")
    release.set()
