"""Where trial and validate jobs are kept, behind a small store protocol (as the visits):
SQLite (``jobs.sqlite3`` in the data directory) is the embedded default, so that a restart
of the server keeps finished results; an in-memory store serves tests and scripts.

A job's work (a closure over its trial) cannot be stored, so a job that was queued or
running when the server stopped cannot resume: the next start marks it ``interrupted``,
with a message saying to submit it again, instead of leaving it "running" for ever.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from follicle.jsonable import to_jsonable

if TYPE_CHECKING:
    from follicle.web.jobs import Job

#: Finished jobs kept per owner; older ones are forgotten (their reports stay on disk).
MAX_KEPT = 200
#: Statuses of a job that has not ended.
ACTIVE = ("queued", "running")
INTERRUPTED_MESSAGE = "the server stopped before this job finished; submit it again"


class JobStore(Protocol):
    """Jobs by id and owner; a job is saved whole at each change of status."""

    def save(self, job: Job) -> None: ...

    def get(self, job_id: str, *, owner: str) -> Job | None: ...

    def list(self, *, owner: str) -> list[Job]: ...

    def mark_interrupted(self) -> int: ...

    def forget_owner(self, owner: str) -> int: ...

    def close(self) -> None: ...


class MemoryJobStore:
    """Jobs in a dict: forgotten when the process ends (``JobQueue()`` without a store)."""

    def __init__(self):
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def save(self, job: Job) -> None:
        with self._lock:
            self._jobs[job.id] = job
            _forget_old(self._jobs.pop, self._owned(job.owner))

    def get(self, job_id: str, *, owner: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def list(self, *, owner: str) -> list[Job]:
        with self._lock:
            return self._owned(owner)

    def _owned(self, owner: str) -> list[Job]:  # newest first
        jobs = [j for j in self._jobs.values() if j.owner == owner]
        return sorted(jobs, key=lambda j: j.created, reverse=True)

    def mark_interrupted(self) -> int:
        return 0  # nothing outlives the process

    def forget_owner(self, owner: str) -> int:
        with self._lock:
            gone = [k for k, j in self._jobs.items() if j.owner == owner]
            for key in gone:
                del self._jobs[key]
        return len(gone)

    def close(self) -> None:
        pass


class SQLiteJobStore:
    """Jobs in one SQLite file, one row each (the result as JSON)."""

    def __init__(self, path: Path):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS jobs (
                id TEXT PRIMARY KEY, owner TEXT NOT NULL, created REAL NOT NULL,
                status TEXT NOT NULL, data TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS jobs_by_owner ON jobs(owner, created);
            """
        )

    def save(self, job: Job) -> None:
        data = json.dumps(to_jsonable(job.to_dict() | {"created": job.created}))
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO jobs VALUES (?, ?, ?, ?, ?)",
                (job.id, job.owner, job.created, job.status, data),
            )
            if job.status not in ACTIVE:  # a job ended: forget the owner's oldest ones
                self._db.execute(
                    "DELETE FROM jobs WHERE owner = ? AND status NOT IN (?, ?) AND id NOT IN "
                    "(SELECT id FROM jobs WHERE owner = ? ORDER BY created DESC LIMIT ?)",
                    (job.owner, *ACTIVE, job.owner, MAX_KEPT),
                )

    def get(self, job_id: str, *, owner: str) -> Job | None:
        with self._lock:
            row = self._db.execute(
                "SELECT owner, data FROM jobs WHERE id = ? AND owner = ?", (job_id, owner)
            ).fetchone()
        return _job(*row) if row else None

    def list(self, *, owner: str) -> list[Job]:
        with self._lock:
            rows = self._db.execute(
                "SELECT owner, data FROM jobs WHERE owner = ? ORDER BY created DESC LIMIT ?",
                (owner, MAX_KEPT + 10),
            ).fetchall()
        return [_job(*row) for row in rows]

    def mark_interrupted(self) -> int:
        """Jobs left queued or running by a server that stopped: ``interrupted``. Called
        once when a server starts on this data directory (before it runs any job)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT owner, data FROM jobs WHERE status IN (?, ?)", ACTIVE
            ).fetchall()
            for owner, text in rows:
                job = _job(owner, text)
                job.status, job.error = "interrupted", INTERRUPTED_MESSAGE
                data = json.dumps(to_jsonable(job.to_dict() | {"created": job.created}))
                self._db.execute(
                    "UPDATE jobs SET status = ?, data = ? WHERE id = ?",
                    (job.status, data, job.id),
                )
        return len(rows)

    def forget_owner(self, owner: str) -> int:
        """Every job of ``owner`` (a removed account): gone from the lists; their report
        files stay in ``reports/``."""
        with self._lock:
            return self._db.execute("DELETE FROM jobs WHERE owner = ?", (owner,)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _forget_old(pop, owned: list[Job]) -> None:
    ended = [j for j in owned if j.status not in ACTIVE]
    for old in ended[MAX_KEPT:]:
        pop(old.id)


def _job(owner: str, text: str) -> Job:
    from follicle.web.jobs import Job

    data = json.loads(text)
    return Job(
        id=data["id"],
        name=data["name"],
        owner=owner,
        kind=data["kind"],
        status=data["status"],
        progress=data["progress"],
        created=data["created"],
        result=data["result"],
        error=data["error"],
    )
