"""Heavy work (image analysis, tables) must not starve the server: at most a few run at
once, a bounded number wait, and each caller has a rate limit. Over either limit the
answer is 429 with a message to try again, never a queue that grows without end."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque

from fastapi import HTTPException

#: Analyses running at once (the machine's cores are shared with the pages) ...
MAX_RUNNING = 2
#: ... and waiting for a turn; more than this is refused at once.
MAX_WAITING = 8
#: Heavy requests per caller (session or token) per minute.
RATE_PER_MINUTE = 30


class HeavyWork:
    """A bounded gate for heavy requests, with a per-caller sliding-window rate limit."""

    def __init__(
        self,
        *,
        max_running: int = MAX_RUNNING,
        max_waiting: int = MAX_WAITING,
        rate_per_minute: int = RATE_PER_MINUTE,
        what: str = "analyses",
    ):
        self.what = what
        self.max_running = max_running
        self.max_waiting = max_waiting
        self.rate_per_minute = rate_per_minute
        self._semaphore: asyncio.Semaphore | None = None
        self._queued = 0  # running + waiting
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _check_rate(self, caller: str) -> None:
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault(caller, deque())
            while calls and calls[0] <= now - 60:
                calls.popleft()
            if len(calls) >= self.rate_per_minute:
                raise HTTPException(
                    429, f"too many {self.what} (at most {self.rate_per_minute} a minute); wait"
                )
            calls.append(now)

    async def run(self, caller: str, function, *args, **kwargs):
        """Run ``function`` in a worker thread once a slot is free (429 when too busy)."""
        from starlette.concurrency import run_in_threadpool

        self._check_rate(caller)
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_running)
        if self._queued >= self.max_running + self.max_waiting:
            raise HTTPException(429, f"the server is busy with other {self.what}; try again soon")
        self._queued += 1
        try:
            async with self._semaphore:
                return await run_in_threadpool(function, *args, **kwargs)
        finally:
            self._queued -= 1
