"""Background jobs (virtual trials): one worker thread, a bounded queue, progress.

A trial can take minutes; it must not hold a request open nor starve the pages. Jobs run
one at a time in a worker thread (serially, on the trial code's own execution path), at
most ``MAX_QUEUED`` wait, and a fuller queue is refused with 429. Jobs and their results
are kept in a ``JobStore`` (``job_store``; SQLite under the data directory for ``follicle
serve``): a restart keeps the finished ones and marks those it cut short ``interrupted``.
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
from follicle.web.job_store import JobStore, MemoryJobStore

MAX_QUEUED = 4
log = logging.getLogger("follicle.web")


@dataclass
class Job:
    id: str
    name: str
    owner: str = "local"  # who may see it: "local", or "user:<id>" in clinic mode
    kind: str = "trial"  # trial or validate
    status: str = "queued"  # queued, running, done, failed, interrupted (by a restart)
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
    """Jobs run in order by one worker thread. ``store`` keeps every job (by default in
    memory); a new queue first marks the jobs a stopped server left unfinished
    ``interrupted``. Jobs of this process that have not ended are also held here, so that
    their progress is read without a write per step."""

    def __init__(self, *, max_queued: int = MAX_QUEUED, store: JobStore | None = None):
        self._queue: queue.Queue = queue.Queue(maxsize=max_queued)
        self._store: JobStore = MemoryJobStore() if store is None else store
        self._store.mark_interrupted()
        self._active: dict[str, Job] = {}
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
        with self._lock:  # the worker saves "running" only after this saved "queued"
            try:
                self._queue.put_nowait((job, work))
            except queue.Full:
                raise HTTPException(
                    429, "too many jobs waiting; try again when one is done"
                ) from None
            self._active[job.id] = job
            self._store.save(job)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, daemon=True, name="jobs")
                self._worker.start()
        return job

    def get(self, job_id: str, *, owner: str = "local") -> Job:
        """The job when ``owner`` submitted it (another account's job is not found)."""
        with self._lock:
            job = self._active.get(job_id)
        if job is None:
            job = self._store.get(job_id, owner=owner)
        if job is None or job.owner != owner:
            raise HTTPException(404, "no such job")
        return job

    def jobs(self, *, owner: str = "local") -> list[Job]:
        """The owner's jobs, newest first."""
        stored = self._store.list(owner=owner)
        with self._lock:
            return [self._active.get(j.id, j) for j in stored]

    def close(self) -> None:
        self._store.close()

    def _set_status(self, job: Job, status: str) -> None:
        """Saves the job; one that could not be saved (a full disk) stays held here, so
        this process still shows how it ended."""
        with self._lock:
            job.status = status
            try:
                self._store.save(job)
            except Exception:
                log.exception("job %s could not be saved", job.id)
                return
            if status != "running":
                self._active.pop(job.id, None)

    def _run(self) -> None:
        while True:
            job, work = self._queue.get()
            self._set_status(job, "running")

            def progress(fraction: float, job=job) -> None:
                job.progress = max(0.0, min(1.0, float(fraction)))

            try:
                job.result = work(progress, job.id)
                job.progress = 1.0
                status = "done"
            except (FollicleInputError, FollicleFileError) as error:
                job.error, status = " ".join(str(error).split()), "failed"
            except Exception as error:  # a bug: say so, keep serving
                log.exception("job %s failed", job.id)
                job.error, status = f"internal error ({type(error).__name__})", "failed"
            self._set_status(job, status)
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
