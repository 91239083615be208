"""Background jobs (virtual trials): one worker thread, a bounded queue, progress.

A trial can take minutes; it must not hold a request open nor starve the pages. Jobs run
one at a time in a worker thread (serially, on the trial code's own execution path), at
most ``MAX_QUEUED`` wait, and a fuller queue is refused with 429. Jobs live in memory:
a restart forgets them (their reports stay in the data directory).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import HTTPException

from follicle.errors import FollicleFileError, FollicleInputError

MAX_QUEUED = 4
MAX_KEPT = 50  # finished jobs remembered (the oldest are forgotten)
log = logging.getLogger("follicle.web")


@dataclass
class Job:
    id: str
    name: str
    owner: str = "local"  # who may see it: "local", or "user:<id>" in clinic mode
    kind: str = "trial"  # trial or validate
    status: str = "queued"  # queued, running, done, failed
    progress: float = 0.0
    created: float = field(default_factory=time.time)
    result: dict | None = None
    error: str | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "progress": round(self.progress, 3),
            "error": self.error,
            "result": self.result,
        }


class JobQueue:
    def __init__(self, *, max_queued: int = MAX_QUEUED):
        self._queue: queue.Queue = queue.Queue(maxsize=max_queued)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def submit(
        self,
        name: str,
        work: Callable[[Callable[[float], None], str], dict],
        *,
        owner: str = "local",
        kind: str = "trial",
    ) -> Job:
        """Queue ``work(progress, job_id)``; it returns the job's result payload."""
        job = Job(id=uuid.uuid4().hex, name=name, owner=owner, kind=kind)
        try:
            self._queue.put_nowait((job, work))
        except queue.Full:
            raise HTTPException(429, "too many jobs waiting; try again when one is done") from None
        with self._lock:
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if j.status in ("done", "failed")]
            for old in sorted(finished, key=lambda j: j.created)[:-MAX_KEPT]:
                del self._jobs[old.id]
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, daemon=True, name="jobs")
                self._worker.start()
        return job

    def get(self, job_id: str, *, owner: str = "local") -> Job:
        """The job when ``owner`` submitted it (another account's job is not found)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise HTTPException(404, "no such job (jobs are forgotten when the server restarts)")
        return job

    def jobs(self, *, owner: str = "local") -> list[Job]:
        with self._lock:  # newest first (insertion order)
            return [j for j in reversed(self._jobs.values()) if j.owner == owner]

    def _run(self) -> None:
        while True:
            job, work = self._queue.get()
            job.status = "running"

            def progress(fraction: float, job=job) -> None:
                job.progress = max(0.0, min(1.0, float(fraction)))

            try:
                job.result = work(progress, job.id)
                job.progress = 1.0
                job.status = "done"
            except (FollicleInputError, FollicleFileError) as error:
                job.error, job.status = " ".join(str(error).split()), "failed"
            except Exception as error:  # a bug: say so, keep serving
                log.exception("job %s failed", job.id)
                job.error, job.status = f"internal error ({type(error).__name__})", "failed"
            finally:
                self._queue.task_done()


def submit_trial(jobs: JobQueue, config, trial, seed: int | None, *, owner: str) -> Job:
    """Queue a parsed trial (``actions.parse_trial_text``); its report is written to the
    data directory under the job's id. With ``config.scheduler`` it runs on that Dask
    scheduler (as ``follicle trial --scheduler``)."""
    from follicle.web.actions import run_trial_job

    def work(progress, job_id):
        return run_trial_job(config, trial, seed, job_id, progress)

    return jobs.submit(trial.name, work, owner=owner)


def submit_validation(jobs: JobQueue, config, options: dict, *, owner: str) -> Job:
    """Queue ``follicle validate`` with ``actions.parse_validate_options``'s options."""
    from follicle.web.actions import run_validate_job

    def work(progress, job_id):
        return run_validate_job(config, options, job_id, progress)

    return jobs.submit("validate against published trials", work, owner=owner, kind="validate")
